package shopify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// Webhook delivery headers. Go's http.Header canonicalises names, so they
// match however the sender (HTTP/2 lower-cases them) spelled them.
const (
	HeaderTopic       = "X-Shopify-Topic"
	HeaderHmac        = "X-Shopify-Hmac-Sha256"
	HeaderShopDomain  = "X-Shopify-Shop-Domain"
	HeaderWebhookID   = "X-Shopify-Webhook-Id" // one delivery: the de-duplication key
	HeaderEventID     = "X-Shopify-Event-Id"   // one merchant action, shared by its deliveries
	HeaderTriggeredAt = "X-Shopify-Triggered-At"
	HeaderAPIVersion  = "X-Shopify-API-Version"
	HeaderAccessToken = "X-Shopify-Access-Token" // request header of Admin API calls
)

// Webhook topics Decode understands.
const (
	TopicOrdersCreate             = "orders/create"
	TopicOrdersPaid               = "orders/paid"
	TopicOrdersUpdated            = "orders/updated"
	TopicOrdersCancelled          = "orders/cancelled"
	TopicOrdersFulfilled          = "orders/fulfilled"
	TopicOrdersPartiallyFulfilled = "orders/partially_fulfilled"
	TopicCheckoutsCreate          = "checkouts/create"
	TopicCheckoutsUpdate          = "checkouts/update"
	TopicCartsCreate              = "carts/create"
	TopicCartsUpdate              = "carts/update"
	TopicCustomersCreate          = "customers/create"
	TopicCustomersUpdate          = "customers/update"
	TopicCustomerEmailConsent     = "customers_email_marketing_consent/update"
	TopicProductsCreate           = "products/create"
	TopicProductsUpdate           = "products/update"
	TopicProductsDelete           = "products/delete"
	TopicInventoryLevelsUpdate    = "inventory_levels/update"
	TopicAppUninstalled           = "app/uninstalled"
	TopicCustomersDataRequest     = "customers/data_request"
	TopicCustomersRedact          = "customers/redact"
	TopicShopRedact               = "shop/redact"
)

// ErrUnknownTopic is returned (wrapped) by Decode for a topic it has no
// mapping for. A webhook handler should acknowledge such a delivery (200)
// and drop it: retrying cannot help.
var ErrUnknownTopic = errors.New("shopify: unknown webhook topic")

// VisitorAttribute is the cart attribute the theme extension sets to the
// Cartwheel visitor id (cookie cw_vid). Shopify copies cart attributes into
// the note_attributes of checkouts and orders, which is how a purchase is
// tied back to the anonymous visitor who browsed.
const VisitorAttribute = "_cw_vid"

// Decode translates one webhook delivery into a commerce.Change. body must
// be the raw, already verified request body and topic the X-Shopify-Topic
// header. Product and cart payloads name no currency: their amounts are
// read with two decimals and Currency is left empty; use DecodeWithCurrency
// when the shop's currency is known.
//
// Malformed JSON or a payload without its identifying field gives a
// descriptive error; an unmapped topic gives ErrUnknownTopic.
func Decode(topic string, body []byte) (commerce.Change, error) {
	return DecodeWithCurrency(topic, body, "")
}

