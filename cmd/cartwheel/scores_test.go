package main

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

type scoresJSON struct {
	ContactID   string     `json:"contact_id"`
	OrderCount  int        `json:"order_count"`
	Revenue     float64    `json:"revenue"`
	RFMCell     *string    `json:"rfm_cell"`
	RFMR        *int       `json:"rfm_r"`
	PAlive      *float64   `json:"p_alive"`
	CLV         *float64   `json:"clv"`
	NextOrderAt *time.Time `json:"next_order_at"`
	Confidence  *string    `json:"prediction_confidence"`
	Engagement  float64    `json:"engagement"`
}

// Orders arriving through the real server's webhooks are scored one by
// one by the score processor; a refit asked through the API puts every
// buyer in an RFM cell, and a later order rescores its buyer with that
// fit at once. (The Shopify sample order is a cancelled one: these are
// not.) Two buyers are far too few for a model: no prediction is
// made up.
func TestScoresIncrementalAfterOrder(t *testing.T) {
	inst, logs := startTest(t, testEnv(t, t.TempDir(), nil))
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()
	shop := newFlowShop(t, inst, testShopDomain)
	now := time.Now().UTC()
	order := func(id int64, email string, ago time.Duration) {
		t.Helper()
		if code, body := deliver(t, inst, "orders/create", fmt.Sprint("wh-s-", id), shop.secret,
			withFields(t, shopifyOrder(t, id, email, now.Add(-ago), 7001), map[string]any{"cancelled_at": nil,
				"cancel_reason": nil})); code != 200 {
			t.Fatalf("order %d: %d %s", id, code, body)
		}
	}
	order(1, "ann@example.com", 60*24*time.Hour)
	order(2, "ann@example.com", 30*24*time.Hour)
	order(3, "bob@example.com", 200*24*time.Hour)

	contactOf := func(email string) string {
		var page struct {
			Contacts []struct {
				ID string `json:"id"`
			} `json:"contacts"`
		}
		waitFor(t, "the contact of "+email, func() bool {
			shop.api.do("GET", "/api/v1/contacts?email="+url.QueryEscape(email), nil, &page)
			return len(page.Contacts) == 1
		})
		return page.Contacts[0].ID
	}
	ann, bob := contactOf("ann@example.com"), contactOf("bob@example.com")
	scoresOf := func(id string) scoresJSON {
		var s scoresJSON
		if code := shop.api.do("GET", "/api/v1/contacts/"+id+"/scores", nil, &s); code != 200 {
			t.Fatalf("scores of %s: %d", id, code)
		}
		return s
	}
	waitFor(t, "ann's two orders scored", func() bool { return scoresOf(ann).OrderCount == 2 })

	if code := shop.api.do("POST", "/api/v1/scores/refit", nil, nil); code != 202 {
		t.Fatalf("refit: %d", code)
	}
	waitFor(t, "the refit to place ann and bob in cells", func() bool {
		return scoresOf(ann).RFMCell != nil && scoresOf(bob).RFMCell != nil
	})
	a, b := scoresOf(ann), scoresOf(bob)
	if *a.RFMR <= *b.RFMR {
		t.Errorf("ann ordered 30 days ago, bob 200: R%d vs R%d", *a.RFMR, *b.RFMR)
	}
	for _, s := range []scoresJSON{a, b} {
		if s.PAlive != nil || s.CLV != nil || s.NextOrderAt != nil || s.Confidence != nil {
			t.Errorf("a prediction from two buyers: %+v", s)
		}
	}

	// Bob orders again today: he is rescored with the stored fit at once.
	order(4, "bob@example.com", 0)
	waitFor(t, "bob's new order rescored", func() bool {
		s := scoresOf(bob)
		return s.OrderCount == 2 && s.RFMR != nil && *s.RFMR == 5
	})
	if s := scoresOf(bob); s.Engagement <= 0 {
		t.Errorf("bob's orders left his engagement at %v", s.Engagement)
	}

	var rfm struct {
		Cells    map[string]int `json:"cells"`
		Contacts int            `json:"contacts"`
	}
	if code := shop.api.do("GET", "/api/v1/scores/rfm", nil, &rfm); code != 200 || rfm.Contacts != 2 {
		t.Fatalf("rfm distribution: %d %+v", code, rfm)
	}
	if code := shop.api.do("GET", "/api/v1/contacts/nobody/scores", nil, nil); code != 404 {
		t.Fatalf("scores of an unknown contact: %d", code)
	}
}
