package email

import (
	"cmp"
	"fmt"
	"html"
	htmltemplate "html/template"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/l10n"
)

// Rendered is a message ready to send: Subject is a single line, HTML the full
// document, Text the text/plain alternative.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
}

// layoutData is what the layout sees: the merge fields plus the rendered
// parts.
type layoutData struct {
	Data
	Subject     string
	Preheader   string
	Body        htmltemplate.HTML
	Preferences string
}

// textLayoutData is layoutData for the text layout.
type textLayoutData struct {
	Data
	Body        string
	Preferences string
}

// Render renders the template for one recipient. The layout always adds the
// footer with the shop's name and address and the unsubscribe and preferences
// links; Render refuses data without an unsubscribe link.
func (c *Compiled) Render(d Data) (Rendered, error) {
	if strings.TrimSpace(d.Links.Unsubscribe) == "" {
		return Rendered{}, ErrNoUnsubscribe
	}
	prefs := d.Links.Preferences
	if strings.TrimSpace(prefs) == "" {
		prefs = d.Links.Unsubscribe
	}
	inst, err := c.instance()
	if err != nil {
		return Rendered{}, err
	}
	defer c.pool.Put(inst)
	inst.st.loc = c.location(d.Contact.Timezone)
	inst.st.currency = d.Shop.Currency
	inst.st.lang = l10n.For(cmp.Or(d.Shop.Locale, d.Contact.Locale))

	buf := &inst.buf
	buf.Reset()
	if err := inst.subject.Execute(buf, d); err != nil {
		return Rendered{}, templateError("subject", err)
	}
	subject := singleLine(noValue(buf.String()))
	buf.Reset()
	if err := inst.preheader.Execute(buf, d); err != nil {
		return Rendered{}, templateError("preheader", err)
	}
	preheader := singleLine(noValue(buf.String()))
	buf.Reset()
	if err := inst.html.ExecuteTemplate(buf, "body", d); err != nil {
		return Rendered{}, templateError("html", err)
	}
	body := balance(buf.String(), d.Links.Unsubscribe, d.Links.Preferences)
	buf.Reset()
	err = inst.layout.Execute(buf, layoutData{
		Data: d, Subject: subject, Preheader: preheader,
		Body: htmltemplate.HTML(body), Preferences: prefs,
	})
	if err != nil {
		return Rendered{}, fmt.Errorf("email: layout: %w", err)
	}
	out := Rendered{Subject: subject, HTML: buf.String()}

	if inst.text == nil {
		out.Text = HTMLToText(out.HTML)
		return out, nil
	}
	buf.Reset()
	if err := inst.text.ExecuteTemplate(buf, "body", d); err != nil {
		return Rendered{}, templateError("text", err)
	}
	text := strings.TrimSpace(noValue(buf.String()))
	buf.Reset()
	if err := inst.textLayout.Execute(buf, textLayoutData{Data: d, Body: text, Preferences: prefs}); err != nil {
		return Rendered{}, fmt.Errorf("email: text layout: %w", err)
	}
	out.Text = strings.TrimSpace(buf.String()) + "\n"
	return out, nil
}

func (c *Compiled) instance() (*instance, error) {
	if v, ok := c.pool.Get().(*instance); ok {
		return v, nil
	}
	// The pool was emptied by the GC or all instances are busy: parse another
	// copy. The source parsed once already, so this only fails on a bug.
	return newInstance(c.src)
}

// location resolves and caches the contact's timezone; an empty or unknown
// name means UTC rather than a failed send. Only valid names are cached, so
// garbage from a tracker cannot grow the cache without bound.
func (c *Compiled) location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if v, ok := c.zones.Load(name); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	c.zones.Store(name, loc)
	return loc
}

// noValue removes what text/template prints for a missing map key
// ({{.Vars.missing}}): a subject must never read "Hi <no value>".
func noValue(s string) string { return strings.ReplaceAll(s, "<no value>", "") }

// balance makes the rendered body well nested: it drops end tags that close
// nothing and closes what the body left open, so that nothing the author
// wrote (an unclosed <div style="display:none">, <style> or comment) can
// swallow or hide the layout's footer. It also marks links to the
// unsubscribe and preferences pages data-notrack, so that click tracking
// leaves them direct wherever they appear.
func balance(body string, direct ...string) string {
	var out strings.Builder
	out.Grow(len(body) + 64)
	var stack []string
	z := newTokenizer(body)
	for tok, ok := z.next(); ok; tok, ok = z.next() {
		raw := body[tok.start:tok.end]
		switch tok.kind {
		case tokStart:
			if tok.name == "a" && isDirect(tok.attrValue("href"), direct) {
				if _, marked := tok.attr("data-notrack"); !marked {
					n := 1 + len(tok.name) // after "<a"
					raw = raw[:n] + " data-notrack" + raw[n:]
				}
			}
			if !tok.selfClosing && !isVoid(tok.name) {
				stack = append(stack, tok.name)
			}
		case tokEnd:
			i := len(stack) - 1
			for i >= 0 && stack[i] != tok.name {
				i--
			}
			if i < 0 {
				continue // closes nothing
			}
			for j := len(stack) - 1; j > i; j-- {
				out.WriteString("</" + stack[j] + ">")
			}
			stack = stack[:i]
		case tokComment:
			if tok.unclosed {
				raw += "-->"
			}
		}
		out.WriteString(raw)
	}
	for j := len(stack) - 1; j >= 0; j-- {
		out.WriteString("</" + stack[j] + ">")
	}
	return out.String()
}

func isDirect(href string, direct []string) bool {
	href = strings.TrimSpace(href)
	if href == "" {
		return false
	}
	for _, d := range direct {
		if d = strings.TrimSpace(d); d != "" && html.UnescapeString(d) == href {
			return true
		}
	}
	return false
}
