package actions

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/personalization/reco"
	"github.com/cartwheelhq/cartwheel/store"
)

func newMessageID() string { return ids.New("msg") }

// Recommender is the recommendation engine product blocks come from:
// one per workspace, the one behind the site's frames, so that a message
// and the site recommend alike. Person in the request is a contact id.
type Recommender interface {
	Recommend(ctx context.Context, workspaceID string, r reco.Request) ([]reco.Result, error)
}

// Product sources for the "products" param besides the recommendation
// strategies.
const (
	productsCart    = "cart"
	productsTrigger = "trigger"
	productsNone    = "none"
)

// productAliases are the names flows saved before product blocks came from
// the recommendation engine.
var productAliases = map[string]string{"viewed": reco.ViewedNotBought, "related": reco.Personalized}

// trigger is what the event that started the enrollment says about a cart.
type trigger struct {
	Items       []commerce.LineItem `json:"items"`
	ProductID   string              `json:"product_id"`
	RecoveryURL string              `json:"recovery_url"`
	Currency    string              `json:"currency"`
	TotalMinor  int64               `json:"total_minor"`
	ShopID      string              `json:"shop_id"`
	// The buyer's names, when the checkout or order event carries them.
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// content is what a message is rendered from, gathered once per send.
type content struct {
	data    email.Data
	shopURL string
}

// content gathers the merge data of a message: the contact, the shop, the
// cart (from the trigger event, else the contact's last cart), products,
// a discount from an earlier step and the flow's vars. Links are left to
// the caller, which knows the message id.
func (c *Channels) content(ctx context.Context, en automation.Enrollment, p params, r recipient) (content, error) {
	var out content
	d := &out.data
	d.Contact = email.Contact{FirstName: r.contact.FirstName, LastName: r.contact.LastName, Email: r.contact.Email,
		Timezone: r.timezone(), Locale: cmp.Or(r.attr("locale"), r.ws.Locale)}
	if err := c.scoreFields(ctx, en.WorkspaceID, en.ContactID, &d.Contact); err != nil {
		return out, err
	}

	var tr trigger
	var trProps map[string]any
	if en.TriggerEventID > 0 {
		ev, err := c.o.Store.Event(ctx, en.WorkspaceID, en.TriggerEventID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Erased or never there: the profile's cart stands in.
		case err != nil:
			return out, err
		default:
			// Props of other event types simply carry no cart.
			_ = json.Unmarshal(ev.Props, &tr)
			_ = json.Unmarshal(ev.Props, &trProps)
		}
	}
	prof, err := c.profile(ctx, en.WorkspaceID, en.ContactID)
	if err != nil {
		return out, err
	}
	d.Items = tr.Items
	if len(d.Items) == 0 {
		for _, l := range prof.LastCart {
			d.Items = append(d.Items, commerce.LineItem{ProductID: l.ProductID, VariantID: l.VariantID, Title: l.Title,
				Quantity: l.Quantity, PriceMinor: l.PriceMinor})
		}
	}
	// A shop's checkout webhook carries neither images nor product links
	// (Shopify's never does), nor does the profile's cart: the catalogue
	// fills what the lines lack.
	c.fillItems(ctx, en.WorkspaceID, tr.ShopID, d.Items)
	d.Links.Recovery = tr.RecoveryURL
	if d.Contact.FirstName == "" {
		// The contact's own name first; a name the trigger carried (a
		// checkout's buyer) until the profile has one.
		d.Contact.FirstName = cmp.Or(r.attr("first_name"), r.attr("firstName"), tr.FirstName)
		d.Contact.LastName = cmp.Or(d.Contact.LastName, r.attr("last_name"), r.attr("lastName"), tr.LastName)
	}

	d.Shop = email.Shop{Name: r.ws.Name, Address: r.settings.Address, Currency: cmp.Or(tr.Currency, r.ws.Currency),
		Locale: r.ws.Locale}
	shops, err := c.o.Store.Shops(ctx, en.WorkspaceID)
	if err != nil {
		return out, err
	}
	if len(shops) > 0 {
		d.Shop.URL = shopURL(shops[0], r.ws.AllowedOrigins)
		d.Shop.Name = cmp.Or(d.Shop.Name, shops[0].Name)
	}
	out.shopURL = d.Shop.URL

	if d.Products, err = c.products(ctx, en.WorkspaceID, en.ContactID, p, &tr, d.Items); err != nil {
		return out, err
	}
	if d.Discount, err = c.discountFrom(ctx, en, p, d.Shop.Currency); err != nil {
		return out, err
	}
	if d.Vars, err = p.object("vars"); err != nil {
		return out, err
	}
	// The trigger event's own properties (a replenishment's product title,
	// a birthday's date) are merge fields too; the step's vars win.
	for k, v := range trProps {
		if _, set := d.Vars[k]; !set && k != "items" {
			if d.Vars == nil {
				d.Vars = map[string]any{}
			}
			d.Vars[k] = v
		}
	}
	return out, nil
}

// shopURL makes a link of a shop's domain, in the shop's own scheme: the
// domain's when it has one, else that of the shop's API URL or of one of
// the workspace's allowed origins on the same host (a shop served over
// plain http, like the demo on localhost, has its links broken by a forced
// https), else https.
func shopURL(sh store.Shop, origins []string) string {
	domain := strings.TrimRight(strings.TrimSpace(sh.Domain), "/")
	if domain == "" || strings.HasPrefix(domain, "http://") || strings.HasPrefix(domain, "https://") {
		return domain
	}
	for _, o := range append([]string{sh.APIURL}, origins...) {
		u, err := url.Parse(strings.TrimSpace(o))
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, domain) {
			return u.Scheme + "://" + domain
		}
	}
	return "https://" + domain
}

