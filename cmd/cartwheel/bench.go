package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// benchUserAgent is a desktop browser: Go's own agent is rightly a bot.
const benchUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"

// benchIngest measures /collect end to end: it starts this binary as a
// `serve` subprocess on a fresh data dir (so the peak RSS is the server's
// alone), creates a workspace, then posts tracker batches from concurrent
// clients over loopback for a fixed time.
func benchIngest(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench ingest", flag.ContinueOnError)
	duration := fs.Duration("duration", 20*time.Second, "how long to send")
	warmup := fs.Duration("warmup", 2*time.Second, "sending before measuring starts")
	clients := fs.Int("clients", 32, "concurrent HTTP clients")
	batch := fs.Int("batch", 10, "events per request")
	visitors := fs.Int("visitors", 5000, "distinct visitor ids")
	dataDir := fs.String("data-dir", "", "data dir for the server (default: a new temp dir, removed after)")
	retryAfter := fs.String("retry-after", "ignore", "what clients do on 503: ignore (send the next batch at once, as a "+
		"misbehaving client or a retry storm does) or honor (wait the Retry-After the server asked for)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *retryAfter != "ignore" && *retryAfter != "honor" {
		return fmt.Errorf("--retry-after %q: want ignore or honor", *retryAfter)
	}
	dir := *dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "cartwheel-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	const token = "bench-admin-token-0123456789"
	// The log a load of 503s costs is part of what is measured.
	logLines := &atomic.Int64{}
	base, srv, stop, err := benchServer(ctx, dir, token, logLines, "CARTWHEEL_COLLECT_IP_RATE=0", "CARTWHEEL_COLLECT_VISITOR_RATE=0")
	if err != nil {
		return err
	}
	defer stop()
	_, siteKey, err := benchWorkspace(base, token)
	if err != nil {
		return err
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}, Timeout: 10 * time.Second}
	var mu sync.Mutex
	var lat []time.Duration
	var sent, failed, shed int
	start := time.Now()
	measureFrom := start.Add(*warmup)
	end := measureFrom.Add(*duration)
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			myOK, myFail, myShed := 0, 0, 0
			for i := 0; ; i++ {
				now := time.Now()
				if now.After(end) || ctx.Err() != nil {
					break
				}
				body := benchBody(siteKey, fmt.Sprintf("bench-visitor-%d", (c*7919+i)%*visitors), fmt.Sprintf("c%d-%d", c, i), *batch)
				req, _ := http.NewRequest("POST", base+"/collect", bytes.NewReader(body))
				req.Header.Set("Content-Type", "text/plain")
				req.Header.Set("User-Agent", benchUserAgent)
				t0 := time.Now()
				resp, err := client.Do(req)
				ok := err == nil && resp.StatusCode == 200
				var wait time.Duration
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusServiceUnavailable && *retryAfter == "honor" {
						secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
						wait = time.Duration(max(secs, 1)) * time.Second
					}
				}
				d := time.Since(t0)
				measured := !t0.Before(measureFrom)
				switch {
				case !measured:
				case ok:
					myOK++
					mine = append(mine, d)
				case err == nil && resp.StatusCode == http.StatusServiceUnavailable:
					myShed++
				default:
					myFail++
				}
				if wait > 0 {
					select {
					case <-time.After(min(wait, time.Until(end))):
					case <-ctx.Done():
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			sent += myOK
			failed += myFail
			shed += myShed
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		return errors.New("no request succeeded")
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	peak, _ := peakRSS(srv.Process.Pid)
	secs := duration.Seconds()
	fmt.Fprintf(out, "ingest benchmark: %d clients (%s Retry-After), batches of %d events, %s measured after %s warm-up\n",
		*clients, *retryAfter, *batch, *duration, *warmup)
	fmt.Fprintf(out, "  requests ok      %d (503 %d, other failures %d)\n", sent, shed, failed)
	fmt.Fprintf(out, "  events/s         %.0f\n", float64(sent**batch)/secs)
	fmt.Fprintf(out, "  requests/s       %.0f\n", float64(sent)/secs)
	fmt.Fprintf(out, "  latency p50      %s\n", pct(0.50).Round(10*time.Microsecond))
	fmt.Fprintf(out, "  latency p99      %s\n", pct(0.99).Round(10*time.Microsecond))
	fmt.Fprintf(out, "  latency max      %s\n", lat[len(lat)-1].Round(10*time.Microsecond))
	fmt.Fprintf(out, "  server peak RSS  %.1f MiB\n", float64(peak)/1024)
	fmt.Fprintf(out, "  server log lines %d (at the default level, after start-up)\n", logLines.Load())
	return nil
}

var readyRe = regexp.MustCompile(`cartwheel ready.* addr=(\S+)`)

// benchServer starts this binary as a `serve` subprocess on dir, so that
// its peak RSS is the server's alone, and returns its base URL; lines, when
// not nil, counts the server's log lines after it was ready.
func benchServer(ctx context.Context, dir, token string, lines *atomic.Int64, env ...string) (string, *exec.Cmd, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, nil, err
	}
	srv := exec.CommandContext(ctx, self, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	srv.Env = append(append(os.Environ(), "CARTWHEEL_ADMIN_TOKEN="+token), env...)
	stderr, err := srv.StderrPipe()
	if err != nil {
		return "", nil, nil, err
	}
	if err := srv.Start(); err != nil {
		return "", nil, nil, err
	}
	stop := func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}
	addr, err := readyAddressCounting(stderr, 30*time.Second, lines)
	if err != nil {
		stop()
		return "", nil, nil, err
	}
	return "http://" + addr, srv, stop, nil
}

