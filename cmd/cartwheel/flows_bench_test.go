package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
)

// benchFlow starts an instance sending to a local SMTP server and a local
// push service, with a shop whose caps and quiet hours are off, and an
// active flow that sends step on the custom event "bench_signal" at once.
func benchFlow(b *testing.B, step map[string]any) (*instance, wsJSON, *smtptest.Server, *pushtest.Server) {
	b.Helper()
	smtp := smtptest.NewServer(b, smtptest.WithAuth("", ""), smtptest.WithDiscard())
	host, port := smtp.Addr()
	push := pushtest.NewServer(b)
	cfg := mustConfig(b, map[string]string{"CARTWHEEL_ADDR": "127.0.0.1:0", "CARTWHEEL_DATA_DIR": b.TempDir(),
		"CARTWHEEL_ADMIN_TOKEN": testAdminToken, "CARTWHEEL_LOG_LEVEL": "warn", "CARTWHEEL_COLLECT_IP_RATE": "0",
		"CARTWHEEL_SMTP_URL":                     fmt.Sprintf("smtp://%s:%d?tls=none&max_conns=8", host, port),
		"CARTWHEEL_PUSH_ALLOW_PRIVATE_ENDPOINTS": "true"})
	inst, err := start(b.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = inst.stop() })
	admin := benchAPI{b: b, inst: inst, token: testAdminToken}
	var w wsJSON
	admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Bench"}, &w, 201)
	api := benchAPI{b: b, inst: inst, token: testAdminToken, ws: w.ID}
	api.do("PATCH", "/api/v1/messaging/settings", map[string]any{"from_email": "bench@shop.example",
		"address": "1 Bench Street", "quiet_hours": map[string]int{"start": 0, "end": 0},
		"caps": map[string]any{"email": map[string]any{"count": 0, "window": "0s"}, "push": map[string]any{"count": 0, "window": "0s"}}}, nil, 200)
	flow := map[string]any{"name": "Bench", "status": "active", "trigger": map[string]any{"event": "bench_signal"},
		"steps": []any{step}, "reentry": map[string]any{"mode": "always"}}
	api.do("POST", "/api/v1/flows", flow, nil, 201)
	return inst, w, smtp, push
}

