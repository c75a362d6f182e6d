package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Money is an amount in one currency's minor units.
type Money struct {
	Currency string `json:"currency"`
	Minor    int64  `json:"minor"`
	// Count is how many orders (or credited messages) make it up.
	Count int `json:"count"`
}

// ChannelRevenue is revenue credited to one channel's messages.
type ChannelRevenue struct {
	Channel string `json:"channel"`
	Money
}

// ChannelMessages counts one channel's messages and their engagement.
type ChannelMessages struct {
	Channel      string `json:"channel"`
	Sent         int    `json:"sent"`
	Opened       int    `json:"opened"`
	MachineOnly  int    `json:"machine_opened"`
	Clicked      int    `json:"clicked"`
	Subscribed   int    `json:"subscribed"`
	Unsubscribed int    `json:"unsubscribed"`
}

// DayFigure is one day of the dashboard's chart.
type DayFigure struct {
	Day        time.Time `json:"day"`
	ShopMinor  int64     `json:"shop_minor"`
	Attributed int64     `json:"attributed_minor"`
}

// Dashboard is what the console's first page shows for a period.
type Dashboard struct {
	From, To    time.Time
	ShopRevenue []Money
	Attributed  []ChannelRevenue
	Channels    []ChannelMessages
	NewContacts int
	// Recovered is the orders credited to cart and checkout flows' messages
	// made in the period, per currency: the carts and checkouts recovered.
	Recovered []Money
	// Days covers every day of the period in Currency, zero days included.
	Currency string
	Days     []DayFigure
}

// DashboardFigures computes the dashboard for [from, to) in a workspace;
// days are cut at midnight in loc and the chart is in currency.
func (s *Store) DashboardFigures(ctx context.Context, workspaceID string, from, to time.Time, loc *time.Location, currency string) (Dashboard, error) {
	d := Dashboard{From: from, To: to, Currency: currency}
	a, b := ms(from), ms(to)
	rows, err := s.r.QueryContext(ctx, s.q.DashboardShopRevenue, workspaceID, a, b)
	if err != nil {
		return d, fmt.Errorf("dashboard: %w", err)
	}
	for rows.Next() {
		var m Money
		if err := rows.Scan(&m.Currency, &m.Count, &m.Minor); err != nil {
			rows.Close()
			return d, fmt.Errorf("dashboard: %w", err)
		}
		d.ShopRevenue = append(d.ShopRevenue, m)
	}
	rows.Close()
	if rows, err = s.r.QueryContext(ctx, s.q.DashboardAttributed, workspaceID, a, b); err != nil {
		return d, fmt.Errorf("dashboard: %w", err)
	}
	for rows.Next() {
		var r ChannelRevenue
		if err := rows.Scan(&r.Channel, &r.Currency, &r.Count, &r.Minor); err != nil {
			rows.Close()
			return d, fmt.Errorf("dashboard: %w", err)
		}
		d.Attributed = append(d.Attributed, r)
	}
	rows.Close()
	if rows, err = s.r.QueryContext(ctx, s.q.DashboardMessages, workspaceID, a, b); err != nil {
		return d, fmt.Errorf("dashboard: %w", err)
	}
	type msgRow struct {
		ch                             string
		sent, opened, machine, clicked int
	}
	var msgs []msgRow
	for rows.Next() {
		var m msgRow
		if err := rows.Scan(&m.ch, &m.sent, &m.opened, &m.machine, &m.clicked); err != nil {
			rows.Close()
			return d, fmt.Errorf("dashboard: %w", err)
		}
		msgs = append(msgs, m)
	}
	rows.Close()
	if rows, err = s.r.QueryContext(ctx, s.q.DashboardConsents, workspaceID, a, b); err != nil {
		return d, fmt.Errorf("dashboard: %w", err)
	}
	type consentRow struct {
		ch      string
		granted bool
		n       int
	}
	var consents []consentRow
	for rows.Next() {
		var c consentRow
		if err := rows.Scan(&c.ch, &c.granted, &c.n); err != nil {
			rows.Close()
			return d, fmt.Errorf("dashboard: %w", err)
		}
		consents = append(consents, c)
	}
	rows.Close()
	// One row per channel that sent or gained or lost a consent.
	index := map[string]int{}
	at := func(ch string) *ChannelMessages {
		i, ok := index[ch]
		if !ok {
			i = len(d.Channels)
			index[ch] = i
			d.Channels = append(d.Channels, ChannelMessages{Channel: ch})
		}
		return &d.Channels[i]
	}
	for _, m := range msgs {
		c := at(m.ch)
		c.Sent, c.Opened, c.MachineOnly, c.Clicked = m.sent, m.opened, m.machine, m.clicked
	}
	for _, cr := range consents {
		if c := at(cr.ch); cr.granted {
			c.Subscribed = cr.n
		} else {
			c.Unsubscribed = cr.n
		}
	}
	if err := s.r.QueryRowContext(ctx, s.q.DashboardNewContacts, workspaceID, a, b).Scan(&d.NewContacts); err != nil {
		return d, fmt.Errorf("dashboard: %w", err)
	}
	if d.Recovered, err = s.AttributedTotals(ctx, workspaceID, AttributedFilter{From: from, To: to, Recovered: true}); err != nil {
		return d, fmt.Errorf("dashboard: %w", err)
	}
	return d, s.dashboardDays(ctx, &d, workspaceID, loc)
}

func (s *Store) dashboardDays(ctx context.Context, d *Dashboard, workspaceID string, loc *time.Location) error {
	_, off := d.From.In(loc).Zone()
	offMS := int64(off) * 1000
	first := (ms(d.From) + offMS) / 86_400_000
	last := (ms(d.To) - 1 + offMS) / 86_400_000
	if last < first || last-first > 400 {
		return fmt.Errorf("dashboard: a period of %d days", last-first+1)
	}
	d.Days = make([]DayFigure, last-first+1)
	for i := range d.Days {
		d.Days[i].Day = time.UnixMilli((first+int64(i))*86_400_000 - offMS).In(loc)
	}
	for _, q := range []struct {
		query string
		set   func(*DayFigure, int64)
	}{
		{s.q.DashboardDaysShop, func(f *DayFigure, v int64) { f.ShopMinor = v }},
		{s.q.DashboardDaysAttributed, func(f *DayFigure, v int64) { f.Attributed = v }},
	} {
		rows, err := s.r.QueryContext(ctx, q.query, workspaceID, ms(d.From), ms(d.To), d.Currency, offMS)
		if err != nil {
			return fmt.Errorf("dashboard days: %w", err)
		}
		for rows.Next() {
			var day, v int64
			if err := rows.Scan(&day, &v); err != nil {
				rows.Close()
				return fmt.Errorf("dashboard days: %w", err)
			}
			if i := day - first; i >= 0 && i < int64(len(d.Days)) {
				q.set(&d.Days[i], v)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("dashboard days: %w", err)
		}
	}
	return nil
}

// TrackerLastSeen is when the workspace's tracker last sent an event (zero
// when it never did): the console's "is it installed?" check.
func (s *Store) TrackerLastSeen(ctx context.Context, workspaceID string) (time.Time, error) {
	var at int64
	err := s.r.QueryRowContext(ctx, s.q.TrackerLastSeen, workspaceID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("tracker last seen: %w", err)
	}
	return fromMS(at), nil
}
