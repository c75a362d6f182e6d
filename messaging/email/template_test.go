package email

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

func sampleData() Data {
	return Data{
		Contact: Contact{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Timezone: "Europe/Paris", Locale: "fr-FR"},
		Shop:    Shop{Name: "Acme Mugs", URL: "https://acme.example", Address: "1 Rue du Port\n75001 Paris", Currency: "EUR"},
		Items: []commerce.LineItem{
			{Title: "Blue mug", Quantity: 2, PriceMinor: 1250, URL: "https://acme.example/p/blue", ImageURL: "https://cdn.acme.example/blue.png"},
			{Title: "Teapot", Quantity: 1, PriceMinor: 3999},
		},
		Products: []Product{
			{ID: "p1", Title: "Red mug", URL: "https://acme.example/p/red", ImageURL: "https://cdn.acme.example/red.png", PriceMinor: 990},
			{ID: "p2", Title: "Travel cup", URL: "https://acme.example/p/cup", PriceMinor: 3000, Currency: "USD"},
			{ID: "p3", Title: "Saucer", URL: "https://acme.example/p/saucer", PriceMinor: 450},
		},
		// 23:30 UTC is already the next day in Paris.
		Discount: &Discount{Code: "COMEBACK10", Percent: 10, ExpiresAt: time.Date(2025, 1, 2, 23, 30, 0, 0, time.UTC)},
		Vars:     map[string]any{"points": 120.0},
		Links: Links{
			Unsubscribe:   "https://acme.example/u/tok?x=1&y=2",
			Preferences:   "https://acme.example/prefs/tok",
			Recovery:      "https://acme.example/cart/recover?t=abc",
			ViewInBrowser: "https://acme.example/m/1",
		},
	}
}

const cartTemplate = `<h1>You left something behind</h1>
<p>Hi {{.Contact.FirstName | default "there"}},</p>
{{if .Discount}}<p class="has-discount">Here is a little something.</p>{{else}}<p class="no-discount">No code today.</p>{{end}}
{{template "cart_items" .Items}}
{{template "discount" .Discount}}
{{template "button" (button "Complete your order" .Links.Recovery)}}
<h2>You may also like</h2>
{{template "product_grid" .Products}}
{{with .Vars.points}}<p>You have {{.}} points.</p>{{end}}`

func mustParse(t *testing.T, tpl Template) *Compiled {
	t.Helper()
	c, err := Parse(tpl)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func mustRender(t *testing.T, c *Compiled, d Data) Rendered {
	t.Helper()
	r, err := c.Render(d)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return r
}

func assertContains(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestRenderMergeFieldsBlocksAndConditionals(t *testing.T) {
	c := mustParse(t, Template{
		Subject:   "{{.Contact.FirstName}}, your {{.Shop.Name}} cart is waiting",
		Preheader: "{{with .Discount}}Save {{.Percent}}% with {{.Code}}{{end}}",
		HTML:      cartTemplate,
	})
	d := sampleData()
	r := mustRender(t, c, d)

	if r.Subject != "Ann, your Acme Mugs cart is waiting" {
		t.Errorf("subject = %q", r.Subject)
	}
	assertContains(t, "html", r.HTML,
		`<html lang="fr-FR"`,
		"Save 10% with COMEBACK10", // preheader
		"Hi Ann,",
		`class="has-discount"`,
		// cart_items: unit price, line total (2 × 12.50), subtotal (25.00 + 39.99), minor units formatted
		"Qty 2 × €12.50", "€25.00", "Qty 1 × €39.99", "€64.99",
		`href="https://acme.example/p/blue"`, `src="https://cdn.acme.example/blue.png"`,
		// discount block, expiry shown in the contact's timezone
		"10% off", "COMEBACK10", "Valid until 3 January 2025 00:30",
		// button
		`href="https://acme.example/cart/recover?t=abc"`, "Complete your order",
		// product grid: the product's own currency wins over the shop's
		"Red mug", "€9.90", "Travel cup", "$30.00", "Saucer", "€4.50",
		"You have 120 points.",
		// footer
		"1 Rue du Port<br>75001 Paris",
	)
	if strings.Contains(r.HTML, "no-discount") {
		t.Error("else branch rendered although a discount is set")
	}
	// Three products make two rows of the grid.
	if n := strings.Count(r.HTML, `class="cw-col"`); n != 4 { // 3 products + 1 filler cell
		t.Errorf("grid cells = %d, want 4", n)
	}

	d.Discount = nil
	d.Contact.FirstName = ""
	r = mustRender(t, c, d)
	assertContains(t, "html without discount", r.HTML, `class="no-discount"`, "Hi there,")
	if strings.Contains(r.HTML, "COMEBACK10") || strings.Contains(r.HTML, "border:2px dashed") {
		t.Error("discount block rendered for a nil discount")
	}
}

func TestRenderFooterAlwaysPresent(t *testing.T) {
	d := sampleData()
	// Bodies that try, by accident or not, to swallow or hide what follows.
	bodies := map[string]string{
		"plain":         `<p>Hello</p>`,
		"unclosed hide": `<div style="display:none"><p>secret`,
		"stray closers": `</td></tr></table></table><p>x</p>`,
		"unclosed link": `<a href="https://acme.example/x">click`,
		"unclosed tags": `<table><tr><td><span style="display: none">`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			c := mustParse(t, Template{Subject: "s", HTML: body})
			r := mustRender(t, c, d)
			text := HTMLToText(r.HTML) // skips display:none, so this proves visibility
			assertContains(t, "text of html", text,
				"Unsubscribe (https://acme.example/u/tok?x=1&y=2)",
				"Manage preferences (https://acme.example/prefs/tok)",
				"Acme Mugs", "75001 Paris")
			assertContains(t, "html", r.HTML, `href="https://acme.example/u/tok?x=1&amp;y=2" data-notrack`)
		})
	}

	// html/template itself refuses a body that ends inside a comment, script
	// or attribute.
	for _, body := range []string{`<p>x</p><!-- `, `<script>`, `<title>`, `<a href="x`} {
		if _, err := Parse(Template{Subject: "s", HTML: body}); err == nil {
			t.Errorf("Parse(%q) succeeded; want an error", body)
		}
	}

	c := mustParse(t, Template{Subject: "s", HTML: "<p>x</p>"})
	d.Links.Unsubscribe = ""
	if _, err := c.Render(d); !errors.Is(err, ErrNoUnsubscribe) {
		t.Errorf("render without unsubscribe link: err = %v, want ErrNoUnsubscribe", err)
	}
	// The preferences link falls back to the unsubscribe page rather than
	// disappearing.
	d = sampleData()
	d.Links.Preferences = ""
	r := mustRender(t, c, d)
	assertContains(t, "text", r.Text, "Manage preferences (https://acme.example/u/tok?x=1&y=2)")

	// A template cannot replace the layout's blocks.
	for _, html := range []string{
		`{{define "cart_items"}}nothing{{end}}<p>x</p>`,
		`{{define "layout"}}{{end}}`,
	} {
		_, err := Parse(Template{Subject: "s", HTML: html})
		var te *TemplateError
		if !errors.As(err, &te) || !strings.Contains(te.Msg, "cannot be redefined") {
			t.Errorf("Parse(%q) err = %v, want a redefinition error", html, err)
		}
	}
}

