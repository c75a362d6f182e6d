package actions_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/store"
)

// A preview renders a step as the contact would get it, through the send
// path's templates and merge data, and leaves no trace: no message row,
// no mail, no tracked link, no pixel.
func TestPreviewRendersWithoutSending(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	en := automation.Enrollment{WorkspaceID: ws, ContactID: "ct_ann", TriggerEventID: f.checkout("v1")}

	p, err := f.ch.Preview(f.ctx, en, emailStep("email1"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Ann, your cart is waiting" {
		t.Errorf("subject %q", p.Subject)
	}
	for _, want := range []string{"Hi Ann", "Linen Apron", "Complete your order", "1 Rue de la Paix"} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(p.HTML, publicURL+"/e/c/") || strings.Contains(p.HTML, publicURL+"/e/o/") {
		t.Error("the preview has tracked links or an open pixel")
	}
	push, err := f.ch.Preview(f.ctx, en, automation.Step{ID: "push", Kind: automation.KindSendPush,
		Params: map[string]any{"title": "{{.Contact.FirstName}}, still thinking?", "body": "{{(index .Items 0).Title}} is waiting"}})
	if err != nil {
		t.Fatal(err)
	}
	if push.Title != "Ann, still thinking?" || push.Body != "Linen Apron is waiting" || push.URL == "" {
		t.Errorf("push preview %+v", push)
	}
	ms, err := f.st.Messages(f.ctx, ws, store.MessageFilter{Limit: 10})
	if err != nil || len(ms) != 0 {
		t.Errorf("the preview stored %d messages (%v)", len(ms), err)
	}
	time.Sleep(200 * time.Millisecond)
	if n := f.smtp.Count(); n != 0 {
		t.Errorf("the preview sent %d mails", n)
	}
	// A template error names the param, like the send path's.
	bad := emailStep("email2")
	bad.Params["subject"] = "{{.Nope"
	var pe interface{ StepParam() (string, string) }
	if _, err := f.ch.Preview(f.ctx, en, bad); !errors.As(err, &pe) {
		t.Errorf("bad subject: %v", err)
	} else if param, _ := pe.StepParam(); param != "subject" {
		t.Errorf("bad subject names %q", param)
	}
	if _, err := f.ch.Preview(f.ctx, automation.Enrollment{WorkspaceID: ws, ContactID: "ct_nobody"}, emailStep("email1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
}