// DecodeWithCurrency is Decode for a shop whose currency (ShopInfo.Currency)
// is known: it fills the currency of products and carts and uses it to read
// their amounts (a JPY price has no decimals). Orders, checkouts and
// customers carry their own currency, which wins.
func DecodeWithCurrency(topic string, body []byte, shopCurrency string) (commerce.Change, error) {
	topic = strings.ToLower(strings.TrimSpace(topic))
	shopCurrency = strings.ToUpper(strings.TrimSpace(shopCurrency))
	var (
		ch  commerce.Change
		err error
	)
	switch topic {
	case TopicOrdersCreate, TopicOrdersPaid, TopicOrdersUpdated, TopicOrdersCancelled,
		TopicOrdersFulfilled, TopicOrdersPartiallyFulfilled:
		ch, err = decodeOrder(topic, body, shopCurrency)
	case TopicCheckoutsCreate, TopicCheckoutsUpdate:
		ch, err = decodeCheckout(body, shopCurrency)
	case TopicCartsCreate, TopicCartsUpdate:
		ch, err = decodeCart(body, shopCurrency)
	case TopicCustomersCreate, TopicCustomersUpdate:
		ch, err = decodeCustomer(body, shopCurrency)
	case TopicCustomerEmailConsent:
		ch, err = decodeEmailConsent(body)
	case TopicProductsCreate, TopicProductsUpdate:
		ch, err = decodeProduct(body, shopCurrency)
	case TopicProductsDelete:
		ch, err = decodeProductDeleted(body)
	case TopicInventoryLevelsUpdate:
		ch, err = decodeInventory(body)
	case TopicAppUninstalled:
		ch, err = decodeUninstalled(body)
	case TopicCustomersDataRequest, TopicCustomersRedact:
		ch, err = decodePrivacy(topic, body)
	case TopicShopRedact:
		ch, err = decodeShopRedact(body)
	default:
		return commerce.Change{}, fmt.Errorf("%w: %q", ErrUnknownTopic, topic)
	}
	if err != nil {
		return commerce.Change{}, fmt.Errorf("shopify: decode %s: %w", topic, err)
	}
	return ch, nil
}

// unmarshalObject decodes a payload that must be a JSON object.
func unmarshalObject(body []byte, v any) error {
	b := strings.TrimSpace(string(body))
	if !strings.HasPrefix(b, "{") {
		return errors.New("the payload is not a JSON object")
	}
	if err := decodeJSON(body, v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}

// noteAttribute is one entry of note_attributes, the cart attributes a
// checkout or order carries.
type noteAttribute struct {
	Name  text `json:"name"`
	Value text `json:"value"`
}

// visitorID returns the Cartwheel visitor id among attrs, if the theme
// extension set one. It is only accepted when it looks like one (the
// tracker's ids are digits), so a shopper-editable attribute cannot inject
// arbitrary text into identity resolution.
func visitorID(attrs []noteAttribute) string {
	for _, a := range attrs {
		if string(a.Name) != VisitorAttribute {
			continue
		}
		v := strings.TrimSpace(string(a.Value))
		if v == "" || len(v) > 64 {
			return ""
		}
		for _, c := range v {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
				return ""
			}
		}
		return v
	}
	return ""
}

// payloadCustomer is the customer object embedded in orders and checkouts.
type payloadCustomer struct {
	ID           extID           `json:"id"`
	Email        text            `json:"email"`
	Phone        text            `json:"phone"`
	FirstName    text            `json:"first_name"`
	LastName     text            `json:"last_name"`
	EmailConsent *consentPayload `json:"email_marketing_consent"`
}

// payloadAddress is the part of a billing address Cartwheel reads.
type payloadAddress struct {
	FirstName text `json:"first_name"`
	LastName  text `json:"last_name"`
}

// buyerNames returns the buyer's names: the customer's, else the billing
// address's (a guest checkout has no customer names). The two names are
// taken from one source, so a first name is never paired with another
// person's last name.
func buyerNames(cust *payloadCustomer, billing *payloadAddress) (first, last string) {
	if cust != nil && (cust.FirstName != "" || cust.LastName != "") {
		return strings.TrimSpace(string(cust.FirstName)), strings.TrimSpace(string(cust.LastName))
	}
	if billing != nil {
		return strings.TrimSpace(string(billing.FirstName)), strings.TrimSpace(string(billing.LastName))
	}
	return "", ""
}

// buyerConsent is the email consent statement of a checkout or order. The
// customer's email_marketing_consent carries the time the buyer made it;
// buyer_accepts_marketing (the ticked "email me news and offers" box) has
// no time of its own, so it is a grant without one, and only when the
// customer's record does not already say subscribed. An unticked box says
// nothing: it withdraws no consent given elsewhere.
func buyerConsent(cust *payloadCustomer, ticked bool) *commerce.Consent {
	var own *commerce.Consent
	if cust != nil {
		own = cust.EmailConsent.consent()
	}
	if ticked && (own == nil || own.State != commerce.ConsentSubscribed) {
		return &commerce.Consent{State: commerce.ConsentSubscribed}
	}
	return own
}

// amount parses a money field of a payload, naming the field on error.
func amount(field string, d decimal, currency string) (int64, error) {
	v, err := minorOrZero(string(d), currency)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	return v, nil
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