// profile reads the contact's profile; an empty one before the first event.
func (c *Channels) profile(ctx context.Context, ws, contact string) (*cdp.Profile, error) {
	p := &cdp.Profile{}
	raw, err := c.o.Store.Profile(ctx, ws, contact)
	if errors.Is(err, store.ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("profile of %s: %w", contact, err)
	}
	return p, nil
}

// fillItems completes cart lines from the catalogue: a shop's checkout
// carries neither images nor product links, and the profile keeps ids,
// titles and prices only. A line that names only its variant is found
// through the shop's variants.
func (c *Channels) fillItems(ctx context.Context, ws, shopID string, items []commerce.LineItem) {
	for i := range items {
		it := &items[i]
		if it.URL != "" && it.ImageURL != "" {
			continue
		}
		if it.ProductID == "" && it.VariantID != "" && shopID != "" {
			if id, err := c.o.Store.VariantProduct(ctx, ws, shopID, it.VariantID); err == nil {
				it.ProductID = id
			}
		}
		if it.ProductID == "" {
			continue
		}
		pr, err := c.o.Store.Product(ctx, ws, it.ProductID)
		if err != nil {
			continue
		}
		it.URL, it.ImageURL = cmp.Or(it.URL, pr.URL), cmp.Or(it.ImageURL, pr.ImageURL)
		it.Title = cmp.Or(it.Title, pr.Title)
	}
}

// products picks the products a message shows, as the "products" param
// says: "cart" (the default when there is a cart), "trigger" (the product
// the trigger event names, e.g. the one due for replenishment), "none"
// (the default otherwise), or a recommendation strategy (reco.Strategies,
// "blended" the engine's default mix, which keeps repeat purchases;
// "viewed" and "related" are the older names of viewed_not_bought and
// personalized) asked of the engine that fills the site's frames, anchored
// on the trigger's items or product; at most product_count (4).
func (c *Channels) products(ctx context.Context, ws, contact string, p params, tr *trigger, items []commerce.LineItem) ([]email.Product, error) {
	src, n, err := c.productSource(p, len(items) > 0)
	if err != nil {
		return nil, err
	}
	switch src {
	case productsNone:
		return nil, nil
	case productsCart:
		out := []email.Product{}
		for _, it := range items {
			if len(out) == int(n) {
				break
			}
			out = append(out, email.Product{ID: it.ProductID, Title: it.Title, URL: it.URL, ImageURL: it.ImageURL,
				PriceMinor: it.PriceMinor})
		}
		return out, nil
	case productsTrigger:
		return c.catalogue(ctx, ws, tr.anchors(), n), nil
	}
	// Ask for more than n: catalogue drops products gone from the store
	// since the engine last heard of them.
	// The history strategies list what the contact looked at, the trigger's
	// product included (a browse abandonment's); the others recommend what
	// goes with the anchors, so those are left out.
	// The blend keeps purchases: its repeat part is what it is for.
	history := src == reco.RecentlyViewed || src == reco.ViewedNotBought
	res, err := c.o.Recommender.Recommend(ctx, ws, reco.Request{Strategy: src, Person: contact, Anchors: tr.anchors(),
		N: n + 4, InStockOnly: true, ExcludeAnchors: !history, ExcludeBought: src != reco.RecentlyViewed && src != reco.Blended})
	if err != nil {
		return nil, fmt.Errorf("recommendations: %w", err)
	}
	ids := make([]string, len(res))
	for i, r := range res {
		ids[i] = r.ProductID
	}
	return c.catalogue(ctx, ws, ids, n), nil
}

