package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/store"
)

// Pusher sends one web push; *webpush.Sender fits it.
type Pusher interface {
	Send(ctx context.Context, sub webpush.Subscription, payload []byte, o webpush.SendOptions) (webpush.Result, error)
}

// Options configure a Service.
type Options struct {
	Store    *store.Store
	Settings func(ctx context.Context, workspaceID string) (messaging.Settings, error)
	Links    messaging.Links
	// Mail sends email; nil keeps campaign email in the outbox (status
	// outbox), as flows do without an SMTP server.
	Mail email.Sender
	// Push sends web push; nil skips push recipients ("push disabled").
	Push Pusher
	// SMS is the SMS channel's hook (unused until SMS campaigns exist).
	SMS SMSSender
	// Audience is everyone with consent; ConsentAudience when nil.
	Audience Audience
	// Segments resolves segment audiences; nil refuses them.
	Segments Audience
	Now      func() time.Time
	Log      *slog.Logger
	// Workers is how many messages are in flight at once (default 16);
	// the SMTP pool's connections bound email further.
	Workers int
	// Poll is how often the runner looks for due campaigns (default 250ms).
	Poll time.Duration
}

// Service is the campaigns API and its runner.
type Service struct {
	o   Options
	log *slog.Logger
	run *runner
}

// New returns a Service; call Run to send.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Audience == nil {
		o.Audience = ConsentAudience{Store: o.Store}
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	s := &Service{o: o, log: o.Log}
	s.run = newRunner(s)
	return s
}

// ErrNotEditable is returned when a campaign that is no longer a draft is
// edited, or a transition is asked from the wrong status.
type ErrNotEditable struct{ Status string }

func (e *ErrNotEditable) Error() string { return "campaign is " + e.Status + ": not allowed now" }

// Conflict marks the error as a state conflict (the API answers 409).
func (e *ErrNotEditable) Conflict() {}

