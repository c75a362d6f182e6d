package email

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/messaging/l10n"
)

//go:embed layout.html layout.txt blocks.html blocks.txt
var assets embed.FS

// Template is an email as the shop admin authors it. Subject and Preheader
// are text templates; HTML is an html/template body placed inside the
// responsive layout; Text, when set, is a text/template for the text/plain
// part (otherwise that part is derived from the HTML).
//
// Templates see a [Data] as dot and may call only the functions documented
// on [Parse].
type Template struct {
	Subject   string
	Preheader string
	HTML      string
	Text      string
}

// Data is what a template is rendered with: the merge fields.
type Data struct {
	Contact  Contact
	Shop     Shop
	Items    []commerce.LineItem // cart or checkout lines, in Shop.Currency
	Products []Product           // recommended or viewed products, computed by the flow
	Discount *Discount           // nil when the message offers none
	Vars     map[string]any      // flow-specific values
	Links    Links
}

// Contact is the recipient as templates see it.
type Contact struct {
	FirstName string
	LastName  string
	Email     string
	Timezone  string // IANA name; dates are shown in it (UTC when empty or unknown)
	Locale    string // BCP 47, e.g. "en-GB"; sets the document language
	// Scores (personalization/scores), empty when the contact has none:
	// CLVTier "high", "medium" or "low"; RFMCell e.g. "champions";
	// NextOrderAt the predicted next order date ({{date "2 January" .Contact.NextOrderAt}}),
	// zero when there is no prediction.
	CLVTier     string
	RFMCell     string
	NextOrderAt time.Time
}

// Shop is the sender as templates see it. Address and the unsubscribe links
// make up the footer that anti-spam law (CAN-SPAM, the EU ePrivacy rules)
// asks of marketing mail.
type Shop struct {
	Name     string
	URL      string
	Address  string // postal address; may span several lines
	LogoURL  string
	Currency string // ISO 4217; the currency of Items and the default for money
	// Locale is the workspace's (BCP 47): the language of the email's
	// chrome (l10n) and of amounts; the contact's Locale when empty.
	Locale string
}

// Discount is a code offered in the message.
type Discount struct {
	Code        string
	Percent     float64 // set for percentage discounts
	AmountMinor int64   // set for fixed-amount discounts
	Currency    string
	ExpiresAt   time.Time // zero when the code does not expire
}

// Links are the per-recipient URLs the layout and templates use.
type Links struct {
	Unsubscribe   string // required: one-click unsubscribe page
	Preferences   string // preference centre; the unsubscribe page when empty
	Recovery      string // the abandoned cart or checkout, for recovery flows
	ViewInBrowser string
}

// Product is one product shown in a product grid.
type Product struct {
	ID         string
	Title      string
	URL        string
	ImageURL   string
	PriceMinor int64
	Currency   string // Shop.Currency when empty
}

// Button is what the button helper builds for the "button" block.
type Button struct {
	Label string
	URL   string
}

// TemplateError is a syntax or execution error in one part of a template,
// with the line it was found on so that the admin editor can point at it.
type TemplateError struct {
	Part string // "subject", "preheader", "html" or "text"
	Line int    // 1-based; 0 when unknown
	Msg  string
	Err  error
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("email template: %s, line %d: %s", e.Part, e.Line, e.Msg)
	}
	return fmt.Sprintf("email template: %s: %s", e.Part, e.Msg)
}

func (e *TemplateError) Unwrap() error { return e.Err }

// ErrNoUnsubscribe is returned by Render when Data.Links.Unsubscribe is empty:
// marketing mail without a working unsubscribe link is not sent.
var ErrNoUnsubscribe = errors.New("email: an unsubscribe link is required")

// reservedNames are the blocks the layout provides; a template may not
// redefine them, or it could replace what the layout guarantees.
func reserved(name string) bool {
	switch name {
	case "cart_items", "product_grid", "discount", "button", "layout", "blocks":
		return true
	}
	return strings.HasPrefix(name, "cw_")
}

// Compiled is a parsed template, safe for concurrent Render calls.
type Compiled struct {
	src   Template
	pool  sync.Pool // of *instance: one per concurrent render
	zones sync.Map  // timezone name → *time.Location
}

// instance is one parsed copy of a template and the layout. Its functions are
// bound to st, which Render sets for the recipient before executing; the pool
// hands an instance to one render at a time, so no two renders share st.
type instance struct {
	st         *renderState
	subject    *texttemplate.Template
	preheader  *texttemplate.Template
	html       *htmltemplate.Template // "body" plus the HTML blocks
	text       *texttemplate.Template // "body" plus the text blocks; nil without a text part
	layout     *htmltemplate.Template
	textLayout *texttemplate.Template
	// buf is reused by every Render of this instance: the outputs are
	// copied out of it, so its grown capacity saves the regrowth per part.
	buf bytes.Buffer
}

