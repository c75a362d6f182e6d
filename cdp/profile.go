package cdp

import (
	"encoding/json"
	"slices"
	"sort"
	"time"
)

// Profile is the counters the profile processor keeps per contact. It is
// stored as one JSON document: it is always read and written whole, and its
// shape can grow without migrations.
type Profile struct {
	FirstSeen    time.Time `json:"first_seen"`
	LastSeen     time.Time `json:"last_seen"`
	Visits       int       `json:"visits"`
	PageViews    int       `json:"page_views"`
	ProductViews int       `json:"product_views"`
	DwellMS      int64     `json:"dwell_ms"`
	AddToCarts   int       `json:"add_to_carts"`
	Checkouts    int       `json:"checkouts"`
	// CheckoutTokens are the most recent checkout and cart tokens counted
	// in Checkouts: one checkout is reported by the tracker, by every
	// update of the shop's checkout and by its order.
	CheckoutTokens []string                 `json:"checkout_tokens,omitempty"`
	Orders         int                      `json:"orders"`
	Revenue        map[string]int64         `json:"revenue_minor,omitempty"`
	LastOrderAt    time.Time                `json:"last_order_at,omitzero"`
	LastSession    string                   `json:"last_session,omitempty"`
	Device         *Device                  `json:"device,omitempty"`
	LastCart       []CartLine               `json:"last_cart"`
	CartAt         time.Time                `json:"cart_updated_at,omitzero"`
	Products       map[string]*ProductStat  `json:"products,omitempty"`
	Categories     map[string]*CategoryStat `json:"categories,omitempty"`
	// Dwell already counted per recent page view: reports for one page view
	// are cumulative, so only the growth since the last report is added.
	Recent []pageDwell `json:"recent_page_views,omitempty"`
	// Tags are labels flows and the API put on the contact (tag_added,
	// tag_removed events), kept sorted.
	Tags []string `json:"tags,omitempty"`
}

// Device is the latest browser a contact used.
type Device struct {
	Kind    string `json:"kind,omitempty"`
	Browser string `json:"browser,omitempty"`
	OS      string `json:"os,omitempty"`
}

// CartLine is a line of the contact's current cart as last seen.
type CartLine struct {
	ProductID  string `json:"product_id,omitempty"`
	VariantID  string `json:"variant_id,omitempty"`
	Title      string `json:"title,omitempty"`
	Quantity   int64  `json:"quantity"`
	PriceMinor int64  `json:"price_minor,omitempty"`
}

// ProductStat is what a contact did with one product.
type ProductStat struct {
	Title      string    `json:"title,omitempty"`
	Category   string    `json:"category,omitempty"`
	Views      int       `json:"views"`
	DwellMS    int64     `json:"dwell_ms"`
	Carted     int       `json:"carted,omitempty"`
	Bought     int64     `json:"bought,omitempty"`
	LastViewed time.Time `json:"last_viewed,omitzero"`
}

// CategoryStat is what a contact did within one category.
type CategoryStat struct {
	Views   int   `json:"views"`
	DwellMS int64 `json:"dwell_ms"`
}

type pageDwell struct {
	PV      string `json:"pv"`
	DwellMS int64  `json:"dwell_ms"`
}

// Bounds that keep one profile document small whatever a visitor does.
const (
	maxRecent     = 32
	maxProducts   = 200
	maxCartLines  = 50
	maxCategories = 100
	maxTokens     = 20
)

func decodeProfile(raw []byte) (*Profile, error) {
	p := &Profile{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, p); err != nil {
			return nil, err
		}
	}
	p.init()
	return p, nil
}

func (p *Profile) init() {
	if p.Products == nil {
		p.Products = map[string]*ProductStat{}
	}
	if p.Categories == nil {
		p.Categories = map[string]*CategoryStat{}
	}
	if p.Revenue == nil {
		p.Revenue = map[string]int64{}
	}
	if p.LastCart == nil {
		p.LastCart = []CartLine{}
	}
}

func (p *Profile) seen(at time.Time) {
	if p.FirstSeen.IsZero() || at.Before(p.FirstSeen) {
		p.FirstSeen = at
	}
	if at.After(p.LastSeen) {
		p.LastSeen = at
	}
}

func (p *Profile) product(id string) *ProductStat {
	ps := p.Products[id]
	if ps == nil {
		if len(p.Products) >= maxProducts {
			p.evictProduct()
		}
		ps = &ProductStat{}
		p.Products[id] = ps
	}
	return ps
}

// evictProduct drops the least recently viewed product to keep the map bounded.
func (p *Profile) evictProduct() {
	var oldest string
	var at time.Time
	for id, ps := range p.Products {
		if oldest == "" || ps.LastViewed.Before(at) {
			oldest, at = id, ps.LastViewed
		}
	}
	delete(p.Products, oldest)
}

func (p *Profile) category(name string) *CategoryStat {
	cs := p.Categories[name]
	if cs == nil && len(p.Categories) < maxCategories {
		cs = &CategoryStat{}
		p.Categories[name] = cs
	}
	return cs
}

// dwellDelta returns how much of a cumulative dwell report for page view pv
// is new, and whether the page view is new.
func (p *Profile) dwellDelta(pv string, dwell int64) (delta int64, first bool) {
	for i := range p.Recent {
		if p.Recent[i].PV == pv {
			prev := p.Recent[i].DwellMS
			if dwell <= prev {
				return 0, false
			}
			p.Recent[i].DwellMS = dwell
			return dwell - prev, false
		}
	}
	p.Recent = append(p.Recent, pageDwell{PV: pv, DwellMS: dwell})
	if len(p.Recent) > maxRecent {
		p.Recent = p.Recent[len(p.Recent)-maxRecent:]
	}
	return dwell, true
}