func TestParseErrorsHaveLineNumbers(t *testing.T) {
	cases := []struct {
		tpl  Template
		part string
		line int
		msg  string
	}{
		{Template{Subject: "ok", HTML: "<p>one</p>\n<p>two</p>\n<p>{{.Contact.FirstName</p>\n"}, "html", 3, ""},
		{Template{Subject: "ok", HTML: "<p>one</p>\n\n\n\n{{if .Discount}}open"}, "html", 5, ""},
		{Template{Subject: "ok", HTML: "<p>a</p>\n<p>{{exec \"rm -rf /\"}}</p>"}, "html", 2, `function "exec" not defined`},
		{Template{Subject: "Hi {{.Contact.FirstName", HTML: "<p>x</p>"}, "subject", 1, ""},
		{Template{Subject: "ok", HTML: "<p>x</p>", Text: "line one\n{{end}}"}, "text", 2, ""},
		// An escaping error found at parse time, not at first send.
		{Template{Subject: "ok", HTML: "<p>\n{{if .Discount}}<a href=\"{{end}}x\">y</a></p>"}, "html", 2, "different contexts"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.tpl)
		var te *TemplateError
		if !errors.As(err, &te) {
			t.Errorf("Parse(%+v): err = %v, want *TemplateError", tc.tpl, err)
			continue
		}
		if te.Part != tc.part || te.Line != tc.line || !strings.Contains(te.Msg, tc.msg) {
			t.Errorf("Parse(%+v) = part %q line %d msg %q; want part %q line %d msg containing %q",
				tc.tpl, te.Part, te.Line, te.Msg, tc.part, tc.line, tc.msg)
		}
		if !strings.Contains(te.Error(), fmt.Sprintf("line %d", tc.line)) {
			t.Errorf("error text %q does not name the line", te.Error())
		}
	}
	if _, err := Parse(Template{Subject: "s"}); err == nil {
		t.Error("Parse accepted an empty body")
	}
}

func TestRenderEscapesMergeFields(t *testing.T) {
	c := mustParse(t, Template{
		Subject: "Hi {{.Contact.FirstName}}",
		HTML:    `<p>Hi {{.Contact.FirstName}}</p><p title="{{.Contact.LastName}}">x</p>{{template "product_grid" .Products}}`,
	})
	d := sampleData()
	d.Contact.FirstName = "<script>alert(1)</script>\nBcc: x@evil.example"
	d.Contact.LastName = `"><img src=x onerror=alert(1)>`
	d.Products = []Product{{Title: "<b>bold</b>", URL: "javascript:alert(1)", PriceMinor: 100}}
	r := mustRender(t, c, d)
	for _, bad := range []string{"<script>alert", `"><img`, "<b>bold</b>", "javascript:alert"} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("html contains unescaped %q", bad)
		}
	}
	assertContains(t, "html", r.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;bold&lt;/b&gt;", "#ZgotmplZ")
	// The subject is plain text, not HTML, but it can never span lines: no
	// header injection through a merge field.
	if strings.ContainsAny(r.Subject, "\r\n") || !strings.HasPrefix(r.Subject, "Hi <script>alert(1)</script> Bcc:") {
		t.Errorf("subject = %q", r.Subject)
	}
}

