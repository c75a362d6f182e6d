// Package campaigns sends one-off messages (newsletters, promotions) to an
// audience at a chosen time: everyone with consent for the channel, or
// segments minus exclusion segments; now, at a time, or at a time in each
// recipient's own time zone; with an optional A/B test on a sample whose
// winner goes to the rest, a throttle, pause, resume and cancel.
//
// Sending is exactly once across crashes as far as the database can make
// it: the audience is materialised into campaign_recipients in batches
// with a persisted cursor, each recipient's message row (keyed by campaign
// and contact) commits with its queued state, and its sent state commits
// as soon as the relay accepted it. See docs/campaigns.md.
package campaigns

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/store"
)

// Channels a campaign can send on. SMS is not one yet: see SMSSender.
const (
	ChannelEmail = store.ChannelEmail
	ChannelPush  = store.ChannelPush
)

// Schedule modes.
const (
	SendNow   = "now"
	SendAt    = "at"
	SendLocal = "local" // at a wall-clock time in each recipient's time zone
)

// A/B metrics.
const (
	MetricClicks  = "clicks"
	MetricRevenue = "revenue"
)

// Spec is the editable part of a campaign.
type Spec struct {
	Email *EmailContent `json:"email,omitempty"`
	Push  *PushContent  `json:"push,omitempty"`
	// Variants override the content's subject/html (email) or title/body
	// (push) for an A/B test; variant 0 is the first of them.
	Variants []Variant   `json:"variants,omitempty"`
	Audience AudienceDef `json:"audience"`
	Schedule Schedule    `json:"schedule"`
	Test     *ABTest     `json:"ab_test,omitempty"`
	// ThrottlePerMinute caps the send rate; 0 sends as fast as the
	// channel takes it.
	ThrottlePerMinute int `json:"throttle_per_minute,omitempty"`
}

// EmailContent is a campaign's email: templates with merge fields, as flows'
// email steps take them (messaging/email).
type EmailContent struct {
	Subject   string `json:"subject"`
	Preheader string `json:"preheader,omitempty"`
	HTML      string `json:"html"`
	Text      string `json:"text,omitempty"`
}

// PushContent is a campaign's web push notification; title, body and url
// are text templates over the same merge fields as email.
type PushContent struct {
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
	URL   string `json:"url,omitempty"`
	Icon  string `json:"icon,omitempty"`
	Image string `json:"image,omitempty"`
}

// Variant is one side of an A/B test: what differs from the content.
type Variant struct {
	Name    string `json:"name,omitempty"`
	Subject string `json:"subject,omitempty"`
	HTML    string `json:"html,omitempty"`
	Title   string `json:"title,omitempty"`
	Body    string `json:"body,omitempty"`
}

// AudienceDef is who gets the campaign: everyone with consent for the
// channel (Segments empty), or the members of any of Segments that are in
// none of Exclude.
type AudienceDef struct {
	Segments []string `json:"segments,omitempty"`
	Exclude  []string `json:"exclude,omitempty"`
}

// Schedule is when the campaign goes out.
type Schedule struct {
	Mode string `json:"mode"` // now | at | local
	// At is the instant for "at".
	At time.Time `json:"at,omitzero"`
	// LocalTime is the wall-clock time for "local", "2026-12-05T09:00":
	// each recipient gets it at that time in their own time zone (the
	// contact's timezone attribute, else the workspace's).
	LocalTime string `json:"local_time,omitempty"`
}

// ABTest sends each variant to an equal share of SamplePercent of the
// audience, waits Wait, and sends the variant with the most clicking
// contacts (or the most revenue) to the rest.
type ABTest struct {
	SamplePercent int                `json:"sample_percent"`
	Wait          messaging.Duration `json:"wait"`
	Metric        string             `json:"metric"`
}

