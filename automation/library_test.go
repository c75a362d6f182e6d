package automation

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/l10n"
)

// Every ready-made flow is a valid flow, and every email in it compiles
// as the email channel will compile it.
func TestTemplatesAreValid(t *testing.T) {
	t.Parallel()
	if len(Templates()) != 8 {
		t.Fatalf("%d templates", len(Templates()))
	}
	for _, lang := range []l10n.Lang{l10n.English, l10n.Polish} {
		for _, tpl := range templates {
			checkTemplate(t, tpl, lang)
		}
	}
}

func checkTemplate(t *testing.T, tpl readyFlow, lang l10n.Lang) {
	t.Helper()
	offer := map[l10n.Lang]string{l10n.English: "% off", l10n.Polish: "% rabatu"}[lang]
	{
		f := tpl.build(libLang{lang})
		f.Name = tpl.Title
		// Through JSON, as the flow is stored and read back.
		raw, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeFlow(raw); err != nil {
			t.Fatalf("%s: %v", tpl.Name, err)
		}
		emails := 0
		for _, s := range f.Steps {
			if s.Kind != KindSendEmail {
				continue
			}
			emails++
			p := s.Params
			c, err := email.Parse(email.Template{Subject: p["subject"].(string), Preheader: p["preheader"].(string),
				HTML: p["html"].(string)})
			if err != nil {
				t.Fatalf("%s step %s: %v", tpl.Name, s.ID, err)
			}
			// With and without a code: a shop that cannot create codes
			// skips the discount step, and the copy must not promise one.
			for _, d := range []*email.Discount{nil, {Code: "SAVE-2345", Percent: 10}} {
				out, err := c.Render(email.Data{Contact: email.Contact{FirstName: "Ann"}, Shop: email.Shop{Name: "Shop", URL: "https://shop.example", Currency: "EUR", Locale: string(lang)},
					Discount: d, Links: email.Links{Unsubscribe: "https://x.example/u", Recovery: "https://shop.example/r"}})
				if err != nil {
					t.Fatalf("%s step %s: %v", tpl.Name, s.ID, err)
				}
				if promises := strings.Contains(out.Subject+out.HTML, offer); promises != (d != nil) && strings.Contains(p["html"].(string)+p["subject"].(string), "Discount") {
					t.Errorf("%s step %s with discount %v: subject %q, mentions a percentage: %v", tpl.Name, s.ID, d != nil, out.Subject, promises)
				}
			}
			if from, ok := p["discount_from"].(string); ok && (f.step(from) == nil || f.step(from).Kind != KindDiscount) {
				t.Fatalf("%s step %s: discount_from %q is not a discount step", tpl.Name, s.ID, from)
			}
		}
		if emails == 0 && tpl.Name != "abandoned_cart_push" {
			t.Fatalf("%s sends no email", tpl.Name)
		}
	}
}

// contactOf is the contact a visitor's events resolved to.
func (h *harness) contactOf(visitor string) string {
	h.t.Helper()
	c, err := h.st.ContactByIdentity(h.ctx, ws, cdp.KindVisitor, visitor)
	if err != nil {
		h.t.Fatal(err)
	}
	return c.ID
}

// actedFor lists the steps acted on for a contact, in order.
func (h *harness) actedFor(contactID string) []string {
	var out []string
	for _, c := range h.actions.list("") {
		if c.Contact == contactID {
			out = append(out, c.Step)
		}
	}
	return out
}

func (h *harness) waitActed(visitor string, want ...string) {
	h.t.Helper()
	id := h.contactOf(visitor)
	h.waitFor(visitor+" to get "+join(want), func() bool { return join(h.actedFor(id)) == join(want) })
}

// waitAt waits until the visitor's enrollment in the flow is at step, so
// that a wait step has started before the clock moves on.
func (h *harness) waitAt(flowID, visitor, step string) {
	h.t.Helper()
	id := h.contactOf(visitor)
	h.waitFor(visitor+" at "+step, func() bool {
		for _, en := range h.enrollments(flowID) {
			if en.ContactID == id && en.CurrentStep == step {
				return true
			}
		}
		return false
	})
}

