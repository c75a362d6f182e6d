package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/bounce"
	"github.com/cartwheelhq/cartwheel/store"
)

// HandleReport applies a DSN or ARF report about one message (the
// bounce.Handler the listener calls). The address acted on is the one the
// message was sent to, never one the report names: a report can only
// suppress the address of a message this instance sent, whatever it says.
//   - hard bounce (failed, 5.x.x): suppressed at once;
//   - soft bounce (failed, 4.x.x): counted, suppressed at the workspace's
//     soft_bounce_limit within soft_bounce_window;
//   - complaint: suppressed at once and the email consent revoked.
//
// Each logs email_bounced or email_complained. A report delivered twice is
// applied once: the feedback row that says so is written last, after the
// suppression and the events, so a failure half-way (answered 451, and the
// MTA retries) may log an event twice but never loses the suppression or
// the consent withdrawal.
func (s *Service) HandleReport(ctx context.Context, ref bounce.Ref, rep bounce.Report) error {
	m, err := s.st.Message(ctx, ref.WorkspaceID, ref.MessageID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (m.WorkspaceID != ref.WorkspaceID || m.Channel != store.ChannelEmail) {
		return bounce.ErrUnknownMessage
	}
	if err != nil {
		return err
	}
	addr, ok := NormalizeEmail(m.Recipient)
	if !ok {
		return bounce.ErrUnknownMessage
	}
	now := s.now().UTC()
	if rep.Kind == bounce.KindComplaint {
		return s.complaint(ctx, m, addr, rep.Feedback, now)
	}
	r, found := recipientFor(rep.Recipients, addr)
	if !found {
		s.log.Info("bounce report names another recipient; ignored", "workspace", m.WorkspaceID, "message", m.ID)
		return nil
	}
	outcome := r.Outcome()
	if outcome == bounce.Other {
		return nil
	}
	kind := store.FeedbackHardBounce
	if outcome == bounce.Soft {
		kind = store.FeedbackSoftBounce
	}
	if seen, err := s.st.HasEmailFeedback(ctx, m.WorkspaceID, m.ID, kind); err != nil || seen {
		return err
	}
	suppress := kind == store.FeedbackHardBounce
	reason := store.SuppressHardBounce
	if !suppress {
		set, err := s.Settings(ctx, m.WorkspaceID)
		if err != nil {
			return err
		}
		n, err := s.st.CountEmailFeedback(ctx, m.WorkspaceID, addr, store.FeedbackSoftBounce, now.Add(-time.Duration(set.SoftBounceWindow)))
		if err != nil {
			return err
		}
		// This bounce is not stored yet: it is the n+1th.
		suppress, reason = n+1 >= set.SoftBounceLimit, store.SuppressSoftBounce
	}
	if suppress {
		if err := s.st.Suppress(ctx, []store.Suppression{{WorkspaceID: m.WorkspaceID, Email: addr, Reason: reason,
			Source: SourceDSN, Detail: trimDetail(r.Status + " " + r.DiagnosticCode), MessageID: m.ID, CreatedAt: now}}); err != nil {
			return err
		}
	}
	if err := s.record(ctx, m, EventEmailBounced, SourceDSN, now, map[string]any{"message_id": m.ID, "flow_id": m.FlowID,
		"bounce": outcome, "status": r.Status, "diagnostic": r.DiagnosticCode, "remote_mta": r.RemoteMTA, "suppressed": suppress}); err != nil {
		return err
	}
	if _, err := s.st.RecordEmailFeedback(ctx, store.EmailFeedback{WorkspaceID: m.WorkspaceID, MessageID: m.ID, Kind: kind,
		Email: addr, Status: r.Status, Detail: r.DiagnosticCode, CreatedAt: now}); err != nil {
		return err
	}
	s.log.Info("email bounced", "workspace", m.WorkspaceID, "message", m.ID, "bounce", outcome, "status", r.Status, "suppressed", suppress)
	return nil
}

func (s *Service) complaint(ctx context.Context, m store.Message, addr string, f bounce.Feedback, now time.Time) error {
	if seen, err := s.st.HasEmailFeedback(ctx, m.WorkspaceID, m.ID, store.FeedbackComplaint); err != nil || seen {
		return err
	}
	if err := s.st.Suppress(ctx, []store.Suppression{{WorkspaceID: m.WorkspaceID, Email: addr, Reason: store.SuppressComplaint,
		Source: SourceARF, Detail: trimDetail(f.Type + " " + f.UserAgent), MessageID: m.ID, CreatedAt: now}}); err != nil {
		return err
	}
	if err := s.record(ctx, m, EventEmailComplained, SourceARF, now, map[string]any{"message_id": m.ID, "flow_id": m.FlowID,
		"feedback_type": f.Type, "user_agent": f.UserAgent, "reported_domain": f.ReportedDomain}); err != nil {
		return err
	}
	// Consent changes only through consent events (the profile processor
	// applies them); the source says it was a complaint.
	if err := s.record(ctx, m, EventConsent, SourceComplaint, now, map[string]any{"email": false,
		"text": fmt.Sprintf("marked as spam (%s report)", f.Type), "message_id": m.ID}); err != nil {
		return err
	}
	if _, err := s.st.RecordEmailFeedback(ctx, store.EmailFeedback{WorkspaceID: m.WorkspaceID, MessageID: m.ID,
		Kind: store.FeedbackComplaint, Email: addr, Status: f.Type, Detail: f.UserAgent, CreatedAt: now}); err != nil {
		return err
	}
	s.log.Info("email complaint", "workspace", m.WorkspaceID, "message", m.ID, "feedback_type", f.Type)
	return nil
}

func (s *Service) record(ctx context.Context, m store.Message, typ, source string, at time.Time, props map[string]any) error {
	if s.rec == nil || m.ContactID == "" {
		return nil
	}
	return s.rec.RecordFor(ctx, m.WorkspaceID, m.ContactID, typ, source, at, props)
}

// recipientFor picks the report's block about addr; a report with a single
// block is about the message's one recipient, whatever address it gives
// (a forwarding address, say).
func recipientFor(rs []bounce.Recipient, addr string) (bounce.Recipient, bool) {
	for _, r := range rs {
		if r.FinalRecipient == addr || r.OriginalRecipient == addr {
			return r, true
		}
	}
	if len(rs) == 1 {
		return rs[0], true
	}
	return bounce.Recipient{}, false
}

func trimDetail(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}
