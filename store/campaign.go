package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Campaign statuses.
const (
	CampaignDraft     = "draft"
	CampaignScheduled = "scheduled"
	CampaignSending   = "sending"
	CampaignTesting   = "testing"
	CampaignPaused    = "paused"
	CampaignCancelled = "cancelled"
	CampaignDone      = "done"
)

// Campaign recipient states.
const (
	RecipientPending = "pending"
	RecipientHeld    = "held"
	RecipientQueued  = "queued"
	RecipientSent    = "sent"
	RecipientSkipped = "skipped"
	RecipientFailed  = "failed"
)

// Campaign is one campaign row: the editable spec (JSON the campaigns
// package owns) and the runner's persisted progress.
type Campaign struct {
	ID           string
	WorkspaceID  string
	Name         string
	Channel      string
	Status       string
	Spec         json.RawMessage
	SendAt       time.Time
	Materialised bool
	Cursor       string
	Recipients   int
	Winner       int
	TestEndsAt   time.Time
	StartedAt    time.Time
	FinishedAt   time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// NewRecipient is one contact added to a campaign's audience.
type NewRecipient struct {
	ContactID string
	Seq       int64
	Variant   int
	State     string
	SendAt    time.Time
}

// DueRecipient is a recipient ready to be sent to, with what the send needs.
type DueRecipient struct {
	ContactID  string
	Seq        int64
	Variant    int
	State      string
	MessageID  string
	Email      string
	FirstName  string
	LastName   string
	Attributes json.RawMessage
	Consent    bool
	// RecentSends is how many of the channel's messages went to the contact
	// within the cap's window (0 when the channel has no cap).
	RecentSends int
}

// RecipientChange is what the runner decided for a due recipient: deferred
// (SendAt set), settled without a message (State skipped, Reason), or
// queued with its message row (Message set).
type RecipientChange struct {
	ContactID string
	SendAt    time.Time
	State     string
	Reason    string
	Message   *Message
}

// MessageOutcome is what became of a queued campaign message.
type MessageOutcome struct {
	MessageID string
	ContactID string
	Status    string // a message status
	State     string // the recipient's state
	Error     string
	Subject   string
	SentAt    time.Time
}

// CampaignReport counts a campaign's messages and their engagement.
type CampaignReport struct {
	Sent         int    `json:"sent"`
	Delivered    int    `json:"delivered"`
	Bounced      int    `json:"bounced"`
	Opened       int    `json:"opened"`
	MachineOpens int    `json:"machine_opened"`
	Clicked      int    `json:"clicked"`
	Unsubscribed int    `json:"unsubscribed"`
	Orders       int    `json:"orders"`
	RevenueMinor int64  `json:"revenue_minor"`
	Currency     string `json:"currency,omitempty"`
}

// VariantStats is one A/B variant's result so far.
type VariantStats struct {
	Variant      int   `json:"variant"`
	Sent         int   `json:"sent"`
	Clickers     int   `json:"clickers"`
	RevenueMinor int64 `json:"revenue_minor"`
}

type campaignQueries struct {
	CampaignInsert           string `query:"campaign-insert"`
	CampaignGet              string `query:"campaign-get"`
	CampaignList             string `query:"campaign-list"`
	CampaignDue              string `query:"campaign-due"`
	CampaignUpdateDraft      string `query:"campaign-update-draft"`
	CampaignTransition       string `query:"campaign-transition"`
	CampaignTestEnds         string `query:"campaign-test-ends"`
	CampaignSetWinner        string `query:"campaign-set-winner"`
	CampaignReleaseHeld      string `query:"campaign-release-held"`
	CampaignMaterialised     string `query:"campaign-materialised"`
	CampaignRecipientInsert  string `query:"campaign-recipient-insert"`
	CampaignRecipientsDue    string `query:"campaign-recipients-due"`
	CampaignRecipientDefer   string `query:"campaign-recipient-defer"`
	CampaignRecipientSettle  string `query:"campaign-recipient-settle"`
	CampaignRecipientQueue   string `query:"campaign-recipient-queue"`
	CampaignMessageInsert    string `query:"campaign-message-insert"`
	CampaignMessageFinish    string `query:"campaign-message-finish"`
	CampaignProgress         string `query:"campaign-progress"`
	CampaignNextDue          string `query:"campaign-next-due"`
	CampaignVariantStats     string `query:"campaign-variant-stats"`
	CampaignReport           string `query:"campaign-report"`
	CampaignUnsubscribes     string `query:"campaign-unsubscribes"`
	CampaignAudienceConsent  string `query:"campaign-audience-consent"`
	CampaignAudiencePush     string `query:"campaign-audience-push"`
	CampaignAudienceSegments string `query:"campaign-audience-segments"`
	CampaignPushSubs         string `query:"campaign-push-subscriptions"`
}

func scanCampaign(row scanner) (Campaign, error) {
	var c Campaign
	var spec string
	var sendAt, testEnds, started, finished, created, updated int64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Channel, &c.Status, &spec, &sendAt, &c.Materialised, &c.Cursor,
		&c.Recipients, &c.Winner, &testEnds, &started, &finished, &created, &updated)
	c.Spec = json.RawMessage(spec)
	c.SendAt, c.TestEndsAt, c.StartedAt = fromMS(sendAt), fromMS(testEnds), fromMS(started)
	c.FinishedAt, c.CreatedAt, c.UpdatedAt = fromMS(finished), fromMS(created), fromMS(updated)
	return c, err
}

