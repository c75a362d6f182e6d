package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// The dashboard's figures from real rows: orders in and out of the period
// and cancelled, messages human- and machine-opened, clicked and credited,
// consents given and withdrawn, contacts new in the period, and days cut
// at the workspace's midnight.
func TestDashboardFigures(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, warsaw)
	to := from.AddDate(0, 0, 7)
	order := func(id string, at time.Time, total int64, cur string, cancelled bool) {
		t.Helper()
		o := commerce.Order{ID: id, WorkspaceID: "ws_a", ShopID: "shop", ExternalID: id, Currency: cur, TotalMinor: total,
			PlacedAt: at, UpdatedAt: at, Items: []commerce.LineItem{}, DiscountCodes: []string{}}
		if cancelled {
			o.CancelledAt = at
		}
		if err := s.SaveOrder(ctx, o, func(*commerce.Order) ([]Event, bool) { return nil, true }); err != nil {
			t.Fatal(err)
		}
	}
	// 23:30 in Warsaw on 1 Nov is 22:30 UTC: it belongs to 1 Nov, not 2 Nov.
	order("o1", time.Date(2026, 11, 1, 23, 30, 0, 0, warsaw), 10000, "EUR", false)
	order("o2", time.Date(2026, 11, 3, 12, 0, 0, 0, warsaw), 5000, "EUR", false)
	order("o3", time.Date(2026, 11, 3, 13, 0, 0, 0, warsaw), 7000, "EUR", true)    // cancelled
	order("o4", time.Date(2026, 10, 31, 23, 59, 0, 0, warsaw), 9999, "EUR", false) // before
	order("o5", time.Date(2026, 11, 2, 10, 0, 0, 0, warsaw), 12000, "PLN", false)  // another currency
	msg := func(id, ch string, at time.Time) {
		t.Helper()
		if _, _, err := s.CreateMessage(ctx, Message{ID: id, WorkspaceID: "ws_a", ContactID: "ct_1", Channel: ch,
			StepKey: id, Status: "sent", CreatedAt: at, SentAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	day2 := time.Date(2026, 11, 2, 9, 0, 0, 0, warsaw)
	for i := range 4 {
		msg(fmt.Sprintf("m%d", i), "email", day2)
	}
	msg("p1", "push", day2)
	_ = s.RecordMessageOpen(ctx, "m0", false, day2)
	_ = s.RecordMessageOpen(ctx, "m1", true, day2) // Apple's proxy: a machine open only
	_ = s.RecordMessageClick(ctx, "m0", day2.Add(time.Minute))
	if id, err := s.AttributeOrder(ctx, "ws_a", "ct_1", "o2", 5000, "EUR", day2, day2.Add(48*time.Hour)); err != nil || id != "m0" {
		t.Fatalf("attribute: %q %v", id, err)
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		for i, c := range []struct {
			id      string
			at      time.Time
			granted bool
		}{{"ct_1", day2, true}, {"ct_2", day2, true}, {"ct_3", day2, false}, {"ct_4", from.Add(-time.Hour), true}} {
			if err := tx.CreateContact(Contact{WorkspaceID: "ws_a", ID: c.id, Attributes: []byte("{}"), CreatedAt: c.at, UpdatedAt: c.at}); err != nil {
				return err
			}
			if err := tx.SetConsent("ws_a", c.id, Consent{Channel: "email", Granted: c.granted, UpdatedAt: c.at.Add(time.Duration(i))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	d, err := s.DashboardFigures(ctx, "ws_a", from, to, warsaw, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	eur := Money{}
	for _, m := range d.ShopRevenue {
		if m.Currency == "EUR" {
			eur = m
		}
	}
	if eur.Minor != 15000 || eur.Count != 2 || len(d.ShopRevenue) != 2 {
		t.Errorf("shop revenue %+v", d.ShopRevenue)
	}
	if len(d.Attributed) != 1 || d.Attributed[0].Channel != "email" || d.Attributed[0].Minor != 5000 {
		t.Errorf("attributed %+v", d.Attributed)
	}
	var email, push ChannelMessages
	for _, c := range d.Channels {
		switch c.Channel {
		case "email":
			email = c
		case "push":
			push = c
		}
	}
	if email != (ChannelMessages{Channel: "email", Sent: 4, Opened: 1, MachineOnly: 1, Clicked: 1, Subscribed: 2, Unsubscribed: 1}) {
		t.Errorf("email %+v", email)
	}
	if push.Sent != 1 {
		t.Errorf("push %+v", push)
	}
	if d.NewContacts != 3 {
		t.Errorf("new contacts %d, want 3", d.NewContacts)
	}
	if len(d.Days) != 7 || !d.Days[0].Day.Equal(from) {
		t.Fatalf("days %+v", d.Days)
	}
	if d.Days[0].ShopMinor != 10000 || d.Days[1].ShopMinor != 0 || d.Days[2].ShopMinor != 5000 || d.Days[1].Attributed != 5000 {
		t.Errorf("per day %+v", d.Days[:3])
	}
}
