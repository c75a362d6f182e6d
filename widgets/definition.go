package widgets

// Widget kinds.
const (
	KindPopup = "popup"
	KindFrame = "frame"
	KindInbox = "inbox"
)

// Widget statuses: only active widgets are decided on.
const (
	StatusDraft  = "draft"
	StatusActive = "active"
	StatusPaused = "paused"
)

// Pop-up layouts.
const (
	LayoutModal  = "modal"
	LayoutCorner = "corner"
)

// Definition is a widget as the admin API takes it and the store keeps it
// (docs/widgets.md). Which parts apply depends on Kind: pop-ups use
// Targeting, Trigger, Caps, Variants and Discount; frames use Targeting
// and Frame; the inbox uses Targeting only.
type Definition struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Status    string    `json:"status,omitempty"`
	Layout    string    `json:"layout,omitempty"`
	Targeting Targeting `json:"targeting"`
	Trigger   Trigger   `json:"trigger"`
	Caps      Caps      `json:"caps"`
	Variants  []Variant `json:"variants,omitempty"`
	Discount  *Discount `json:"discount,omitempty"`
	Frame     *Frame    `json:"frame,omitempty"`
}

// Targeting says who sees a widget and where. Every condition set must
// hold; an unset condition holds for everyone.
type Targeting struct {
	// URL is a pattern with * wildcards, matched against the page's path
	// ("/products/*"), or against the whole URL when it has a scheme.
	URL string `json:"url,omitempty"`
	// Pages limits the widget to page types (home, product…).
	Pages      []string `json:"pages,omitempty"`
	FirstVisit bool     `json:"first_visit,omitempty"`
	// MinVisits: the visitor's visit count (this one included) is at least.
	MinVisits int `json:"min_visits,omitempty"`
	// MaxOrders: the visitor has placed at most this many orders
	// (0 is meaningful: "never ordered"); nil means any.
	MaxOrders    *int   `json:"max_orders,omitempty"`
	CartMinMinor int64  `json:"cart_min_minor,omitempty"`
	Device       string `json:"device,omitempty"`
	// EmailConsent: true shows only to visitors who granted email consent,
	// false only to those who did not; nil to both.
	EmailConsent *bool `json:"email_consent,omitempty"`
	// Segments, when set, shows the widget only to members of at least
	// one of these segments (personalization/segments).
	Segments []string `json:"segments,omitempty"`
	// ExcludeSegments names segments (personalization/segments) whose
	// members never see the widget: a negative target group.
	ExcludeSegments []string `json:"exclude_segments,omitempty"`
}

// Trigger says when a pop-up opens once it applies; exactly one kind is
// set. AfterSecondsMax turns AfterSeconds into a range: each visitor gets
// a delay chosen from it (stable for that visitor).
type Trigger struct {
	AfterSeconds    int  `json:"after_seconds,omitempty"`
	AfterSecondsMax int  `json:"after_seconds_max,omitempty"`
	ScrollPercent   int  `json:"scroll_percent,omitempty"`
	ExitIntent      bool `json:"exit_intent,omitempty"`
	InactiveSeconds int  `json:"inactive_seconds,omitempty"`
}

// Caps limit how often a pop-up is shown to one visitor. A pop-up with a
// form is never shown again once the visitor submitted it.
type Caps struct {
	// PerSession: shown at most this many times a session (0: no limit).
	PerSession int `json:"per_session,omitempty"`
	// EveryDays: not shown again within this many days of the last time.
	EveryDays int `json:"every_days,omitempty"`
	// StopAfterConversion: never shown after the visitor converted (ordered
	// within 7 days of seeing it).
	StopAfterConversion bool `json:"stop_after_conversion,omitempty"`
}

// Variant is one version of a pop-up in an A/B split; Weight is its share.
type Variant struct {
	ID      string  `json:"id"`
	Weight  int     `json:"weight"`
	Content Content `json:"content"`
}

// Content is what a pop-up variant shows. Success may contain {code}, the
// revealed discount code.
type Content struct {
	Title    string        `json:"title"`
	Body     string        `json:"body,omitempty"`
	Image    string        `json:"image,omitempty"`
	CTA      string        `json:"cta,omitempty"`
	Form     *Form         `json:"form,omitempty"`
	Link     string        `json:"link,omitempty"`
	Success  string        `json:"success,omitempty"`
	Products *ProductBlock `json:"products,omitempty"`
}

// Form is a lead form inside a pop-up.
type Form struct {
	Email           bool     `json:"email"`
	ConsentText     string   `json:"consent_text,omitempty"`
	ConsentRequired bool     `json:"consent_required,omitempty"`
	Interests       []string `json:"interests,omitempty"`
}

// ProductBlock asks for products inside a pop-up ("still deciding?" shows
// what the visitor viewed), chosen like a frame's.
type ProductBlock struct {
	Strategy string `json:"strategy"`
	Count    int    `json:"count"`
}

// Discount is the code a pop-up reveals on submission.
type Discount struct {
	Percent     int    `json:"percent,omitempty"`
	AmountMinor int64  `json:"amount_minor,omitempty"`
	ValidDays   int    `json:"valid_days,omitempty"`
	Prefix      string `json:"prefix,omitempty"`
}

// Frame is a recommendation frame: a placeholder named Name on the page
// (<div data-cartwheel-frame="NAME">), or an admin-chosen CSS Selector the
// products are placed after.
type Frame struct {
	Name          string `json:"name"`
	Selector      string `json:"selector,omitempty"`
	Strategy      string `json:"strategy"`
	Count         int    `json:"count"`
	Title         string `json:"title,omitempty"`
	InStockOnly   bool   `json:"in_stock_only,omitempty"`
	ExcludeBought bool   `json:"exclude_bought,omitempty"`
}
