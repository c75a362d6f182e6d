package cdp

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// A browser's claim merges only its anonymous contact. A known contact
// (here one holding a platform customer id and no email, and one with an
// email) is never merged away by what a page says: a typed email moves
// the browser, a typed phone is ignored, and the shop's own record (no
// visitor) still merges as before.
func TestBrowserClaimsNeverMergeKnownContacts(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	shopEv := func(typ, visitor string, at time.Duration, props string) store.Event {
		e := ev(typ, visitor, "", at, props, "")
		e.Source = "woocommerce"
		return e
	}
	evs := []store.Event{
		// Victim: known by email and phone.
		ev("identify", "victim-phone", "s0", 0, `{"email":"vic@example.com","phone":"+15550001111"}`, ""),
		// Mallory's browser is proven as customer 77 (no email known).
		ev("page_view", "mallory", "s1", time.Second, "", ""),
		shopEv("identify", "mallory", 2*time.Second, `{"customer_id":"77"}`),
		// Then she types the victim's email, then the victim's phone.
		ev("identify", "mallory", "s1", 3*time.Second, `{"email":"vic@example.com"}`, ""),
		// Eve, known by her own email, types the victim's phone.
		ev("identify", "eve", "s2", 4*time.Second, `{"email":"eve@example.com"}`, ""),
		ev("identify", "eve", "s2", 5*time.Second, `{"phone":"+15550001111"}`, ""),
		// An anonymous browser typing the victim's email joins her (its own
		// history moves into her contact).
		ev("page_view", "anon", "s3", 6*time.Second, "", ""),
		ev("identify", "anon", "s3", 7*time.Second, `{"email":"vic@example.com"}`, ""),
	}
	if err := st.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := NewProcessor(st, quiet, nil).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	vic, err := st.ContactByEmail(ctx, "ws_a", "vic@example.com")
	if err != nil {
		t.Fatal(err)
	}
	owner := func(kind, value string) string {
		c, err := st.ContactByIdentity(ctx, "ws_a", kind, value)
		if err != nil {
			t.Fatalf("%s %s: %v", kind, value, err)
		}
		return c.ID
	}
	mallory := owner(CustomerKind("woocommerce"), "77")
	if mallory == vic.ID {
		t.Fatal("Mallory's typed email merged her customer contact into the victim's")
	}
	if owner(KindVisitor, "mallory") != vic.ID {
		t.Error("a known browser typing another's email should now belong to that person (shared computer)")
	}
	eve, _ := st.ContactByEmail(ctx, "ws_a", "eve@example.com")
	if owner(KindPhone, "+15550001111") != vic.ID || owner(KindVisitor, "eve") != eve.ID {
		t.Error("Eve's typed phone moved the victim's phone or Eve's browser")
	}
	if owner(KindVisitor, "anon") != vic.ID {
		t.Error("an anonymous browser's identify should join the contact")
	}
	if pr := profileOf(t, st, vic.ID); pr.PageViews != 1 {
		t.Errorf("victim's page views %d, want only the anonymous browser's 1", pr.PageViews)
	}
	// The shop's own record naming customer 77 with an email (no browser
	// involved) still merges the customer into that email's contact.
	rec := store.Event{WorkspaceID: "ws_a", Type: EventCustomerUpdated, Source: "woocommerce", OccurredAt: t0.Add(time.Minute),
		ReceivedAt: t0.Add(time.Minute), Props: json.RawMessage(`{"customer_id":"77","email":"mal@example.com"}`)}
	if err := st.AppendEvents(ctx, []store.Event{rec}); err != nil {
		t.Fatal(err)
	}
	if err := NewProcessor(st, quiet, nil).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if mal, err := st.ContactByEmail(ctx, "ws_a", "mal@example.com"); err != nil || owner(CustomerKind("woocommerce"), "77") != mal.ID {
		t.Errorf("the shop's record did not join customer 77 and mal@example.com: %v", err)
	}
}
