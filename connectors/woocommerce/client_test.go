package woocommerce_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce/wootest"
)

// sleeps records the waits between retries instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func newClient(store *wootest.Server, opts ...woocommerce.Option) (*woocommerce.Client, *sleeps) {
	sl := &sleeps{}
	opts = append([]woocommerce.Option{woocommerce.WithSleep(sl.sleep)}, opts...)
	return woocommerce.NewClient(store.URL+"/", wootest.ConsumerKey, wootest.ConsumerSecret, opts...), sl
}

// listAll reads every page the way the reconciler does.
func listAll(t *testing.T, c *woocommerce.Client, r woocommerce.Resource, after time.Time, perPage int) ([]commerce.Change, int) {
	t.Helper()
	var all []commerce.Change
	pages := 0
	for page := 1; ; page++ {
		p, err := c.List(context.Background(), r, after, page, perPage)
		if err != nil {
			t.Fatalf("List %s page %d: %v", r, page, err)
		}
		if len(p.Skipped) > 0 {
			t.Fatalf("List %s page %d skipped %v", r, page, p.Skipped)
		}
		pages++
		all = append(all, p.Changes...)
		if page >= p.TotalPages {
			return all, pages
		}
	}
}

func TestListOrdersModifiedAfterAcrossPages(t *testing.T) {
	store := wootest.NewServer(t)
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	old := store.SeedOrders(3, t0)
	fresh := store.SeedOrders(5, t0.Add(time.Hour))
	store.ModifyOrder(old[1], t0.Add(2*time.Hour)) // an old order edited later comes last
	c, _ := newClient(store)

	got, pages := listAll(t, c, woocommerce.ResourceOrders, t0.Add(30*time.Minute), 2)
	want := append(append([]int64{}, fresh...), old[1])
	if len(got) != len(want) || pages != 3 {
		t.Fatalf("got %d orders in %d pages, want %d in 3", len(got), pages, len(want))
	}
	for i, ch := range got {
		if ch.Kind != commerce.ChangeOrder || ch.ExternalID != itoa(want[i]) || ch.Order.ExternalID != ch.ExternalID {
			t.Errorf("order %d = %s %q, want %d", i, ch.Kind, ch.ExternalID, want[i])
		}
		if i > 0 && ch.UpdatedAt.Before(got[i-1].UpdatedAt) {
			t.Errorf("orders not in modification order at %d", i)
		}
		if ch.Order.TotalMinor != 2935 || ch.Order.Email != "order"+ch.ExternalID+"@example.com" || ch.Order.CustomerID != "" {
			t.Errorf("order %s decoded as %+v", ch.ExternalID, ch.Order)
		}
	}
	if !got[len(got)-1].UpdatedAt.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("modified order UpdatedAt = %v", got[len(got)-1].UpdatedAt)
	}
	for _, r := range store.Requests() {
		q := r.Query
		if q.Get("modified_after") != "2024-03-01T12:30:00Z" || q.Get("dates_are_gmt") != "true" || q.Get("orderby") != "modified" || q.Get("order") != "asc" || q.Get("per_page") != "2" {
			t.Errorf("request query %v", q)
		}
	}

	all, _ := listAll(t, c, woocommerce.ResourceOrders, time.Time{}, 100)
	if len(all) != 8 {
		t.Errorf("without modified_after: %d orders, want 8", len(all))
	}
	if p, err := c.List(context.Background(), woocommerce.ResourceOrders, t0.Add(5*time.Hour), 1, 10); err != nil || len(p.Changes) != 0 || p.TotalPages != 0 {
		t.Errorf("nothing modified: %+v, %v", p, err)
	}
}

func TestListProductsAndCustomers(t *testing.T) {
	store := wootest.NewServer(t)
	ids := store.SeedProducts(3)
	c, _ := newClient(store, woocommerce.WithCurrency("usd"))
	got, _ := listAll(t, c, woocommerce.ResourceProducts, time.Time{}, 2)
	if len(got) != 3 {
		t.Fatalf("%d products, want 3", len(got))
	}
	p := got[0].Product
	if p.ID != itoa(ids[0]) || p.Currency != "USD" || p.Status != "active" || p.Title != "Product "+itoa(ids[0]) || p.PriceMinor != (ids[0]%100)*100+99 {
		t.Errorf("product = %+v", p)
	}

	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	cs := store.SeedCustomers(4, t0)
	store.ModifyCustomer(cs[2], t0.Add(time.Hour))
	got, _ = listAll(t, c, woocommerce.ResourceCustomers, t0, 2)
	if len(got) != 1 || got[0].ExternalID != itoa(cs[2]) || got[0].Customer.Email != "customer"+itoa(cs[2])+"@example.com" {
		t.Errorf("customers modified after t0 = %+v, want only %d", got, cs[2])
	}
	for _, r := range store.Requests() {
		if r.Path == "/wp-json/wc/v3/customers" && (r.Query.Get("orderby") != "id" || r.Query.Has("modified_after")) {
			t.Errorf("customers query %v: the collection has no modified filter or sort", r.Query)
		}
	}
	if _, err := c.List(context.Background(), woocommerce.Resource("coupons"), time.Time{}, 1, 10); err == nil {
		t.Error("List of an unknown resource succeeded")
	}
}