// countCheckout counts a checkout known by token (and the token of the cart
// it came from, when the platform names both) unless either was counted.
func (p *Profile) countCheckout(token, cartToken string) {
	if token == "" || slices.Contains(p.CheckoutTokens, token) || (cartToken != "" && slices.Contains(p.CheckoutTokens, cartToken)) {
		if cartToken != "" {
			p.rememberToken(cartToken)
		}
		p.rememberToken(token)
		return
	}
	p.Checkouts++
	p.rememberToken(token)
	if cartToken != "" {
		p.rememberToken(cartToken)
	}
}

func (p *Profile) rememberToken(t string) {
	if t == "" || slices.Contains(p.CheckoutTokens, t) {
		return
	}
	p.CheckoutTokens = append(p.CheckoutTokens, t)
	if len(p.CheckoutTokens) > maxTokens {
		p.CheckoutTokens = p.CheckoutTokens[len(p.CheckoutTokens)-maxTokens:]
	}
}

func (p *Profile) cartAdd(l CartLine) {
	for i := range p.LastCart {
		c := &p.LastCart[i]
		if (l.ProductID != "" && c.ProductID == l.ProductID) || (l.VariantID != "" && c.VariantID == l.VariantID) {
			c.Quantity += l.Quantity
			if l.Title != "" {
				c.Title, c.PriceMinor = l.Title, l.PriceMinor
			}
			return
		}
	}
	if len(p.LastCart) < maxCartLines {
		p.LastCart = append(p.LastCart, l)
	}
}

func (p *Profile) cartRemove(productID, variantID string) {
	out := p.LastCart[:0]
	for _, c := range p.LastCart {
		if (productID != "" && c.ProductID == productID) || (variantID != "" && c.VariantID == variantID) {
			continue
		}
		out = append(out, c)
	}
	p.LastCart = out
}

// merge folds o (a contact found to be the same person) into p.
func (p *Profile) merge(o *Profile) {
	if !o.FirstSeen.IsZero() {
		p.seen(o.FirstSeen)
	}
	if !o.LastSeen.IsZero() {
		p.seen(o.LastSeen)
	}
	p.Visits += o.Visits
	for _, t := range o.Tags {
		p.tag(t, true)
	}
	p.PageViews += o.PageViews
	p.ProductViews += o.ProductViews
	p.DwellMS += o.DwellMS
	p.AddToCarts += o.AddToCarts
	// A checkout both had counted (the tracker's report on the visitor,
	// the shop's checkout on the buyer) is one checkout.
	both := 0
	for _, t := range o.CheckoutTokens {
		if slices.Contains(p.CheckoutTokens, t) {
			both++
		}
	}
	p.Checkouts += o.Checkouts - min(both, o.Checkouts, p.Checkouts)
	for _, t := range o.CheckoutTokens {
		p.rememberToken(t)
	}
	p.Orders += o.Orders
	for cur, v := range o.Revenue {
		p.Revenue[cur] += v
	}
	if o.LastOrderAt.After(p.LastOrderAt) {
		p.LastOrderAt = o.LastOrderAt
	}
	// The more recent cart and device are the person's current ones.
	if o.CartAt.After(p.CartAt) {
		p.LastCart, p.CartAt = o.LastCart, o.CartAt
	}
	if o.Device != nil && (p.Device == nil || o.LastSeen.After(p.LastSeen)) {
		p.Device = o.Device
	}
	for id, s := range o.Products {
		t := p.product(id)
		t.Views += s.Views
		t.DwellMS += s.DwellMS
		t.Carted += s.Carted
		t.Bought += s.Bought
		if s.Title != "" {
			t.Title, t.Category = s.Title, s.Category
		}
		if s.LastViewed.After(t.LastViewed) {
			t.LastViewed = s.LastViewed
		}
	}
	for name, s := range o.Categories {
		if t := p.category(name); t != nil {
			t.Views += s.Views
			t.DwellMS += s.DwellMS
		}
	}
	p.Recent = append(p.Recent, o.Recent...)
	if len(p.Recent) > maxRecent {
		p.Recent = p.Recent[len(p.Recent)-maxRecent:]
	}
}

// Interest is a category with how strongly the contact showed interest in it.
type Interest struct {
	Category string  `json:"category"`
	Score    float64 `json:"score"`
}

// Interests ranks categories by behaviour: a view counts one, each minute
// of visible dwell one more, so a long read outweighs a quick click-through.
func (p *Profile) Interests(n int) []Interest {
	out := make([]Interest, 0, len(p.Categories))
	for name, s := range p.Categories {
		out = append(out, Interest{Category: name, Score: float64(s.Views) + float64(s.DwellMS)/60000})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Category < out[j].Category
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// tag adds (on) or removes a tag, keeping Tags sorted and unique.
func (p *Profile) tag(t string, on bool) {
	i, found := slices.BinarySearch(p.Tags, t)
	switch {
	case on && !found:
		p.Tags = slices.Insert(p.Tags, i, t)
	case !on && found:
		p.Tags = slices.Delete(p.Tags, i, i+1)
	}
}
