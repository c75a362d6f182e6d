package demo

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// product returns a catalogue product that can be bought.
func (s *testShop) product(id string) commerce.Product {
	s.t.Helper()
	p, err := s.st.Product(context.Background(), s.site.Workspace.ID, id)
	if err != nil {
		s.t.Fatal(err)
	}
	if !p.InStock() {
		s.t.Fatalf("%s is sold out; pick another for the test", id)
	}
	return p
}

func (b *shopper) add(id string, qty string) response {
	b.shop.t.Helper()
	return b.post("/demo/cart/add", url.Values{"product_id": {id}, "quantity": {qty}})
}

func eventsOfType(evs []store.Event, typ string) []store.Event {
	var out []store.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestCartAddUpdateRemove(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("")
	a, c := shop.product("demo-p-001"), shop.product("demo-p-002")

	r := b.add(a.ID, "2")
	wantStatus(t, "add", r, http.StatusSeeOther)
	if r.location != "/demo/cart" {
		t.Errorf("add redirects to %q", r.location)
	}
	cart := b.follow(r)
	wantStatus(t, "cart", cart, http.StatusOK)
	for _, want := range []string{a.Title, `value="2"`, commerce.FormatMoney(2*a.PriceMinor, "EUR"),
		`data-cartwheel-remove-from-cart data-product-id="` + a.ID + `"`, `<span class="cart-count" data-cart-count>2</span>`} {
		if !strings.Contains(cart.body, want) {
			t.Errorf("cart lacks %q", want)
		}
	}

	b.add(a.ID, "1")
	b.add(c.ID, "")
	cart = b.get("/demo/cart")
	sub := 3*a.PriceMinor + c.PriceMinor
	total := sub
	if sub < freeShippingOver {
		total += shippingFlat
	}
	if !strings.Contains(cart.body, `value="3"`) || !strings.Contains(cart.body, c.Title) ||
		!strings.Contains(cart.body, `<dd data-cart-total>`+commerce.FormatMoney(total, "EUR")+`</dd>`) {
		t.Errorf("after adding again: want quantity 3, %s and total %s", c.Title, commerce.FormatMoney(total, "EUR"))
	}

	wantStatus(t, "update", b.post("/demo/cart/update", url.Values{"product_id": {a.ID}, "quantity": {"5"}}), http.StatusSeeOther)
	if !strings.Contains(b.get("/demo/cart").body, `value="5"`) {
		t.Error("update did not set the quantity to 5")
	}
	wantStatus(t, "remove", b.post("/demo/cart/update", url.Values{"product_id": {a.ID}, "quantity": {"0"}}), http.StatusSeeOther)
	b.post("/demo/cart/update", url.Values{"product_id": {c.ID}, "quantity": {"0"}})
	cart = b.get("/demo/cart")
	if strings.Contains(cart.body, a.Title) || !strings.Contains(cart.body, "Your cart is empty") {
		t.Error("removing every line did not empty the cart")
	}
	if b.cookie(cartCookie) != "" {
		t.Error("an empty cart still has a cookie")
	}
}

func TestCheckoutAndOrder(t *testing.T) {
	shop := newTestShop(t)
	ctx, ws := t.Context(), shop.site.Workspace.ID
	const visitor = "v_7f3kq2abcd"
	b := shop.shopper(visitor)
	a, c := shop.product("demo-p-001"), shop.product("demo-p-030")
	b.add(a.ID, "2")
	b.add(c.ID, "1")

	page := b.get("/demo/checkout")
	wantStatus(t, "checkout", page, http.StatusOK)
	if pc := checkPage(t, shop, "checkout", page); pc.Page != "checkout" || pc.CheckoutToken != "" {
		t.Errorf("contact step context %+v", pc)
	}
	if !strings.Contains(page.body, `<input id="email" type="email" name="email"`) {
		t.Error("contact step has no email field")
	}

	bad := b.post("/demo/checkout", url.Values{"email": {"not-an-email"}, "name": {"Anna"}})
	wantStatus(t, "bad email", bad, http.StatusBadRequest)
	if !strings.Contains(bad.body, "Please enter a valid email address") || !strings.Contains(bad.body, `value="not-an-email"`) {
		t.Error("bad email: no error or the typed value was lost")
	}
	if cos, _ := shop.st.Checkouts(ctx, ws, store.CheckoutFilter{}); len(cos) != 0 {
		t.Fatalf("a rejected email recorded %d checkouts", len(cos))
	}

	r := b.post("/demo/checkout", url.Values{"email": {" anna@example.com "}, "name": {"Anna Nowak"}})
	wantStatus(t, "contact", r, http.StatusSeeOther)
	token := b.cookie(checkoutCookie)
	if !strings.HasPrefix(token, "chk_") {
		t.Fatalf("checkout cookie %q", token)
	}
	pay := b.follow(r)
	wantStatus(t, "payment", pay, http.StatusOK)
	if pc := checkPage(t, shop, "payment", pay); pc.Page != "checkout" || pc.CheckoutToken != token {
		t.Errorf("payment context %+v, want token %s", pc, token)
	}
	if !strings.Contains(pay.body, "This is a demo.") || !strings.Contains(pay.body, "anna@example.com") {
		t.Error("payment step is not labelled as a demo or lacks the email")
	}

	co, err := shop.st.Checkout(ctx, ws, token)
	if err != nil {
		t.Fatal(err)
	}
	wantSub := 2*a.PriceMinor + c.PriceMinor
	if co.Email != "anna@example.com" || co.VisitorID != visitor || co.ShopID != shop.site.Shop.ID || len(co.Items) != 2 ||
		co.SubtotalMinor != wantSub || co.RecoveryURL != shop.url+"/demo/checkout/recover?token="+token || !co.CompletedAt.IsZero() {
		t.Errorf("checkout row %+v", co)
	}
	if it := co.Items[0]; it.ProductID != a.ID || it.Quantity != 2 || it.PriceMinor != a.PriceMinor || it.Title != a.Title ||
		it.URL != a.URL || it.ImageURL != a.ImageURL {
		t.Errorf("checkout line %+v", it)
	}
	updated := eventsOfType(shop.events(), cdp.EventCheckoutUpdated)
	if len(updated) != 1 || updated[0].VisitorID != visitor || updated[0].Source != "demo" {
		t.Fatalf("checkout_updated events %+v", updated)
	}

	r = b.post("/demo/checkout/place", url.Values{"card_number": {"4242 4242 4242 4242"}})
	wantStatus(t, "place", r, http.StatusSeeOther)
	orderID := strings.TrimPrefix(r.location, "/demo/thank-you/")
	o, err := shop.st.Order(ctx, ws, orderID)
	if err != nil {
		t.Fatalf("order %q: %v", orderID, err)
	}
	if o.Number != "#1001" || o.Email != "anna@example.com" || o.VisitorID != visitor || o.CheckoutToken != token ||
		o.Financial != "paid" || o.SubtotalMinor != wantSub || o.TotalMinor != wantSub+o.ShippingMinor ||
		len(o.Items) != 2 || o.Currency != "EUR" || o.PlacedAt.IsZero() {
		t.Errorf("order row %+v", o)
	}
	if (wantSub >= freeShippingOver) != (o.ShippingMinor == 0) {
		t.Errorf("shipping %d on a subtotal of %d", o.ShippingMinor, wantSub)
	}
	placed := eventsOfType(shop.events(), cdp.EventOrderPlaced)
	if len(placed) != 1 || placed[0].VisitorID != visitor {
		t.Fatalf("order_placed events %+v", placed)
	}
	var props struct {
		OrderID string `json:"order_id"`
		Number  string `json:"number"`
	}
	if err := json.Unmarshal(placed[0].Props, &props); err != nil || props.OrderID != orderID || props.Number != "#1001" {
		t.Errorf("order_placed props %s", placed[0].Props)
	}
	if co, _ = shop.st.Checkout(ctx, ws, token); co.CompletedAt.IsZero() {
		t.Error("the checkout was not marked completed")
	}
	if b.cookie(cartCookie) != "" || b.cookie(checkoutCookie) != "" {
		t.Error("cart or checkout cookie survived the order")
	}

	thanks := b.follow(r)
	wantStatus(t, "thank you", thanks, http.StatusOK)
	if pc := checkPage(t, shop, "thank you", thanks); pc.Page != "thank_you" || pc.OrderID != orderID {
		t.Errorf("thank-you context %+v", pc)
	}
	if !strings.Contains(thanks.body, "#1001") || !strings.Contains(thanks.body, a.Title) {
		t.Error("thank-you page lacks the order number or items")
	}

	// A resubmitted "Place order" (the browser still sending the old
	// cookies) shows the same order and sells nothing twice.
	b.setCookie(checkoutCookie, token)
	b.setCookie(cartCookie, a.ID+":2")
	again := b.post("/demo/checkout/place", url.Values{})
	if again.status != http.StatusSeeOther || again.location != "/demo/thank-you/"+orderID {
		t.Errorf("second place: %d to %q, want the first order", again.status, again.location)
	}
	if n := len(eventsOfType(shop.events(), cdp.EventOrderPlaced)); n != 1 {
		t.Errorf("%d order_placed events after a double submit", n)
	}

	// The next order gets the next number, and now there are bestsellers.
	b2 := shop.shopper("v_second")
	b2.add(a.ID, "1")
	b2.post("/demo/checkout", url.Values{"email": {"ben@example.com"}})
	second, err := shop.st.Order(ctx, ws, strings.TrimPrefix(b2.post("/demo/checkout/place", nil).location, "/demo/thank-you/"))
	if err != nil || second.Number != "#1002" {
		t.Errorf("second order %q, %v; want #1002", second.Number, err)
	}
	home := b2.get("/demo/")
	if !strings.Contains(home.body, "Bestsellers") {
		t.Error("no bestseller shelf after two orders")
	}
}

func TestRecoveryLinkRestoresTheCart(t *testing.T) {
	shop := newTestShop(t)
	ctx, ws := t.Context(), shop.site.Workspace.ID
	a, c := shop.product("demo-p-001"), shop.product("demo-p-100")
	first := shop.shopper("v_laptop")
	first.add(a.ID, "3")
	first.add(c.ID, "1")
	wantStatus(t, "contact", first.post("/demo/checkout", url.Values{"email": {"anna@example.com"}}), http.StatusSeeOther)
	co, err := shop.st.Checkout(ctx, ws, first.cookie(checkoutCookie))
	if err != nil {
		t.Fatal(err)
	}

	// The email is opened on another device: no cart, no cookies.
	phone := shop.shopper("v_phone")
	link, err := url.Parse(co.RecoveryURL)
	if err != nil {
		t.Fatal(err)
	}
	r := phone.get(link.RequestURI() + "&utm_source=cartwheel&utm_medium=email")
	wantStatus(t, "recover", r, http.StatusSeeOther)
	if r.location != "/demo/checkout?utm_medium=email&utm_source=cartwheel" {
		t.Errorf("recovery redirects to %q", r.location)
	}
	if phone.cookie(checkoutCookie) != co.Token {
		t.Error("recovery did not resume the same checkout")
	}
	page := phone.follow(r)
	wantStatus(t, "recovered checkout", page, http.StatusOK)
	if pc := pageContext(t, page.body); pc.CheckoutToken != co.Token {
		t.Errorf("recovered checkout context %+v", pc)
	}
	if !strings.Contains(page.body, `value="anna@example.com"`) {
		t.Error("recovered checkout does not prefill the email")
	}
	cart := phone.get("/demo/cart")
	if !strings.Contains(cart.body, a.Title) || !strings.Contains(cart.body, c.Title) || !strings.Contains(cart.body, `value="3"`) {
		t.Error("recovered cart lacks the checkout's items")
	}

	// Finishing on the phone completes the original checkout; the link then
	// leads to the order.
	placed := phone.post("/demo/checkout/place", nil)
	wantStatus(t, "place", placed, http.StatusSeeOther)
	if co, _ = shop.st.Checkout(ctx, ws, co.Token); co.CompletedAt.IsZero() {
		t.Error("placing a recovered checkout did not complete it")
	}
	if r := shop.shopper("").get(link.RequestURI()); r.status != http.StatusSeeOther || r.location != placed.location {
		t.Errorf("recovery link of a completed checkout: %d to %q, want %q", r.status, r.location, placed.location)
	}

	for _, q := range []string{"", "?token=", "?token=chk_doesnotexist00", "?token=../../etc", "?token=ord_abcdefghijkl"} {
		wantStatus(t, "recover "+q, shop.shopper("").get("/demo/checkout/recover"+q), http.StatusNotFound)
	}
}

func TestThankYouIsScopedToTheDemoWorkspace(t *testing.T) {
	shop := newTestShop(t)
	ctx := t.Context()
	name := "Someone Else"
	other, err := shop.wsvc.Create(ctx, workspace.Settings{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	o := commerce.Order{ID: "ord_otherworkspace01", WorkspaceID: other.ID, ShopID: "shop_x", ExternalID: "1", Number: "#9",
		Currency: "EUR", TotalMinor: 100, PlacedAt: testNow, Items: []commerce.LineItem{{ProductID: "x", Title: "X", Quantity: 1, PriceMinor: 100}}}
	if err := cdp.NewIngest(shop.st, testLogger(t), nil).RecordOrder(ctx, o, "test"); err != nil {
		t.Fatal(err)
	}
	b := shop.shopper("")
	for _, id := range []string{o.ID, "ord_doesnotexist000", "nonsense", "ord_%3Cscript%3E"} {
		r := b.get("/demo/thank-you/" + id)
		wantStatus(t, "thank-you "+id, r, http.StatusNotFound)
		if strings.Contains(r.body, "#9") {
			t.Error("another workspace's order leaked")
		}
	}
}

func TestPlaceOrderNeedsACheckout(t *testing.T) {
	shop := newTestShop(t)
	b := shop.shopper("")
	r := b.post("/demo/checkout/place", nil)
	if r.status != http.StatusSeeOther || r.location != "/demo/checkout" {
		t.Errorf("place without a checkout: %d to %q", r.status, r.location)
	}
	b.setCookie(checkoutCookie, "chk_forgedtokenvalue1")
	b.add("demo-p-001", "1")
	if r := b.post("/demo/checkout/place", nil); r.status != http.StatusSeeOther || r.location != "/demo/checkout" {
		t.Errorf("place with a forged token: %d to %q", r.status, r.location)
	}
	if r := b.get("/demo/checkout/payment"); r.status != http.StatusSeeOther || r.location != "/demo/checkout" {
		t.Errorf("payment without a checkout: %d to %q", r.status, r.location)
	}
	if orders, err := shop.st.Orders(t.Context(), shop.site.Workspace.ID, store.OrderFilter{}); err != nil || len(orders) != 0 {
		t.Errorf("orders %v, %v", orders, err)
	}
	// An empty cart cannot check out.
	empty := shop.shopper("")
	if r := empty.get("/demo/checkout"); r.status != http.StatusSeeOther || r.location != "/demo/cart" {
		t.Errorf("checkout with an empty cart: %d to %q", r.status, r.location)
	}
	if r := empty.post("/demo/checkout", url.Values{"email": {"a@example.com"}}); r.status != http.StatusSeeOther {
		t.Errorf("contact step with an empty cart: %d", r.status)
	}
	if cos, err := shop.st.Checkouts(t.Context(), shop.site.Workspace.ID, store.CheckoutFilter{}); err != nil || len(cos) != 0 {
		t.Errorf("checkouts %v, %v; want none", cos, err)
	}
}