// readyAddress reads a `cartwheel serve` log until its "cartwheel ready"
// line and returns the address it listens on; the rest of the log keeps
// being drained so the server never blocks on a full pipe.
func readyAddress(r io.Reader, timeout time.Duration) (string, error) {
	return readyAddressCounting(r, timeout, nil)
}

// readyAddressCounting is readyAddress that also counts, in lines (when
// not nil), the log lines after the ready line.
func readyAddressCounting(r io.Reader, timeout time.Duration, lines *atomic.Int64) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		ready := false
		for sc.Scan() {
			if ready {
				if lines != nil {
					lines.Add(1)
				}
			} else if m := readyRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				ready = true
			}
		}
		if !ready {
			close(found)
		}
		io.Copy(io.Discard, r)
	}()
	select {
	case a, ok := <-found:
		if !ok {
			return "", errors.New("server exited before it was ready")
		}
		return a, nil
	case <-time.After(timeout):
		return "", errors.New("server not ready in time")
	}
}

// benchWorkspace creates a workspace and returns its id and site key.
func benchWorkspace(base, token string) (string, string, error) {
	req, _ := http.NewRequest("POST", base+"/api/v1/workspaces", strings.NewReader(`{"name":"bench","currency":"USD"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var w struct {
		ID      string `json:"id"`
		SiteKey string `json:"site_key"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&w); err != nil || w.SiteKey == "" {
		return "", "", fmt.Errorf("create bench workspace: %d %v", resp.StatusCode, err)
	}
	return w.ID, w.SiteKey, nil
}

// benchBody is a realistic tracker batch: page and product views with
// product props, a cart add, like a shopper's few seconds on a shop.
func benchBody(siteKey, visitor, prefix string, n int) []byte {
	var b bytes.Buffer
	now := time.Now().UnixMilli()
	fmt.Fprintf(&b, `{"k":%q,"v":%q,"s":"s-%s","n":%d,"c":{"tracking":true},"e":[`, siteKey, visitor, visitor, now)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := prefix + "-" + strconv.Itoa(i)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, `{"t":"page_view","id":%q,"ts":%d,"u":"https://shop.example/p/%d","pv":"pv-%s","p":{"title":"Product %d","referrer":"https://shop.example/"}}`, id, now, i, prefix, i)
		case 4:
			fmt.Fprintf(&b, `{"t":"add_to_cart","id":%q,"ts":%d,"u":"https://shop.example/p/%d","pv":"pv-%s","p":{"product_id":"p%d","quantity":1}}`, id, now, i, prefix, i)
		default:
			fmt.Fprintf(&b, `{"t":"product_view","id":%q,"ts":%d,"u":"https://shop.example/p/%d","pv":"pv-%s-%d","p":{"product":{"id":"p%d","title":"Product %d","category":"Coffee","price_minor":1290,"currency":"EUR"},"dwell_ms":%d}}`, id, now, i, prefix, i, i, i, i*1000)
		}
	}
	b.WriteString("]}")
	return b.Bytes()
}

// peakRSS reads a process's high-water resident set size in KiB (Linux).
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}
