package automation

import (
	"context"
	"embed"
	"errors"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/messaging/l10n"
	"github.com/cartwheelhq/cartwheel/store"
)

// library holds the ready-made flows' email bodies: html/template bodies
// for messaging/email's layout, kept as files so that they read (and diff)
// as HTML; English in library/, other languages in library/<lang>/.
//
//go:embed library/*.html library/pl/*.html
var library embed.FS

// TemplateInfo describes a ready-made flow an admin can enable.
type TemplateInfo struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// readyFlow is a ready-made flow: its description and how to build it.
type readyFlow struct {
	TemplateInfo
	build func(lb libLang) Flow
}

// Events the ready-made flows use besides the tracker's and the shop's.
const (
	eventFormSubmitted = "form_submitted"
)

var templates = []readyFlow{
	{TemplateInfo{"welcome", "Welcome series",
		"Three emails over five days to a new subscriber: a 10% welcome code, your bestsellers, your story. Stops when they order."},
		welcomeFlow},
	{TemplateInfo{"abandoned_checkout", "Abandoned checkout",
		"An email and a push an hour after a checkout with an email is left, with the cart and its recovery link; a second email with 10% off a day later. Stops on an order."},
		abandonedCheckoutFlow},
	{TemplateInfo{"abandoned_cart_push", "Abandoned cart push",
		"A web push an hour after a visitor adds to cart, for visitors who allowed push (anonymous ones too). Stops on an order."},
		abandonedCartPushFlow},
	{TemplateInfo{"browse_abandonment", "Browse abandonment",
		"An email and a push two hours after a visitor looked at a product for 3 minutes or twice, without adding it to the cart."},
		browseAbandonmentFlow},
	{TemplateInfo{"cross_sell", "Post-purchase cross-sell",
		"Right after an order: products that go with it and 10% off the next order."},
		crossSellFlow},
	{TemplateInfo{"replenishment", "Replenishment reminder",
		"An email and a push 5 days before a customer is due to run out of a product, from the product's cycle or the one learned from your orders."},
		replenishmentFlow},
	{TemplateInfo{"winback", "Win-back",
		"15% off and your bestsellers for customers who have not ordered for 180 days."},
		winbackFlow},
	{TemplateInfo{"birthday", "Birthday",
		"20% off by email and in the shopping inbox on the contact's birthday (contact attribute \"birthday\")."},
		birthdayFlow},
}

// Templates lists the ready-made flows.
func Templates() []TemplateInfo {
	out := make([]TemplateInfo, len(templates))
	for i, t := range templates {
		out[i] = t.TemplateInfo
	}
	return out
}

// EnableTemplate creates the ready-made flow name in the workspace, active,
// or, when the workspace already has it (a flow named as the template's
// title), activates that one and returns it: enabling twice never makes
// two flows sending the same messages. An unknown name is an InvalidError.
func (e *Engine) EnableTemplate(ctx context.Context, workspaceID, name string) (Flow, error) {
	var tpl *readyFlow
	for i := range templates {
		if templates[i].Name == name {
			tpl = &templates[i]
		}
	}
	if tpl == nil {
		return Flow{}, invalid("template", "%q is not a ready-made flow", name)
	}
	flows, err := e.Flows(ctx, workspaceID)
	if err != nil {
		return Flow{}, err
	}
	for _, f := range flows {
		if f.Name != tpl.Title || f.Status == FlowArchived {
			// An archived copy stays put away: enabling makes a new one.
			continue
		}
		if f.Status == FlowActive {
			return f, nil
		}
		return e.SetStatus(ctx, workspaceID, f.ID, FlowActive)
	}
	// The flow's copy is made in the workspace's language once, here: the
	// admin edits it from then on like any flow.
	w, err := e.st.Workspace(ctx, workspaceID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Flow{}, err
	}
	f := tpl.build(libLang{l10n.For(w.Locale)})
	f.Name, f.Status = tpl.Title, FlowActive
	return e.CreateFlow(ctx, workspaceID, f)
}

// libLang builds the ready-made flows' steps in one language.
type libLang struct{ lang l10n.Lang }

// text is a ready-made flow's copy (libraryTexts), English when the
// language lacks it.
func (lb libLang) text(key string) string {
	if s, ok := libraryTexts[lb.lang][key]; ok {
		return s
	}
	if s, ok := libraryTexts[l10n.English][key]; ok {
		return s
	}
	panic("automation: library text " + key) // the tests read every key
}

// body reads an embedded email body in the language, else English; the
// files are part of the binary, so a missing one is a build mistake the
// tests catch.
func (lb libLang) body(file string) string {
	if lb.lang != l10n.English {
		if b, err := library.ReadFile("library/" + string(lb.lang) + "/" + file); err == nil {
			return string(b)
		}
	}
	b, err := library.ReadFile("library/" + file)
	if err != nil {
		panic("automation: library email " + file + ": " + err.Error())
	}
	return string(b)
}

// email is a send_email step whose subject and preheader are the texts
// key+".subject" and key+".preheader". products is a product source
// ("cart", "trigger", "none" or a recommendation strategy); discountFrom
// names an earlier discount step whose code the email shows ("" for none).
func (lb libLang) email(id, file, key, products, discountFrom string) Step {
	p := map[string]any{"subject": lb.text(key + ".subject"), "preheader": lb.text(key + ".preheader"),
		"html": lb.body(file), "products": products}
	if products != "none" {
		p["product_count"] = 4
	}
	if discountFrom != "" {
		p["discount_from"] = discountFrom
	}
	return Step{ID: id, Kind: KindSendEmail, Params: p}
}