// CreateCampaign stores a new campaign.
func (s *Store) CreateCampaign(ctx context.Context, c Campaign) error {
	if _, err := s.w.ExecContext(ctx, s.q.CampaignInsert, c.ID, c.WorkspaceID, c.Name, c.Channel, c.Status, string(c.Spec),
		ms(c.SendAt), ms(c.CreatedAt)); err != nil {
		return s.noteFailure(fmt.Errorf("create campaign: %w", err))
	}
	return nil
}

// Campaign returns one of a workspace's campaigns.
func (s *Store) Campaign(ctx context.Context, workspaceID, id string) (Campaign, error) {
	c, err := scanCampaign(s.r.QueryRowContext(ctx, s.q.CampaignGet, workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, ErrNotFound
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("campaign: %w", err)
	}
	return c, nil
}

// Campaigns lists a workspace's campaigns, newest first.
func (s *Store) Campaigns(ctx context.Context, workspaceID string) ([]Campaign, error) {
	return list(ctx, s.r, "campaigns", s.q.CampaignList, scanCampaign, workspaceID)
}

// DueCampaigns lists the campaigns of every workspace with work at now.
func (s *Store) DueCampaigns(ctx context.Context, now time.Time) ([]Campaign, error) {
	return list(ctx, s.r, "due campaigns", s.q.CampaignDue, scanCampaign, ms(now))
}

// UpdateCampaignDraft replaces a draft's name, channel and spec; a campaign
// that is no longer a draft answers ErrConflict.
func (s *Store) UpdateCampaignDraft(ctx context.Context, workspaceID, id, name, channel string, spec json.RawMessage, at time.Time) error {
	res, err := s.w.ExecContext(ctx, s.q.CampaignUpdateDraft, workspaceID, id, name, channel, string(spec), ms(at))
	if err != nil {
		return s.noteFailure(fmt.Errorf("update campaign: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Campaign(ctx, workspaceID, id); err != nil {
			return err
		}
		return ErrConflict
	}
	return nil
}

// TransitionCampaign moves a campaign to status if it is in one of from;
// it reports whether it did. sendAt, when not zero, becomes its due time.
func (s *Store) TransitionCampaign(ctx context.Context, workspaceID, id string, from []string, status string, sendAt, at time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.q.CampaignTransition, workspaceID, id, strings.Join(from, ","), status, ms(sendAt), ms(at))
	if err != nil {
		return false, s.noteFailure(fmt.Errorf("campaign status: %w", err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetCampaignTestEnd records when the A/B test's wait ends (once).
func (s *Store) SetCampaignTestEnd(ctx context.Context, id string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.CampaignTestEnds, id, ms(at)); err != nil {
		return s.noteFailure(fmt.Errorf("campaign test end: %w", err))
	}
	return nil
}

// ChooseCampaignWinner records the A/B winner and releases the held rest of
// the audience to it, due at, in one transaction.
func (s *Store) ChooseCampaignWinner(ctx context.Context, id string, winner int, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.CampaignSetWinner, id, winner); err != nil {
			return fmt.Errorf("campaign winner: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q.CampaignReleaseHeld, id, winner, ms(at)); err != nil {
			return fmt.Errorf("release held recipients: %w", err)
		}
		return nil
	})
}

// AddCampaignRecipients adds a batch of the audience and moves the
// campaign's cursor past it in one transaction; done marks the audience
// complete.
func (s *Store) AddCampaignRecipients(ctx context.Context, campaignID string, batch []NewRecipient, cursor string, done bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.q.CampaignRecipientInsert)
		if err != nil {
			return fmt.Errorf("add campaign recipients: %w", err)
		}
		defer stmt.Close()
		added := 0
		for _, r := range batch {
			res, err := stmt.ExecContext(ctx, campaignID, r.ContactID, r.Seq, r.Variant, r.State, ms(r.SendAt))
			if err != nil {
				return fmt.Errorf("add campaign recipient: %w", err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		if _, err := tx.ExecContext(ctx, s.q.CampaignMaterialised, campaignID, cursor, added, done); err != nil {
			return fmt.Errorf("campaign cursor: %w", err)
		}
		return nil
	})
}

// DueCampaignRecipients returns up to limit recipients in state whose time
// has come (send_at ≤ now), in the order they are to be sent. capSince,
// when not zero, counts each contact's sends on channel since then.
func (s *Store) DueCampaignRecipients(ctx context.Context, workspaceID, campaignID, channel, state string, capSince, now time.Time, limit int) ([]DueRecipient, error) {
	return list(ctx, s.r, "due campaign recipients", s.q.CampaignRecipientsDue, func(row scanner) (DueRecipient, error) {
		var r DueRecipient
		var attrs string
		err := row.Scan(&r.ContactID, &r.Seq, &r.Variant, &r.State, &r.MessageID, &r.Email, &r.FirstName, &r.LastName,
			&attrs, &r.Consent, &r.RecentSends)
		r.Attributes = json.RawMessage(attrs)
		return r, err
	}, campaignID, workspaceID, channel, state, ms(capSince), ms(now), limit)
}

// ApplyRecipientChanges writes a batch of the runner's decisions in one
// transaction: a queued recipient's message row commits with its state, so
// that after a crash every recipient either has its message or is still
// pending.
func (s *Store) ApplyRecipientChanges(ctx context.Context, workspaceID, campaignID string, changes []RecipientChange) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, ch := range changes {
			var err error
			switch {
			case ch.Message != nil:
				m := ch.Message
				if _, err = tx.ExecContext(ctx, s.q.CampaignMessageInsert, m.ID, workspaceID, m.ContactID, m.Channel,
					m.StepKey, campaignID, m.Recipient, m.Subject, ms(m.CreatedAt)); err == nil {
					_, err = tx.ExecContext(ctx, s.q.CampaignRecipientQueue, campaignID, ch.ContactID, m.ID)
				}
			case ch.State != "":
				_, err = tx.ExecContext(ctx, s.q.CampaignRecipientSettle, campaignID, ch.ContactID, ch.State, ch.Reason)
			default:
				_, err = tx.ExecContext(ctx, s.q.CampaignRecipientDefer, campaignID, ch.ContactID, ms(ch.SendAt))
			}
			if err != nil {
				return fmt.Errorf("campaign recipient %s: %w", ch.ContactID, err)
			}
		}
		return nil
	})
}