func join(s []string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The event-triggered ready-made flows on one clock: the welcome series
// and the abandoned checkout run to their goals, the cart push and the
// cross-sell act on their trigger. Enabling twice makes no second flow.
func TestReadyMadeFlows(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ids := map[string]string{}
	for _, name := range []string{"welcome", "abandoned_checkout", "abandoned_cart_push", "cross_sell"} {
		f, err := h.eng.EnableTemplate(h.ctx, ws, name)
		if err != nil || f.Status != FlowActive {
			t.Fatalf("enable %s: %+v %v", name, f, err)
		}
		ids[name] = f.ID
	}
	if _, err := h.eng.SetStatus(h.ctx, ws, ids["welcome"], FlowPaused); err != nil {
		t.Fatal(err)
	}
	if f, err := h.eng.EnableTemplate(h.ctx, ws, "welcome"); err != nil || f.ID != ids["welcome"] || f.Status != FlowActive {
		t.Fatalf("enabling again: %+v %v", f, err)
	}
	if flows, _ := h.eng.Flows(h.ctx, ws); len(flows) != 4 {
		t.Fatalf("%d flows after enabling one twice", len(flows))
	}
	if _, err := h.eng.EnableTemplate(h.ctx, ws, "nope"); !isInvalid(err) {
		t.Fatalf("unknown template: %v", err)
	}

	h.event(eventFormSubmitted, "sub", map[string]any{"email": "sub@example.com"})
	h.event(cdp.EventCheckoutUpdated, "cart", map[string]any{"email": "cart@example.com", "token": "c1"})
	h.event(cdp.EventCheckoutUpdated, "buyer", map[string]any{"email": "buyer@example.com", "token": "c2"})
	h.event(cdp.EventAddToCart, "anon", map[string]any{"product_id": "p1"})
	h.waitActed("sub", "discount", "email-1")
	h.waitAt(ids["welcome"], "sub", "email-2")
	h.waitAt(ids["abandoned_checkout"], "cart", "email-1")
	h.waitAt(ids["abandoned_checkout"], "buyer", "email-1")
	h.waitAt(ids["abandoned_cart_push"], "anon", "push")

	h.clock.Add(time.Hour)
	h.waitActed("cart", "email-1", "push-1")
	h.waitActed("buyer", "email-1", "push-1")
	h.waitActed("anon", "push")
	h.event(cdp.EventOrderPlaced, "buyer", map[string]any{"order_id": "o1", "items": []any{}})
	h.waitActed("buyer", "email-1", "push-1", "discount", "email") // the cross-sell, and nothing more
	h.waitAt(ids["abandoned_checkout"], "cart", "discount")

	h.clock.Add(23 * time.Hour)
	h.waitActed("cart", "email-1", "push-1", "discount", "email-2")
	h.clock.Add(24 * time.Hour)
	h.waitActed("sub", "discount", "email-1", "email-2")
	h.event(cdp.EventOrderPlaced, "sub", map[string]any{"order_id": "o2"})
	h.waitActed("sub", "discount", "email-1", "email-2", "discount", "email")

	h.clock.Add(3 * 24 * time.Hour)
	en := h.enrollments(ids["welcome"])[0]
	if en.Status != EnrollmentExitedGoal {
		t.Fatalf("welcome after the order: %+v", en)
	}
	if en.CurrentStep == "email-3" { // its wait ran before the order: the email's job is due now
		h.waitFor("the third welcome email's job", func() bool {
			j := h.job(en.ID, "email-3")
			return j != nil && j.State == rivertype.JobStateCompleted
		})
	}
	if got := h.actedFor(h.contactOf("sub")); len(got) != 5 { // no third welcome email
		t.Fatalf("subscriber got %v", got)
	}
	for _, en := range h.enrollments(ids["abandoned_checkout"]) {
		want := EnrollmentCompleted
		if en.ContactID == h.contactOf("buyer") {
			want = EnrollmentExitedGoal
		}
		if en.Status != want {
			t.Fatalf("checkout enrollment %+v, want %s", en, want)
		}
	}
	email1 := h.actions.list(KindSendEmail)[0]
	if email1.Params["products"] != "none" || email1.Params["discount_from"] != "discount" {
		t.Fatalf("welcome email params %v", email1.Params)
	}
}
