package messaging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

// Settings are a workspace's messaging settings: who mail comes from, the
// postal address its footer must show, how often one contact may be
// messaged, when not to message at all, and whether new email subscribers
// must confirm.
type Settings struct {
	FromEmail string `json:"from_email"`
	FromName  string `json:"from_name"`
	ReplyTo   string `json:"reply_to,omitempty"`
	// Address is the shop's postal address for the email footer
	// (CAN-SPAM and the EU ePrivacy rules ask for one).
	Address string `json:"address,omitempty"`
	// Caps per channel ("email", "push", "sms"): at most Count messages per
	// contact in any window of Window. A channel without a cap is uncapped.
	Caps map[string]Cap `json:"caps"`
	// QuietHours hold messages that would arrive at night in the contact's
	// timezone (the workspace's when the contact's is unknown).
	QuietHours QuietHours `json:"quiet_hours"`
	// DoubleOptIn asks people who subscribe on the site (forms, the
	// tracker's consent call) to confirm by email before they get
	// marketing email.
	DoubleOptIn bool `json:"double_opt_in"`
	// AttributionWindow is how long after a click an order is credited to
	// the clicked message (default 5 days).
	AttributionWindow Duration `json:"attribution_window"`
	// PushSubject is the contact push services may write to about this
	// workspace's pushes (VAPID "sub": "mailto:…" or an https URL); empty
	// keeps the instance's (CARTWHEEL_PUSH_SUBJECT).
	PushSubject string `json:"push_subject,omitempty"`
	// SoftBounceLimit soft bounces of one address within SoftBounceWindow
	// suppress it (default 3 within 30 days).
	SoftBounceLimit  int      `json:"soft_bounce_limit"`
	SoftBounceWindow Duration `json:"soft_bounce_window"`
}

// Cap is a frequency cap: at most Count messages in Window.
type Cap struct {
	Count  int      `json:"count"`
	Window Duration `json:"window"`
}

// QuietHours is the night, from Start to End o'clock (Start may be later
// than End: 21 to 8 spans midnight). Equal hours mean no quiet hours.
type QuietHours struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Duration is a time.Duration written in JSON as "90m", "24h" or "5d".
// Flows' waits use it too (automation.Duration).
type Duration time.Duration

// maxDurationDays is the most whole days a time.Duration holds: more
// would overflow rather than be refused by a range check.
const maxDurationDays = int(math.MaxInt64 / int64(24*time.Hour))

