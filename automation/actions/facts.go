package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// ContactFacts is the document branch conditions test:
//
//	contact:   id, email, first_name, last_name, phone, attributes (the
//	           object), and each attribute again at the top level unless it
//	           clashes with one of those names
//	profile:   the profile counters as the profile processor keeps them
//	           (visits, orders, revenue_minor, last_order_at, products,
//	           tags — always present, [] when none…)
//	consents:  channel → granted, with "email" always present and "push"
//	           true when the contact has a push subscription
//	days_since_last_order: whole days, absent before a first order
//	scores:    the contact's scores and predictions (personalization/scores,
//	           docs/scores.md): rfm_r, rfm_f, rfm_m, rfm_cell, engagement,
//	           p_alive, churn_risk, expected_orders_30/90, expected_spend_90,
//	           clv, clv_tier, next_order_at, prediction_confidence,
//	           top_categories, top_brands, price_band — null when unknown,
//	           {} before the contact is first scored
func (c *Channels) ContactFacts(ctx context.Context, workspaceID, contactID string) (map[string]any, error) {
	ct, err := c.o.Store.Contact(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	contact := map[string]any{}
	var attrs map[string]any
	if len(ct.Attributes) > 0 {
		_ = json.Unmarshal(ct.Attributes, &attrs) // not an object: no attributes
	}
	for k, v := range attrs {
		contact[k] = v
	}
	if attrs == nil {
		attrs = map[string]any{}
	}
	for k, v := range map[string]any{"id": ct.ID, "email": ct.Email, "first_name": ct.FirstName, "last_name": ct.LastName,
		"phone": ct.Phone, "attributes": attrs} {
		contact[k] = v
	}

	prof, err := c.profile(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(prof)
	if err != nil {
		return nil, fmt.Errorf("profile of %s: %w", contactID, err)
	}
	var profile map[string]any
	if err := json.Unmarshal(raw, &profile); err != nil {
		return nil, fmt.Errorf("profile of %s: %w", contactID, err)
	}
	delete(profile, "recent_page_views") // bookkeeping, not a fact
	if _, ok := profile["tags"]; !ok {
		profile["tags"] = []any{}
	}

	consents := map[string]any{"email": false}
	cs, err := c.o.Store.Consents(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	for _, x := range cs {
		consents[x.Channel] = x.Granted
	}
	subs, err := c.o.Store.ContactPushSubscriptions(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	consents["push"] = len(subs) > 0

	scores, err := c.scoreFacts(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	// The segments the contact is in, by id, so that a flow's filters and
	// branches can ask ({"field": "segments", "op": "contains", "value": "seg_…"}).
	ms, err := c.o.Store.ContactSegments(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	segs := make([]any, 0, len(ms))
	for _, m := range ms {
		segs = append(segs, m.SegmentID)
	}
	out := map[string]any{"contact": contact, "profile": profile, "consents": consents, "scores": scores, "segments": segs}
	if !prof.LastOrderAt.IsZero() {
		out["days_since_last_order"] = int(c.o.Now().Sub(prof.LastOrderAt) / (24 * time.Hour))
	}
	return out, nil
}
