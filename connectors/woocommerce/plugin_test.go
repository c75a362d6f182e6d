package woocommerce

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/tracker"
)

const pluginDir = "plugin/cartwheel"

// needPHP returns the php binary, skipping the test where there is none
// unless CARTWHEEL_REQUIRE_PHP=1 (CI), where a missing php is a failure.
func needPHP(t *testing.T) string {
	t.Helper()
	php, err := exec.LookPath("php")
	if err != nil {
		if os.Getenv("CARTWHEEL_REQUIRE_PHP") == "1" {
			t.Fatal("php is not installed and CARTWHEEL_REQUIRE_PHP=1 (apt-get install php-cli)")
		}
		t.Skip("php is not installed; set CARTWHEEL_REQUIRE_PHP=1 to make this a failure")
	}
	return php
}

func pluginFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("plugin", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".php") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) < 5 {
		t.Fatalf("plugin files: %v, %v", files, err)
	}
	return files
}

func TestPluginLint(t *testing.T) {
	php := needPHP(t)
	for _, f := range pluginFiles(t) {
		out, err := exec.Command(php, "-l", f).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "No syntax errors") {
			t.Errorf("php -l %s: %v\n%s", f, err, out)
		}
	}
}

// The plugin builds cart.updated bodies; the Go decoder must read them as
// it reads the reference fixture, and the signature must verify.
func TestPluginCartPayloadDecodes(t *testing.T) {
	php := needPHP(t)
	const secret = "Zq9Xw2Lr7Pt4Vn8K"
	out, err := exec.Command(php, filepath.Join(pluginDir, "tests", "cart-payload-test.php"), secret).Output()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	var res struct {
		Body      string `json:"body"`
		Gross     string `json:"gross"`
		Signature string `json:"signature"`
		Minor     []struct {
			Amount, Currency, Decimal string
			Minor                     int64
		} `json:"minor"`
		Digits map[string]int `json:"digits"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("php output: %v\n%s", err, out)
	}
	if !VerifyWebhook(secret, []byte(res.Body), res.Signature) {
		t.Error("the plugin's signature does not verify")
	}
	got, err := Decode(TopicCartUpdated, []byte(res.Body))
	if err != nil {
		t.Fatalf("Decode(plugin body): %v\n%s", err, res.Body)
	}
	want := mustDecode(t, TopicCartUpdated, readTestdata(t, "cart_updated.json"))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the plugin's body decodes differently from testdata/cart_updated.json:\n got %+v\nwant %+v\nbody %s", *got.Checkout, *want.Checkout, res.Body)
	}

	// A shop showing prices with tax: the cart reads gross (49,00 zł a mug),
	// the tax kept apart, as the order will.
	gross, err := Decode(TopicCartUpdated, []byte(res.Gross))
	if err != nil {
		t.Fatalf("Decode(gross cart): %v\n%s", err, res.Gross)
	}
	if it := gross.Checkout.Items; len(it) != 1 || it[0].PriceMinor != 4900 || it[0].TaxMinor != 1832 {
		t.Errorf("a tax-inclusive shop's cart line: %+v (body %s)", it, res.Gross)
	}

	wantMinor := map[string]int64{"21.99": 2199, "0.285": 29, "0.30000000000000004": 30, "1000": 1000, "1499.5": 1500, "1.2345": 1235, "-2.005": -201, "99999999999.99": 9999999999999, "abc": 0}
	if len(res.Minor) != len(wantMinor) {
		t.Errorf("%d conversions, want %d", len(res.Minor), len(wantMinor))
	}
	for _, m := range res.Minor {
		if w, ok := wantMinor[m.Amount]; !ok || m.Minor != w {
			t.Errorf("cartwheel_to_minor(%s, %s) = %d, want %d", m.Amount, m.Currency, m.Minor, w)
		}
		if v, err := commerce.ParseMinor(m.Decimal, m.Currency); err != nil || v != m.Minor {
			t.Errorf("cartwheel_format_decimal(%s, %s) = %q, which Go reads as %d, %v", m.Amount, m.Currency, m.Decimal, v, err)
		}
	}
	for cur, d := range res.Digits {
		if d != commerce.MinorDigits(cur) {
			t.Errorf("cartwheel_minor_digits(%s) = %d, commerce.MinorDigits = %d", cur, d, commerce.MinorDigits(cur))
		}
	}
}

func readPlugin(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pluginDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// These hold without php: the strings Go and PHP must share.
func TestPluginAgreesWithGo(t *testing.T) {
	hooks := readPlugin(t, "includes/webhooks.php")
	fn := hooks[strings.Index(hooks, "function cartwheel_webhook_topics"):]
	fn = fn[:strings.Index(fn, "}")]
	var topics []string
	for _, m := range regexp.MustCompile(`'([a-z]+\.[a-z]+)'`).FindAllStringSubmatch(fn, -1) {
		topics = append(topics, m[1])
	}
	if !reflect.DeepEqual(topics, DefaultTopics()) {
		t.Errorf("plugin topics %v, DefaultTopics %v", topics, DefaultTopics())
	}
	for _, topic := range topics {
		if _, err := Decode(topic, []byte(`{}`)); err == nil || strings.Contains(err.Error(), ErrUnknownTopic.Error()) {
			t.Errorf("the plugin registers %s, which Decode does not handle: %v", topic, err)
		}
	}

	identity := readPlugin(t, "includes/identity.php") + readPlugin(t, "includes/checkout.php")
	for _, key := range []string{MetaVisitor, MetaCartToken, MetaEmailConsent, MetaEmailConsentAt, tracker.VisitorCookie} {
		if !strings.Contains(identity, "'"+key+"'") {
			t.Errorf("the plugin does not use %q", key)
		}
	}

	tag := string(tracker.TagWithOptions("https://cw.example", "k", tracker.TagOptions{}))
	stub := tag[len("<script>"):strings.Index(tag, "</script>")]
	if !strings.Contains(readPlugin(t, "includes/tracker.php"), "'"+stub+"'") {
		t.Errorf("the plugin's tracker stub differs from tracker.TagWithOptions': %s", stub)
	}

	sync := readPlugin(t, "includes/cart-sync.php")
	for _, h := range []string{HeaderSource, HeaderTopic, HeaderSignature, "'" + TopicCartUpdated + "'", "'blocking'    => false", "'timeout'     => 2"} {
		if !strings.Contains(sync, h) {
			t.Errorf("cart-sync.php lacks %s", h)
		}
	}
	main := readPlugin(t, "cartwheel.php")
	for _, h := range []string{"Plugin Name:", "Requires PHP:         7.4", "defined( 'ABSPATH' ) || exit;"} {
		if !strings.Contains(main, h) {
			t.Errorf("cartwheel.php lacks %q", h)
		}
	}
}
