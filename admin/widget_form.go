package admin

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/accounts"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// The widget editor is a form over widgets.Definition. Each control is
// named by the API's path of its value ("targeting.min_visits",
// "variants[1].content.title"), which is the Field an *widgets.InvalidError
// names: an error from the API's validation finds its control without a
// table, and what was typed is kept as typed (Values), apart from the
// definition it may or may not turn into.

// Control types of the editor.
const (
	ctlText   = "text"
	ctlLong   = "long"
	ctlNumber = "number"
	ctlMoney  = "money"
	ctlCheck  = "check"
	ctlSelect = "select"
	ctlChecks = "checks"
)

// maxVariants is the API's limit (widgets/validate.go): the editor offers
// no more.
const maxVariants = 8

// widgetField is one control of the editor.
type widgetField struct {
	Name, Label, Help, Type string
	Options                 []fieldOption
	Value, Err              string
	// RO: the person may not change the widget (a viewer).
	RO bool
}

// fieldOption is one choice of a select or of a group of check boxes.
type fieldOption struct {
	Value, Label string
	On           bool
}

var nonIDChars = regexp.MustCompile(`[^a-z0-9]+`)

// ID is the control's element id: its name with only letters, digits and
// dashes, so that it is a plain CSS selector.
func (f widgetField) ID() string {
	return "w-" + strings.Trim(nonIDChars.ReplaceAllString(f.Name, "-"), "-")
}

// widgetSection is a group of controls (a fieldset). Key is the API's name
// of the part it holds: an error naming the part itself ("trigger",
// "caps") goes over the section.
type widgetSection struct {
	Key, Legend, Err string
	// Variant is the id typed for a pop-up variant's section, Index its
	// position; Variant is "" for the other sections.
	Variant string
	Index   int
	Fields  []widgetField
}

// spec is a control before it has a value: its name, type and choices.
type spec struct {
	name, typ string
	options   []string
}

// specSection is a section before it has values; variant is the pop-up
// variant's position, -1 for the other sections.
type specSection struct {
	key     string
	variant int
	specs   []spec
}

// widgetSpecs lists the editor's sections for a kind with n variants.
func widgetSpecs(kind string, n int) []specSection {
	type sec = specSection
	general := []spec{{"name", ctlText, nil}, {"status", ctlSelect, []string{widgets.StatusDraft, widgets.StatusActive, widgets.StatusPaused}}}
	targeting := sec{"targeting", -1, []spec{{"targeting.url", ctlText, nil}, {"targeting.pages", ctlChecks, widgets.PageTypes},
		{"targeting.device", ctlSelect, []string{"", "mobile", "desktop"}}, {"targeting.first_visit", ctlCheck, nil},
		{"targeting.min_visits", ctlNumber, nil}, {"targeting.max_orders", ctlNumber, nil},
		{"targeting.cart_min_minor", ctlMoney, nil}, {"targeting.email_consent", ctlSelect, []string{"", "yes", "no"}},
		{"targeting.segments", ctlText, nil}, {"targeting.exclude_segments", ctlText, nil}}}
	strategies := append([]string{""}, widgets.Strategies...)
	switch kind {
	case widgets.KindPopup:
		general = append(general, spec{"layout", ctlSelect, []string{widgets.LayoutModal, widgets.LayoutCorner}})
		out := []sec{{"", -1, general}}
		for i := range n {
			p := fmt.Sprintf("variants[%d].", i)
			out = append(out, sec{fmt.Sprintf("variants[%d]", i), i, []spec{{p + "id", ctlText, nil}, {p + "weight", ctlNumber, nil},
				{p + "content.title", ctlText, nil}, {p + "content.body", ctlLong, nil}, {p + "content.image", ctlText, nil},
				{p + "content.cta", ctlText, nil}, {p + "content.link", ctlText, nil},
				{p + "content.form", ctlCheck, nil}, {p + "content.form.consent_text", ctlLong, nil},
				{p + "content.form.consent_required", ctlCheck, nil}, {p + "content.form.interests", ctlLong, nil},
				{p + "content.success", ctlLong, nil},
				{p + "content.products.strategy", ctlSelect, strategies}, {p + "content.products.count", ctlNumber, nil}}})
		}
		return append(out,
			sec{"trigger", -1, []spec{{"trigger", ctlSelect, []string{"", "after_seconds", "scroll_percent", "exit_intent", "inactive_seconds"}},
				{"trigger.after_seconds", ctlNumber, nil}, {"trigger.after_seconds_max", ctlNumber, nil},
				{"trigger.scroll_percent", ctlNumber, nil}, {"trigger.inactive_seconds", ctlNumber, nil}}},
			targeting,
			sec{"caps", -1, []spec{{"caps.per_session", ctlNumber, nil}, {"caps.every_days", ctlNumber, nil},
				{"caps.stop_after_conversion", ctlCheck, nil}}},
			sec{"discount", -1, []spec{{"discount", ctlSelect, []string{"", "percent", "amount"}}, {"discount.value", ctlText, nil},
				{"discount.valid_days", ctlNumber, nil}, {"discount.prefix", ctlText, nil}}})
	case widgets.KindFrame:
		return []sec{{"", -1, general}, {"frame", -1, []spec{{"frame.name", ctlText, nil}, {"frame.selector", ctlText, nil},
			{"frame.title", ctlText, nil}, {"frame.strategy", ctlSelect, strategies[1:]}, {"frame.count", ctlNumber, nil},
			{"frame.in_stock_only", ctlCheck, nil}, {"frame.exclude_bought", ctlCheck, nil}}}, targeting}
	}
	return []sec{{"", -1, general}, targeting}
}

