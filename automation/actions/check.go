package actions

import (
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
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
// templates.
func checkTexts(p params) error {
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