// productSource reads a step's products and product_count params: the
// source, its older name resolved, and how many products to show.
func (c *Channels) productSource(p params, hasCart bool) (string, int, error) {
	n, err := p.integer("product_count", 4, 1, 24)
	if err != nil {
		return "", 0, err
	}
	src := strings.TrimSpace(p.str("products"))
	if src == "" {
		src = productsNone
		if hasCart {
			src = productsCart
		}
	}
	src = cmp.Or(productAliases[src], src)
	switch {
	case src == productsNone, src == productsCart, src == productsTrigger:
	case !slices.Contains(reco.Strategies, src):
		return "", 0, p.bad("products", "%q is not cart, trigger, none or one of %s", src, strings.Join(reco.Strategies, ", "))
	case c.o.Recommender == nil:
		return "", 0, p.bad("products", "%q needs the recommendation engine, which this instance was not given", src)
	}
	return src, int(n), nil
}

// anchors are the products the trigger event is about: its items (a cart,
// an order), else the one product it names.
func (t *trigger) anchors() []string {
	var out []string
	for _, it := range t.Items {
		if it.ProductID != "" && !slices.Contains(out, it.ProductID) {
			out = append(out, it.ProductID)
		}
	}
	if len(out) == 0 && t.ProductID != "" {
		out = append(out, t.ProductID)
	}
	return out
}

// catalogue turns product ids into the products a template shows, in
// order, leaving out those gone or not for sale, at most n.
func (c *Channels) catalogue(ctx context.Context, ws string, ids []string, n int) []email.Product {
	out := []email.Product{}
	for _, id := range ids {
		if len(out) == n {
			break
		}
		pr, err := c.o.Store.Product(ctx, ws, id)
		if err != nil || !pr.InStock() {
			continue
		}
		out = append(out, email.Product{ID: pr.ID, Title: pr.Title, URL: pr.URL, ImageURL: pr.ImageURL,
			PriceMinor: pr.PriceMinor, Currency: pr.Currency})
	}
	return out
}

// codeMissing reports whether the email must not go because the discount
// step it offers the code of (discount_from) made none and said
// on_code_failure "skip".
func (c *Channels) codeMissing(ctx context.Context, en automation.Enrollment, p params) (bool, error) {
	step := strings.TrimSpace(p.str("discount_from"))
	if step == "" {
		return false, nil
	}
	run, err := c.o.Store.StepRun(ctx, en.WorkspaceID, en.ID, step)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var res automation.Result
	if err := json.Unmarshal(run.Result, &res); err != nil {
		return false, nil
	}
	return res.Skipped != "" && res.Data["on_code_failure"] == CodeFailureSkip, nil
}

// discountFrom reads the code an earlier discount step of the enrollment
// made (param "discount_from": that step's id). A step that has not run or
// made no code leaves the message without one.
func (c *Channels) discountFrom(ctx context.Context, en automation.Enrollment, p params, currency string) (*email.Discount, error) {
	step := strings.TrimSpace(p.str("discount_from"))
	if step == "" {
		return nil, nil
	}
	run, err := c.o.Store.StepRun(ctx, en.WorkspaceID, en.ID, step)
	if errors.Is(err, store.ErrNotFound) {
		c.log.Warn("automation: discount_from names a step that has not run", "enrollment", en.ID, "step", step)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var res struct {
		Data struct {
			Code        string    `json:"code"`
			ExpiresAt   time.Time `json:"expires_at"`
			Percent     float64   `json:"percent"`
			AmountMinor int64     `json:"amount_minor"`
		} `json:"data"`
	}
	if err := json.Unmarshal(run.Result, &res); err != nil || res.Data.Code == "" {
		return nil, nil
	}
	return &email.Discount{Code: res.Data.Code, Percent: res.Data.Percent, AmountMinor: res.Data.AmountMinor,
		Currency: currency, ExpiresAt: res.Data.ExpiresAt}, nil
}