// widgetForm is what the editor shows and reads back: the kind, the
// number of variants, the values as typed, and the errors.
type widgetForm struct {
	Kind     string
	Variants int
	*form
}

// specNames lists every control's name and type.
func (wf *widgetForm) specNames() map[string]string {
	out := map[string]string{}
	for _, s := range widgetSpecs(wf.Kind, wf.Variants) {
		for _, sp := range s.specs {
			out[sp.name] = sp.typ
		}
	}
	return out
}

// readWidgetForm reads a posted editor: the variants are those whose id
// control was sent (up to the API's limit).
func readWidgetForm(r *http.Request, kind string) *widgetForm {
	wf := &widgetForm{Kind: kind, form: newForm()}
	_ = r.ParseForm() // a body it cannot read leaves the form empty, and the API says what is missing
	if kind == widgets.KindPopup {
		for wf.Variants < maxVariants {
			if _, ok := r.PostForm[fmt.Sprintf("variants[%d].id", wf.Variants)]; !ok {
				break
			}
			wf.Variants++
		}
	}
	for name, typ := range wf.specNames() {
		switch typ {
		case ctlCheck:
			if r.PostFormValue(name) != "" {
				wf.Values[name] = "on"
			}
		case ctlChecks:
			wf.Values[name] = strings.Join(r.PostForm[name], ",")
		case ctlLong:
			wf.Values[name] = r.PostFormValue(name)
		default:
			wf.Values[name] = strings.TrimSpace(r.PostFormValue(name))
		}
	}
	return wf
}

// variantSuffixes are the names of a variant's controls after its prefix.
func variantSuffixes() []string {
	var out []string
	for _, s := range widgetSpecs(widgets.KindPopup, 1)[1].specs {
		out = append(out, strings.TrimPrefix(s.name, "variants[0]."))
	}
	return out
}

func variantName(i int, suffix string) string { return fmt.Sprintf("variants[%d].%s", i, suffix) }

// addVariant appends a variant with the last one's content and the next
// free id (b, c…), for the admin to change.
func (wf *widgetForm) addVariant() {
	if wf.Kind != widgets.KindPopup || wf.Variants >= maxVariants {
		return
	}
	n := wf.Variants
	for _, suf := range variantSuffixes() {
		if n > 0 {
			wf.Values[variantName(n, suf)] = wf.Values[variantName(n-1, suf)]
		}
	}
	used := map[string]bool{}
	for i := range n {
		used[wf.Values[variantName(i, "id")]] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		if !used[string(c)] {
			wf.Values[variantName(n, "id")] = string(c)
			break
		}
	}
	if wf.Values[variantName(n, "weight")] == "" {
		wf.Values[variantName(n, "weight")] = "1"
	}
	wf.Variants++
}

