package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// ErrDuplicateCode matches (errors.Is) a CreateDiscountCode error caused by
// a code that already exists in the shop: the caller picks another code
// and tries again.
var ErrDuplicateCode = errors.New("shopify: discount code already exists")

// DiscountCode describes a basic code discount on the whole order, as flows
// hand them out ("10% off for the next 7 days", "$5 off, once").
type DiscountCode struct {
	Code  string // what the customer types; unique in the shop
	Title string // shown in the shop admin; defaults to Code

	// Exactly one of Percent (1..100) and AmountMinor (> 0, in Currency)
	// is set.
	Percent     int
	AmountMinor int64
	Currency    string // needed with AmountMinor, to place the decimal point

	// MinSubtotalMinor, when positive, is the order subtotal (in Currency)
	// the code needs.
	MinSubtotalMinor int64

	StartsAt time.Time // zero: now
	EndsAt   time.Time // zero: no end

	// CustomerID (numeric or gid) limits the code to one customer; empty
	// makes it usable by anyone who has it.
	CustomerID      string
	OncePerCustomer bool
	UsageLimit      int // total uses; 0 is unlimited
}

// CreatedDiscount is the discount Shopify created.
type CreatedDiscount struct {
	ID   string // gid://shopify/DiscountCodeNode/…
	Code string
}

const discountCreateMutation = `mutation CreateDiscountCode($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode {
      id
      codeDiscount {
        ... on DiscountCodeBasic {
          title
          codes(first: 1) { nodes { code } }
        }
      }
    }
    userErrors { field code message }
  }
}`

// CreateDiscountCode creates a basic code discount (discountCodeBasicCreate,
// scope write_discounts). A code that already exists comes back as
// UserErrors with code "TAKEN", which errors.Is(err, ErrDuplicateCode)
// recognises; any other refused field is named in the error.
func (c *Client) CreateDiscountCode(ctx context.Context, d DiscountCode) (CreatedDiscount, error) {
	input, err := discountInput(d, time.Now())
	if err != nil {
		return CreatedDiscount{}, err
	}
	var out struct {
		DiscountCodeBasicCreate *struct {
			CodeDiscountNode *struct {
				ID           string `json:"id"`
				CodeDiscount struct {
					Codes struct {
						Nodes []struct {
							Code string `json:"code"`
						} `json:"nodes"`
					} `json:"codes"`
				} `json:"codeDiscount"`
			} `json:"codeDiscountNode"`
			UserErrors UserErrors `json:"userErrors"`
		} `json:"discountCodeBasicCreate"`
	}
	if err := c.Do(ctx, discountCreateMutation, map[string]any{"basicCodeDiscount": input}, &out); err != nil {
		return CreatedDiscount{}, fmt.Errorf("shopify: create discount %q: %w", d.Code, err)
	}
	r := out.DiscountCodeBasicCreate
	switch {
	case r == nil:
		return CreatedDiscount{}, fmt.Errorf("shopify: create discount %q: the answer has no discountCodeBasicCreate", d.Code)
	case len(r.UserErrors) > 0:
		return CreatedDiscount{}, fmt.Errorf("shopify: create discount %q: %w", d.Code, r.UserErrors)
	case r.CodeDiscountNode == nil || r.CodeDiscountNode.ID == "":
		return CreatedDiscount{}, fmt.Errorf("shopify: create discount %q: no discount came back", d.Code)
	}
	created := CreatedDiscount{ID: r.CodeDiscountNode.ID, Code: d.Code}
	if nodes := r.CodeDiscountNode.CodeDiscount.Codes.Nodes; len(nodes) > 0 && nodes[0].Code != "" {
		created.Code = nodes[0].Code
	}
	return created, nil
}

// discountInput builds the DiscountCodeBasicInput for d. Amounts go out as
// decimal strings and the percentage as an exact decimal literal
// (json.Number "0.15"), so no float is involved anywhere.
func discountInput(d DiscountCode, now time.Time) (map[string]any, error) {
	code := strings.TrimSpace(d.Code)
	switch {
	case code == "":
		return nil, errors.New("shopify: discount code: empty code")
	case (d.Percent != 0) == (d.AmountMinor != 0):
		return nil, errors.New("shopify: discount code: set exactly one of Percent and AmountMinor")
	case d.Percent < 0 || d.Percent > 100:
		return nil, fmt.Errorf("shopify: discount code: percent %d is not within 1..100", d.Percent)
	case d.AmountMinor < 0:
		return nil, errors.New("shopify: discount code: negative amount")
	case (d.AmountMinor != 0 || d.MinSubtotalMinor > 0) && len(d.Currency) != 3:
		return nil, fmt.Errorf("shopify: discount code: an amount needs an ISO 4217 currency, got %q", d.Currency)
	case d.UsageLimit < 0:
		return nil, errors.New("shopify: discount code: negative usage limit")
	}
	starts := d.StartsAt
	if starts.IsZero() {
		starts = now
	}
	if !d.EndsAt.IsZero() && !d.EndsAt.After(starts) {
		return nil, errors.New("shopify: discount code: EndsAt is not after StartsAt")
	}
	title := d.Title
	if title == "" {
		title = code
	}
	var value map[string]any
	if d.Percent != 0 {
		value = map[string]any{"percentage": percentFraction(d.Percent)}
	} else {
		value = map[string]any{"discountAmount": map[string]any{
			"amount": formatMinor(d.AmountMinor, d.Currency), "appliesOnEachItem": false,
		}}
	}
	in := map[string]any{
		"title":                  title,
		"code":                   code,
		"startsAt":               starts.UTC().Format(time.RFC3339),
		"customerGets":           map[string]any{"value": value, "items": map[string]any{"all": true}},
		"appliesOncePerCustomer": d.OncePerCustomer,
		// A marketing code should not stack with other order or product
		// discounts, but may with free shipping.
		"combinesWith": map[string]any{"orderDiscounts": false, "productDiscounts": false, "shippingDiscounts": true},
	}
	if d.CustomerID != "" {
		in["context"] = map[string]any{"customers": map[string]any{"add": []string{globalID("Customer", d.CustomerID)}}}
	} else {
		in["context"] = map[string]any{"all": "ALL"}
	}
	if !d.EndsAt.IsZero() {
		in["endsAt"] = d.EndsAt.UTC().Format(time.RFC3339)
	}
	if d.UsageLimit > 0 {
		in["usageLimit"] = d.UsageLimit
	}
	if d.MinSubtotalMinor > 0 {
		in["minimumRequirement"] = map[string]any{"subtotal": map[string]any{
			"greaterThanOrEqualToSubtotal": formatMinor(d.MinSubtotalMinor, d.Currency),
		}}
	}
	return in, nil
}

// percentFraction renders p percent as Shopify's 0..1 fraction: 10 → 0.1,
// 15 → 0.15, 5 → 0.05, 100 → 1.
func percentFraction(p int) json.Number {
	if p >= 100 {
		return "1"
	}
	s := strings.TrimRight(fmt.Sprintf("%02d", p), "0")
	return json.Number("0." + s)
}

// formatMinor renders minor units as the decimal string Shopify expects,
// with the currency's number of decimals: 500 USD → "5.00", 500 JPY → "500".
func formatMinor(minor int64, currency string) string {
	return commerce.FormatDecimal(minor, commerce.MinorDigits(currency))
}
