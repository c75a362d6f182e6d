package shopify_test

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/tracker"
)

// These tests keep the theme app extension (Liquid and JS, which no Go
// code executes) in step with the Go side of the storefront contract.

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const embed = "extension/blocks/cartwheel.liquid"

// TestEmbedTagMatchesTracker renders the tag line of the app embed with
// the Liquid expressions replaced by their values and compares it with
// tracker.TagWithOptions, byte for byte.
func TestEmbedTagMatchesTracker(t *testing.T) {
	liquid := readFile(t, embed)
	var line string
	for l := range strings.SplitSeq(liquid, "\n") {
		if strings.HasPrefix(l, "<script>window.cartwheel=") {
			line = l
		}
	}
	if line == "" {
		t.Fatal("the embed has no tracker tag line")
	}
	for _, consent := range []bool{false, true} {
		r := strings.NewReplacer(
			"{{ cw_url | escape }}", "https://cw.example",
			"{{ cw_key | escape }}", "site-key-1",
		)
		got := r.Replace(line)
		const cond = `{% if block.settings.require_consent %} data-require-consent="1"{% endif %}`
		if !strings.Contains(got, cond) {
			t.Fatalf("the consent attribute is not behind the setting: %s", got)
		}
		if consent {
			got = strings.Replace(got, cond, ` data-require-consent="1"`, 1)
		} else {
			got = strings.Replace(got, cond, "", 1)
		}
		want := string(tracker.TagWithOptions("https://cw.example/", "site-key-1", tracker.TagOptions{RequireConsent: consent}))
		if got != want {
			t.Errorf("require_consent=%v: the embed renders\n%s\nthe tracker writes\n%s", consent, got, want)
		}
	}
}

func TestEmbedSchema(t *testing.T) {
	liquid := readFile(t, embed)
	m := regexp.MustCompile(`(?s)\{% schema %\}(.*)\{% endschema %\}`).FindStringSubmatch(liquid)
	if m == nil {
		t.Fatal("no schema")
	}
	var schema struct {
		Target   string `json:"target"`
		Settings []struct {
			ID      string `json:"id"`
			Type    string `json:"type"`
			Default any    `json:"default"`
		} `json:"settings"`
	}
	if err := json.Unmarshal([]byte(m[1]), &schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	if schema.Target != "head" {
		t.Errorf("target %q, want head", schema.Target)
	}
	settings := map[string]any{}
	for _, s := range schema.Settings {
		settings[s.ID] = s.Default
	}
	for _, id := range []string{"cartwheel_url", "site_key", "require_consent", "push"} {
		if _, ok := settings[id]; !ok {
			t.Errorf("no %s setting", id)
		}
	}
	if settings["push"] != false {
		t.Error("push is not off by default")
	}
}

// jsonTags collects the JSON names of a struct type's fields.
func jsonTags(t reflect.Type, into map[string]bool) {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		into[name] = true
	}
}

func TestEmbedContextKeys(t *testing.T) {
	liquid := readFile(t, embed)
	start := strings.Index(liquid, "data-cartwheel-context>")
	end := strings.Index(liquid[start:], "</script>")
	if start < 0 || end < 0 {
		t.Fatal("no context block")
	}
	known := map[string]bool{}
	jsonTags(reflect.TypeFor[tracker.PageContext](), known)
	jsonTags(reflect.TypeFor[tracker.ContextProduct](), known)
	jsonTags(reflect.TypeFor[tracker.ContextPerson](), known)
	keys := regexp.MustCompile(`"([a-z_]+)":`).FindAllStringSubmatch(liquid[start:start+end], -1)
	if len(keys) < 10 {
		t.Fatalf("only %d keys in the context block", len(keys))
	}
	for _, k := range keys {
		if !known[k[1]] {
			t.Errorf("context key %q is not part of tracker.PageContext", k[1])
		}
	}
	for _, page := range regexp.MustCompile(`assign cw_page = '([a-z_]+)'`).FindAllStringSubmatch(liquid, -1) {
		switch page[1] {
		case "home", "category", "product", "search", "cart", "checkout", "thank_you", "other":
		default:
			t.Errorf("page kind %q is not one the tracker knows", page[1])
		}
	}
}

func TestEmbedCurrencyDigits(t *testing.T) {
	liquid := readFile(t, embed)
	lists := regexp.MustCompile(`\{%- when ('[A-Z]{3}'(?:, '[A-Z]{3}')*) -%\}\s*\{%- assign cw_price = cw_price \| (divided_by: 100|times: 10)`).
		FindAllStringSubmatch(liquid, -1)
	if len(lists) != 2 {
		t.Fatalf("found %d currency lists, want 2", len(lists))
	}
	for _, l := range lists {
		want := 0
		if l[2] == "times: 10" {
			want = 3
		}
		for _, code := range regexp.MustCompile(`[A-Z]{3}`).FindAllString(l[1], -1) {
			if got := commerce.MinorDigits(code); got != want {
				t.Errorf("%s: the embed assumes %d decimals, commerce.MinorDigits says %d", code, want, got)
			}
		}
	}
}

func TestCartScript(t *testing.T) {
	js := readFile(t, "extension/assets/cartwheel-cart.js")
	for _, want := range []string{
		tracker.VisitorCookie + "=",    // the cookie the tracker writes
		shopify.VisitorAttribute + ":", // the attribute Decode reads
		"'/apps/cartwheel/sw.js', { scope: '/apps/cartwheel/' }",
		"cfg.push === '1'",
	} {
		if !strings.Contains(js, want) {
			t.Errorf("cartwheel-cart.js lacks %q", want)
		}
	}
	liquid := readFile(t, embed)
	if !strings.Contains(liquid, "{% if block.settings.push %} data-push=\"1\"{% endif %}") {
		t.Error("push is not behind the embed setting")
	}
	if !strings.Contains(liquid, "cart.attributes['"+shopify.VisitorAttribute+"']") {
		t.Error("the embed does not pass the cart's visitor attribute")
	}
}

func TestAppConfig(t *testing.T) {
	toml := readFile(t, "app/shopify.app.toml")
	if !strings.Contains(toml, `scopes = "`+strings.Join(shopify.DefaultScopes(), ",")+`"`) {
		t.Error("shopify.app.toml scopes differ from DefaultScopes")
	}
	if !strings.Contains(toml, `compliance_topics = ["customers/data_request", "customers/redact", "shop/redact"]`) {
		t.Error("shopify.app.toml lacks the compliance topics")
	}
	if !strings.Contains(toml, `subpath = "cartwheel"`) || !strings.Contains(toml, `prefix = "apps"`) {
		t.Error("the App Proxy is not /apps/cartwheel")
	}
	if !strings.Contains(readFile(t, "extension/shopify.extension.toml"), `type = "theme"`) {
		t.Error("the extension is not a theme extension")
	}
}