// MarshalJSON writes whole days as "Nd", anything else as Go writes it.
func (d Duration) MarshalJSON() ([]byte, error) {
	td := time.Duration(d)
	if td != 0 && td%(24*time.Hour) == 0 {
		return json.Marshal(strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d")
	}
	return json.Marshal(td.String())
}

// UnmarshalJSON reads a Go duration string, or whole days as "Nd".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"90m\", \"24h\" or \"5d\"")
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > maxDurationDays {
			return fmt.Errorf("duration %q: days must be a whole number from 0 to %d", s, maxDurationDays)
		}
		*d = Duration(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	td, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(td)
	return nil
}

// DefaultSettings are what a workspace gets until its admin changes them:
// caps in line with what shops are advised (a push at most every 4 hours,
// 3 marketing emails a week), quiet hours from 21:00 to 08:00, no double
// opt-in, and a 5-day click attribution window.
func DefaultSettings() Settings {
	return Settings{
		Caps: map[string]Cap{
			"email": {Count: 3, Window: Duration(7 * 24 * time.Hour)},
			"push":  {Count: 1, Window: Duration(4 * time.Hour)},
		},
		QuietHours:        QuietHours{Start: 21, End: 8},
		AttributionWindow: Duration(5 * 24 * time.Hour),
		SoftBounceLimit:   3,
		SoftBounceWindow:  Duration(30 * 24 * time.Hour),
	}
}

// InvalidSettings is a settings document that cannot be used; the HTTP
// layer answers 400.
type InvalidSettings struct{ Reason string }

func (e *InvalidSettings) Error() string { return "messaging settings: " + e.Reason }

// InvalidInput marks the error as the caller's fault.
func (e *InvalidSettings) InvalidInput() {}

// Validate checks the settings.
func (s Settings) Validate() error {
	for _, a := range []string{s.FromEmail, s.ReplyTo} {
		if a == "" {
			continue
		}
		if addr, err := mail.ParseAddress(a); err != nil || addr.Address != a {
			return &InvalidSettings{fmt.Sprintf("%q is not an email address", a)}
		}
	}
	for ch, c := range s.Caps {
		if ch != "email" && ch != "push" && ch != "sms" {
			return &InvalidSettings{fmt.Sprintf("caps: unknown channel %q (email, push, sms)", ch)}
		}
		if c.Count < 0 || c.Window < 0 || c.Count > 0 && c.Window == 0 {
			return &InvalidSettings{fmt.Sprintf("caps.%s: count must be ≥ 0 and the window positive", ch)}
		}
	}
	q := s.QuietHours
	if q.Start < 0 || q.Start > 23 || q.End < 0 || q.End > 23 {
		return &InvalidSettings{"quiet_hours: start and end are hours from 0 to 23"}
	}
	if s.SoftBounceLimit < 0 || s.SoftBounceWindow < 0 {
		return &InvalidSettings{"soft_bounce_limit and soft_bounce_window must not be negative"}
	}
	if s.AttributionWindow < 0 {
		return &InvalidSettings{"attribution_window must not be negative"}
	}
	if s.PushSubject != "" {
		if err := webpush.ValidSubject(s.PushSubject); err != nil {
			return &InvalidSettings{"push_subject: want mailto:address or an https URL"}
		}
	}
	return nil
}

// Settings returns a workspace's messaging settings, defaults filled in
// for what was never saved.
func (s *Service) Settings(ctx context.Context, workspaceID string) (Settings, error) {
	out := DefaultSettings()
	raw, err := s.st.MessagingSettings(ctx, workspaceID)
	if err != nil || raw == nil {
		return out, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("stored messaging settings: %w", err)
	}
	if out.AttributionWindow == 0 {
		out.AttributionWindow = DefaultSettings().AttributionWindow
	}
	if out.SoftBounceLimit == 0 {
		out.SoftBounceLimit = DefaultSettings().SoftBounceLimit
	}
	if out.SoftBounceWindow == 0 {
		out.SoftBounceWindow = DefaultSettings().SoftBounceWindow
	}
	return out, nil
}

// UpdateSettings applies a partial document (fields left out keep their
// value) and stores the result.
func (s *Service) UpdateSettings(ctx context.Context, workspaceID string, patch json.RawMessage) (Settings, error) {
	cur, err := s.Settings(ctx, workspaceID)
	if err != nil {
		return cur, err
	}
	dec := json.NewDecoder(bytes.NewReader(patch))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cur); err != nil {
		return cur, &InvalidSettings{err.Error()}
	}
	if err := cur.Validate(); err != nil {
		return cur, err
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return cur, err
	}
	return cur, s.st.PutMessagingSettings(ctx, workspaceID, b, s.now())
}

// Quiet reports whether t falls in the quiet hours in loc, and if so when
// they end.
func (q QuietHours) Quiet(t time.Time, loc *time.Location) (bool, time.Time) {
	if q.Start == q.End {
		return false, time.Time{}
	}
	l := t.In(loc)
	h := l.Hour()
	in := q.Start < q.End && h >= q.Start && h < q.End || q.Start > q.End && (h >= q.Start || h < q.End)
	if !in {
		return false, time.Time{}
	}
	end := time.Date(l.Year(), l.Month(), l.Day(), q.End, 0, 0, 0, loc)
	if !end.After(l) {
		end = time.Date(l.Year(), l.Month(), l.Day()+1, q.End, 0, 0, 0, loc)
	}
	return true, end
}
