package shopify

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

func plBody(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pl", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Checkouts and orders name the buyer and carry the buyer's consent
// statement with the time it was made, and the cart they came from.
func TestDecodeBuyerOfCheckoutAndOrder(t *testing.T) {
	ch, err := Decode(TopicCheckoutsCreate, plBody(t, "checkouts_create.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := ch.Checkout
	eq(t, "FirstName", c.FirstName, "Zofia")
	eq(t, "LastName", c.LastName, "Wójcik-Łęcka")
	eq(t, "CartToken", c.CartToken, "Z2NwLWV1cm9wZS1jZW50cmFsMjowMUpQTEtVQkVLWlVSQVc")
	// The box is ticked and the customer's record says subscribed since
	// 20 February: that statement, with its own time.
	eq(t, "EmailConsent", c.EmailConsent.State+" "+c.EmailConsent.OptInMode, "subscribed single_opt_in")
	eq(t, "EmailConsent time", c.EmailConsent.UpdatedAt.Equal(time.Date(2026, 2, 20, 17, 30, 0, 0, time.UTC)), true)

	ch, err = Decode(TopicOrdersCreate, plBody(t, "orders_create.json"))
	if err != nil {
		t.Fatal(err)
	}
	o := ch.Order
	eq(t, "ExternalID", o.ExternalID, "9123456789012345501")
	eq(t, "Names", o.FirstName+" "+o.LastName, "Zofia Wójcik-Łęcka")
	eq(t, "CartToken", o.CartToken, "Z2NwLWV1cm9wZS1jZW50cmFsMjowMUpQTEtVQkVLWlVSQVc")
	eq(t, "Consent time", o.EmailConsent.UpdatedAt.Equal(time.Date(2026, 3, 2, 9, 11, 31, 0, time.UTC)), true)

	// A guest order: no customer names, the billing address's; the ticked
	// box alone is a grant without a time of its own; an unticked box and
	// no customer consent say nothing.
	guest := []byte(`{"id": 9123456789012345599, "email": "gosc@example.pl", "currency": "PLN", "total_price": "10.00",
		"processed_at": "2026-03-02T10:00:00+01:00", "buyer_accepts_marketing": true,
		"customer": {"id": 9123456789012345199, "email": "gosc@example.pl", "first_name": null, "last_name": null},
		"billing_address": {"first_name": "Łucja", "last_name": "Żmigrodzka"}}`)
	ch, err = Decode(TopicOrdersCreate, guest)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "guest names", ch.Order.FirstName+" "+ch.Order.LastName, "Łucja Żmigrodzka")
	eq(t, "guest consent", *ch.Order.EmailConsent, commerce.Consent{State: commerce.ConsentSubscribed})
	ch, err = Decode(TopicOrdersCreate, []byte(`{"id": 1, "currency": "PLN", "processed_at": "2026-03-02T10:00:00+01:00",
		"buyer_accepts_marketing": false}`))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Order.EmailConsent != nil {
		t.Fatalf("unticked box: %+v, want no statement", ch.Order.EmailConsent)
	}
}