func TestListRetriesServerErrors(t *testing.T) {
	store := wootest.NewServer(t)
	store.SeedOrders(3, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	c, sl := newClient(store)
	store.FailAfter(0)
	p, err := c.List(context.Background(), woocommerce.ResourceOrders, time.Time{}, 1, 10)
	if err != nil || len(p.Changes) != 3 {
		t.Fatalf("List after one 500: %d changes, %v", len(p.Changes), err)
	}
	if reqs := store.Requests(); len(reqs) != 2 || reqs[0].Status != 500 || reqs[1].Status != 200 {
		t.Errorf("requests = %+v, want a 500 then a 200", reqs)
	}
	if len(sl.d) != 1 || sl.d[0] != 500*time.Millisecond {
		t.Errorf("waits = %v, want [500ms]", sl.d)
	}

	// A store that keeps failing is given up on after a bounded number of
	// attempts, with growing waits.
	store.FailNext(0, 100, http.StatusBadGateway)
	_, err = c.List(context.Background(), woocommerce.ResourceOrders, time.Time{}, 1, 10)
	var apiErr *woocommerce.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadGateway {
		t.Fatalf("err = %v, want the 502", err)
	}
	if n := len(store.Requests()); n != 2+4 {
		t.Errorf("%d requests, want 4 attempts", n-2)
	}
	if want := []time.Duration{500 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}; len(sl.d) != 4 || sl.d[1] != want[1] || sl.d[2] != want[2] || sl.d[3] != want[3] {
		t.Errorf("waits = %v, want %v", sl.d, want)
	}
}

func TestRetryAfterAndCancel(t *testing.T) {
	store := wootest.NewServer(t)
	c, sl := newClient(store)
	store.FailNext(0, 1, http.StatusTooManyRequests)
	if _, err := c.Settings(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sl.d) != 1 || sl.d[0] != time.Second {
		t.Errorf("waits = %v, want the store's Retry-After of 1s", sl.d)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	store.FailNext(0, 1, http.StatusServiceUnavailable)
	if _, err := c.Settings(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: err = %v", err)
	}
}

func TestNilOptionsKeepDefaults(t *testing.T) {
	store := wootest.NewServer(t)
	// The caller passes its own settings through, nil when unset.
	c := woocommerce.NewClient(store.URL, wootest.ConsumerKey, wootest.ConsumerSecret,
		woocommerce.WithHTTPClient(nil), woocommerce.WithSleep(nil), woocommerce.WithLogger(nil))
	store.FailNext(0, 1, http.StatusTooManyRequests) // Retry-After: 1, a real one-second wait
	if _, err := c.Settings(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestUnauthorized(t *testing.T) {
	store := wootest.NewServer(t)
	c := woocommerce.NewClient(store.URL, wootest.ConsumerKey, "cs_wrong")
	_, err := c.List(context.Background(), woocommerce.ResourceOrders, time.Time{}, 1, 10)
	if !errors.Is(err, woocommerce.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	var apiErr *woocommerce.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "woocommerce_rest_authentication_error" {
		t.Errorf("err = %v, want the store's error code", err)
	}
	if n := len(store.Requests()); n != 1 {
		t.Errorf("a 401 was retried: %d requests", n)
	}
}

func TestCreateCoupon(t *testing.T) {
	store := wootest.NewServer(t)
	c, _ := newClient(store, woocommerce.WithCurrency("EUR"))
	ctx := context.Background()
	exp := time.Date(2024, 6, 30, 23, 59, 59, 0, time.FixedZone("CEST", 2*3600))
	pc, err := c.CreateCoupon(ctx, woocommerce.Coupon{Code: "CW-ABC123", Type: woocommerce.CouponPercent, AmountMinor: 1250, Email: "jo@example.com", ExpiresAt: exp, Description: "Cartwheel: win-back"})
	if err != nil {
		t.Fatal(err)
	}
	if pc.ID == "" || pc.Code != "CW-ABC123" || pc.Amount != "12.50" || !pc.ExpiresAt.Equal(exp) {
		t.Errorf("created = %+v", pc)
	}
	if _, err := c.CreateCoupon(ctx, woocommerce.Coupon{Code: "CW-FIVE", Type: woocommerce.CouponFixedCart, AmountMinor: 500, UsageLimit: 3, MinimumMinor: 2000}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCoupon(ctx, woocommerce.Coupon{Code: "CW-YEN", Type: woocommerce.CouponFixedCart, AmountMinor: 500, Currency: "JPY"}); err != nil {
		t.Fatal(err)
	}
	got := store.Coupons()
	if len(got) != 3 {
		t.Fatalf("%d coupons", len(got))
	}
	p, f, y := got[0], got[1], got[2]
	if p.DiscountType != "percent" || p.Amount != "12.50" || !p.IndividualUse || *p.UsageLimit != 1 || *p.UsageLimitPerUser != 1 ||
		len(p.EmailRestrictions) != 1 || p.EmailRestrictions[0] != "jo@example.com" || *p.DateExpiresGMT != "2024-06-30T21:59:59" || p.Description != "Cartwheel: win-back" {
		t.Errorf("percent coupon = %+v", p)
	}
	if f.DiscountType != "fixed_cart" || f.Amount != "5.00" || *f.UsageLimit != 3 || f.MinimumAmount != "20.00" || f.EmailRestrictions != nil || f.DateExpiresGMT != nil {
		t.Errorf("fixed coupon = %+v", f)
	}
	if y.Amount != "500" {
		t.Errorf("JPY coupon amount = %q, want 500", y.Amount)
	}

	_, err = c.CreateCoupon(ctx, woocommerce.Coupon{Code: "cw-abc123", Type: woocommerce.CouponPercent, AmountMinor: 1000})
	var apiErr *woocommerce.APIError
	if !errors.Is(err, woocommerce.ErrCouponExists) || !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "woocommerce_rest_coupon_code_already_exists" || apiErr.Message == "" {
		t.Errorf("duplicate: err = %v", err)
	}

	for _, bad := range []woocommerce.Coupon{
		{Code: "", Type: woocommerce.CouponPercent, AmountMinor: 1000},
		{Code: "X", Type: woocommerce.CouponPercent},
		{Code: "X", Type: woocommerce.CouponPercent, AmountMinor: 10001},
		{Code: "X", Type: woocommerce.CouponFixedCart, AmountMinor: -5},
		{Code: "X", Type: "fixed_product", AmountMinor: 100},
	} {
		if _, err := c.CreateCoupon(ctx, bad); err == nil {
			t.Errorf("CreateCoupon(%+v) succeeded", bad)
		}
	}
	if n := len(store.Coupons()); n != 3 {
		t.Errorf("invalid coupons reached the store: %d", n)
	}
}

func TestCreateCouponNotRetriedOn500(t *testing.T) {
	store := wootest.NewServer(t)
	c, _ := newClient(store)
	store.FailAfter(0)
	if _, err := c.CreateCoupon(context.Background(), woocommerce.Coupon{Code: "X1", Type: woocommerce.CouponPercent, AmountMinor: 1000}); err == nil {
		t.Fatal("a 500 on POST succeeded")
	}
	if n := len(store.Requests()); n != 1 {
		t.Errorf("POST retried after a 500 (%d requests): it may have created the coupon", n)
	}
}

func TestRegisterWebhookIdempotent(t *testing.T) {
	store := wootest.NewServer(t)
	c, _ := newClient(store)
	ctx := context.Background()
	const delivery = "https://cartwheel.example/webhooks/woocommerce/shop_1"
	for range woocommerce.MaxPerPage { // so that ours are on the second page
		store.AddWebhook(wootest.Webhook{Name: "filler", Topic: "coupon.created", DeliveryURL: "https://other.example/"})
	}
	// An admin's unrelated webhook, and one of ours WooCommerce disabled.
	store.AddWebhook(wootest.Webhook{Name: "ERP", Topic: "order.created", DeliveryURL: "https://erp.example/hook"})
	disabled := store.AddWebhook(wootest.Webhook{Name: "old", Topic: "order.updated", DeliveryURL: delivery + "/", Status: "disabled", Secret: "old"})
	var firstRound int
	for round := 0; round < 2; round++ {
		firstRound = len(store.Requests())
		for _, topic := range woocommerce.DefaultTopics() {
			if err := c.RegisterWebhook(ctx, "Cartwheel "+topic, topic, delivery, "S3cretS3cret"); err != nil {
				t.Fatalf("round %d %s: %v", round, topic, err)
			}
		}
	}
	for _, r := range store.Requests()[firstRound:] {
		if r.Method != http.MethodGet {
			t.Errorf("registering again wrote: %s %s", r.Method, r.Path)
		}
	}
	ours := map[string]wootest.Webhook{}
	for _, h := range store.Webhooks() {
		if h.DeliveryURL == delivery || h.DeliveryURL == delivery+"/" {
			if _, dup := ours[h.Topic]; dup {
				t.Errorf("duplicate webhook for %s", h.Topic)
			}
			ours[h.Topic] = h
		}
	}
	if len(ours) != len(woocommerce.DefaultTopics()) {
		t.Errorf("%d webhooks of ours, want %d", len(ours), len(woocommerce.DefaultTopics()))
	}
	for topic, h := range ours {
		if h.Status != "active" || h.Secret != "S3cretS3cret" {
			t.Errorf("%s: %+v", topic, h)
		}
	}
	if h := ours["order.updated"]; h.ID != disabled {
		t.Errorf("the disabled webhook was duplicated rather than re-activated: %+v", h)
	}
	if err := c.RegisterWebhook(ctx, "x", "order.created", delivery, ""); err == nil {
		t.Error("a webhook without a secret was registered")
	}
}

func TestSettings(t *testing.T) {
	store := wootest.NewServer(t)
	store.SetCurrency("EUR")
	c, _ := newClient(store)
	info, err := c.Settings(context.Background())
	if err != nil || info.Currency != "EUR" || info.PriceDecimals != 2 {
		t.Errorf("Settings = %+v, %v", info, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
