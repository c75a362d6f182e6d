package campaigns

import (
	"context"

	"github.com/cartwheelhq/cartwheel/store"
)

// Audience pages through who a campaign goes to, in ascending contact id
// order: the runner keeps the last id it materialised as its cursor, so a
// restart continues from there. include and exclude are segment ids; an
// audience for "everyone with consent" gets neither.
//
// Paging (rather than one callback over a stream) is what lets the cursor
// commit with each batch of recipients: a stream would have to be read
// from its start again after a crash.
type Audience interface {
	Page(ctx context.Context, workspaceID, channel string, include, exclude []string, cursor string, limit int) ([]string, error)
}

// ConsentAudience is everyone with consent for the channel: granted email
// consent and an address for email, a push subscription for push (the
// browser's permission prompt is the opt-in).
type ConsentAudience struct{ Store *store.Store }

// Page implements Audience.
func (a ConsentAudience) Page(ctx context.Context, workspaceID, channel string, _, _ []string, cursor string, limit int) ([]string, error) {
	return a.Store.CampaignAudiencePage(ctx, workspaceID, channel, cursor, limit)
}

// SegmentMembers is the members of any include segment that are in no
// exclude segment, read from segment_members(workspace_id, segment_id,
// contact_id, since), the table personalization/segments keeps. Consent is
// checked when each message is sent. Plug it in as Options.Segments once
// that table exists.
type SegmentMembers struct{ Store *store.Store }

// Page implements Audience.
func (a SegmentMembers) Page(ctx context.Context, workspaceID, _ string, include, exclude []string, cursor string, limit int) ([]string, error) {
	return a.Store.SegmentAudiencePage(ctx, workspaceID, include, exclude, cursor, limit)
}

// SMSSender is the hook for the SMS channel: the SMS engineer's provider
// (messaging/sms) fits it. A campaign on channel "sms" is refused until
// Options.SMS is set and the runner sends through it (sms consent, the
// contact's phone, the text rendered like a push body).
type SMSSender interface {
	SendSMS(ctx context.Context, workspaceID, to, text, messageID string) error
}
