package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
)

func TestCreateDiscountCodePercent(t *testing.T) {
	srv := shopifytest.NewServer(t)
	c := newTestClient(srv)
	starts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := c.CreateDiscountCode(context.Background(), DiscountCode{
		Code: "PUSH-A1B2C3", Title: "Push subscriber 15%", Percent: 15,
		StartsAt: starts, EndsAt: starts.Add(7 * 24 * time.Hour), OncePerCustomer: true, UsageLimit: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := srv.Discounts()
	if len(ds) != 1 {
		t.Fatalf("discounts %+v", ds)
	}
	eq(t, "CreatedDiscount", got, CreatedDiscount{ID: ds[0].ID, Code: "PUSH-A1B2C3"})
	if !strings.HasPrefix(got.ID, "gid://shopify/DiscountCodeNode/") {
		t.Errorf("ID %s", got.ID)
	}
	in := ds[0].Input
	eq(t, "title", in["title"], any("Push subscriber 15%"))
	eq(t, "startsAt", in["startsAt"], any("2026-01-01T00:00:00Z"))
	eq(t, "endsAt", in["endsAt"], any("2026-01-08T00:00:00Z"))
	eq(t, "appliesOncePerCustomer", in["appliesOncePerCustomer"], any(true))
	eq(t, "usageLimit", in["usageLimit"], any(json.Number("1")))
	eq(t, "context", in["context"], any(map[string]any{"all": "ALL"}))
	gets := in["customerGets"].(map[string]any)
	eq(t, "customerGets.value", gets["value"], any(map[string]any{"percentage": json.Number("0.15")}))
	eq(t, "customerGets.items", gets["items"], any(map[string]any{"all": true}))
}

func TestCreateDiscountCodeAmountForCustomer(t *testing.T) {
	srv := shopifytest.NewServer(t)
	c := newTestClient(srv)
	_, err := c.CreateDiscountCode(context.Background(), DiscountCode{
		Code: "BACK5", AmountMinor: 500, Currency: "USD", MinSubtotalMinor: 2500, CustomerID: "7234567890123456789",
	})
	if err != nil {
		t.Fatal(err)
	}
	in := srv.Discounts()[0].Input
	eq(t, "title defaults to the code", in["title"], any("BACK5"))
	eq(t, "context", in["context"], any(map[string]any{"customers": map[string]any{"add": []any{"gid://shopify/Customer/7234567890123456789"}}}))
	eq(t, "value", in["customerGets"].(map[string]any)["value"], any(map[string]any{
		"discountAmount": map[string]any{"amount": "5.00", "appliesOnEachItem": false}}))
	eq(t, "minimumRequirement", in["minimumRequirement"], any(map[string]any{"subtotal": map[string]any{"greaterThanOrEqualToSubtotal": "25.00"}}))
	if _, ok := in["endsAt"]; ok {
		t.Error("endsAt sent without an end")
	}
	if _, ok := in["usageLimit"]; ok {
		t.Error("usageLimit sent without a limit")
	}
	if _, err := time.Parse(time.RFC3339, in["startsAt"].(string)); err != nil {
		t.Errorf("startsAt defaults to now: %v", err)
	}
}

func TestCreateDiscountCodeDuplicate(t *testing.T) {
	srv := shopifytest.NewServer(t)
	c := newTestClient(srv)
	d := DiscountCode{Code: "SAME", Percent: 10}
	if _, err := c.CreateDiscountCode(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	d.Code = "same" // codes are case-insensitive on Shopify
	_, err := c.CreateDiscountCode(context.Background(), d)
	if !errors.Is(err, ErrDuplicateCode) {
		t.Fatalf("err = %v, want ErrDuplicateCode", err)
	}
	var ue UserErrors
	if !errors.As(err, &ue) || !ue.Has("TAKEN") {
		t.Fatalf("err = %v, want UserErrors", err)
	}
	if !strings.Contains(err.Error(), "basicCodeDiscount.code: Code must be unique") {
		t.Errorf("the error does not name the field: %v", err)
	}
	eq(t, "discounts", len(srv.Discounts()), 1)
}

func TestCreateDiscountCodeValidation(t *testing.T) {
	srv := shopifytest.NewServer(t)
	c := newTestClient(srv)
	now := time.Now()
	bad := []DiscountCode{
		{Percent: 10},
		{Code: "X"},
		{Code: "X", Percent: 10, AmountMinor: 100, Currency: "USD"},
		{Code: "X", Percent: 101},
		{Code: "X", Percent: -5},
		{Code: "X", AmountMinor: 100},
		{Code: "X", AmountMinor: -100, Currency: "USD"},
		{Code: "X", Percent: 10, StartsAt: now, EndsAt: now},
		{Code: "X", Percent: 10, UsageLimit: -1},
	}
	for _, d := range bad {
		if _, err := c.CreateDiscountCode(context.Background(), d); err == nil {
			t.Errorf("%+v accepted", d)
		}
	}
	eq(t, "requests sent for invalid codes", srv.Requests(), 0)
}

func TestPercentFraction(t *testing.T) {
	cases := map[int]json.Number{1: "0.01", 5: "0.05", 10: "0.1", 15: "0.15", 50: "0.5", 99: "0.99", 100: "1"}
	for p, want := range cases {
		eq(t, "percentFraction", percentFraction(p), want)
	}
}

func TestFormatMinor(t *testing.T) {
	cases := []struct {
		minor    int64
		currency string
		want     string
	}{
		{500, "USD", "5.00"}, {5, "EUR", "0.05"}, {0, "USD", "0.00"}, {123456, "GBP", "1234.56"},
		{500, "JPY", "500"}, {1500, "KWD", "1.500"}, {-250, "USD", "-2.50"},
	}
	for _, c := range cases {
		eq(t, "formatMinor", formatMinor(c.minor, c.currency), c.want)
	}
}
