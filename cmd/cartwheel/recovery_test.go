package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/internal/testclock"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// recoveryCheckout is a checkouts/update body for token by email, created
// at created and updated at updated, completed at completed unless zero.
func recoveryCheckout(t *testing.T, token, email, visitor string, created, updated, completed time.Time) []byte {
	t.Helper()
	fields := map[string]any{"token": token, "customer": nil, "created_at": created.Format(time.RFC3339),
		"updated_at": updated.Format(time.RFC3339), "completed_at": nil,
		"abandoned_checkout_url": "https://flows.myshopify.com/1/checkouts/" + token + "/recover?key=k"}
	if !completed.IsZero() {
		fields["completed_at"] = completed.Format(time.RFC3339)
	}
	return withFields(t, checkoutBody(t, updated, email, visitor), fields)
}

// recoveryOrder is an orders/create body of checkout token ("" for none).
func recoveryOrder(t *testing.T, id int64, email, token string, at time.Time) []byte {
	t.Helper()
	var tok any
	if token != "" {
		tok = token
	}
	return withFields(t, shopifyOrder(t, id, email, at, 632910392), map[string]any{"checkout_token": tok})
}

// Shopify's webhooks are not ordered: the order often arrives before the
// checkout's last update (which carries completed_at). A customer who
// ordered gets no "you left something in your cart", whether the order
// names the checkout (Ann) or is only the same person's order placed after
// the checkout began (Ben), or only completes the checkout once enrolled
// (Dan); a checkout really left (Cat) still gets its
// reminder, at a real SMTP server.
func TestOrderBeforeCheckoutUpdateSendsNoReminder(t *testing.T) {
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	host, port := smtp.Addr()
	clock := testclock.New(time.Now().UTC().Truncate(time.Second))
	cfg := testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SMTP_URL": fmt.Sprintf("smtp://%s:%d?tls=none", host, port)})
	inst, logs := startTest(t, cfg, withClock(clock))
	shop := newFlowShop(t, inst, testShopDomain)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(grepLines(logs.String(), "automation"))
		}
	})
	var flow struct {
		ID string `json:"id"`
	}
	if code := shop.api.do("POST", "/api/v1/flow-templates/abandoned_checkout", nil, &flow); code != 201 {
		t.Fatalf("enable abandoned checkout: %d", code)
	}
	now := clock.Now()
	started, ordered := now.Add(-10*time.Minute), now.Add(-2*time.Minute)

	// Ann: the order of her checkout first, then the checkout's completed update.
	if code, body := deliver(t, inst, "orders/create", "wh-rec-o1", shop.secret,
		recoveryOrder(t, 7001, "ann@example.com", "tok-ann", ordered)); code != 200 {
		t.Fatalf("order: %d %s", code, body)
	}
	// Ben: an order that does not name the checkout, placed after it began.
	if code, body := deliver(t, inst, "orders/create", "wh-rec-o2", shop.secret,
		recoveryOrder(t, 7002, "ben@example.com", "", ordered)); code != 200 {
		t.Fatalf("order: %d %s", code, body)
	}
	waitFor(t, "both orders stored", func() bool {
		var out struct {
			Orders []any `json:"orders"`
		}
		shop.api.do("GET", "/api/v1/orders", nil, &out)
		return len(out.Orders) == 2
	})
	for i, c := range []struct {
		token, email string
		completed    time.Time
	}{{"tok-ann", "ann@example.com", ordered}, {"tok-ben", "ben@example.com", time.Time{}}, {"tok-cat", "cat@example.com", time.Time{}},
		{"tok-dan", "dan@example.com", time.Time{}}} {
		body := recoveryCheckout(t, c.token, c.email, fmt.Sprint("vis-rec-", i), started, now, c.completed)
		if code, out := deliver(t, inst, "checkouts/update", fmt.Sprint("wh-rec-c", i), shop.secret, body); code != 200 {
			t.Fatalf("checkout %s: %d %s", c.token, code, out)
		}
	}
	waitFor(t, "Cat's and Dan's enrollments to wait for the hour", func() bool {
		ens := enrollments(t, shop.api, flow.ID)
		return len(ens) == 2 && ens[0].CurrentStep == "email-1" && ens[1].CurrentStep == "email-1"
	})
	// Dan completes his checkout after he was enrolled, and the order
	// webhook is late: the checkout's state alone stops the reminder.
	if code, out := deliver(t, inst, "checkouts/update", "wh-rec-dan-done", shop.secret,
		recoveryCheckout(t, "tok-dan", "dan@example.com", "vis-rec-3", started, now.Add(time.Minute), now.Add(time.Minute))); code != 200 {
		t.Fatalf("Dan's completed checkout: %d %s", code, out)
	}
	waitFor(t, "Dan's checkout completed", func() bool {
		var out struct {
			CompletedAt time.Time `json:"completed_at"`
		}
		shop.api.do("GET", "/api/v1/checkouts/tok-dan", nil, &out)
		return !out.CompletedAt.IsZero()
	})

	clock.Add(61 * time.Minute)
	waitForLong(t, "Cat's reminder", func() bool { return smtp.Count() >= 1 })
	time.Sleep(3 * time.Second) // Ann's and Ben's steps were due with Cat's
	var to []string
	for _, m := range smtp.Messages() {
		to = append(to, m.To...)
	}
	if len(to) != 1 || to[0] != "cat@example.com" {
		t.Fatalf("reminders went to %v; want Cat's only", to)
	}
	var active int
	for _, en := range enrollments(t, shop.api, flow.ID) {
		if en.Status == "active" {
			active++
		}
	}
	if active != 1 {
		t.Errorf("%d active enrollments; want Cat's only", active)
	}

	// A day later the flow's discount step asks the shop for a code; the
	// shop's API cannot be reached, and the second email goes at once
	// without a code (on_code_failure defaults to send_without) instead of
	// waiting hours of retries.
	clock.Add(24 * time.Hour)
	waitForLong(t, "Cat's second email, without a code", func() bool { return smtp.Count() == 2 })
	if m := smtp.Messages()[1]; m.To[0] != "cat@example.com" || strings.Contains(m.HTML, "dashed") {
		t.Errorf("the second email to %v shows a code box", m.To)
	}
	var cat enrollmentJSON
	for _, en := range enrollments(t, shop.api, flow.ID) {
		if en.Status != "exited_goal" {
			cat = en
		}
	}
	var got struct {
		Steps []struct {
			StepID string `json:"step_id"`
			Status string `json:"status"`
			Result struct {
				Skipped string `json:"skipped"`
			} `json:"result"`
		} `json:"steps"`
	}
	shop.api.do("GET", "/api/v1/enrollments/"+cat.ID, nil, &got)
	var recorded bool
	for _, st := range got.Steps {
		if st.StepID == "discount" {
			recorded = st.Status == "skipped" && strings.HasPrefix(st.Result.Skipped, "no discount code: ")
		}
	}
	if !recorded {
		t.Errorf("the discount step's record does not say why there is no code: %+v", got.Steps)
	}
}
