package automation

import (
	"context"
	"embed"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
)

// library holds the ready-made flows' email bodies: html/template bodies
// for messaging/email's layout, kept as files so that they read (and diff)
// as HTML.
//
//go:embed library/*.html
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
	build func() Flow
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
		if f.Name != tpl.Title {
			continue
		}
		if f.Status == FlowActive {
			return f, nil
		}
		return e.SetStatus(ctx, workspaceID, f.ID, FlowActive)
	}
	f := tpl.build()
	f.Name, f.Status = tpl.Title, FlowActive
	return e.CreateFlow(ctx, workspaceID, f)
}

// emailBody reads an embedded email body; the files are part of the
// binary, so a missing one is a build mistake the tests catch.
func emailBody(file string) string {
	b, err := library.ReadFile("library/" + file)
	if err != nil {
		panic("automation: library email " + file + ": " + err.Error())
	}
	return string(b)
}

// libEmail is a send_email step. products is a product source ("cart",
// "trigger", "none" or a recommendation strategy); discountFrom names an earlier
// discount step whose code the email shows ("" for none).
func libEmail(id, file, subject, preheader, products, discountFrom string) Step {
	p := map[string]any{"subject": subject, "preheader": preheader, "html": emailBody(file), "products": products}
	if products != "none" {
		p["product_count"] = 4
	}
	if discountFrom != "" {
		p["discount_from"] = discountFrom
	}
	return Step{ID: id, Kind: KindSendEmail, Params: p}
}

func libPush(id, title, body string) Step {
	return Step{ID: id, Kind: KindSendPush, Params: map[string]any{"title": title, "body": body}}
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

func welcomeFlow() Flow {
	return Flow{
		Trigger: Trigger{Event: eventFormSubmitted, Filters: hasEmail},
		Steps: []Step{
			libDiscount("discount", 10, 14, "WELCOME"),
			libEmail("email-1", "welcome_1.html", "Welcome to {{.Shop.Name}}{{with .Discount}} — here's {{.Percent}}% off{{end}}",
				"A little hello from us{{if .Discount}}, and a code for your first order{{end}}.", "none", "discount"),
			libWait("wait-2d", 2*oneDay),
			libEmail("email-2", "welcome_2.html", "The favourites everyone comes back for",
				"Not sure where to start? Begin with these.", "bestsellers", "discount"),
			libWait("wait-3d", 3*oneDay),
			libEmail("email-3", "welcome_3.html", "The story behind {{.Shop.Name}}",
				"Who we are, and why we do what we do.", "none", ""),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryOnce},
	}
}

func abandonedCheckoutFlow() Flow {
	return Flow{
		Trigger: Trigger{Event: cdp.EventCheckoutUpdated, Filters: hasEmail},
		Steps: []Step{
			libWait("wait-1h", Duration(time.Hour)),
			libEmail("email-1", "checkout_1.html", "You left something in your basket",
				"We saved your basket — finish your order in a click.", "cart", ""),
			libPush("push-1", "Your basket is waiting", "Complete your order before your items sell out."),
			libWait("wait-23h", Duration(23*time.Hour)),
			libDiscount("discount", 10, 3, "CART"),
			libEmail("email-2", "checkout_2.html", "{{with .Discount}}{{.Percent}}% off the basket you left behind{{else}}Your basket is still waiting{{end}}",
				"Your basket is still here{{if .Discount}}, now with a discount{{end}}.", "cart", "discount"),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryEveryDays, Days: 7},
	}
}

// abandonedCartPushFlow's goal is order_placed, not checkout_started: a
// Goal is one event, and a reminder after an order is plainly wrong,
// whereas a visitor who started the checkout and left still has an
// abandoned cart worth the push.
func abandonedCartPushFlow() Flow {
	return Flow{
		Trigger: Trigger{Event: cdp.EventAddToCart},
		Steps: []Step{
			libWait("wait-1h", Duration(time.Hour)),
			libPush("push", "Forgot something?", "Your cart is saved — come back and check out when you're ready."),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryEveryDays, Days: 3},
	}
}

// browseAbandonmentFlow triggers on the sweeper's browse_abandoned event,
// which fires only once the two hours without a cart are up (see
// Sweeper.sweepBrowse), so it sends at once.
func browseAbandonmentFlow() Flow {
	return Flow{
		Trigger: Trigger{Event: EventBrowseAbandoned},
		Steps: []Step{
			libEmail("email", "browse.html", "Still thinking about it?",
				"The product you were looking at is still here.", "viewed_not_bought", ""),
			libPush("push", "Still thinking about it?", "Take another look before it's gone."),
		},
		Goal:    &Goal{Event: cdp.EventAddToCart},
		Reentry: Reentry{Mode: ReentryEveryDays, Days: 7},
	}
}

func crossSellFlow() Flow {
	return Flow{
		Trigger: Trigger{Event: cdp.EventOrderPlaced},
		Steps: []Step{
			libDiscount("discount", 10, 30, "THANKS"),
			libEmail("email", "cross_sell.html", "Thank you!{{with .Discount}} Here's {{.Percent}}% off what goes with it{{else}} Here's what goes with it{{end}}",
				"Hand-picked to go with your order.", "bought_together", "discount"),
		},
		Reentry: Reentry{Mode: ReentryEveryDays, Days: 7},
	}
}

func replenishmentFlow() Flow {
	return Flow{
		Trigger: Trigger{Event: EventReplenishmentDue},
		Steps: []Step{
			libEmail("email", "replenish.html", "Running low? Time to restock",
				"Reorder your favourite in a couple of clicks.", "trigger", ""),
			libPush("push", "Time for a top-up?", "You're probably running low — reorder in a click."),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryAlways},
	}
}

// winbackFlow's trigger asks for 180 days, which is also what makes the
// sweeper fire inactive events at 180 days (the smallest threshold asked).
func winbackFlow() Flow {
	return Flow{
		Trigger: Trigger{Event: EventInactive, Filters: []Filter{{Field: "days_since_order", Op: OpGte, Value: 180}}},
		Steps: []Step{
			libDiscount("discount", 15, 14, "COMEBACK"),
			libEmail("email", "winback.html", "We miss you{{with .Discount}} — here's {{.Percent}}% off{{end}}",
				"It's been a while. Come and see what's new.", "bestsellers", "discount"),
		},
		Goal:    &Goal{Event: cdp.EventOrderPlaced},
		Reentry: Reentry{Mode: ReentryAlways},
	}
}

func birthdayFlow() Flow {
	return Flow{
		Trigger: Trigger{Event: EventBirthday},
		Steps: []Step{
			libDiscount("discount", 20, 7, "BDAY"),
			libEmail("email", "birthday.html", "Happy birthday, {{.Contact.FirstName | default \"friend\"}}!{{if .Discount}} A gift inside{{end}}",
				"{{with .Discount}}{{.Percent}}% off, just for you, all week.{{else}}Everyone here wishes you a wonderful day.{{end}}", "none", "discount"),
			{ID: "inbox", Kind: KindInbox, Params: map[string]any{"title": "Happy birthday! 🎂",
				"body": "Enjoy 20% off anything this week — your code is in your email."}},
		},
		Reentry: Reentry{Mode: ReentryAlways},
	}
}
