package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// The console shows a contact's stored scores on the card, and the RFM
// page counts them per cell with a link to the cell's contacts.
func TestConsoleScores(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.url("")
	ws := inst.demo.Workspace.ID
	c, _ := consoleOwner(t, inst, out.String())
	admin := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	if code := admin.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{{"type": "identify",
		"email": "ola@example.pl", "properties": map[string]any{"first_name": "Ola"}}}}, nil); code != 202 {
		t.Fatalf("identify: %d", code)
	}
	var found struct {
		Contacts []struct{ ID string } `json:"contacts"`
	}
	waitFor(t, "the contact", func() bool {
		admin.do("GET", "/api/v1/contacts?email=ola@example.pl", nil, &found)
		return len(found.Contacts) == 1
	})
	id := found.Contacts[0].ID
	card := base + "/admin/w/" + ws + "/contacts/" + id
	if code, body, _ := getWith(t, c, card); code != http.StatusOK || !strings.Contains(body, `id="scores"`) {
		t.Fatalf("card before scoring: %d", code)
	}

	cell, tier, conf := "champions", "high", "high"
	r, f, m := 5, 4, 5
	pAlive, clv := 0.82, 312.5
	next := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	if err := inst.st.InTx(t.Context(), func(tx *store.Tx) error {
		return tx.PutOrderScores(ws, id, store.OrderScores{RFMR: &r, RFMF: &f, RFMM: &m, RFMCell: &cell, PAlive: &pAlive,
			CLV: &clv, CLVTier: &tier, NextOrderAt: &next, Confidence: &conf, OrderCount: 6, Revenue: 480}, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	code, body, _ := getWith(t, c, card)
	for _, want := range []string{"Champions", "R5 F4 M5", "82%", "312.50", "2027-01-15", "fairly sure"} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("card: %d, %q missing", code, want)
		}
	}
	code, body, _ = getWith(t, c, base+"/admin/w/"+ws+"/scores")
	if code != http.StatusOK || !strings.Contains(body, `<tr data-cell="champions"><td><a href="/admin/w/`+ws+`/scores/champions">Champions</a></td><td>1</td>`) {
		t.Errorf("RFM page: %d %s", code, body)
	}
	code, body, _ = getWith(t, c, base+"/admin/w/"+ws+"/scores/champions")
	if code != http.StatusOK || !strings.Contains(body, "ola@example.pl") {
		t.Errorf("champions list: %d", code)
	}
	if code, _, _ := getWith(t, c, base+"/admin/w/"+ws+"/scores/nonsense"); code != http.StatusNotFound {
		t.Errorf("unknown cell: %d", code)
	}
}
