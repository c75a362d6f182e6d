package woocommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The types below mirror the REST v3 representations WooCommerce delivers,
// keeping only the fields Cartwheel reads. Their scalar types are lenient on
// purpose: extensions rewrite payloads (ids as strings, prices as numbers),
// and a delivery must not be lost over the JSON type of one field.

// wooID is a record id, delivered as a JSON number (727) or, by some
// extensions, a string ("727"). It holds the decimal digits; "" is absent.
type wooID string

// UnmarshalJSON accepts a number, a digit string or null.
func (id *wooID) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return fmt.Errorf("id: %w", err)
	}
	if s != "" {
		if _, err := strconv.ParseUint(s, 10, 64); err != nil {
			return fmt.Errorf("id %q is not a non-negative integer", s)
		}
	}
	*id = wooID(s)
	return nil
}

// nonZero returns the id, or "" for 0: WooCommerce writes 0 for "none"
// (a guest's customer_id, a simple product's variation_id).
func (id wooID) nonZero() string {
	if strings.TrimLeft(string(id), "0") == "" {
		return ""
	}
	return string(id)
}

// text is a string field that some versions or extensions send as a number
// (an order "number", a meta value).
type text string

// UnmarshalJSON accepts a string, a number or null.
func (t *text) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	*t = text(s)
	return nil
}

// flag is a boolean that extensions may rewrite as "yes"/"no", "1"/"0" or
// a number; anything unrecognised, and null, is false.
type flag bool

// UnmarshalJSON accepts a boolean, a string or a number.
func (f *flag) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(string(b)), `"`)) {
	case "true", "yes", "1":
		*f = true
	default:
		*f = false
	}
	return nil
}

// decimal is an amount exactly as delivered: money fields are JSON strings
// ("29.35"), but line_items[].price is a JSON number (24.99). Keeping the
// literal text lets ParseMinor convert it without a float ever holding money.
type decimal string

// UnmarshalJSON keeps the literal text of a string or number.
func (d *decimal) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	*d = decimal(s)
	return nil
}

// gmtTime is one of WooCommerce's *_gmt dates: "2017-03-22T19:28:02", UTC
// without a zone suffix, or null. Forms with a zone are accepted too.
type gmtTime struct{ time.Time }

// UnmarshalJSON reads a *_gmt date, null or "" being the zero time.
func (t *gmtTime) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	v, err := parseGMT(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// parseGMT reads a WooCommerce GMT date; "" is the zero time.
func parseGMT(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q is not an ISO 8601 date-time", s)
}

// scalarText returns the text of a JSON string, number or null ("" for null).
// Objects, arrays and booleans are errors.
func scalarText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		return string(b), nil
	}
	return "", fmt.Errorf("%.20s is not a string or number", b)
}

// meta is one meta_data entry. Values may be any JSON; Cartwheel reads only
// scalar ones.
type meta struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// metaValue returns the scalar value of the first entry named key (the one
// get_meta( $key, true ) returns in PHP), or "" when it is absent or not a
// scalar.
func metaValue(ms []meta, key string) string {
	for _, m := range ms {
		if m.Key == key {
			s, err := scalarText(m.Value)
			if err != nil {
				return ""
			}
			return s
		}
	}
	return ""
}

type address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

type lineItem struct {
	Name        string      `json:"name"`
	ProductID   wooID       `json:"product_id"`
	VariationID wooID       `json:"variation_id"`
	Quantity    json.Number `json:"quantity"`
	Subtotal    decimal     `json:"subtotal"`
	SubtotalTax decimal     `json:"subtotal_tax"`
	Total       decimal     `json:"total"`
	TotalTax    decimal     `json:"total_tax"`
	SKU         string      `json:"sku"`
	Price       decimal     `json:"price"`
	Image       struct {
		Src string `json:"src"`
	} `json:"image"`
}

