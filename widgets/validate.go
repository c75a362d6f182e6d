package widgets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/cartwheelhq/cartwheel/internal/safeurl"
	"github.com/cartwheelhq/cartwheel/personalization/reco"
)

// InvalidError is a definition the caller got wrong: the field and why.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// InvalidInput marks the error as the caller's fault (an HTTP 400).
func (e *InvalidError) InvalidInput() {}

// Strategies a frame or product block may name: the recommendation
// engine's (personalization/reco, a leaf package), and the visitor's
// wishlist, which the decider serves itself.
var Strategies = append(slices.Clone(reco.Strategies), "wishlist")

// PageTypes are the page types the tracker reports.
var PageTypes = []string{"home", "category", "product", "search", "cart", "checkout", "thank_you", "other"}

var (
	variantIDRe = regexp.MustCompile(`^[a-z0-9_-]{1,16}$`)
	frameNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	prefixRe    = regexp.MustCompile(`^[A-Z0-9]{0,20}$`)
)

// Limits that keep one definition small enough to send to every page.
const (
	maxText      = 2000
	maxShortText = 200
	maxVariants  = 8
	maxInterests = 20
)

// Decode reads a definition, refusing unknown fields and trailing data,
// and validates it.
func Decode(data []byte) (Definition, error) {
	var d Definition
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, &InvalidError{Reason: "body must be a widget definition: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return d, &InvalidError{Reason: "body must hold one JSON object"}
	}
	return d, d.Validate()
}

// Validate checks the definition and fills defaults (status draft, modal
// layout, equal weights); the error is an *InvalidError naming the field.
func (d *Definition) Validate() error {
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" || len(d.Name) > maxShortText {
		return &InvalidError{"name", "required, up to 200 bytes"}
	}
	switch d.Status {
	case "":
		d.Status = StatusDraft
	case StatusDraft, StatusActive, StatusPaused:
	default:
		return &InvalidError{"status", "must be draft, active or paused"}
	}
	if err := d.Targeting.validate(); err != nil {
		return err
	}
	switch d.Kind {
	case KindPopup:
		return d.validatePopup()
	case KindFrame:
		if d.Frame == nil {
			return &InvalidError{"frame", "required for a frame"}
		}
		if len(d.Variants) > 0 || d.Discount != nil {
			return &InvalidError{"variants", "a frame has no variants or discount"}
		}
		return d.Frame.validate()
	case KindInbox:
		if len(d.Variants) > 0 || d.Discount != nil || d.Frame != nil {
			return &InvalidError{"kind", "the inbox takes targeting only"}
		}
		return nil
	}
	return &InvalidError{"kind", "must be popup, frame or inbox"}
}

func (t *Targeting) validate() error {
	if len(t.URL) > 500 {
		return &InvalidError{"targeting.url", "up to 500 bytes"}
	}
	for _, p := range t.Pages {
		if !slices.Contains(PageTypes, p) {
			return &InvalidError{"targeting.pages", fmt.Sprintf("%q is not one of %s", p, strings.Join(PageTypes, ", "))}
		}
	}
	switch {
	case t.MinVisits < 0:
		return &InvalidError{"targeting.min_visits", "must not be negative"}
	case t.MaxOrders != nil && *t.MaxOrders < 0:
		return &InvalidError{"targeting.max_orders", "must not be negative"}
	case t.CartMinMinor < 0:
		return &InvalidError{"targeting.cart_min_minor", "must not be negative"}
	case t.Device != "" && t.Device != "mobile" && t.Device != "desktop":
		return &InvalidError{"targeting.device", "must be mobile or desktop"}
	case t.FirstVisit && t.MinVisits > 1:
		return &InvalidError{"targeting.first_visit", "contradicts min_visits > 1"}
	case len(t.ExcludeSegments) > 20:
		return &InvalidError{"targeting.exclude_segments", "at most 20 segments"}
	case len(t.Segments) > 20:
		return &InvalidError{"targeting.segments", "at most 20 segments"}
	}
	for i, id := range t.Segments {
		if !segmentID.MatchString(id) {
			return &InvalidError{fmt.Sprintf("targeting.segments[%d]", i), fmt.Sprintf("%q is not a segment id", id)}
		}
		if slices.Contains(t.ExcludeSegments, id) {
			return &InvalidError{fmt.Sprintf("targeting.segments[%d]", i), fmt.Sprintf("%s is also excluded", id)}
		}
	}
	for i, id := range t.ExcludeSegments {
		if !segmentID.MatchString(id) {
			return &InvalidError{fmt.Sprintf("targeting.exclude_segments[%d]", i), fmt.Sprintf("%q is not a segment id", id)}
		}
	}
	return nil
}