// removeVariant takes variant i out; the later ones move up.
func (wf *widgetForm) removeVariant(i int) {
	if i < 0 || i >= wf.Variants || wf.Variants <= 1 {
		return
	}
	for j := i; j < wf.Variants-1; j++ {
		for _, suf := range variantSuffixes() {
			wf.Values[variantName(j, suf)] = wf.Values[variantName(j+1, suf)]
		}
	}
	for _, suf := range variantSuffixes() {
		delete(wf.Values, variantName(wf.Variants-1, suf))
	}
	wf.Variants--
}

// widgetFormOf shows a definition in the editor.
func widgetFormOf(d widgets.Definition, currency string) *widgetForm {
	wf := &widgetForm{Kind: d.Kind, Variants: len(d.Variants), form: newForm()}
	v := wf.Values
	num := func(name string, n int) {
		if n != 0 {
			v[name] = strconv.Itoa(n)
		}
	}
	check := func(name string, on bool) {
		if on {
			v[name] = "on"
		}
	}
	money := func(minor int64) string { return commerce.FormatDecimal(minor, commerce.MinorDigits(currency)) }
	v["name"], v["status"], v["layout"] = d.Name, d.Status, d.Layout
	t := d.Targeting
	v["targeting.url"], v["targeting.pages"], v["targeting.device"] = t.URL, strings.Join(t.Pages, ","), t.Device
	check("targeting.first_visit", t.FirstVisit)
	num("targeting.min_visits", t.MinVisits)
	if t.MaxOrders != nil {
		v["targeting.max_orders"] = strconv.Itoa(*t.MaxOrders)
	}
	if t.CartMinMinor != 0 {
		v["targeting.cart_min_minor"] = money(t.CartMinMinor)
	}
	if t.EmailConsent != nil {
		v["targeting.email_consent"] = map[bool]string{true: "yes", false: "no"}[*t.EmailConsent]
	}
	v["targeting.segments"], v["targeting.exclude_segments"] = strings.Join(t.Segments, ", "), strings.Join(t.ExcludeSegments, ", ")
	tr := d.Trigger
	switch {
	case tr.ScrollPercent > 0:
		v["trigger"] = "scroll_percent"
	case tr.ExitIntent:
		v["trigger"] = "exit_intent"
	case tr.InactiveSeconds > 0:
		v["trigger"] = "inactive_seconds"
	case tr.AfterSeconds > 0:
		v["trigger"] = "after_seconds"
	}
	num("trigger.after_seconds", tr.AfterSeconds)
	num("trigger.after_seconds_max", tr.AfterSecondsMax)
	num("trigger.scroll_percent", tr.ScrollPercent)
	num("trigger.inactive_seconds", tr.InactiveSeconds)
	num("caps.per_session", d.Caps.PerSession)
	num("caps.every_days", d.Caps.EveryDays)
	check("caps.stop_after_conversion", d.Caps.StopAfterConversion)
	if dc := d.Discount; dc != nil {
		if dc.Percent > 0 {
			v["discount"], v["discount.value"] = "percent", strconv.Itoa(dc.Percent)
		} else {
			v["discount"], v["discount.value"] = "amount", money(dc.AmountMinor)
		}
		num("discount.valid_days", dc.ValidDays)
		v["discount.prefix"] = dc.Prefix
	}
	for i, vr := range d.Variants {
		c := vr.Content
		p := fmt.Sprintf("variants[%d].", i)
		v[p+"id"], v[p+"weight"] = vr.ID, strconv.Itoa(vr.Weight)
		v[p+"content.title"], v[p+"content.body"], v[p+"content.image"] = c.Title, c.Body, c.Image
		v[p+"content.cta"], v[p+"content.link"], v[p+"content.success"] = c.CTA, c.Link, c.Success
		if f := c.Form; f != nil {
			v[p+"content.form"] = "on"
			v[p+"content.form.consent_text"] = f.ConsentText
			check(p+"content.form.consent_required", f.ConsentRequired)
			v[p+"content.form.interests"] = strings.Join(f.Interests, "\n")
		}
		if pb := c.Products; pb != nil {
			v[p+"content.products.strategy"] = cmpOr(pb.Strategy, "blended")
			num(p+"content.products.count", pb.Count)
		}
	}
	if f := d.Frame; f != nil {
		v["frame.name"], v["frame.selector"], v["frame.title"], v["frame.strategy"] = f.Name, f.Selector, f.Title, f.Strategy
		num("frame.count", f.Count)
		check("frame.in_stock_only", f.InStockOnly)
		check("frame.exclude_bought", f.ExcludeBought)
	}
	return wf
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// definition reads the editor's values into a definition. A value the
// console cannot read (a number, an amount) is an error on its control,
// as a text key; the API's validation comes after, on the definition.
func (wf *widgetForm) definition(currency string) (widgets.Definition, map[string]string) {
	v := wf.Values
	bad := map[string]string{}
	num := func(name string) int {
		s := v[name]
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			bad[name] = "wf.bad_number"
		}
		return n
	}
	money := func(name string) int64 {
		s := strings.ReplaceAll(v[name], ",", ".")
		if s == "" {
			return 0
		}
		n, err := commerce.ParseMinor(s, currency)
		if err != nil {
			bad[name] = "wf.bad_money"
		}
		return n
	}
	on := func(name string) bool { return v[name] != "" }
	d := widgets.Definition{Name: v["name"], Kind: wf.Kind, Status: v["status"]}
	t := &d.Targeting
	t.URL, t.Device = v["targeting.url"], v["targeting.device"]
	if p := v["targeting.pages"]; p != "" {
		t.Pages = strings.Split(p, ",")
	}
	t.FirstVisit = on("targeting.first_visit")
	t.MinVisits = num("targeting.min_visits")
	if v["targeting.max_orders"] != "" {
		n := num("targeting.max_orders")
		t.MaxOrders = &n
	}
	t.CartMinMinor = money("targeting.cart_min_minor")
	if c := v["targeting.email_consent"]; c != "" {
		yes := c == "yes"
		t.EmailConsent = &yes
	}
	t.Segments, t.ExcludeSegments = idList(v["targeting.segments"]), idList(v["targeting.exclude_segments"])
	switch wf.Kind {
	case widgets.KindPopup:
		d.Layout = v["layout"]
		wf.popupParts(&d, num, money, on, bad)
	case widgets.KindFrame:
		d.Frame = &widgets.Frame{Name: v["frame.name"], Selector: v["frame.selector"], Title: v["frame.title"],
			Strategy: v["frame.strategy"], Count: num("frame.count"), InStockOnly: on("frame.in_stock_only"),
			ExcludeBought: on("frame.exclude_bought")}
	}
	return d, bad
}