// Campaign is a campaign as the API and the console show it.
type Campaign struct {
	ID          string    `json:"id"`
	WorkspaceID string    `json:"workspace_id"`
	Name        string    `json:"name"`
	Channel     string    `json:"channel"`
	Status      string    `json:"status"`
	Spec        Spec      `json:"spec"`
	SendAt      time.Time `json:"send_at,omitzero"`
	Recipients  int       `json:"recipients"`
	// Winner is the A/B variant sent to the rest; -1 before it is chosen.
	Winner     int       `json:"winner"`
	TestEndsAt time.Time `json:"test_ends_at,omitzero"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Input is what a client sends to create or edit a campaign.
type Input struct {
	Name    string `json:"name"`
	Channel string `json:"channel"`
	Spec
}

// InvalidError is a campaign the caller got wrong; Field names the part.
type InvalidError struct {
	Field  string
	Reason string
}

func (e *InvalidError) Error() string { return "campaign: " + e.Field + ": " + e.Reason }

// InvalidInput marks the error as the caller's fault (the API answers 400).
func (e *InvalidError) InvalidInput() {}

func invalid(field, format string, args ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks an input as a draft must be: every part that is given
// is well formed, and the content compiles.
func (in *Input) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return invalid("name", "is required")
	}
	if len(in.Name) > 200 {
		return invalid("name", "is longer than 200 characters")
	}
	switch in.Channel {
	case ChannelEmail:
		if in.Email == nil {
			return invalid("email", "an email campaign needs its content")
		}
		in.Push = nil
		if _, err := email.Parse(email.Template{Subject: in.Email.Subject, Preheader: in.Email.Preheader,
			HTML: in.Email.HTML, Text: in.Email.Text}); err != nil {
			return invalid("email", "%v", err)
		}
		if strings.TrimSpace(in.Email.Subject) == "" {
			return invalid("email.subject", "is required")
		}
	case ChannelPush:
		if in.Push == nil || strings.TrimSpace(in.Push.Title) == "" {
			return invalid("push.title", "is required")
		}
		in.Email = nil
	case "sms":
		return invalid("channel", "SMS campaigns need an SMS provider, which this instance does not have yet")
	default:
		return invalid("channel", "must be email or push")
	}
	for i, v := range in.Variants {
		if in.Channel == ChannelEmail {
			if _, err := email.Parse(variantTemplate(*in.Email, v)); err != nil {
				return invalid(fmt.Sprintf("variants[%d]", i), "%v", err)
			}
		}
	}
	if err := in.Schedule.validate(); err != nil {
		return err
	}
	if t := in.Test; t != nil {
		if len(in.Variants) < 2 {
			return invalid("ab_test", "needs at least two variants")
		}
		if len(in.Variants) > 5 {
			return invalid("variants", "at most five")
		}
		if t.SamplePercent < 2 || t.SamplePercent > 90 {
			return invalid("ab_test.sample_percent", "must be between 2 and 90")
		}
		if t.Wait <= 0 {
			return invalid("ab_test.wait", "must be a positive duration (e.g. \"4h\")")
		}
		if t.Metric == "" {
			t.Metric = MetricClicks
		}
		if t.Metric != MetricClicks && t.Metric != MetricRevenue {
			return invalid("ab_test.metric", "must be clicks or revenue")
		}
		if in.Schedule.Mode == SendLocal {
			return invalid("ab_test", "an A/B test needs one send time, not each recipient's own")
		}
	} else if len(in.Variants) > 1 {
		return invalid("variants", "more than one variant needs an ab_test")
	}
	if in.ThrottlePerMinute < 0 {
		return invalid("throttle_per_minute", "must not be negative")
	}
	for _, ids := range [][]string{in.Audience.Segments, in.Audience.Exclude} {
		for _, id := range ids {
			if id == "" || strings.Contains(id, ",") {
				return invalid("audience", "segment id %q is not valid", id)
			}
		}
	}
	return nil
}

func (s *Schedule) validate() error {
	switch s.Mode {
	case "", SendNow:
		s.Mode = SendNow
	case SendAt:
		if s.At.IsZero() {
			return invalid("schedule.at", "is required when mode is at")
		}
	case SendLocal:
		if _, err := parseWall(s.LocalTime); err != nil {
			return invalid("schedule.local_time", "must look like 2026-12-05T09:00")
		}
	default:
		return invalid("schedule.mode", "must be now, at or local")
	}
	return nil
}

// variantTemplate is the email content with a variant's overrides.
func variantTemplate(c EmailContent, v Variant) email.Template {
	t := email.Template{Subject: c.Subject, Preheader: c.Preheader, HTML: c.HTML, Text: c.Text}
	if v.Subject != "" {
		t.Subject = v.Subject
	}
	if v.HTML != "" {
		t.HTML = v.HTML
	}
	return t
}

// variantPush is the push content with a variant's overrides.
func variantPush(c PushContent, v Variant) PushContent {
	if v.Title != "" {
		c.Title = v.Title
	}
	if v.Body != "" {
		c.Body = v.Body
	}
	return c
}

func fromRow(r store.Campaign) (Campaign, error) {
	c := Campaign{ID: r.ID, WorkspaceID: r.WorkspaceID, Name: r.Name, Channel: r.Channel, Status: r.Status,
		SendAt: r.SendAt, Recipients: r.Recipients, Winner: r.Winner, TestEndsAt: r.TestEndsAt, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Spec, &c.Spec); err != nil {
		return c, fmt.Errorf("campaign %s spec: %w", r.ID, err)
	}
	return c, nil
}
