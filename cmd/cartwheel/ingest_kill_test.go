package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
	"github.com/cartwheelhq/cartwheel/store"
)

// collectBody builds a tracker batch of n custom events whose ids (also in
// their props) are prefix-0 … prefix-(n-1).
func collectBody(siteKey, visitor, prefix string, n int) []byte {
	type ev struct {
		T  string         `json:"t"`
		ID string         `json:"id"`
		TS int64          `json:"ts"`
		P  map[string]any `json:"p"`
	}
	evs := make([]ev, n)
	for i := range evs {
		id := fmt.Sprintf("%s-%d", prefix, i)
		evs[i] = ev{T: "kill_test", ID: id, TS: time.Now().UnixMilli(), P: map[string]any{"n": id}}
	}
	b, _ := json.Marshal(map[string]any{"k": siteKey, "v": visitor, "s": "sess-" + visitor, "n": time.Now().UnixMilli(), "e": evs})
	return b
}

// Every event /collect acknowledged survives kill -9 of the server.
func TestKillDuringIngestLosesNoAcknowledgedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	cmd.Env = append(os.Environ(), "CARTWHEEL_ADMIN_TOKEN="+testAdminToken, "CARTWHEEL_COLLECT_IP_RATE=0", "CARTWHEEL_COLLECT_VISITOR_RATE=0")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr := "http://" + waitForReady(t, stderr)

	req, _ := http.NewRequest("POST", addr+"/api/v1/workspaces", bytes.NewReader([]byte(`{"name":"kill"}`)))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var w wsJSON
	json.NewDecoder(resp.Body).Decode(&w)
	resp.Body.Close()

	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			visitor := fmt.Sprintf("visitor-%d-kill", g)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				prefix := fmt.Sprintf("g%d-b%d", g, i)
				req, _ := http.NewRequest("POST", addr+"/collect", bytes.NewReader(collectBody(w.SiteKey, visitor, prefix, 10)))
				req.Header.Set("Content-Type", "text/plain")
				req.Header.Set("User-Agent", browsertest.UserAgent) // Go's own agent is rightly a bot
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var out struct{ Accepted int }
				json.NewDecoder(resp.Body).Decode(&out)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && out.Accepted == 10 {
					mu.Lock()
					for j := range 10 {
						acked[fmt.Sprintf("%s-%d", prefix, j)] = true
					}
					mu.Unlock()
				}
			}
		}()
	}
	// Let load build up, then kill without warning while requests are in flight.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("fewer than 3000 events acknowledged in 60 s")
		}
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 3000 {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()

	st, err := store.Open(context.Background(), filepath.Join(dir, "cartwheel.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored := map[string]bool{}
	for after := int64(0); ; {
		evs, err := st.EventsAfter(context.Background(), w.ID, after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			var p struct{ N string }
			json.Unmarshal(e.Props, &p)
			stored[p.N] = true
			after = e.ID
		}
	}
	lost := 0
	for id := range acked {
		if !stored[id] {
			lost++
		}
	}
	t.Logf("%d events acknowledged before kill -9, %d stored (stored but unacknowledged: in flight)", len(acked), len(stored))
	if lost > 0 {
		t.Fatalf("%d acknowledged events lost", lost)
	}
}
