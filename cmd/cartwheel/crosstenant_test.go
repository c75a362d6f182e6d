package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// crossSite is one workspace of the cross-tenant test: its site key and
// the id of its first-visit pop-up, which /decide must answer with.
type crossSite struct {
	id, key, popup string
}

// TestSiteKeysUnderConcurrentLoad hammers the public site-key endpoints
// over many keep-alive connections at once, with the keys of many
// workspaces and unknown keys mixed: Fiber reuses request buffers, and a
// string kept past its request (a cache key, a metric label) would answer
// one workspace's key with another's data. Every answer is checked.
func TestSiteKeysUnderConcurrentLoad(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_COLLECT_IP_RATE": "0",
		"CARTWHEEL_COLLECT_VISITOR_RATE": "0", "CARTWHEEL_LOG_LEVEL": "warn"}))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var sites []crossSite
	for i := range 10 {
		var w wsJSON
		if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": fmt.Sprintf("Tenant %d", i)}, &w); code != 201 {
			t.Fatalf("workspace: %d", code)
		}
		api := admin
		api.ws = w.ID
		var wd struct{ ID, Status string }
		if code := api.do("POST", "/api/v1/widget-templates/first_visit_discount", map[string]any{"status": "active"}, &wd); code != 201 {
			t.Fatalf("template: %d", code)
		}
		sites = append(sites, crossSite{id: w.ID, key: w.SiteKey, popup: wd.ID})
	}
	// Unknown keys of the same shape and length as real ones, so that a
	// key overwritten in place would look like one of them.
	var unknown []string
	for i := range 10 {
		k := []byte(sites[i].key)
		for j := len(k) - 6; j < len(k); j++ {
			k[j] = "ABCDEFGHJKLMNPQRSTUVWXYZ"[rand.IntN(24)]
		}
		unknown = append(unknown, string(k))
	}

	const workers, perWorker = 24, 120
	var mu sync.Mutex
	var failures []string
	fail := func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(f, a...))
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One keep-alive connection per worker, reused for all its requests.
			client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			for n := range perWorker {
				i := rand.IntN(len(sites))
				s := sites[i]
				// Padding of varying length shifts where the key sits in
				// the connection's buffer from one request to the next.
				pad := strings.Repeat("x", rand.IntN(300))
				visitor := fmt.Sprintf("w%dn%dt%d", w, n, i)
				switch n % 5 {
				case 0, 1:
					q := url.Values{"k": {s.key}, "v": {visitor}, "s": {"s1"}, "p": {"home"}, "u": {"https://shop.example/" + pad}}
					code, body := crossDo(client, "GET", inst.url("/decide?"+q.Encode()), nil)
					var d decideJSON
					_ = json.Unmarshal(body, &d)
					if code != 200 || len(d.Popups) != 1 || d.Popups[0].ID != s.popup {
						fail("decide for tenant %d: %d %s (want pop-up %s)", i, code, clipBody(body), s.popup)
					}
				case 2:
					q := url.Values{"k": {unknown[i]}, "v": {visitor}, "u": {"https://shop.example/" + pad}}
					if code, body := crossDo(client, "GET", inst.url("/decide?"+q.Encode()), nil); code != 404 {
						fail("decide with an unknown key: %d %s", code, clipBody(body))
					}
				case 3:
					body := crossCollectBody(s.key, visitor, pad)
					if code, b := crossDo(client, "POST", inst.url("/collect"), body); code != 200 && code != 202 {
						fail("collect for tenant %d: %d %s", i, code, clipBody(b))
					}
					if code, b := crossDo(client, "GET", inst.url("/push/key?k="+url.QueryEscape(s.key)+"&p="+pad), nil); code != 200 {
						fail("push key: %d %s", code, clipBody(b))
					}
				case 4:
					if code, b := crossDo(client, "POST", inst.url("/collect"), crossCollectBody(unknown[i], visitor, pad)); code != 404 {
						fail("collect with an unknown key: %d %s", code, clipBody(b))
					}
					q := url.Values{"k": {s.key}, "v": {visitor}, "p": {pad}}
					if code, b := crossDo(client, "GET", inst.url("/inbox?"+q.Encode()), nil); code != 200 {
						fail("inbox for tenant %d: %d %s", i, code, clipBody(b))
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}

	// Every event a tenant's key sent is in that tenant's log, and no other.
	for i, s := range sites {
		evs, err := inst.st.EventsAfter(context.Background(), s.id, 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if !strings.HasSuffix(e.VisitorID, fmt.Sprintf("t%d", i)) {
				t.Errorf("tenant %d holds visitor %s's event", i, e.VisitorID)
				break
			}
		}
	}

	// /metrics answers, with only real methods as labels.
	code, body, _ := get(t, inst.url("/metrics"))
	if code != 200 {
		t.Fatalf("/metrics: %d %s", code, clipBody([]byte(body)))
	}
	for _, m := range regexp.MustCompile(`method="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		switch m[1] {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other":
		default:
			t.Errorf("metric label method=%q", m[1])
		}
	}
}

func crossCollectBody(key, visitor, pad string) []byte {
	b, _ := json.Marshal(map[string]any{"k": key, "v": visitor, "s": "s1", "e": []map[string]any{{
		"t": "page_view", "id": visitor + "-pv", "ts": time.Now().UnixMilli(), "u": "https://shop.example/" + pad}}})
	return b
}

func crossDo(c *http.Client, method, u string, body []byte) (int, []byte) {
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	req.Header.Set("User-Agent", browsertest.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "text/plain")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func clipBody(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
