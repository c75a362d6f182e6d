package woocommerce

import (
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// The opt-in answer counts from when the shopper gave it. Without the
// answer's time it has none: the customer's modification time (an address
// edited after an unsubscribe) is not when the answer was given.
func TestEmailConsentWithoutAnswerTimeHasNoTime(t *testing.T) {
	body := strings.Replace(string(readTestdata(t, "customer_updated.json")), `"key": "_cartwheel_email_consent_at"`,
		`"key": "_some_other_meta"`, 1)
	c := mustDecode(t, "customer.updated", []byte(body)).Customer.EmailConsent
	if c == nil || c.State != commerce.ConsentSubscribed || !c.UpdatedAt.IsZero() {
		t.Fatalf("consent without an answer time: %+v, want subscribed with no time", c)
	}
}