// segmentID is the shape of segment ids.
var segmentID = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func (d *Definition) validatePopup() error {
	if d.Frame != nil {
		return &InvalidError{"frame", "a pop-up has no frame"}
	}
	switch d.Layout {
	case "":
		d.Layout = LayoutModal
	case LayoutModal, LayoutCorner:
	default:
		return &InvalidError{"layout", "must be modal or corner"}
	}
	if err := d.Trigger.validate(); err != nil {
		return err
	}
	if d.Caps.PerSession < 0 || d.Caps.EveryDays < 0 || d.Caps.EveryDays > 3650 {
		return &InvalidError{"caps", "per_session and every_days must be 0 or more (every_days up to 3650)"}
	}
	if len(d.Variants) == 0 || len(d.Variants) > maxVariants {
		return &InvalidError{"variants", "a pop-up needs 1 to 8 variants"}
	}
	seen := map[string]bool{}
	total := 0
	for i := range d.Variants {
		v := &d.Variants[i]
		f := fmt.Sprintf("variants[%d]", i)
		if !variantIDRe.MatchString(v.ID) || seen[v.ID] {
			return &InvalidError{f + ".id", "unique, 1 to 16 of a-z 0-9 _ -"}
		}
		seen[v.ID] = true
		if v.Weight < 0 || v.Weight > 10000 {
			return &InvalidError{f + ".weight", "0 to 10000"}
		}
		total += v.Weight
		if err := v.Content.validate(f + ".content"); err != nil {
			return err
		}
	}
	if total == 0 {
		// No weights given: an even split.
		for i := range d.Variants {
			d.Variants[i].Weight = 1
		}
	}
	if d.Discount != nil {
		dc := d.Discount
		dc.Prefix = strings.ToUpper(strings.TrimSpace(dc.Prefix))
		switch {
		case (dc.Percent == 0) == (dc.AmountMinor == 0) || dc.Percent < 0 || dc.Percent > 100 || dc.AmountMinor < 0:
			return &InvalidError{"discount", "set either percent (1-100) or amount_minor (> 0)"}
		case !prefixRe.MatchString(dc.Prefix):
			return &InvalidError{"discount.prefix", "up to 20 letters and digits"}
		case dc.ValidDays < 0 || dc.ValidDays > 365:
			return &InvalidError{"discount.valid_days", "0 to 365"}
		}
		for i, v := range d.Variants {
			if v.Content.Form == nil {
				return &InvalidError{fmt.Sprintf("variants[%d].content.form", i), "a discount is revealed on submission: every variant needs a form"}
			}
		}
	}
	return nil
}

