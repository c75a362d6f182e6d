package wootest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// Coupon is a coupon the store holds, as POST /coupons received it.
type Coupon struct {
	ID                int64    `json:"id"`
	Code              string   `json:"code"`
	DiscountType      string   `json:"discount_type"`
	Amount            string   `json:"amount"`
	IndividualUse     bool     `json:"individual_use"`
	UsageLimit        *int     `json:"usage_limit"`
	UsageLimitPerUser *int     `json:"usage_limit_per_user"`
	EmailRestrictions []string `json:"email_restrictions"`
	MinimumAmount     string   `json:"minimum_amount"`
	DateExpiresGMT    *string  `json:"date_expires_gmt"`
	Description       string   `json:"description"`
}

// Coupons returns the coupons created so far, oldest first.
func (s *Server) Coupons() []Coupon {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Coupon(nil), s.coupons...)
}

// amountText is WooCommerce's accepted form of a coupon amount.
var amountText = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// createCoupon validates like WooCommerce's coupons controller: the JSON
// types of the schema (amount is a string), a known discount_type, and a
// unique code, compared case-insensitively as wc_get_coupon_id_by_code does.
// Fields outside Coupon are rejected, which is stricter than WooCommerce
// (it ignores them): a misspelt field fails the test instead of silently
// making a different coupon.
func (s *Server) createCoupon(w http.ResponseWriter, body []byte) {
	var c Coupon
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): "+err.Error())
		return
	}
	switch {
	case strings.TrimSpace(c.Code) == "":
		writeError(w, http.StatusBadRequest, "rest_missing_callback_param", "Missing parameter(s): code")
		return
	case c.DiscountType != "percent" && c.DiscountType != "fixed_cart" && c.DiscountType != "fixed_product":
		writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): discount_type")
		return
	case !amountText.MatchString(c.Amount) || (c.MinimumAmount != "" && !amountText.MatchString(c.MinimumAmount)):
		writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): amount")
		return
	}
	s.mu.Lock()
	for _, old := range s.coupons {
		if strings.EqualFold(old.Code, c.Code) {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists")
			return
		}
	}
	s.nextID++
	c.ID = s.nextID
	s.coupons = append(s.coupons, c)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": c.ID, "code": c.Code, "amount": c.Amount, "discount_type": c.DiscountType,
		"description": c.Description, "date_expires": c.DateExpiresGMT, "date_expires_gmt": c.DateExpiresGMT,
		"usage_count": 0, "individual_use": c.IndividualUse, "product_ids": []int{}, "excluded_product_ids": []int{},
		"usage_limit": c.UsageLimit, "usage_limit_per_user": c.UsageLimitPerUser, "limit_usage_to_x_items": nil,
		"free_shipping": false, "exclude_sale_items": false, "minimum_amount": c.MinimumAmount, "maximum_amount": "0.00",
		"email_restrictions": nonNil(c.EmailRestrictions), "used_by": []string{}, "meta_data": []any{},
	})
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
