package actions_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/store"
)

// downShop is a shop whose API is down: every call fails, and is counted.
type downShop struct {
	mu    sync.Mutex
	calls int
}

func (s *downShop) CreateDiscount(context.Context, string, actions.DiscountRequest) (actions.Discount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return actions.Discount{}, errors.New("shop API: 503 Service Unavailable")
}

// record stores a step's result as the engine does after it ran.
func (f *fixture) record(en automation.Enrollment, step string, res automation.Result) {
	f.t.Helper()
	body, _ := json.Marshal(res)
	err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		_, err := tx.RecordStepRun(store.StepRun{EnrollmentID: en.ID, StepID: step, WorkspaceID: ws, Attempt: 1,
			Status: "done", Result: body, At: t0})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// No coupon is minted for a contact who cannot be emailed: the consent
// and the cap are checked before the shop is asked.
func TestDiscountChecksConsentAndCapFirst(t *testing.T) {
	shop := &shopDiscounts{}
	f := newFixture(t, func(o *actions.Options) { o.Discounts = shop })
	f.contact("ct_bob", "bob@example.com", "v2", false, "")
	s := automation.Step{ID: "disc", Kind: automation.KindDiscount, Params: map[string]any{"percent": 10.0}}
	res, err := f.ch.Discount(f.ctx, enrollment("ct_bob", 0), s)
	if err != nil || res.Skipped != actions.SkipNoConsent {
		t.Fatalf("without consent: %+v, %v", res, err)
	}
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	for i := range 3 { // the default cap: 3 emails in 7 days
		if _, err := f.ch.SendEmail(f.ctx, enrollment("ct_ann", 0), emailStep("e"+string(rune('1'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	res, err = f.ch.Discount(f.ctx, enrollment("ct_ann", 0), s)
	if err != nil || res.Skipped != actions.SkipCap {
		t.Fatalf("over the cap: %+v, %v", res, err)
	}
	if shop.calls != 0 {
		t.Fatalf("the shop was asked for %d codes", shop.calls)
	}
}

// A shop whose API is down does not hold the email: by default the email
// goes without a code at once; "skip" skips the emails that offer it;
// "retry" fails the step for River to retry. The step's record says which.
func TestDiscountOnCodeFailure(t *testing.T) {
	shop := &downShop{}
	f := newFixture(t, func(o *actions.Options) { o.Discounts = shop })
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	offer := func(id string) automation.Step {
		s := emailStep(id)
		s.Params["discount_from"] = "disc"
		s.Params["html"] = `<p>Hi</p>{{with .Discount}}<p>Code {{.Code}}</p>{{else}}<p>No code</p>{{end}}`
		return s
	}

	en := enrollment("ct_ann", 0)
	disc := automation.Step{ID: "disc", Kind: automation.KindDiscount, Params: map[string]any{"percent": 10.0}}
	res, err := f.ch.Discount(f.ctx, en, disc)
	if err != nil || !strings.HasPrefix(res.Skipped, "no discount code: ") || res.Data["on_code_failure"] != "send_without" ||
		!strings.Contains(res.Data["error"].(string), "503") {
		t.Fatalf("send_without: %+v, %v", res, err)
	}
	f.record(en, "disc", res)
	if _, err := f.ch.SendEmail(f.ctx, en, offer("email")); err != nil {
		t.Fatal(err)
	}
	if m := f.smtp.WaitFor(1, 5*time.Second); len(m) != 1 || !strings.Contains(m[0].HTML, "No code") {
		t.Fatalf("the email did not go without the code: %d", len(m))
	}

	en = enrollment("ct_ann", 0)
	disc.Params["on_code_failure"] = "skip"
	if res, err = f.ch.Discount(f.ctx, en, disc); err != nil || res.Data["on_code_failure"] != "skip" {
		t.Fatalf("skip: %+v, %v", res, err)
	}
	f.record(en, "disc", res)
	if res, err := f.ch.SendEmail(f.ctx, en, offer("email")); err != nil || res.Skipped != actions.SkipNoCode {
		t.Fatalf("the email offering no code: %+v, %v", res, err)
	}

	disc.Params["on_code_failure"] = "retry"
	if _, err := f.ch.Discount(f.ctx, enrollment("ct_ann", 0), disc); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("retry: %v", err)
	}
	if time.Sleep(200 * time.Millisecond); f.smtp.Count() != 1 {
		t.Fatalf("%d emails; want the send_without one only", f.smtp.Count())
	}

	disc.Params["on_code_failure"] = "later"
	if err := f.ch.CheckStep(disc); err == nil || !strings.Contains(err.Error(), "on_code_failure") {
		t.Fatalf("a bad on_code_failure: %v", err)
	}
}
