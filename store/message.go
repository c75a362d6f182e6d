package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Message channels and statuses.
const (
	ChannelEmail = "email"
	ChannelPush  = "push"
	ChannelInbox = "inbox"

	MessageQueued  = "queued"
	MessageSent    = "sent"
	MessageOutbox  = "outbox"
	MessageFailed  = "failed"
	MessageSkipped = "skipped"
)

// Message is one email, push or inbox item for one contact, with its
// engagement and the order credited to it.
type Message struct {
	ID           string          `json:"id"`
	WorkspaceID  string          `json:"workspace_id"`
	ContactID    string          `json:"contact_id"`
	Channel      string          `json:"channel"`
	StepKey      string          `json:"step_key"`
	FlowID       string          `json:"flow_id,omitempty"`
	EnrollmentID string          `json:"enrollment_id,omitempty"`
	Status       string          `json:"status"`
	Recipient    string          `json:"recipient,omitempty"`
	Subject      string          `json:"subject,omitempty"`
	Body         json.RawMessage `json:"body"`
	Error        string          `json:"error,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	SentAt       time.Time       `json:"sent_at,omitzero"`
	Opens        int             `json:"opens"`
	MachineOpens int             `json:"machine_opens"`
	FirstOpenAt  time.Time       `json:"first_open_at,omitzero"`
	Clicks       int             `json:"clicks"`
	FirstClickAt time.Time       `json:"first_click_at,omitzero"`
	LastClickAt  time.Time       `json:"last_click_at,omitzero"`
	ReadAt       time.Time       `json:"read_at,omitzero"`
	OrderID      string          `json:"order_id,omitempty"`
	RevenueMinor int64           `json:"revenue_minor,omitempty"`
	Currency     string          `json:"currency,omitempty"`
}

// MessageFilter narrows a message listing; empty fields match all.
type MessageFilter struct {
	Channel   string
	Status    string
	ContactID string
	// From and To bound the time messages were made; Engaged narrows to
	// what the dashboard counts (EngagedDelivered, EngagedOpened…).
	From, To time.Time
	Engaged  string
	// Before and BeforeID are the previous page's last CreatedAt and ID.
	Before   time.Time
	BeforeID string
	Limit    int
}

type messageQueries struct {
	MessageInsert      string `query:"message-insert"`
	MessageByStepKey   string `query:"message-by-step-key"`
	MessageGet         string `query:"message-get"`
	MessageList        string `query:"message-list"`
	MessageSetStatus   string `query:"message-set-status"`
	MessageCountSince  string `query:"message-count-since"`
	MessageOpen        string `query:"message-open"`
	MessageClick       string `query:"message-click"`
	MessageRead        string `query:"message-read"`
	MessageAttribute   string `query:"message-attribute"`
	MessageOrderNet    string `query:"message-order-net"`
	MessagingSettings  string `query:"messaging-settings-get"`
	MessagingSettingsW string `query:"messaging-settings-put"`
	MessagingDOI       string `query:"messaging-double-opt-in"`

	MessagesRepoint            string `query:"messages-repoint-contact"`
	EnrollmentsRepoint         string `query:"enrollments-repoint-contact"`
	EraseMessagesContact       string `query:"erase-messages-contact"`
	EraseTriggerFiresContact   string `query:"erase-trigger-fires-contact"`
	EraseWorkspaceMessages     string `query:"erase-workspace-messages"`
	EraseWorkspaceTriggerFires string `query:"erase-workspace-trigger-fires"`
}

func scanMessage(row scanner) (Message, error) {
	var m Message
	var body string
	var created, sent, firstOpen, firstClick, lastClick, read int64
	err := row.Scan(&m.ID, &m.WorkspaceID, &m.ContactID, &m.Channel, &m.StepKey, &m.FlowID, &m.EnrollmentID, &m.Status,
		&m.Recipient, &m.Subject, &body, &m.Error, &created, &sent, &m.Opens, &m.MachineOpens, &firstOpen, &m.Clicks,
		&firstClick, &lastClick, &read, &m.OrderID, &m.RevenueMinor, &m.Currency)
	m.Body = json.RawMessage(body)
	m.CreatedAt, m.SentAt, m.FirstOpenAt = fromMS(created), fromMS(sent), fromMS(firstOpen)
	m.FirstClickAt, m.LastClickAt, m.ReadAt = fromMS(firstClick), fromMS(lastClick), fromMS(read)
	return m, err
}

// CreateMessage stores m unless a message with its step key exists; either
// way it returns the stored message and whether this call created it. A
// step repeated after a crash thus finds what the first attempt made (and
// its status says whether it went out).
func (s *Store) CreateMessage(ctx context.Context, m Message) (Message, bool, error) {
	if len(m.Body) == 0 {
		m.Body = json.RawMessage("{}")
	}
	var id string
	err := s.w.QueryRowContext(ctx, s.q.MessageInsert, m.ID, m.WorkspaceID, m.ContactID, m.Channel, m.StepKey, m.FlowID,
		m.EnrollmentID, m.Status, m.Recipient, m.Subject, string(m.Body), m.Error, ms(m.CreatedAt), ms(m.SentAt)).Scan(&id)
	switch {
	case err == nil:
		return m, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return Message{}, false, fmt.Errorf("create message: %w", err)
	}
	stored, err := s.MessageByStepKey(ctx, m.WorkspaceID, m.StepKey)
	return stored, false, err
}

// MessageByStepKey returns the message a step made, as committed.
func (s *Store) MessageByStepKey(ctx context.Context, workspaceID, key string) (Message, error) {
	m, err := scanMessage(s.r.QueryRowContext(ctx, s.q.MessageByStepKey, workspaceID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, ErrNotFound
	}
	if err != nil {
		return Message{}, fmt.Errorf("message by step key: %w", err)
	}
	return m, nil
}

// Message returns a message by id. The id is global (tracking links carry
// only it); workspaceID, when not empty, must match.
func (s *Store) Message(ctx context.Context, workspaceID, id string) (Message, error) {
	m, err := scanMessage(s.r.QueryRowContext(ctx, s.q.MessageGet, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && workspaceID != "" && m.WorkspaceID != workspaceID {
		return Message{}, ErrNotFound
	}
	if err != nil {
		return Message{}, fmt.Errorf("message: %w", err)
	}
	return m, nil
}

// Messages lists a workspace's messages newest first.
func (s *Store) Messages(ctx context.Context, workspaceID string, f MessageFilter) ([]Message, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	if f.hasPeriod() {
		return s.messagesInPeriod(ctx, workspaceID, f)
	}
	return list(ctx, s.r, "messages", s.q.MessageList, scanMessage, workspaceID, f.Channel, f.Status, f.ContactID,
		ms(f.Before), f.BeforeID, f.Limit)
}

// SetMessageStatus records what became of a message; sentAt is zero unless
// it went out.
func (s *Store) SetMessageStatus(ctx context.Context, workspaceID, id, status, errText string, sentAt time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.MessageSetStatus, workspaceID, id, status, errText, ms(sentAt)); err != nil {
		return fmt.Errorf("set message status: %w", err)
	}
	return nil
}

// CountMessagesSince counts the contact's messages on a channel that went
// out (or to the outbox) at or after since: what frequency caps compare.
func (s *Store) CountMessagesSince(ctx context.Context, workspaceID, contactID, channel string, since time.Time) (int, error) {
	var n int
	// The read pool: a cap counts committed sends, and two steps of one
	// contact racing within milliseconds may both pass, which a cap can
	// afford; the writer cannot afford a read per send.
	if err := s.r.QueryRowContext(ctx, s.q.MessageCountSince, workspaceID, contactID, channel, ms(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count messages: %w", err)
	}
	return n, nil
}

// RecordMessageOpen counts an open of a message; machine opens (privacy
// proxies, scanners) are counted apart.
func (s *Store) RecordMessageOpen(ctx context.Context, id string, machine bool, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.MessageOpen, id, machine, ms(at)); err != nil {
		return fmt.Errorf("record open: %w", err)
	}
	return nil
}

// RecordMessageClick counts a click of a message.
func (s *Store) RecordMessageClick(ctx context.Context, id string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.MessageClick, id, ms(at)); err != nil {
		return fmt.Errorf("record click: %w", err)
	}
	return nil
}

// MarkMessageRead marks an inbox message read (the first time only).
func (s *Store) MarkMessageRead(ctx context.Context, workspaceID, id string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.MessageRead, workspaceID, id, ms(at)); err != nil {
		return fmt.Errorf("mark message read: %w", err)
	}
	return nil
}

// AttributeOrder credits an order to the contact's message clicked most
// recently between from and to that has no order yet (last click wins);
// it returns that message's id, or "" when none qualifies.
func (s *Store) AttributeOrder(ctx context.Context, workspaceID, contactID, orderID string, revenueMinor int64, currency string, from, to time.Time) (string, error) {
	var id string
	err := s.w.QueryRowContext(ctx, s.q.MessageAttribute, workspaceID, contactID, orderID, revenueMinor, currency,
		ms(from), ms(to)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("attribute order: %w", err)
	}
	return id, nil
}

// SetAttributedRevenue sets what the message credited with an order
// counts for it, once refunds or a cancellation reduced the order. It is a
// value, not a decrement, so that replaying the event changes nothing.
func (s *Store) SetAttributedRevenue(ctx context.Context, workspaceID, orderID string, revenueMinor int64) error {
	if _, err := s.w.ExecContext(ctx, s.q.MessageOrderNet, workspaceID, orderID, max(revenueMinor, 0)); err != nil {
		return fmt.Errorf("attributed revenue of order %s: %w", orderID, err)
	}
	return nil
}

// MessagingSettings returns a workspace's messaging settings document, or
// nil when none were saved.
func (s *Store) MessagingSettings(ctx context.Context, workspaceID string) (json.RawMessage, error) {
	var v string
	err := s.r.QueryRowContext(ctx, s.q.MessagingSettings, workspaceID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("messaging settings: %w", err)
	}
	return json.RawMessage(v), nil
}

// PutMessagingSettings replaces a workspace's messaging settings.
func (s *Store) PutMessagingSettings(ctx context.Context, workspaceID string, v json.RawMessage, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.MessagingSettingsW, workspaceID, string(v), ms(at)); err != nil {
		return fmt.Errorf("put messaging settings: %w", err)
	}
	return nil
}

// DoubleOptIn reports whether the workspace asks site sign-ups to confirm
// their email first. It is read inside the profile processor's
// transaction, which applies consents.
func (t *Tx) DoubleOptIn(workspaceID string) (bool, error) {
	var on bool
	err := t.tx.QueryRowContext(t.ctx, t.q.MessagingDOI, workspaceID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("double opt-in setting: %w", err)
	}
	return on, nil
}