func (wf *widgetForm) popupParts(d *widgets.Definition, num func(string) int, money func(string) int64, on func(string) bool,
	bad map[string]string) {
	v := wf.Values
	// The chosen trigger's number is read; the others are kept as typed.
	switch k := v["trigger"]; k {
	case "after_seconds":
		d.Trigger.AfterSeconds = num("trigger.after_seconds")
		d.Trigger.AfterSecondsMax = num("trigger.after_seconds_max")
	case "scroll_percent", "inactive_seconds":
		n := num("trigger." + k)
		if n <= 0 && bad["trigger."+k] == "" {
			bad["trigger."+k] = "wf.positive"
		}
		if k == "scroll_percent" {
			d.Trigger.ScrollPercent = n
		} else {
			d.Trigger.InactiveSeconds = n
		}
	case "exit_intent":
		d.Trigger.ExitIntent = true
	}
	d.Caps = widgets.Caps{PerSession: num("caps.per_session"), EveryDays: num("caps.every_days"),
		StopAfterConversion: on("caps.stop_after_conversion")}
	if k := v["discount"]; k != "" {
		dc := &widgets.Discount{ValidDays: num("discount.valid_days"), Prefix: v["discount.prefix"]}
		if k == "percent" {
			dc.Percent = num("discount.value")
		} else {
			dc.AmountMinor = money("discount.value")
		}
		d.Discount = dc
	}
	for i := range wf.Variants {
		p := fmt.Sprintf("variants[%d].", i)
		c := widgets.Content{Title: v[p+"content.title"], Body: v[p+"content.body"], Image: v[p+"content.image"],
			CTA: v[p+"content.cta"], Link: v[p+"content.link"], Success: v[p+"content.success"]}
		if on(p + "content.form") {
			f := &widgets.Form{Email: true, ConsentText: v[p+"content.form.consent_text"],
				ConsentRequired: on(p + "content.form.consent_required")}
			for _, line := range strings.Split(v[p+"content.form.interests"], "\n") {
				if s := strings.TrimSpace(line); s != "" {
					f.Interests = append(f.Interests, s)
				}
			}
			c.Form = f
		}
		if s := v[p+"content.products.strategy"]; s != "" {
			if s == "blended" {
				s = ""
			}
			c.Products = &widgets.ProductBlock{Strategy: s, Count: num(p + "content.products.count")}
		}
		d.Variants = append(d.Variants, widgets.Variant{ID: v[p+"id"], Weight: num(p + "weight"), Content: c})
	}
}

