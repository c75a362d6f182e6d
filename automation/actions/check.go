package actions

import (
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/internal/safeurl"
)

var _ automation.StepChecker = (*Channels)(nil)

// CheckStep checks what can be known of a step's params before any contact
// reaches it: required params, templates that parse, product sources and
// counts, push options, discount amounts. The engine calls it when a flow
// is saved, so a mistake is the admin's 400 rather than a step failing for
// every contact days later; a send reads its params through the same
// functions, so the two cannot disagree.
func (c *Channels) CheckStep(s automation.Step) error {
	p := paramsOf(s)
	switch s.Kind {
	case automation.KindSendEmail:
		if _, err := c.emailTemplate(p); err != nil {
			return err
		}
	case automation.KindSendPush:
		if _, err := pushOptions(p); err != nil {
			return err
		}
		if err := checkTexts(p); err != nil {
			return err
		}
	case automation.KindInbox:
		if err := checkTexts(p); err != nil {
			return err
		}
	case automation.KindDiscount:
		_, err := discountParams(p)
		return err
	case automation.KindSendSMS:
		if err := checkSMS(p); err != nil {
			return err
		}
	case automation.KindSendBest:
		return c.checkBest(s)
	default:
		return nil
	}
	// What every message's content reads (content).
	if _, _, err := c.productSource(p, false); err != nil {
		return err
	}
	_, err := p.object("vars")
	return err
}

// checkTexts checks a push or inbox step's title (required), body and url
// templates, and that its links (url, image, icon) are http(s) or paths.
func checkTexts(p params) error {
	for _, name := range []string{"url", "image", "icon"} {
		if err := checkLink(p, name); err != nil {
			return err
		}
	}
	if _, err := p.required("title"); err != nil {
		return err
	}
	for _, name := range []string{"title", "body", "url"} {
		if src := p.str(name); strings.Contains(src, "{{") {
			if _, err := textTemplate(src, ""); err != nil {
				return p.bad(name, "%v", err)
			}
		}
	}
	return nil
}

// checkLink refuses a link param that is not http(s) or a path. A literal
// is checked whole; a template can only be judged by the scheme written
// before its first action ("javascript:{{.Vars.x}}"): what a template
// renders from event data is checked again when the message is made.
func checkLink(p params, name string) error {
	src := strings.TrimSpace(p.str(name))
	lit, _, templated := strings.Cut(src, "{{")
	if !templated {
		if err := safeurl.Check(src); err != nil {
			return p.bad(name, "must be an http(s) URL or a path: %v", err)
		}
		return nil
	}
	if i := strings.IndexAny(lit, ":/?#"); i >= 0 && lit[i] == ':' && !safeurl.SchemeAllowed(lit[:i]) {
		return p.bad(name, "must be an http(s) URL or a path, not %q", lit[:i+1])
	}
	if strings.ContainsFunc(lit, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return p.bad(name, "must not contain control characters")
	}
	return nil
}
