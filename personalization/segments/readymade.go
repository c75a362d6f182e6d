package segments

import "encoding/json"

// ReadyMade is a segment for one of the stories shops tell, installable
// as it is and editable afterwards.
type ReadyMade struct {
	Key         string          `json:"key"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Definition  json.RawMessage `json:"definition"`
}

// ReadyMades lists the ready-made segments. Thresholds are starting
// points: an admin edits them after installing.
func ReadyMades() []ReadyMade {
	return []ReadyMade{
		{Key: "first_time_visitors", Name: "First-time visitors",
			Description: "On their first visit, never ordered.",
			Definition: json.RawMessage(`{"and":[{"field":"profile.visits","op":"lte","value":1},
				{"field":"profile.orders","op":"eq","value":0}]}`)},
		{Key: "window_shoppers", Name: "Window shoppers",
			Description: "Four visits or more and no order.",
			Definition: json.RawMessage(`{"and":[{"field":"profile.visits","op":"gte","value":4},
				{"field":"profile.orders","op":"eq","value":0}]}`)},
		{Key: "cart_abandoners", Name: "Cart abandoners",
			Description: "Added to cart in the last 7 days, the cart still holds items, no order in 7 days.",
			Definition: json.RawMessage(`{"and":[{"field":"profile.last_cart.0","op":"exists"},
				{"event":{"type":"add_to_cart","within_days":7,"op":"gte","count":1}},
				{"event":{"type":"order_placed","within_days":7,"op":"lte","count":0}}]}`)},
		{Key: "one_time_buyers", Name: "One-time buyers",
			Description: "Exactly one order.",
			Definition:  json.RawMessage(`{"field":"profile.orders","op":"eq","value":1}`)},
		{Key: "loyal_customers", Name: "Loyal customers",
			Description: "Three orders or more, the last one less than 180 days ago.",
			Definition: json.RawMessage(`{"and":[{"field":"profile.orders","op":"gte","value":3},
				{"since":{"field":"profile.last_order_at","op":"lt","days":180}}]}`)},
		{Key: "big_spenders", Name: "Big spenders",
			Description: "Spent 500.00 or more in all (in the shop's currency).",
			Definition:  json.RawMessage(`{"field":"revenue_minor_total","op":"gte","value":50000}`)},
		{Key: "at_risk_customers", Name: "At-risk customers",
			Description: "Two orders or more, the last one 90 to 180 days ago.",
			Definition: json.RawMessage(`{"and":[{"field":"profile.orders","op":"gte","value":2},
				{"since":{"field":"profile.last_order_at","op":"gte","days":90}},
				{"since":{"field":"profile.last_order_at","op":"lt","days":180}}]}`)},
		{Key: "lost_customers", Name: "Lost customers",
			Description: "Ordered before, nothing for 180 days or more.",
			Definition:  json.RawMessage(`{"since":{"field":"profile.last_order_at","op":"gte","days":180}}`)},
		{Key: "subscribers_never_opened", Name: "Subscribers who never opened",
			Description: "Email consent, known for 30 days or more, no email opened by a person in 90 days.",
			Definition: json.RawMessage(`{"and":[{"field":"consents.email","op":"eq","value":true},
				{"since":{"field":"profile.first_seen","op":"gte","days":30}},
				{"event":{"type":"email_opened","within_days":90,"op":"lte","count":0}}]}`)},
	}
}

// ReadyMadeByKey returns one ready-made segment.
func ReadyMadeByKey(key string) (ReadyMade, bool) {
	for _, r := range ReadyMades() {
		if r.Key == key {
			return r, true
		}
	}
	return ReadyMade{}, false
}
