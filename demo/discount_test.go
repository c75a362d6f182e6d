package demo

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/connectors"
)

// The demo's checkout redeems a code made by the connectors' own path
// (Hub.CreateWorkspaceDiscountCode, what pop-ups and flows call): applied
// at the payment step, it takes its share off, the order records it, and
// nobody can use it again.
func TestDemoRedeemsConnectorCodes(t *testing.T) {
	shop := newTestShop(t)
	ctx, ws := t.Context(), shop.site.Workspace.ID
	hub := connectors.New(connectors.Options{Store: shop.st, Workspaces: shop.wsvc,
		Ingest: cdp.NewIngest(shop.st, testLogger(t), nil), Log: testLogger(t)})
	req := connectors.DiscountRequest{Percent: 10, ValidDays: 14, Prefix: "WELCOME"}

	// A custom shop the hub was not told about makes no codes: nothing
	// would honour them.
	if ok, err := hub.CanCreateWorkspaceDiscountCode(ctx, ws); err != nil || ok {
		t.Fatalf("before KeepCodesFor: can make codes %v, %v", ok, err)
	}
	if _, err := hub.CreateWorkspaceDiscountCode(ctx, ws, req); !errors.Is(err, connectors.ErrNoDiscountShop) {
		t.Fatalf("before KeepCodesFor: %v, want ErrNoDiscountShop", err)
	}
	hub.KeepCodesFor(shop.site.Shop.ID)
	if ok, err := hub.CanCreateWorkspaceDiscountCode(ctx, ws); err != nil || !ok {
		t.Fatalf("the demo's shop: can make codes %v, %v", ok, err)
	}
	d, err := hub.CreateWorkspaceDiscountCode(ctx, ws, req)
	if err != nil || !strings.HasPrefix(d.Code, "WELCOME-") || d.ShopID != shop.site.Shop.ID {
		t.Fatalf("code %+v, %v", d, err)
	}
	// A code asked for by name twice (a flow step run again) is the same.
	req.Code = "WELCOME-SAMECODE"
	for range 2 {
		if again, err := hub.CreateWorkspaceDiscountCode(ctx, ws, req); err != nil || again.Code != req.Code {
			t.Fatalf("named code: %+v, %v", again, err)
		}
	}

	checkout := func(b *shopper, product string) {
		t.Helper()
		b.add(product, "2")
		r := b.post("/demo/checkout", url.Values{"email": {"anna@example.com"}})
		wantStatus(t, "contact", r, http.StatusSeeOther)
	}
	a := shop.product("demo-p-001")
	b := shop.shopper("v_code1")
	checkout(b, a.ID)
	pay := b.get("/demo/checkout/payment")
	if !strings.Contains(pay.body, `name="code"`) {
		t.Fatalf("the payment step has no discount code field:\n%.2000s", pay.body)
	}
	bad := b.post("/demo/checkout/discount", url.Values{"code": {"NOPE-123"}})
	wantStatus(t, "unknown code", bad, http.StatusBadRequest)
	if !strings.Contains(bad.body, "We do not know the code NOPE-123.") {
		t.Errorf("unknown code: no message:\n%.2000s", bad.body)
	}
	// Typed in lower case, with spaces: still the code.
	r := b.post("/demo/checkout/discount", url.Values{"code": {" " + strings.ToLower(d.Code) + " "}})
	pay = b.follow(r)
	sub := 2 * a.PriceMinor
	off := sub / 10
	if !strings.Contains(pay.body, d.Code) || !strings.Contains(pay.body, "Discount") {
		t.Errorf("payment step does not show the discount:\n%.3000s", pay.body)
	}
	r = b.post("/demo/checkout/place", url.Values{})
	wantStatus(t, "place", r, http.StatusSeeOther)
	o, err := shop.st.Order(ctx, ws, strings.TrimPrefix(r.location, "/demo/thank-you/"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.DiscountCodes, []string{d.Code}) || o.DiscountMinor != off || o.TotalMinor != sub-off+o.ShippingMinor {
		t.Errorf("order codes %v, discount %d, total %d; want [%s], %d, %d", o.DiscountCodes, o.DiscountMinor, o.TotalMinor,
			d.Code, off, sub-off+o.ShippingMinor)
	}
	if ty := b.get(r.location); !strings.Contains(ty.body, d.Code) {
		t.Errorf("the thank-you page does not show the code")
	}
	placed := eventsOfType(shop.events(), cdp.EventOrderPlaced)
	if len(placed) != 1 || !strings.Contains(string(placed[0].Props), d.Code) {
		t.Errorf("order_placed does not carry the code: %+v", placed)
	}

	// Used: another shopper cannot.
	b2 := shop.shopper("v_code2")
	checkout(b2, a.ID)
	again := b2.post("/demo/checkout/discount", url.Values{"code": {d.Code}})
	wantStatus(t, "used code", again, http.StatusBadRequest)
	if !strings.Contains(again.body, "has already been used") {
		t.Errorf("used code: no message:\n%.2000s", again.body)
	}
}