func (s *Service) checkAudience(ctx context.Context, workspaceID string, in *Input) error {
	if len(in.Audience.Segments) == 0 && len(in.Audience.Exclude) > 0 && s.o.Segments == nil {
		return invalid("audience.exclude", "segments are not available on this instance yet")
	}
	if len(in.Audience.Segments) > 0 && s.o.Segments == nil {
		return invalid("audience.segments", "segments are not available on this instance yet")
	}
	// A mistyped segment would quietly send to nobody (or exclude
	// nobody): name it instead.
	for field, ids := range map[string][]string{"audience.segments": in.Audience.Segments, "audience.exclude": in.Audience.Exclude} {
		for i, id := range ids {
			if _, err := s.o.Store.Segment(ctx, workspaceID, id); errors.Is(err, store.ErrNotFound) {
				return invalid(fmt.Sprintf("%s[%d]", field, i), "there is no segment %q in this workspace", id)
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

// Create stores a draft campaign.
func (s *Service) Create(ctx context.Context, workspaceID string, in Input) (Campaign, error) {
	if err := in.Validate(); err != nil {
		return Campaign{}, err
	}
	if err := s.checkAudience(ctx, workspaceID, &in); err != nil {
		return Campaign{}, err
	}
	spec, err := json.Marshal(in.Spec)
	if err != nil {
		return Campaign{}, err
	}
	now := s.o.Now().UTC()
	row := store.Campaign{ID: ids.New("cmp"), WorkspaceID: workspaceID, Name: in.Name, Channel: in.Channel,
		Status: store.CampaignDraft, Spec: spec, CreatedAt: now}
	if err := s.o.Store.CreateCampaign(ctx, row); err != nil {
		return Campaign{}, err
	}
	return s.Get(ctx, workspaceID, row.ID)
}

// Update replaces a draft's content, audience, schedule and test.
func (s *Service) Update(ctx context.Context, workspaceID, id string, in Input) (Campaign, error) {
	if err := in.Validate(); err != nil {
		return Campaign{}, err
	}
	if err := s.checkAudience(ctx, workspaceID, &in); err != nil {
		return Campaign{}, err
	}
	spec, err := json.Marshal(in.Spec)
	if err != nil {
		return Campaign{}, err
	}
	err = s.o.Store.UpdateCampaignDraft(ctx, workspaceID, id, in.Name, in.Channel, spec, s.o.Now())
	if errors.Is(err, store.ErrConflict) {
		c, gerr := s.Get(ctx, workspaceID, id)
		if gerr != nil {
			return Campaign{}, gerr
		}
		return Campaign{}, &ErrNotEditable{Status: c.Status}
	}
	if err != nil {
		return Campaign{}, err
	}
	return s.Get(ctx, workspaceID, id)
}

// Get returns one campaign.
func (s *Service) Get(ctx context.Context, workspaceID, id string) (Campaign, error) {
	row, err := s.o.Store.Campaign(ctx, workspaceID, id)
	if err != nil {
		return Campaign{}, err
	}
	return fromRow(row)
}

// List returns the workspace's campaigns, newest first.
func (s *Service) List(ctx context.Context, workspaceID string) ([]Campaign, error) {
	rows, err := s.o.Store.Campaigns(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make([]Campaign, 0, len(rows))
	for _, r := range rows {
		c, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// transition moves a campaign between statuses or says why not.
func (s *Service) transition(ctx context.Context, workspaceID, id string, from []string, to string, sendAt time.Time) (Campaign, error) {
	ok, err := s.o.Store.TransitionCampaign(ctx, workspaceID, id, from, to, sendAt, s.o.Now())
	if err != nil {
		return Campaign{}, err
	}
	c, err := s.Get(ctx, workspaceID, id)
	if err != nil {
		return Campaign{}, err
	}
	if !ok {
		return c, &ErrNotEditable{Status: c.Status}
	}
	return c, nil
}

// Schedule sends a draft now or at its scheduled time. A time in the past
// sends now.
func (s *Service) Schedule(ctx context.Context, workspaceID, id string) (Campaign, error) {
	c, err := s.Get(ctx, workspaceID, id)
	if err != nil {
		return Campaign{}, err
	}
	now := s.o.Now().UTC()
	at := startOf(c.Spec.Schedule, now)
	if at.Before(now) && c.Spec.Schedule.Mode != SendLocal {
		at = now
	}
	return s.transition(ctx, workspaceID, id, []string{store.CampaignDraft}, store.CampaignScheduled, at)
}

// Pause stops sending; messages already handed over finish, the rest wait
// for Resume.
func (s *Service) Pause(ctx context.Context, workspaceID, id string) (Campaign, error) {
	c, err := s.transition(ctx, workspaceID, id, []string{store.CampaignScheduled, store.CampaignSending, store.CampaignTesting},
		store.CampaignPaused, time.Time{})
	if err == nil {
		s.run.interrupt(id)
	}
	return c, err
}

// Resume continues a paused campaign where it stopped (a campaign paused
// before it started keeps its scheduled time).
func (s *Service) Resume(ctx context.Context, workspaceID, id string) (Campaign, error) {
	c, err := s.Get(ctx, workspaceID, id)
	if err != nil {
		return Campaign{}, err
	}
	if c.StartedAt.IsZero() {
		return s.transition(ctx, workspaceID, id, []string{store.CampaignPaused}, store.CampaignScheduled, time.Time{})
	}
	return s.transition(ctx, workspaceID, id, []string{store.CampaignPaused}, store.CampaignSending, s.o.Now().UTC())
}

// Cancel stops a campaign for good; recipients not yet sent to never are.
func (s *Service) Cancel(ctx context.Context, workspaceID, id string) (Campaign, error) {
	c, err := s.transition(ctx, workspaceID, id, []string{store.CampaignDraft, store.CampaignScheduled, store.CampaignSending,
		store.CampaignTesting, store.CampaignPaused}, store.CampaignCancelled, time.Time{})
	if err == nil {
		s.run.interrupt(id)
	}
	return c, err
}

// Progress is where a sending campaign is.
type Progress struct {
	Status     string `json:"status"`
	Recipients int    `json:"recipients"`
	// Materialised says the whole audience has been read.
	Materialised bool `json:"materialised"`
	Pending      int  `json:"pending"`
	Held         int  `json:"held"`
	Queued       int  `json:"queued"`
	Sent         int  `json:"sent"`
	Skipped      int  `json:"skipped"`
	Failed       int  `json:"failed"`
	// Percent is the share of recipients settled (sent, skipped, failed).
	Percent int `json:"percent"`
}

// Progress counts a campaign's recipients by state.
func (s *Service) Progress(ctx context.Context, workspaceID, id string) (Progress, error) {
	row, err := s.o.Store.Campaign(ctx, workspaceID, id)
	if err != nil {
		return Progress{}, err
	}
	n, err := s.o.Store.CampaignProgress(ctx, id)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Status: row.Status, Recipients: row.Recipients, Materialised: row.Materialised,
		Pending: n[store.RecipientPending], Held: n[store.RecipientHeld], Queued: n[store.RecipientQueued],
		Sent: n[store.RecipientSent], Skipped: n[store.RecipientSkipped], Failed: n[store.RecipientFailed]}
	if row.Recipients > 0 {
		p.Percent = (p.Sent + p.Skipped + p.Failed) * 100 / row.Recipients
	}
	return p, nil
}

// Report is a campaign's outcome: its messages' counts and engagement, and
// each A/B variant's result.
type Report struct {
	store.CampaignReport
	Variants []store.VariantStats `json:"variants,omitempty"`
	Winner   int                  `json:"winner"`
}

// Report returns a campaign's report.
func (s *Service) Report(ctx context.Context, workspaceID, id string) (Report, error) {
	row, err := s.o.Store.Campaign(ctx, workspaceID, id)
	if err != nil {
		return Report{}, err
	}
	r, err := s.o.Store.CampaignReport(ctx, workspaceID, id)
	if err != nil {
		return Report{}, err
	}
	out := Report{CampaignReport: r, Winner: row.Winner}
	if out.Variants, err = s.o.Store.CampaignVariantStats(ctx, id); err != nil {
		return Report{}, err
	}
	return out, nil
}

// Run sends due campaigns until ctx ends; sends in flight then finish.
func (s *Service) Run(ctx context.Context) error { return s.run.loop(ctx) }

// Tick runs every due campaign once, to completion of what is due now; for
// tests and the benchmark, which drive the clock themselves.
func (s *Service) Tick(ctx context.Context) error { return s.run.tick(ctx) }