// FinishCampaignMessages records what became of a batch of sent (or
// refused) messages and their recipients, in one transaction.
func (s *Store) FinishCampaignMessages(ctx context.Context, campaignID string, outs []MessageOutcome) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, o := range outs {
			if _, err := tx.ExecContext(ctx, s.q.CampaignMessageFinish, o.MessageID, o.Status, o.Error, ms(o.SentAt), o.Subject); err != nil {
				return fmt.Errorf("finish campaign message: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q.CampaignRecipientSettle, campaignID, o.ContactID, o.State, o.Error); err != nil {
				return fmt.Errorf("finish campaign recipient: %w", err)
			}
		}
		return nil
	})
}

// CampaignProgress counts a campaign's recipients by state.
func (s *Store) CampaignProgress(ctx context.Context, campaignID string) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, s.q.CampaignProgress, campaignID)
	if err != nil {
		return nil, fmt.Errorf("campaign progress: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("campaign progress: %w", err)
		}
		out[state] = n
	}
	return out, rows.Err()
}

// NextCampaignDue is when the campaign's earliest pending recipient is due;
// zero when none is pending.
func (s *Store) NextCampaignDue(ctx context.Context, campaignID string) (time.Time, error) {
	var v int64
	if err := s.r.QueryRowContext(ctx, s.q.CampaignNextDue, campaignID).Scan(&v); err != nil {
		return time.Time{}, fmt.Errorf("campaign next due: %w", err)
	}
	return fromMS(v), nil
}