// sections lays the form out for the template, with labels in the
// request's locale and each error next to its control.
func (h *Handler) sections(q *request, wf *widgetForm) []widgetSection {
	tx := func(key string) string { return h.texts.text(q.Locale, key) }
	var out []widgetSection
	for _, s := range widgetSpecs(wf.Kind, wf.Variants) {
		sec := widgetSection{Key: s.key, Err: wf.Errors[s.key], Index: s.variant}
		if s.variant >= 0 {
			sec.Variant = wf.Values[variantName(s.variant, "id")]
			sec.Legend = h.texts.text(q.Locale, "wsec.variant", sec.Variant)
		} else {
			sec.Legend = tx("wsec." + cmpOr(s.key, "general"))
		}
		for _, sp := range s.specs {
			key := "wf." + variantIndex.ReplaceAllString(sp.name, "")
			f := widgetField{Name: sp.name, Type: sp.typ, Label: tx(key), Value: wf.Values[sp.name], Err: wf.Errors[sp.name],
				RO: !accounts.CanEdit(q.Role)}
			if help := tx(key + ".help"); help != key+".help" {
				f.Help = help
			}
			if sp.typ == ctlMoney {
				f.Help = h.texts.text(q.Locale, "wf.money.help", q.WS.Currency)
			}
			chosen := strings.Split(f.Value, ",")
			for _, o := range sp.options {
				// A choice's words for this control ("" means something
				// else for each), else for its value anywhere, else the
				// value itself.
				label := tx(strings.Replace(key, "wf.", "wopt.", 1) + "." + cmpOr(o, "none"))
				if strings.HasPrefix(label, "wopt.") {
					label = tx("wopt." + o)
				}
				if strings.HasPrefix(label, "wopt.") {
					label = o
				}
				if sp.name == "status" {
					label = tx("status." + o)
				}
				on := o == f.Value
				if sp.typ == ctlChecks {
					on = slices.Contains(chosen, o)
				}
				f.Options = append(f.Options, fieldOption{Value: o, Label: label, On: on})
			}
			sec.Fields = append(sec.Fields, f)
		}
		out = append(out, sec)
	}
	return out
}

var variantIndex = regexp.MustCompile(`\[\d+\]`)

// placeError puts an error of the API's validation next to the control it
// names, over the section it names, or over the form; with the field's
// path, as the API says it, so the admin can find it in the API docs too.
func (wf *widgetForm) placeError(inv *widgets.InvalidError) {
	names := wf.specNames()
	switch _, ok := names[inv.Field]; {
	case ok:
		wf.Errors[inv.Field] = inv.Reason
	case inv.Field != "" && slices.ContainsFunc(widgetSpecs(wf.Kind, wf.Variants), func(s specSection) bool {
		return s.key == inv.Field
	}):
		wf.Errors[inv.Field] = inv.Reason
	default:
		wf.Error = inv.Error()
	}
}

// idList reads segment ids typed as a list, separated by commas or spaces.
func idList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}