// push is a send_push step of the texts key+".title" and key+".body".
func (lb libLang) push(id, key string) Step {
	return Step{ID: id, Kind: KindSendPush, Params: map[string]any{"title": lb.text(key + ".title"), "body": lb.text(key + ".body")}}
}

func libDiscount(id string, percent, validDays int, prefix string) Step {
	return Step{ID: id, Kind: KindDiscount, Params: map[string]any{"percent": percent, "valid_days": validDays,
		"prefix": prefix}}
}

func libWait(id string, d Duration) Step {
	return Step{ID: id, Kind: KindWait, Wait: &Wait{Duration: d}}
}

const oneDay = Duration(24 * time.Hour)

var hasEmail = []Filter{{Field: "email", Op: OpExists}}

func welcomeFlow(lb libLang) Flow {
	return Flow{
		Trigger: Trigger{Event: eventFormSubmitted, Filters: hasEmail},
		Steps: []Step{
			libDiscount("discount", 10, 14, "WELCOME"),
			lb.email("email-1", "welcome_1.html", "welcome.email-1", "none", "discount"),
			libWait("wait-2d", 2*oneDay),
			lb.email("email-2", "welcome_2.html", "welcome.email-2", "bestsellers", "discount"),
			libWait("wait-3d", 3*oneDay),
			lb.email("email-3", "welcome_3.html", "welcome.email-3", "none", ""),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryOnce},
	}
}

func abandonedCheckoutFlow(lb libLang) Flow {
	return Flow{
		// The trigger age written out, so that the admin sees where to
		// change it: a reminder for a checkout older than this is stale.
		Trigger: Trigger{Event: cdp.EventCheckoutUpdated, Filters: hasEmail, MaxAge: Duration(defaultMaxTriggerAge)},
		Steps: []Step{
			libWait("wait-1h", Duration(time.Hour)),
			lb.email("email-1", "checkout_1.html", "checkout.email-1", "cart", ""),
			lb.push("push-1", "checkout.push-1"),
			libWait("wait-23h", Duration(23*time.Hour)),
			libDiscount("discount", 10, 3, "CART"),
			lb.email("email-2", "checkout_2.html", "checkout.email-2", "cart", "discount"),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryEveryDays, Days: 7},
	}
}

// abandonedCartPushFlow's goal is order_placed, not checkout_started: a
// Goal is one event, and a reminder after an order is plainly wrong,
// whereas a visitor who started the checkout and left still has an
// abandoned cart worth the push.
func abandonedCartPushFlow(lb libLang) Flow {
	return Flow{
		Trigger: Trigger{Event: cdp.EventAddToCart},
		Steps: []Step{
			libWait("wait-1h", Duration(time.Hour)),
			lb.push("push", "cart_push.push"),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryEveryDays, Days: 3},
	}
}

// browseAbandonmentFlow triggers on the sweeper's browse_abandoned event,
// which fires only once the two hours without a cart are up (see
// Sweeper.sweepBrowse), so it sends at once.
func browseAbandonmentFlow(lb libLang) Flow {
	return Flow{
		Trigger: Trigger{Event: EventBrowseAbandoned},
		Steps: []Step{
			lb.email("email", "browse.html", "browse.email", "viewed_not_bought", ""),
			lb.push("push", "browse.push"),
		},
		Goal:    &Goal{Event: cdp.EventAddToCart},
		Reentry: Reentry{Mode: ReentryEveryDays, Days: 7},
	}
}

func crossSellFlow(lb libLang) Flow {
	return Flow{
		Trigger: Trigger{Event: cdp.EventOrderPlaced},
		Steps: []Step{
			libDiscount("discount", 10, 30, "THANKS"),
			lb.email("email", "cross_sell.html", "cross_sell.email", "bought_together", "discount"),
		},
		Reentry: Reentry{Mode: ReentryEveryDays, Days: 7},
	}
}

func replenishmentFlow(lb libLang) Flow {
	return Flow{
		Trigger: Trigger{Event: EventReplenishmentDue},
		Steps: []Step{
			lb.email("email", "replenish.html", "replenish.email", "trigger", ""),
			lb.push("push", "replenish.push"),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryAlways},
	}
}

// winbackFlow's trigger asks for 180 days, which is also what makes the
// sweeper fire inactive events at 180 days (the smallest threshold asked).
func winbackFlow(lb libLang) Flow {
	return Flow{
		Trigger: Trigger{Event: EventInactive, Filters: []Filter{{Field: "days_since_order", Op: OpGte, Value: 180}}},
		Steps: []Step{
			libDiscount("discount", 15, 14, "COMEBACK"),
			lb.email("email", "winback.html", "winback.email", "bestsellers", "discount"),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryAlways},
	}
}

func birthdayFlow(lb libLang) Flow {
	return Flow{
		Trigger: Trigger{Event: EventBirthday},
		Steps: []Step{
			libDiscount("discount", 20, 7, "BDAY"),
			lb.email("email", "birthday.html", "birthday.email", "none", "discount"),
			{ID: "inbox", Kind: KindInbox, Params: map[string]any{"title": lb.text("birthday.inbox.title"),
				"body": lb.text("birthday.inbox.body")}},
		},
		Reentry: Reentry{Mode: ReentryAlways},
	}
}