func TestRenderTextPart(t *testing.T) {
	c := mustParse(t, Template{
		Subject: "Your cart",
		HTML:    cartTemplate,
		Text: `Hi {{.Contact.FirstName}},

{{template "cart_items" .Items}}
{{template "discount" .Discount}}
{{template "button" (button "Complete your order" .Links.Recovery)}}
{{.Vars.missing}}`,
	})
	r := mustRender(t, c, sampleData())
	assertContains(t, "text", r.Text,
		"Hi Ann,",
		"- Blue mug × 2: €25.00 (https://acme.example/p/blue)",
		"- Teapot × 1: €39.99",
		"Subtotal: €64.99",
		"Code COMEBACK10: 10% off, valid until 3 January 2025 00:30",
		"Complete your order: https://acme.example/cart/recover?t=abc",
		"Unsubscribe: https://acme.example/u/tok?x=1&y=2",
		"Manage preferences: https://acme.example/prefs/tok",
		"1 Rue du Port\n75001 Paris",
	)
	if strings.Contains(r.Text, "<no value>") {
		t.Error("text shows <no value> for a missing var")
	}

	// Without a text template the text part is derived from the HTML.
	c = mustParse(t, Template{Subject: "Your cart", HTML: cartTemplate})
	r = mustRender(t, c, sampleData())
	assertContains(t, "derived text", r.Text,
		"YOU LEFT SOMETHING BEHIND",
		"Blue mug (https://acme.example/p/blue)",
		"Qty 2 × €12.50 €25.00",
		"Complete your order (https://acme.example/cart/recover?t=abc)",
		"Unsubscribe (https://acme.example/u/tok?x=1&y=2)")
	if strings.Contains(r.Text, "Save 10%") {
		t.Error("derived text contains the hidden preheader")
	}
}

func TestTemplateFunctions(t *testing.T) {
	c := mustParse(t, Template{
		Subject: `{{upper "a"}}|{{lower "B"}}|{{title "jean-luc picard"}}|{{default "x" ""}}|{{default "x" "y"}}|{{money 1999}}|{{money 500 "JPY"}}|{{money .Vars.points "GBP"}}|{{date "2006-01-02 15:04" .Vars.ms}}|{{date "2006-01-02" .Vars.none}}`,
		HTML:    "<p>x</p>",
	})
	d := sampleData()
	d.Contact.Timezone = "America/New_York"
	d.Vars = map[string]any{"points": 120.0, "ms": int64(1735689600000)} // 2025-01-01T00:00Z
	r := mustRender(t, c, d)
	want := "A|b|Jean-Luc Picard|x|y|€19.99|¥500|£1.20|2024-12-31 19:00|"
	if r.Subject != want {
		t.Errorf("subject = %q\nwant      %q", r.Subject, want)
	}

	// An unknown timezone falls back to UTC instead of failing the send.
	d.Contact.Timezone = "Mars/Olympus"
	r = mustRender(t, c, d)
	if !strings.Contains(r.Subject, "2025-01-01 00:00") {
		t.Errorf("unknown timezone: subject = %q", r.Subject)
	}
}

// Renders run concurrently, each with its own recipient's timezone and
// currency; the pooled template instances must not leak one into another.
func TestRenderConcurrentRecipients(t *testing.T) {
	c := mustParse(t, Template{Subject: `{{date "15:04" .Discount.ExpiresAt}} {{money 100}}`, HTML: "<p>x</p>"})
	zones := map[string]string{"UTC": "12:00 €1.00", "Asia/Tokyo": "21:00 $1.00", "America/Los_Angeles": "04:00 £1.00"}
	currency := map[string]string{"UTC": "EUR", "Asia/Tokyo": "USD", "America/Los_Angeles": "GBP"}
	var wg sync.WaitGroup
	for zone, want := range zones {
		for range 20 {
			wg.Go(func() {
				d := sampleData()
				d.Contact.Timezone = zone
				d.Shop.Currency = currency[zone]
				d.Discount.ExpiresAt = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
				if zone == "America/Los_Angeles" || zone == "Asia/Tokyo" {
					d.Discount.ExpiresAt = d.Discount.ExpiresAt.AddDate(0, -5, 0) // winter: fixed offsets
				}
				for range 50 {
					r, err := c.Render(d)
					if err != nil {
						t.Error(err)
						return
					}
					if r.Subject != want {
						t.Errorf("%s: subject = %q, want %q", zone, r.Subject, want)
						return
					}
				}
			})
		}
	}
	wg.Wait()
}