// CampaignVariantStats is each A/B variant's sends, clickers and revenue.
func (s *Store) CampaignVariantStats(ctx context.Context, campaignID string) ([]VariantStats, error) {
	return list(ctx, s.r, "campaign variants", s.q.CampaignVariantStats, func(row scanner) (VariantStats, error) {
		var v VariantStats
		return v, row.Scan(&v.Variant, &v.Sent, &v.Clickers, &v.RevenueMinor)
	}, campaignID)
}

// CampaignReport counts a campaign's messages and engagement.
func (s *Store) CampaignReport(ctx context.Context, workspaceID, campaignID string) (CampaignReport, error) {
	var r CampaignReport
	if err := s.r.QueryRowContext(ctx, s.q.CampaignReport, campaignID, workspaceID).Scan(&r.Sent, &r.Bounced, &r.Opened,
		&r.MachineOpens, &r.Clicked, &r.RevenueMinor, &r.Currency, &r.Orders); err != nil {
		return r, fmt.Errorf("campaign report: %w", err)
	}
	r.Delivered = max(r.Sent-r.Bounced, 0)
	if err := s.r.QueryRowContext(ctx, s.q.CampaignUnsubscribes, workspaceID, campaignID).Scan(&r.Unsubscribed); err != nil {
		return r, fmt.Errorf("campaign unsubscribes: %w", err)
	}
	return r, nil
}

// CampaignAudiencePage is the next page (up to limit contact ids, in id
// order after cursor) of everyone with consent for channel: email consent
// and an address for email, a push subscription for push.
func (s *Store) CampaignAudiencePage(ctx context.Context, workspaceID, channel, cursor string, limit int) ([]string, error) {
	q := s.q.CampaignAudienceConsent
	if channel == ChannelPush {
		q = s.q.CampaignAudiencePush
	}
	return list(ctx, s.r, "campaign audience", q, func(row scanner) (string, error) {
		var id string
		return id, row.Scan(&id)
	}, workspaceID, cursor, limit)
}

// SegmentAudiencePage is the next page of the members of any include
// segment that are in no exclude segment. It reads segment_members, the
// table personalization/segments keeps; until that table exists it fails.
func (s *Store) SegmentAudiencePage(ctx context.Context, workspaceID string, include, exclude []string, cursor string, limit int) ([]string, error) {
	return list(ctx, s.r, "segment audience", s.q.CampaignAudienceSegments, func(row scanner) (string, error) {
		var id string
		return id, row.Scan(&id)
	}, workspaceID, strings.Join(include, ","), strings.Join(exclude, ","), cursor, limit)
}

// AddPushSubscription stores a browser's push subscription inside a
// transaction: for seeding many at once (the campaign benchmark).
func (t *Tx) AddPushSubscription(p PushSubscription) error {
	var id string
	var created int64
	if err := t.tx.QueryRowContext(t.ctx, t.q.PushSubscriptionUpsert, p.ID, p.WorkspaceID, p.VisitorID, p.Endpoint, p.P256dh,
		p.Auth, p.UserAgent, ms(p.UpdatedAt)).Scan(&id, &created); err != nil {
		return fmt.Errorf("add push subscription: %w", err)
	}
	return nil
}

// CampaignPushSubscriptions returns the push subscriptions of each of the
// contacts, in one query for a batch.
func (s *Store) CampaignPushSubscriptions(ctx context.Context, workspaceID string, contactIDs []string) (map[string][]PushSubscription, error) {
	ids, err := json.Marshal(contactIDs)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, s.q.CampaignPushSubs, workspaceID, string(ids))
	if err != nil {
		return nil, fmt.Errorf("campaign push subscriptions: %w", err)
	}
	defer rows.Close()
	out := map[string][]PushSubscription{}
	for rows.Next() {
		var contact string
		p := PushSubscription{WorkspaceID: workspaceID}
		if err := rows.Scan(&contact, &p.ID, &p.Endpoint, &p.P256dh, &p.Auth); err != nil {
			return nil, fmt.Errorf("campaign push subscriptions: %w", err)
		}
		out[contact] = append(out[contact], p)
	}
	return out, rows.Err()
}
