package cdp

import (
	"context"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// Revenue follows refunds and cancellations, however the order's states
// reach Cartwheel: a refund, then a cancellation, takes the whole total
// back once; an order first seen cancelled never counts; an equal-time
// earlier state changes nothing.
func TestRevenueFollowsRefundsAndCancellations(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	in := NewIngest(st, quiet, func() time.Time { return t0 })
	order := func(id, financial string, refunded int64, at time.Duration, mut func(*commerce.Order)) {
		t.Helper()
		o := commerce.Order{WorkspaceID: "ws_a", ShopID: "shop", ID: id, ExternalID: id, Email: "ola@example.pl",
			Currency: "PLN", TotalMinor: 36837, Financial: financial, RefundedMinor: refunded,
			PlacedAt: t0, UpdatedAt: t0.Add(at), DiscountCodes: []string{}}
		if mut != nil {
			mut(&o)
		}
		if err := in.RecordOrder(ctx, o, "woocommerce"); err != nil {
			t.Fatal(err)
		}
	}
	revenue := func() int64 {
		t.Helper()
		if err := NewProcessor(st, quiet, func() time.Time { return t0 }).CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		c, err := st.ContactByEmail(ctx, "ws_a", "ola@example.pl")
		if err != nil {
			t.Fatal(err)
		}
		return profileOf(t, st, c.ID).Revenue["PLN"]
	}
	cancel := func(o *commerce.Order) { o.Financial, o.CancelledAt = "cancelled", o.UpdatedAt }

	order("o1", "paid", 0, time.Second, nil)
	if r := revenue(); r != 36837 {
		t.Fatalf("revenue %d after the order", r)
	}
	order("o1", "partially_refunded", 5970, time.Hour, nil)
	order("o1", "partially_refunded", 5970, time.Hour, nil) // redelivered
	if r := revenue(); r != 36837-5970 {
		t.Fatalf("revenue %d after the partial refund", r)
	}
	// A refund the shop deleted, later, gives the revenue back; it is
	// made again right after.
	order("o1", "paid", 0, 90*time.Minute, nil)
	if r := revenue(); r != 36837 {
		t.Fatalf("revenue %d after the refund was deleted", r)
	}
	order("o1", "partially_refunded", 5970, 100*time.Minute, nil)
	if r := revenue(); r != 36837-5970 {
		t.Fatalf("revenue %d after the refund was made again", r)
	}
	// A smaller refund of the same second is an earlier state.
	order("o1", "paid", 0, 100*time.Minute, nil)
	if r := revenue(); r != 36837-5970 {
		t.Fatalf("revenue %d after an equal-time earlier state", r)
	}
	order("o1", "cancelled", 5970, 2*time.Hour, cancel)
	if r := revenue(); r != 0 {
		t.Fatalf("revenue %d after cancelling a partly refunded order", r)
	}
	order("o2", "cancelled", 0, time.Second, cancel) // first seen cancelled (a backfill)
	order("o3", "refunded", 36837, time.Second, nil) // first seen refunded
	if r := revenue(); r != 0 {
		t.Fatalf("revenue %d with orders first seen cancelled or refunded", r)
	}
	// The same second: completed, then a late on-hold. Completed stays.
	order("o4", "paid", 0, 3*time.Hour, func(o *commerce.Order) { o.Status, o.Fulfillment = "completed", commerce.FulfillmentFulfilled })
	order("o4", "pending", 0, 3*time.Hour, func(o *commerce.Order) { o.Status, o.Fulfillment = "on-hold", commerce.FulfillmentUnfulfilled })
	got, err := st.Order(ctx, "ws_a", "o4")
	if err != nil || got.Status != "completed" || got.Financial != "paid" {
		t.Fatalf("o4 %+v %v", got, err)
	}
}