// Parse checks and compiles a template.
//
// Templates may use html/template and text/template actions ({{if}}, {{with}},
// {{range}}, pipelines, comparison builtins) and only these functions:
//
//	money AMOUNT [CURRENCY]  minor units as money ("€12.50"); currency defaults to Shop.Currency
//	upper S, lower S, title S
//	default FALLBACK VALUE   VALUE, or FALLBACK when VALUE is empty: {{.Contact.FirstName | default "there"}}
//	date LAYOUT TIME         a time (time.Time, Unix milliseconds or RFC 3339) in the contact's
//	                         timezone, in Go layout: {{date "2 January 2006" .Discount.ExpiresAt}}
//	button LABEL URL         a Button for the "button" block
//	linetotal ITEM           quantity × unit price of a line item, in minor units
//	subtotal ITEMS           sum of line totals, in minor units
//	rows N PRODUCTS          products grouped N to a row
//	t KEY [ARGS]             a text of the chrome in the shop's language (messaging/l10n): {{t "email.subtotal"}}
//
// and these blocks, which the layout provides:
//
//	{{template "cart_items" .Items}}       cart lines with image, quantity, price and subtotal
//	{{template "product_grid" .Products}}  products two to a row
//	{{template "discount" .Discount}}      the discount code box (nothing when nil)
//	{{template "button" (button "Complete your order" .Links.Recovery)}}
//
// Errors are *TemplateError values that carry the line number.
func Parse(t Template) (*Compiled, error) {
	if strings.TrimSpace(t.HTML) == "" {
		return nil, &TemplateError{Part: "html", Msg: "the HTML body is empty"}
	}
	inst, err := newInstance(t)
	if err != nil {
		return nil, err
	}
	// html/template escapes a template the first time it runs, and only then
	// reports content it cannot escape safely (an action inside an unquoted
	// attribute, say). Run the body once on empty data so those errors surface
	// here, at authoring time, rather than at the first send. Errors from the
	// empty data itself (a nil pointer) are expected and ignored.
	err = inst.html.ExecuteTemplate(io.Discard, "body", Data{})
	var escErr *htmltemplate.Error
	if errors.As(err, &escErr) {
		return nil, templateError("html", err)
	}
	c := &Compiled{src: t}
	c.pool.Put(inst)
	return c, nil
}

func newInstance(t Template) (*instance, error) {
	inst := &instance{st: &renderState{loc: time.UTC, lang: l10n.English}}
	funcs := inst.st.funcs()
	var err error
	if inst.subject, err = texttemplate.New("subject").Funcs(funcs).Parse(t.Subject); err != nil {
		return nil, templateError("subject", err)
	}
	if inst.preheader, err = texttemplate.New("preheader").Funcs(funcs).Parse(t.Preheader); err != nil {
		return nil, templateError("preheader", err)
	}

	inst.html, err = htmltemplate.New("body").Funcs(funcs).Parse(t.HTML)
	if err != nil {
		return nil, templateError("html", err)
	}
	for _, d := range inst.html.Templates() {
		if reserved(d.Name()) {
			return nil, &TemplateError{Part: "html", Msg: fmt.Sprintf("%q is a block of the layout and cannot be redefined", d.Name())}
		}
	}
	if _, err = inst.html.New("blocks").Parse(asset("blocks.html")); err != nil {
		return nil, fmt.Errorf("email: layout blocks: %w", err)
	}

	if strings.TrimSpace(t.Text) != "" {
		inst.text, err = texttemplate.New("body").Funcs(funcs).Parse(t.Text)
		if err != nil {
			return nil, templateError("text", err)
		}
		for _, d := range inst.text.Templates() {
			if reserved(d.Name()) {
				return nil, &TemplateError{Part: "text", Msg: fmt.Sprintf("%q is a block of the layout and cannot be redefined", d.Name())}
			}
		}
		if _, err = inst.text.New("blocks").Parse(asset("blocks.txt")); err != nil {
			return nil, fmt.Errorf("email: layout text blocks: %w", err)
		}
	}

	layoutFuncs := inst.st.funcs()
	for k, v := range layoutOnlyFuncs() {
		layoutFuncs[k] = v
	}
	if inst.layout, err = htmltemplate.New("layout").Funcs(layoutFuncs).Parse(asset("layout.html")); err != nil {
		return nil, fmt.Errorf("email: layout: %w", err)
	}
	if inst.textLayout, err = texttemplate.New("layout").Funcs(layoutFuncs).Parse(asset("layout.txt")); err != nil {
		return nil, fmt.Errorf("email: text layout: %w", err)
	}
	return inst, nil
}

func asset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		// The names are fixed and embedded at build time.
		panic(err)
	}
	return string(b)
}

// templateErrRe matches the "template: NAME:LINE[:COL]: MESSAGE" form of
// text/template errors and the "html/template:NAME:LINE:COL: MESSAGE" form
// of escaping errors.
var templateErrRe = regexp.MustCompile(`(?s)^(?:html/)?template: ?[^:]*:(\d+):(?:\d+:)?\s*(.*)$`)

func templateError(part string, err error) *TemplateError {
	te := &TemplateError{Part: part, Msg: err.Error(), Err: err}
	if m := templateErrRe.FindStringSubmatch(err.Error()); m != nil {
		te.Line, _ = strconv.Atoi(m[1])
		te.Msg = m[2]
	}
	var escErr *htmltemplate.Error
	if errors.As(err, &escErr) {
		if te.Line == 0 {
			te.Line = escErr.Line
		}
		// Escaping errors end with html/template's internal state
		// ("…: {stateURL delimDoubleQuote …}"), which means nothing to an
		// author.
		if i := strings.Index(te.Msg, ": {state"); i > 0 {
			te.Msg = te.Msg[:i]
		}
	}
	return te
}
