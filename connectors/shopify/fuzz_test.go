package shopify

import (
	"encoding/base64"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// topicOfFile maps a testdata file name to its topic: orders_create.json →
// orders/create; the consent topic has an underscore before the slash.
func topicOfFile(name string) string {
	base := strings.TrimSuffix(name, ".json")
	base = strings.TrimSuffix(base, "_subscribed")
	if rest, ok := strings.CutPrefix(base, "customers_email_marketing_consent_"); ok {
		return "customers_email_marketing_consent/" + rest
	}
	if rest, ok := strings.CutPrefix(base, "inventory_levels_"); ok {
		return "inventory_levels/" + rest
	}
	if rest, ok := strings.CutPrefix(base, "customers_data_"); ok {
		return "customers/data_" + rest
	}
	i := strings.IndexByte(base, '_')
	if i < 0 {
		return base
	}
	return base[:i] + "/" + base[i+1:]
}

// TestEverySampleDecodes guards the seeds: every testdata file names a topic
// Decode knows, and every topic Decode must handle has a sample.
func TestEverySampleDecodes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		topic := topicOfFile(filepath.Base(f))
		if _, err := Decode(topic, sample(t, filepath.Base(f))); err != nil {
			t.Errorf("%s as %s: %v", f, topic, err)
		}
		seen[topic] = true
	}
	shapes := map[string]bool{}
	for s := range seen {
		shapes[shape(s)] = true
	}
	for _, topic := range append(DefaultTopics(), TopicCustomersDataRequest, TopicCustomersRedact, TopicShopRedact) {
		if !shapes[shape(topic)] {
			t.Errorf("no testdata sample for %s", topic)
		}
	}
}

// shape groups the topics that share a payload shape (orders/paid is the
// same document as orders/create).
func shape(topic string) string {
	base, _, _ := strings.Cut(topic, "/")
	switch topic {
	case TopicCustomersCreate, TopicCustomersUpdate, TopicProductsCreate, TopicProductsUpdate:
		return base
	}
	switch base {
	case "orders", "checkouts", "carts":
		return base
	}
	return topic
}

// checkChange asserts the invariants every successful Decode keeps:
// exactly the field named by Kind is set, and ids are non-empty.
func checkChange(t *testing.T, topic string, ch commerce.Change) {
	t.Helper()
	set := map[string]bool{"order": ch.Order != nil, "checkout": ch.Checkout != nil, "customer": ch.Customer != nil,
		"product": ch.Product != nil, "inventory": ch.Inventory != nil, "privacy": ch.Privacy != nil}
	want := map[commerce.ChangeKind]string{
		commerce.ChangeOrder: "order", commerce.ChangeCheckout: "checkout", commerce.ChangeCart: "checkout",
		commerce.ChangeCustomer: "customer", commerce.ChangeConsent: "customer", commerce.ChangeProduct: "product",
		commerce.ChangeInventory: "inventory", commerce.ChangeDataRequest: "privacy", commerce.ChangeCustomerRedact: "privacy",
	}
	field, ok := want[ch.Kind]
	switch {
	case ch.Kind == "":
		t.Fatalf("%s: no kind", topic)
	case !ok && ch.Kind != commerce.ChangeProductDeleted && ch.Kind != commerce.ChangeUninstalled && ch.Kind != commerce.ChangeShopRedact:
		t.Fatalf("%s: unexpected kind %q", topic, ch.Kind)
	}
	for name, isSet := range set {
		if isSet != (name == field) {
			t.Fatalf("%s: kind %s but %s set=%v", topic, ch.Kind, name, isSet)
		}
	}
	switch ch.Kind {
	case commerce.ChangeOrder, commerce.ChangeCheckout, commerce.ChangeCart, commerce.ChangeCustomer, commerce.ChangeConsent,
		commerce.ChangeProduct, commerce.ChangeProductDeleted, commerce.ChangeInventory:
		if ch.ExternalID == "" {
			t.Fatalf("%s: kind %s without ExternalID", topic, ch.Kind)
		}
	}
	if ch.Kind == commerce.ChangeConsent && ch.Customer.EmailConsent == nil {
		t.Fatalf("%s: consent change without consent", topic)
	}
}

func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(topicOfFile(filepath.Base(p)), b)
	}
	f.Add("orders/create", []byte(`{"id":1,"line_items":[{"price":"1","quantity":-1}],"customer":null}`))
	f.Add("carts/update", []byte(`{"id":"x","line_items":[{"line_price":null}]}`))
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		ch, err := Decode(topic, body)
		if err != nil {
			if ch.Kind != "" {
				t.Fatalf("an error with a change: %+v", ch)
			}
			return
		}
		checkChange(t, topic, ch)
	})
}

func FuzzVerify(f *testing.F) {
	f.Add(vecSecret, []byte(vecBody), vecHeader)
	f.Add("", []byte(""), "")
	f.Add("k", []byte("{}"), "not base64!")
	f.Add("k", []byte("x"), base64.StdEncoding.EncodeToString(make([]byte, 32)))
	f.Fuzz(func(t *testing.T, secret string, body []byte, header string) {
		if VerifyWebhook(secret, body, header) && secret == "" {
			t.Fatal("an empty secret verified")
		}
		if secret != "" {
			sig := SignWebhook(secret, body)
			if !VerifyWebhook(secret, body, sig) {
				t.Fatal("a signature does not verify its own body")
			}
			if VerifyWebhook(secret, append(body, 'x'), sig) {
				t.Fatal("a signature verifies a longer body")
			}
		}
		// Queries: any key and value round-trip through SignQuery, and a
		// changed value breaks the signature.
		q := url.Values{string(body): {header}, "shop": {"a.myshopify.com"}}
		q.Set("hmac", SignQuery(secret+"x", q))
		if err := VerifyQuery(secret+"x", q, time.Now()); err != nil && !errors.Is(err, ErrStaleQuery) {
			t.Fatalf("signed query rejected: %v", err)
		}
		q.Set("shop", "b.myshopify.com")
		if err := VerifyQuery(secret+"x", q, time.Now()); err == nil && string(body) != "shop" {
			t.Fatal("a tampered query verified")
		}
		p := url.Values{string(body): {header}}
		p.Set("signature", SignProxy(secret+"x", p))
		if !VerifyProxy(secret+"x", p) {
			t.Fatal("a signed proxy query does not verify")
		}
	})
}
