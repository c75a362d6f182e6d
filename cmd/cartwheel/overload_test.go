package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// Under overload, requests are shed before their body is decoded (a body
// that is not even JSON gets the 503, not a 400), with Retry-After, and
// the 503s are logged once per interval, not once each (issue 12).
func TestOverloadShedsBeforeDecoding(t *testing.T) {
	inst, logs := startTest(t, testEnv(t, t.TempDir(), map[string]string{
		"CARTWHEEL_COLLECT_IP_RATE": "0", "CARTWHEEL_COLLECT_VISITOR_RATE": "0"}))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	w, api, _ := newTenant(t, admin, "Busy", "busy-shop.myshopify.com")
	origin := map[string]string{"Origin": "https://busy-shop.myshopify.com"}

	// Hold the one writer connection, so that accepted batches queue up.
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	// Registered after startTest's stop, so it runs first: a failing test
	// must not leave the writer held while the instance stops.
	t.Cleanup(unblock)
	held := make(chan struct{})
	go func() {
		_ = inst.st.InTx(context.Background(), func(*store.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	var wg sync.WaitGroup
	codes := make(chan int, 400)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 400, MaxIdleConnsPerHost: 400}, Timeout: time.Minute}
	now := time.Now().UnixMilli()
	for i := range 400 {
		wg.Go(func() {
			evs := make([]string, 50)
			for j := range evs {
				evs[j] = fmt.Sprintf(`{"t":"page_view","id":"e%d","ts":%d,"u":"https://busy-shop.myshopify.com/"}`, j, now)
			}
			body := fmt.Sprintf(`{"k":%q,"v":"visitor-%d","s":"s","n":%d,"c":{"tracking":true},"e":[%s]}`, w.SiteKey, i, now, strings.Join(evs, ","))
			req, _ := http.NewRequest("POST", inst.url("/collect"), strings.NewReader(body))
			req.Header.Set("Content-Type", "text/plain")
			req.Header.Set("User-Agent", benchUserAgent)
			req.Header.Set("Origin", origin["Origin"])
			resp, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	// Wait until the queue is past the admission mark (three quarters of
	// the default 20,000 events).
	deadline := time.Now().Add(30 * time.Second)
	for inst.writer.Queued() < 15000 {
		if time.Now().After(deadline) {
			t.Fatalf("queue never filled: %d queued", inst.writer.Queued())
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := len(logs.String())

	const shed = 200
	for i := range shed {
		code, _, hdr := postCollect(t, inst, []byte(`this is not JSON`), origin)
		if code != 503 || hdr.Get("Retry-After") == "" {
			t.Fatalf("/collect %d under overload: %d %q, want 503 before decoding", i, code, hdr.Get("Retry-After"))
		}
	}
	req, _ := http.NewRequest("POST", inst.url("/api/v1/events"), bytes.NewReader([]byte(`{"events": not json`)))
	req.Header.Set("Authorization", "Bearer "+api.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("/api/v1/events under overload: %d, want 503 before decoding", resp.StatusCode)
	}
	var loud int
	for _, l := range strings.Split(logs.String()[before:], "\n") {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
			loud++
		}
	}
	if loud > 1 {
		t.Errorf("%d warn/error lines for %d shed requests, want at most 1:\n%s", loud, shed+1, logs.String()[before:])
	}

	unblock()
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		if c == 200 {
			ok++
		}
	}
	if ok < 300 {
		t.Errorf("%d of the queued batches stored, want at least the 300 that fit the admission mark", ok)
	}
}
