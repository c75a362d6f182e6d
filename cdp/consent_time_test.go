package cdp

import (
	"context"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// A shop's consent statement counts from its own time, for SMS as for
// email: a statement without one never undoes a refusal, one with an
// older time neither, and a newer one does.
func TestShopConsentByItsOwnTime(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	in := NewIngest(st, quiet, func() time.Time { return t0 })
	p := NewProcessor(st, quiet, func() time.Time { return t0 })
	customer := func(at time.Time, sms *commerce.Consent) {
		t.Helper()
		props := map[string]any{"customer_id": "9123456789012345101", "email": "zofia@example.pl", "phone": "+48 600 100 200",
			"shop_id": "s", "sms_consent": sms}
		if err := in.Record(ctx, "ws_a", EventCustomerUpdated, "shopify", at, props); err != nil {
			t.Fatal(err)
		}
		if err := p.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	sms := func() store.Consent {
		t.Helper()
		c, err := st.ContactByEmail(ctx, "ws_a", "zofia@example.pl")
		if err != nil {
			t.Fatal(err)
		}
		cs, _ := st.Consents(ctx, "ws_a", c.ID)
		for _, x := range cs {
			if x.Channel == "sms" {
				return x
			}
		}
		t.Fatal("no sms consent")
		return store.Consent{}
	}
	customer(t0, &commerce.Consent{State: commerce.ConsentUnsubscribed, UpdatedAt: t0})
	// A later record, whose SMS statement has no time of its own.
	customer(t0.Add(time.Hour), &commerce.Consent{State: commerce.ConsentSubscribed})
	if c := sms(); c.Granted {
		t.Fatalf("a statement without a time undid a refusal: %+v", c)
	}
	// A later record repeating a statement made before the refusal.
	customer(t0.Add(2*time.Hour), &commerce.Consent{State: commerce.ConsentSubscribed, UpdatedAt: t0.Add(-time.Hour)})
	if c := sms(); c.Granted {
		t.Fatalf("an older statement undid a refusal: %+v", c)
	}
	customer(t0.Add(3*time.Hour), &commerce.Consent{State: commerce.ConsentSubscribed, UpdatedAt: t0.Add(3 * time.Hour)})
	if c := sms(); !c.Granted || !c.UpdatedAt.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("a newer statement: %+v, want granted at its own time", c)
	}
}

// A shop's "not subscribed" without a time means the shop never asked: it
// does not withdraw a consent given on the site.
func TestTimelessNotSubscribedKeepsASiteConsent(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	in := NewIngest(st, quiet, func() time.Time { return t0 })
	p := NewProcessor(st, quiet, func() time.Time { return t0 })
	if err := in.Record(ctx, "ws_a", EventConsent, "widget", t0, map[string]any{"email": "ola@example.pl",
		"channels": map[string]bool{"email": true}}); err != nil {
		t.Fatal(err)
	}
	if err := in.Record(ctx, "ws_a", EventOrderPlaced, "shopify", t0.Add(time.Hour), map[string]any{"order_id": "s-1",
		"email": "ola@example.pl", "currency": "PLN", "total_minor": 1000, "shop_id": "s",
		"email_consent": commerce.Consent{State: commerce.ConsentNotSubscribed}}); err != nil {
		t.Fatal(err)
	}
	if err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := st.ContactByEmail(ctx, "ws_a", "ola@example.pl")
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := st.Consents(ctx, "ws_a", c.ID)
	if len(cs) != 1 || !cs[0].Granted {
		t.Fatalf("consents %+v: a timeless not_subscribed withdrew the site's consent", cs)
	}
}
