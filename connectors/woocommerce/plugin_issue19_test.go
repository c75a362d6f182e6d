package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// runPluginTest runs one of the plugin's PHP tests (plugin/cartwheel/tests)
// over the WordPress stand-ins, fails on the checks it reports and returns
// what it observed for the Go side to check.
func runPluginTest(t *testing.T, script string, args ...string) map[string]json.RawMessage {
	t.Helper()
	php := needPHP(t)
	cmd := exec.Command(php, append([]string{"-d", "display_errors=stderr", filepath.Join(pluginDir, "tests", script)}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("php %s: %v\n%s\n%s", script, err, out, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("php %s wrote to stderr:\n%s", script, stderr.String())
	}
	var res struct {
		Failures []string                   `json:"failures"`
		Data     map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("php %s output: %v\n%s", script, err, out)
	}
	for _, f := range res.Failures {
		t.Errorf("%s: %s", script, f)
	}
	return res.Data
}

// field decodes one observation.
func field[T any](t *testing.T, data map[string]json.RawMessage, key string) T {
	t.Helper()
	var v T
	raw, ok := data[key]
	if !ok {
		t.Fatalf("the PHP test reported no %q", key)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v (%s)", key, err, raw)
	}
	return v
}

// The checkout's consent box, classic and block (with WooCommerce's
// additional fields and with the older extension-data fallback), for
// guests too: the answer is stored on the order as the Go decoder reads
// it, "yes"/"no" with an ISO 8601 UTC time; an unticked box is a
// withdrawal only for a customer who had consented, and then reaches the
// customer's meta too.
func TestPluginCheckoutConsent(t *testing.T) {
	for _, mode := range []string{"fields", "fallback"} {
		t.Run(mode, func(t *testing.T) {
			start := time.Now().Add(-2 * time.Second)
			data := runPluginTest(t, "consent-test.php", mode)
			stated := func(key, want string) {
				t.Helper()
				meta := field[map[string]string](t, data, key)
				if meta[MetaEmailConsent] != want {
					t.Errorf("%s: %s = %q, want %q (meta %v)", key, MetaEmailConsent, meta[MetaEmailConsent], want, meta)
				}
				at, err := time.Parse("2006-01-02T15:04:05Z", meta[MetaEmailConsentAt])
				if err != nil || at.Before(start.Truncate(time.Second)) || at.After(time.Now().Add(time.Second)) {
					t.Errorf("%s: %s = %q (%v), want the time of the checkout in UTC", key, MetaEmailConsentAt, meta[MetaEmailConsentAt], err)
				}
			}
			silent := func(key string) {
				t.Helper()
				meta := field[map[string]string](t, data, key)
				if _, ok := meta[MetaEmailConsent]; ok {
					t.Errorf("%s: the order states %q, want nothing", key, meta[MetaEmailConsent])
				}
			}
			stated("classic_guest_yes", "yes")
			silent("classic_guest_blank")
			silent("classic_no_box")
			stated("classic_withdrawal", "no")
			stated("classic_withdrawal_user", "no")
			silent("classic_no_box_customer")
			if m := field[map[string]string](t, data, "classic_no_box_user"); m[MetaEmailConsent] != "yes" {
				t.Errorf("a form without the box withdrew a customer's consent: %v", m)
			}
			stated("classic_customer_yes", "yes")
			stated("classic_customer_user", "yes")
			stated("account_withdrawal", "no")
			stated("block_guest_yes", "yes")
			silent("block_guest_blank")
			stated("block_withdrawal", "no")
			stated("block_withdrawal_user", "no")
			silent("block_no_box")
			silent("block_draft_update")
			silent("block_retried_blank")
		})
	}
}

// The cart.updated body links to a signed recovery URL that the Go side
// carries as the checkout's RecoveryURL (which abandoned-cart messages link
// to); the PHP test restores the cart from it on another device and
// refuses tampered, foreign, expired and bought carts' links.
func TestPluginCartRecovery(t *testing.T) {
	data := runPluginTest(t, "recovery-test.php")
	body := field[string](t, data, "body")
	token := field[string](t, data, "token")
	if !VerifyWebhook("Zq9Xw2Lr7Pt4Vn8K", []byte(body), field[string](t, data, "signature")) {
		t.Error("the cart post's signature does not verify")
	}
	ch, err := Decode(TopicCartUpdated, []byte(body))
	if err != nil {
		t.Fatalf("Decode: %v\n%s", err, body)
	}
	u, err := url.Parse(ch.Checkout.RecoveryURL)
	if err != nil || u.Query().Get("cartwheel_cart") != token {
		t.Fatalf("Checkout.RecoveryURL = %q, want the signed link with %q", ch.Checkout.RecoveryURL, token)
	}
	// The documented signature: HMAC-SHA256 of "cartwheel-cart-recovery:" and
	// the cart token with the webhook secret, first 128 bits in hex.
	cartToken, sig, _ := strings.Cut(token, ".")
	mac := hmac.New(sha256.New, []byte("Zq9Xw2Lr7Pt4Vn8K"))
	mac.Write([]byte("cartwheel-cart-recovery:" + cartToken))
	if want := hex.EncodeToString(mac.Sum(nil))[:32]; sig != want || cartToken != ch.ExternalID {
		t.Errorf("token %q: signature %q, want %q; cart %q, want %q", token, sig, want, cartToken, ch.ExternalID)
	}
}

// While Cartwheel is down, /cartwheel-sw.js holds a PHP worker for the
// (short) timeout once, then answers at once for a minute; once the script
// was fetched, an outage serves the last copy.
func TestPluginServiceWorkerOutage(t *testing.T) {
	const script = "self.addEventListener('push',()=>{});"
	var hits atomic.Int32
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sw.js" {
			http.NotFound(w, r)
			return
		}
		switch hits.Add(1) {
		case 1: // down: hangs
			select {
			case <-done:
			case <-time.After(20 * time.Second):
			}
		case 2:
			w.Header().Set("Content-Type", "application/javascript")
			_, _ = w.Write([]byte(script))
		default:
			http.Error(w, "down", http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	defer close(done)

	data := runPluginTest(t, "service-worker-test.php", srv.URL)
	type answer struct {
		Status  int     `json:"status"`
		Cache   string  `json:"cache"`
		Retry   string  `json:"retry"`
		Body    string  `json:"body"`
		Fetched int     `json:"fetched"`
		Seconds float64 `json:"seconds"`
	}
	get := func(k string) answer { return field[answer](t, data, k) }
	if a := get("down"); a.Status != 503 || a.Retry == "" || a.Fetched != 1 || a.Seconds > 3.5 {
		t.Errorf("Cartwheel hanging: %+v, want a 503 with Retry-After after at most the 2 s timeout", a)
	}
	if a := get("down_again"); a.Status != 503 || a.Fetched != 0 || a.Seconds > 0.2 {
		t.Errorf("within the minute after a failure: %+v, want an immediate 503 without fetching", a)
	}
	if a := get("up"); a.Status != 200 || a.Body != script || a.Fetched != 1 {
		t.Errorf("Cartwheel back after the minute: %+v", a)
	}
	if a := get("cached"); a.Status != 200 || a.Fetched != 0 || a.Cache != "public, max-age=3600" {
		t.Errorf("cached: %+v", a)
	}
	if a := get("failing"); a.Status != 200 || a.Body != script || a.Fetched != 1 || a.Cache != "no-cache" {
		t.Errorf("Cartwheel failing after the hour: %+v, want the last script, not cached by browsers", a)
	}
	if a := get("failing_again"); a.Status != 200 || a.Fetched != 0 {
		t.Errorf("within the minute: %+v, want the last script without fetching", a)
	}
	if a := get("after_save"); a.Fetched != 1 {
		t.Errorf("after a settings save: %+v, want a new fetch", a)
	}
	if n := hits.Load(); n != 4 {
		t.Errorf("Cartwheel saw %d fetches, want 4", n)
	}
}

// Every save of the settings page re-registers the webhooks, a save that
// changes nothing included (update_option() skips its update hooks then):
// disabled ones are re-activated, deleted ones re-created, and an
// idempotent save writes nothing. Network activation reaches every site.
func TestPluginSettingsSaveRegisters(t *testing.T) {
	data := runPluginTest(t, "settings-test.php")
	hooks := field[[][]string](t, data, "webhooks")
	var topics []string
	for _, h := range hooks {
		topics = append(topics, h[0])
		if h[1] != "active" || h[2] != "https://cw.example/webhooks/woocommerce/shop2" {
			t.Errorf("webhook %v", h)
		}
	}
	if strings.Join(topics, ",") != strings.Join(DefaultTopics(), ",") {
		t.Errorf("topics %v, want %v", topics, DefaultTopics())
	}
}

// Uninstalling removes each site's webhooks even while WooCommerce is
// inactive, and the plugin's options, cached worker and saved carts.
func TestPluginUninstallWithoutWooCommerce(t *testing.T) {
	runPluginTest(t, "uninstall-test.php")
}

// The Checkout block fallback's script has no build step; it must at least
// parse. Skipped without node (CI checks it where node is installed).
func TestPluginScriptsParse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	f := filepath.Join(pluginDir, "assets", "block-consent.js")
	if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
		t.Errorf("node --check %s: %v\n%s", f, err, out)
	}
}
