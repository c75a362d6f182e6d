package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// BenchmarkSegmentToFlow measures, through the real server, how long a
// visitor's page view takes to become a flow enrollment by way of a
// segment: /collect accepts the event, the profile processor counts it,
// the segment follower finds the visitor entered "viewed a page" and logs
// segment_entered, and automation enrols the contact in the flow
// triggered by it. Reports p50 and p99 over 200 visitors, one at a time
// (run it with -benchtime 1x).
func BenchmarkSegmentToFlow(b *testing.B) {
	cfg := mustConfig(b, map[string]string{"CARTWHEEL_ADDR": "127.0.0.1:0", "CARTWHEEL_DATA_DIR": b.TempDir(),
		"CARTWHEEL_ADMIN_TOKEN": testAdminToken, "CARTWHEEL_LOG_LEVEL": "warn", "CARTWHEEL_COLLECT_IP_RATE": "0"})
	inst, err := start(b.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = inst.stop() })
	admin := benchAPI{b: b, inst: inst, token: testAdminToken}
	var w wsJSON
	admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Bench", "allowed_origins": []string{"https://shop.example"}}, &w, 201)
	api := benchAPI{b: b, inst: inst, token: testAdminToken, ws: w.ID}
	var seg struct{ ID string }
	api.do("POST", "/api/v1/segments", map[string]any{"name": "Browsed",
		"definition": map[string]any{"field": "profile.page_views", "op": "gte", "value": 1}}, &seg, 201)
	var flow struct{ ID string }
	api.do("POST", "/api/v1/flows", map[string]any{"name": "Entered", "status": "active",
		"trigger": map[string]any{"event": "segment_entered", "filters": []any{map[string]any{"field": "segment_id", "op": "eq", "value": seg.ID}}},
		"steps":   []any{map[string]any{"id": "tag", "kind": "tag_add", "params": map[string]any{"tag": "entered"}}}}, &flow, 201)
	const visitors = 200
	var lat []time.Duration
	for b.Loop() {
		lat = lat[:0]
		for i := range visitors {
			v := fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)
			now := time.Now()
			body := fmt.Appendf(nil, `{"k":%q,"v":%q,"s":"s1","n":%d,"c":{"tracking":true},"e":[{"t":"page_view","id":"e1","ts":%d,"u":"https://shop.example/","p":{"title":"Home"}}]}`,
				w.SiteKey, v, now.UnixMilli(), now.UnixMilli())
			req, _ := http.NewRequest("POST", inst.url("/collect"), bytes.NewReader(body))
			req.Header.Set("Content-Type", "text/plain")
			req.Header.Set("Origin", "https://shop.example")
			req.Header.Set("User-Agent", browsertest.UserAgent) // not a bot
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("collect: %d", resp.StatusCode)
			}
			for {
				ens, err := inst.auto.engine.ListEnrollments(b.Context(), w.ID, flow.ID, time.Time{}, "", 1)
				if err != nil {
					b.Fatal(err)
				}
				// Newest first: this visitor's enrollment is the one made
				// after its event was sent.
				if len(ens) > 0 && !ens[0].CreatedAt.Before(now.Truncate(time.Millisecond)) {
					break
				}
				if time.Since(now) > 30*time.Second {
					b.Fatalf("visitor %d not enrolled after 30 s", i)
				}
				time.Sleep(2 * time.Millisecond)
			}
			lat = append(lat, time.Since(now))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max_ms")
}