type order struct {
	ID              wooID   `json:"id"`
	Number          text    `json:"number"`
	Status          string  `json:"status"`
	Currency        string  `json:"currency"`
	DateCreatedGMT  gmtTime `json:"date_created_gmt"`
	DateModifiedGMT gmtTime `json:"date_modified_gmt"`
	DatePaidGMT     gmtTime `json:"date_paid_gmt"`
	DiscountTotal   decimal `json:"discount_total"`
	DiscountTax     decimal `json:"discount_tax"`
	ShippingTotal   decimal `json:"shipping_total"`
	ShippingTax     decimal `json:"shipping_tax"`
	TotalTax        decimal `json:"total_tax"`
	Total           decimal `json:"total"`
	CustomerID      wooID   `json:"customer_id"`
	Billing         address `json:"billing"`
	Shipping        address `json:"shipping"`
	// PricesIncludeTax is the shop's "prices entered with tax" setting
	// when the order was placed: what its pages and emails showed.
	PricesIncludeTax flag       `json:"prices_include_tax"`
	CartHash         string     `json:"cart_hash"`
	MetaData         []meta     `json:"meta_data"`
	LineItems        []lineItem `json:"line_items"`
	CouponLines      []struct {
		Code string `json:"code"`
	} `json:"coupon_lines"`
	// Refunds lists the order's refunds, each total negative ("-10.00");
	// the order's own total stays what was charged.
	Refunds []struct {
		ID    wooID   `json:"id"`
		Total decimal `json:"total"`
	} `json:"refunds"`
}

type customer struct {
	ID               wooID   `json:"id"`
	Email            string  `json:"email"`
	FirstName        string  `json:"first_name"`
	LastName         string  `json:"last_name"`
	Billing          address `json:"billing"`
	IsPayingCustomer bool    `json:"is_paying_customer"`
	DateCreatedGMT   gmtTime `json:"date_created_gmt"`
	DateModifiedGMT  gmtTime `json:"date_modified_gmt"`
	MetaData         []meta  `json:"meta_data"`
	// OrdersCount and TotalSpent exist in REST v1/v2 only; read when present.
	OrdersCount text    `json:"orders_count"`
	TotalSpent  decimal `json:"total_spent"`
}

type named struct {
	Name string `json:"name"`
}

type product struct {
	ID               wooID   `json:"id"`
	Name             string  `json:"name"`
	Slug             string  `json:"slug"`
	Permalink        string  `json:"permalink"`
	DateCreatedGMT   gmtTime `json:"date_created_gmt"`
	DateModifiedGMT  gmtTime `json:"date_modified_gmt"`
	Type             string  `json:"type"`
	Status           string  `json:"status"`
	Description      string  `json:"description"`
	ShortDescription string  `json:"short_description"`
	SKU              string  `json:"sku"`
	Price            decimal `json:"price"`
	RegularPrice     decimal `json:"regular_price"`
	OnSale           bool    `json:"on_sale"`
	// ManageStock is true, false, or "parent" on variations.
	ManageStock   json.RawMessage `json:"manage_stock"`
	StockQuantity text            `json:"stock_quantity"`
	StockStatus   string          `json:"stock_status"`
	ParentID      wooID           `json:"parent_id"`
	Categories    []named         `json:"categories"`
	Tags          []named         `json:"tags"`
	Images        []struct {
		Src string `json:"src"`
	} `json:"images"`
	Variations []wooID `json:"variations"`
	// Attributes name a variation's options ("option": "M"); a parent's
	// list "options" instead, which Cartwheel does not read.
	Attributes []struct {
		Option string `json:"option"`
	} `json:"attributes"`
}

// deleted is the body of a *.deleted delivery: {"id": N}. Some versions send
// the whole record; its modification date is then kept.
type deleted struct {
	ID              wooID   `json:"id"`
	DateModifiedGMT gmtTime `json:"date_modified_gmt"`
}

// errMissingID is returned for a payload without an id; callers wrap it with
// the topic.
var errMissingID = errors.New("payload has no id")

// decodeJSON decodes exactly one JSON object from body into v, with
// UseNumber so that no number passes through a float.
func decodeJSON(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("payload is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("malformed JSON: data after the object")
	}
	return nil
}
