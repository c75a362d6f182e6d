package main

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// A real `cartwheel serve` is killed (SIGKILL) in the middle of a
// campaign and started again on the same data: every consenting contact
// gets the campaign exactly once, nobody without consent gets it.
//
// The kill lands between two sends (the campaign is throttled to 20 a
// second and the kill comes half an interval after a message arrived): a
// kill in the instant between the relay accepting a message and its sent
// state committing would send that one message again, which no SMTP
// sender can rule out (docs/campaigns.md).
func TestCampaignSurvivesKillMidSend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	srv := startKillable(t, bin, dir, smtp)

	var w wsJSON
	if code := srv.do("POST", "/api/v1/workspaces", "", map[string]any{"name": "Kill campaign"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	settings := map[string]any{"from_email": "hello@shop.example", "address": "1 Main St",
		"quiet_hours": map[string]int{"start": 0, "end": 0}}
	if code := srv.do("PATCH", "/api/v1/messaging/settings", w.ID, settings, nil); code != 200 {
		t.Fatalf("settings: %d", code)
	}
	const n = 200
	var want []string
	var evs []any
	for i := range n {
		addr := fmt.Sprintf("r%03d@example.com", i)
		want = append(want, addr)
		evs = append(evs, map[string]any{"type": "consent", "email": addr, "properties": map[string]any{"email": true}})
	}
	for i := range 5 {
		evs = append(evs, map[string]any{"type": "consent", "email": fmt.Sprintf("no%d@example.com", i),
			"properties": map[string]any{"email": false}})
	}
	evs = append(evs, map[string]any{"type": "consent", "email": "last@example.com", "properties": map[string]any{"email": false}})
	if code := srv.do("POST", "/api/v1/events", w.ID, map[string]any{"events": evs}, nil); code != 202 {
		t.Fatalf("events: %d", code)
	}
	waitForLong(t, "the contacts", func() bool {
		var out struct {
			Contacts []any `json:"contacts"`
		}
		srv.do("GET", "/api/v1/contacts?email=last@example.com", w.ID, nil, &out)
		return len(out.Contacts) == 1
	})
	var c struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if code := srv.do("POST", "/api/v1/campaigns", w.ID, map[string]any{"name": "Sale", "channel": "email",
		"email":               map[string]any{"subject": "Hi {{.Contact.Email}}", "html": "<p>Sale</p>"},
		"throttle_per_minute": 1200}, &c); code != 201 {
		t.Fatalf("campaign: %d", code)
	}
	if code := srv.do("POST", "/api/v1/campaigns/"+c.ID+"/schedule", w.ID, nil, &c); code != 200 || c.Status != "scheduled" {
		t.Fatalf("schedule: %d %s", code, c.Status)
	}
	deadline := time.Now().Add(40 * time.Second)
	for smtp.Count() < 60 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d emails", smtp.Count())
		}
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(25 * time.Millisecond)
	srv.kill()
	before := smtp.Count()
	if before >= n {
		t.Fatalf("the campaign finished (%d) before the kill", before)
	}

	srv = startKillable(t, bin, dir, smtp)
	waitForLong(t, "the campaign to finish", func() bool {
		var p struct {
			Status string `json:"status"`
		}
		srv.do("GET", "/api/v1/campaigns/"+c.ID+"/progress", w.ID, nil, &p)
		return p.Status == "done"
	})
	got := recipients(smtp.Messages())
	if !slices.Equal(got, want) {
		dups := 0
		for i := 1; i < len(got); i++ {
			if got[i] == got[i-1] {
				dups++
			}
		}
		t.Fatalf("%d emails (%d before the kill, %d duplicates), want each of %d once", len(got), before, dups, n)
	}
	var rep struct {
		Sent int `json:"sent"`
	}
	srv.do("GET", "/api/v1/campaigns/"+c.ID+"/report", w.ID, nil, &rep)
	if rep.Sent != n {
		t.Fatalf("report: sent %d", rep.Sent)
	}
	t.Logf("%d emails before the kill, %d after", before, n-before)
}

func recipients(msgs []smtptest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	slices.Sort(out)
	return out
}