// seedContacts creates n contacts with email consent, and for push a
// browser subscription each, and waits until the profile processor has
// them.
func seedContacts(b *testing.B, inst *instance, ws wsJSON, n int, push *pushtest.Server) {
	api := benchAPI{b: b, inst: inst, token: testAdminToken, ws: ws.ID}
	for i := 0; i < n; i += 250 {
		var evs []map[string]any
		for j := i; j < min(i+250, n); j++ {
			evs = append(evs, map[string]any{"type": "consent", "email": benchEmail(j), "visitor_id": benchVisitor(j),
				"properties": map[string]any{"email": true, "text": "bench"}})
		}
		api.do("POST", "/api/v1/events", map[string]any{"events": evs}, nil, 202)
	}
	if push != nil {
		for j := range n {
			benchSubscribe(b, inst, ws.SiteKey, benchVisitor(j), push)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := inst.st.ContactByEmail(b.Context(), ws.ID, benchEmail(n-1)); err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Fatal("contacts not processed in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func benchEmail(i int) string   { return fmt.Sprintf("bench-%05d@example.com", i) }
func benchVisitor(i int) string { return fmt.Sprintf("benchvisitor%08d", i) }

// signalFlow posts the trigger event for contacts [from, to).
func signalFlow(b *testing.B, inst *instance, ws wsJSON, from, to int) {
	api := benchAPI{b: b, inst: inst, token: testAdminToken, ws: ws.ID}
	for i := from; i < to; i += 500 {
		var evs []map[string]any
		for j := i; j < min(i+500, to); j++ {
			evs = append(evs, map[string]any{"type": "bench_signal", "email": benchEmail(j)})
		}
		api.do("POST", "/api/v1/events", map[string]any{"events": evs}, nil, 202)
	}
}

// BenchmarkFlowEmails measures emails a second end to end: trigger events
// in through the API, the processors, one River job per send, the render,
// the tracking rewrite and SMTP to a local server. Run with a fixed count:
//
//	go test ./cmd/cartwheel -run '^$' -bench FlowEmails -benchtime 2000x
func BenchmarkFlowEmails(b *testing.B) {
	step := map[string]any{"id": "mail", "kind": "send_email", "params": map[string]any{"subject": "Hello {{.Contact.FirstName | default \"there\"}}",
		"html": "<p>New arrivals are in.</p>", "products": "none"}}
	benchThroughput(b, step, "emails")
}

// BenchmarkFlowPushes is BenchmarkFlowEmails for web push: encrypted
// (RFC 8291), VAPID-signed pushes to a local push service that checks
// and decrypts each.
//
//	go test ./cmd/cartwheel -run '^$' -bench FlowPushes -benchtime 2000x
func BenchmarkFlowPushes(b *testing.B) {
	step := map[string]any{"id": "push", "kind": "send_push", "params": map[string]any{"title": "Back in stock",
		"body": "The grinder you looked at is back.", "url": "https://shop.example/grinder"}}
	benchThroughput(b, step, "pushes")
}

// benchThroughput runs step for b.N seeded contacts at once and reports
// what (emails or pushes, which also subscribes each contact's browser)
// a second.
func benchThroughput(b *testing.B, step map[string]any, what string) {
	inst, ws, smtp, push := benchFlow(b, step)
	count := smtp.Count
	if what == "pushes" {
		count = push.Count
	} else {
		push = nil // no browser subscriptions to seed
	}
	seedContacts(b, inst, ws, b.N, push)
	b.ResetTimer()
	began := time.Now()
	signalFlow(b, inst, ws, 0, b.N)
	waitCount(b, what, count, b.N)
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), what+"/s")
}

// BenchmarkEventToFirstSend measures, one event at a time, how long an
// event takes from the API's 202 to an immediate step's email arriving
// at the SMTP server.
//
//	go test ./cmd/cartwheel -run '^$' -bench EventToFirstSend -benchtime 300x
func BenchmarkEventToFirstSend(b *testing.B) {
	step := map[string]any{"id": "mail", "kind": "send_email", "params": map[string]any{"subject": "Welcome",
		"html": "<p>Thanks for joining.</p>", "products": "none"}}
	inst, ws, smtp, _ := benchFlow(b, step)
	seedContacts(b, inst, ws, b.N, nil)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		began := time.Now()
		signalFlow(b, inst, ws, i, i+1)
		waitCount(b, "the email", smtp.Count, i+1)
		lat = append(lat, time.Since(began))
		time.Sleep(time.Duration(i%7) * 10 * time.Millisecond) // do not beat in step with pollers
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
}

func waitCount(b *testing.B, what string, count func() int, n int) {
	deadline := time.Now().Add(5 * time.Minute)
	for count() < n {
		if time.Now().After(deadline) {
			b.Fatalf("%s: %d of %d arrived", what, count(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// benchAPI is apiClient for benchmarks: it fails on any status but want.
type benchAPI struct {
	b     *testing.B
	inst  *instance
	token string
	ws    string
}

func (c benchAPI) do(method, path string, body, out any, want int) {
	c.b.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.inst.url(path), bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	if c.ws != "" {
		req.Header.Set("X-Cartwheel-Workspace", c.ws)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.b.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			c.b.Fatal(err)
		}
	}
}

func benchSubscribe(b *testing.B, inst *instance, siteKey, visitor string, push *pushtest.Server) {
	sub, _ := push.Subscribe()
	subJSON, _ := json.Marshal(sub)
	body, _ := json.Marshal(map[string]any{"k": siteKey, "v": visitor, "subscription": json.RawMessage(subJSON)})
	resp, err := http.Post(inst.url("/push/subscribe"), "text/plain", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		b.Fatalf("push subscribe: %d", resp.StatusCode)
	}
}
