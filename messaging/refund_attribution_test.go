package messaging_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// A refund or a cancellation brings the credited message's revenue down to
// what the order still brings in; replaying the events changes nothing.
func TestAttributionFollowsRefunds(t *testing.T) {
	e := newEngagementEnv(t)
	ctx := context.Background()
	e.message("msg_r", store.ChannelEmail, store.MessageSent)
	if err := e.st.RecordMessageClick(ctx, "msg_r", e.now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	ev := func(typ, props string) store.Event {
		return store.Event{WorkspaceID: e.ws, Type: typ, ContactID: e.ct, OccurredAt: e.now, Props: json.RawMessage(props)}
	}
	steps := []struct {
		ev   store.Event
		want int64
	}{
		{ev("order_placed", `{"order_id":"shop-4217","total_minor":36837,"currency":"PLN"}`), 36837},
		{ev("order_refunded", `{"order_id":"shop-4217","total_minor":36837,"refunded_minor":5970,"refund_minor":5970,"currency":"PLN"}`), 30867},
		{ev("order_refunded", `{"order_id":"shop-4217","total_minor":36837,"refunded_minor":5970,"refund_minor":5970,"currency":"PLN"}`), 30867},
		{ev("order_cancelled", `{"order_id":"shop-4217","total_minor":36837,"refunded_minor":5970,"currency":"PLN"}`), 0},
	}
	for i, s := range steps {
		if err := e.eng.Attribute(ctx, s.ev, e.ct); err != nil {
			t.Fatal(err)
		}
		if m := e.get("msg_r"); m.OrderID != "shop-4217" || m.RevenueMinor != s.want {
			t.Fatalf("step %d (%s): message %s revenue %d, want %d", i, s.ev.Type, m.OrderID, m.RevenueMinor, s.want)
		}
	}
}
