package woocommerce_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce/wootest"
)

// The fake store builds its records from copies of the documented
// payloads; they must not drift from the ones the decoder is tested on.
func TestWootestPayloadsMatchTestdata(t *testing.T) {
	for tmpl, data := range map[string]string{"order.json": "order_created.json", "product.json": "product_created.json", "customer.json": "customer_created.json"} {
		a, err := os.ReadFile(filepath.Join("wootest", "payloads", tmpl))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join("testdata", data))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("wootest/payloads/%s differs from testdata/%s", tmpl, data)
		}
	}
}

// A delivery built by wootest, as WooCommerce sends it, passes the checks a
// handler makes: not a ping, signature valid, body decodes.
func TestWootestDeliveryVerifiesAndDecodes(t *testing.T) {
	store := wootest.NewServer(t)
	ids := store.SeedOrders(1, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	body := store.OrderJSON(ids[0])
	var got commerce.Change
	pinged := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get(woocommerce.HeaderTopic) == "" && woocommerce.IsPing(b, r.Header.Get("Content-Type")) {
			pinged++
			w.WriteHeader(http.StatusOK)
			return
		}
		if !woocommerce.VerifyWebhook("S3cret", b, r.Header.Get(woocommerce.HeaderSignature)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var err error
		if got, err = woocommerce.Decode(r.Header.Get(woocommerce.HeaderTopic), b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	defer hook.Close()

	ctx := context.Background()
	req, err := store.NewDelivery(ctx, hook.URL, "order.created", body, "S3cret", 12)
	if err != nil {
		t.Fatal(err)
	}
	if req.Header.Get(woocommerce.HeaderResource) != "order" || req.Header.Get(woocommerce.HeaderEvent) != "created" ||
		req.Header.Get(woocommerce.HeaderID) != "12" || req.Header.Get(woocommerce.HeaderDeliveryID) == "" || req.Header.Get(woocommerce.HeaderSource) != store.URL+"/" {
		t.Errorf("delivery headers %v", req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || got.Kind != commerce.ChangeOrder || got.ExternalID != itoa(ids[0]) {
		t.Fatalf("delivery → %d, %+v", resp.StatusCode, got)
	}

	forged, _ := store.NewDelivery(ctx, hook.URL, "order.created", body, "guess", 12)
	if resp, err := http.DefaultClient.Do(forged); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged delivery: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// Creating a webhook pings its URL first, unsigned; the handler accepts it.
	store.EnablePing()
	c := woocommerce.NewClient(store.URL, wootest.ConsumerKey, wootest.ConsumerSecret)
	if err := c.RegisterWebhook(ctx, "Cartwheel order.created", "order.created", hook.URL, "S3cret"); err != nil {
		t.Fatal(err)
	}
	if pinged != 1 {
		t.Errorf("pinged %d times, want 1", pinged)
	}
}

func TestWootestRejectsWhatWooCommerceRejects(t *testing.T) {
	store := wootest.NewServer(t)
	for _, c := range []struct {
		method, path string
		auth         bool
		want         int
	}{
		{"GET", "/wp-json/wc/v3/orders", false, 401},
		{"GET", "/wp-json/wc/v3/orders?per_page=101", true, 400},
		{"GET", "/wp-json/wc/v3/customers?orderby=modified", true, 400},
		{"GET", "/wp-json/wc/v3/orders/999", true, 404},
		{"GET", "/wp-json/wc/v3/refunds", true, 404},
		{"GET", "/wp-json/wc/v3/orders?per_page=100&orderby=modified", true, 200},
	} {
		req, _ := http.NewRequest(c.method, store.URL+c.path, nil)
		if c.auth {
			req.SetBasicAuth(wootest.ConsumerKey, wootest.ConsumerSecret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s → %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
		if c.want == 200 && (resp.Header.Get("X-WP-Total") != "0" || resp.Header.Get("X-WP-TotalPages") != "0") {
			t.Errorf("empty list headers %v", resp.Header)
		}
	}
}