func (t *Trigger) validate() error {
	n := 0
	for _, set := range []bool{t.AfterSeconds > 0, t.ScrollPercent > 0, t.ExitIntent, t.InactiveSeconds > 0} {
		if set {
			n++
		}
	}
	switch {
	case t.AfterSeconds < 0 || t.AfterSeconds > 3600 || t.InactiveSeconds < 0 || t.InactiveSeconds > 3600:
		return &InvalidError{"trigger", "seconds must be 0 to 3600"}
	case t.ScrollPercent < 0 || t.ScrollPercent > 100:
		return &InvalidError{"trigger.scroll_percent", "0 to 100"}
	case t.AfterSecondsMax != 0 && (t.AfterSecondsMax < t.AfterSeconds || t.AfterSecondsMax > 3600):
		return &InvalidError{"trigger.after_seconds_max", "must be at least after_seconds, up to 3600"}
	case n > 1:
		return &InvalidError{"trigger", "set one of after_seconds, scroll_percent, exit_intent, inactive_seconds"}
	}
	// No trigger: the pop-up opens at once (after_seconds 0).
	return nil
}

func (c *Content) validate(f string) error {
	c.Title = strings.TrimSpace(c.Title)
	switch {
	case c.Title == "" || len(c.Title) > maxShortText:
		return &InvalidError{f + ".title", "required, up to 200 bytes"}
	case len(c.Body) > maxText || len(c.Success) > maxText:
		return &InvalidError{f + ".body", "body and success up to 2000 bytes"}
	case len(c.CTA) > maxShortText:
		return &InvalidError{f + ".cta", "up to 200 bytes"}
	}
	for name, u := range map[string]string{"image": c.Image, "link": c.Link} {
		if u != "" && !safeURL(u) {
			return &InvalidError{f + "." + name, "must be an http(s) URL or a path"}
		}
	}
	if fm := c.Form; fm != nil {
		if !fm.Email {
			return &InvalidError{f + ".form.email", "a form collects an email address: must be true"}
		}
		if len(fm.ConsentText) > maxText {
			return &InvalidError{f + ".form.consent_text", "up to 2000 bytes"}
		}
		if fm.ConsentRequired && strings.TrimSpace(fm.ConsentText) == "" {
			return &InvalidError{f + ".form.consent_text", "required when consent_required"}
		}
		if len(fm.Interests) > maxInterests {
			return &InvalidError{f + ".form.interests", "up to 20"}
		}
		for _, in := range fm.Interests {
			if strings.TrimSpace(in) == "" || len(in) > 64 || Slug(in) == "" {
				return &InvalidError{f + ".form.interests", fmt.Sprintf("%q: 1 to 64 bytes with a letter or digit", in)}
			}
		}
	}
	if p := c.Products; p != nil {
		if p.Strategy != "" && !slices.Contains(Strategies, p.Strategy) {
			return &InvalidError{f + ".products.strategy", "empty (blended) or one of " + strings.Join(Strategies, ", ")}
		}
		if p.Count < 1 || p.Count > 12 {
			return &InvalidError{f + ".products.count", "1 to 12"}
		}
	}
	return nil
}

func (fr *Frame) validate() error {
	switch {
	case !frameNameRe.MatchString(fr.Name):
		return &InvalidError{"frame.name", "1 to 64 of A-Z a-z 0-9 _ -"}
	case len(fr.Selector) > 200 || strings.ContainsAny(fr.Selector, "<>{}"):
		return &InvalidError{"frame.selector", "a CSS selector up to 200 bytes"}
	case fr.Strategy != "" && !slices.Contains(Strategies, fr.Strategy):
		return &InvalidError{"frame.strategy", "empty (blended) or one of " + strings.Join(Strategies, ", ")}
	case fr.Count < 1 || fr.Count > 24:
		return &InvalidError{"frame.count", "1 to 24"}
	case len(fr.Title) > maxShortText:
		return &InvalidError{"frame.title", "up to 200 bytes"}
	}
	return nil
}

// safeURL accepts http(s) URLs and site paths: what a widget may link to
// or load an image from (never javascript: or data:).
func safeURL(u string) bool {
	l := strings.ToLower(u)
	return (strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") ||
		strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")) && safeurl.Check(u) == nil
}

// Slug turns an interest into its tag form ("Green tea" → "green-tea").
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != ' ':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}
