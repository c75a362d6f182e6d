package actions_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/store"
)

// The contact's stored scores are merge fields: a CLV tier and the
// predicted next order date in the subject and body.
func TestEmailScoreMergeFields(t *testing.T) {
	f := newFixture(t, func(o *actions.Options) { o.Mail = nil })
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	tier, cell := "high", "champions"
	next := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	if err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		return tx.PutOrderScores(ws, "ct_ann", store.OrderScores{CLVTier: &tier, RFMCell: &cell, NextOrderAt: &next, OrderCount: 5}, t0)
	}); err != nil {
		t.Fatal(err)
	}
	step := automation.Step{ID: "vip", Kind: automation.KindSendEmail, Params: map[string]any{
		"subject": "{{.Contact.CLVTier}} / {{.Contact.RFMCell}}",
		"html":    `<p>See you around {{date "2 January 2006" .Contact.NextOrderAt}}</p>`,
	}}
	res, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", f.checkout("v1")), step)
	if err != nil || res.Skipped != "" {
		t.Fatalf("SendEmail = %+v, %v", res, err)
	}
	m, err := f.st.Message(f.ctx, ws, messageID(t, res))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "high / champions" || !strings.Contains(string(m.Body), "20 March 2026") {
		t.Errorf("subject %q, body %s", m.Subject, m.Body)
	}
}
