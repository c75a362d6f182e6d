package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ChannelSMS is the message channel of texts.
const ChannelSMS = "sms"

type smsQueries struct {
	SMSSettingsGet       string `query:"sms-settings-get"`
	SMSSettingsPut       string `query:"sms-settings-put"`
	SMSMessageSent       string `query:"sms-message-sent"`
	SMSMessageByProvider string `query:"sms-message-by-provider-id"`
	SMSMessageDelivery   string `query:"sms-message-delivery"`
	SMSMessageGet        string `query:"sms-message-get"`
	SMSContactsByPhone   string `query:"sms-contacts-by-phone"`
}

// SMSSettings returns a workspace's SMS settings document and its sealed
// credentials, or ErrNotFound when none were saved.
func (s *Store) SMSSettings(ctx context.Context, workspaceID string) (value, secret string, err error) {
	err = s.r.QueryRowContext(ctx, s.q.SMSSettingsGet, workspaceID).Scan(&value, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("sms settings: %w", err)
	}
	return value, secret, nil
}

// PutSMSSettings stores a workspace's SMS settings and sealed credentials.
func (s *Store) PutSMSSettings(ctx context.Context, workspaceID, value, secret string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.SMSSettingsPut, workspaceID, value, secret, ms(at)); err != nil {
		return fmt.Errorf("put sms settings: %w", err)
	}
	return nil
}

// SMSMessage is what a provider said about one text.
type SMSMessage struct {
	MessageID    string    `json:"message_id"`
	Provider     string    `json:"provider"`
	ProviderID   string    `json:"provider_id"`
	Segments     int       `json:"segments"`
	Delivery     string    `json:"delivery,omitempty"`
	DeliveryCode string    `json:"delivery_code,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// RecordSMSSent keeps the provider's id of a text it took.
func (s *Store) RecordSMSSent(ctx context.Context, workspaceID string, m SMSMessage) error {
	if _, err := s.w.ExecContext(ctx, s.q.SMSMessageSent, m.MessageID, workspaceID, m.Provider, m.ProviderID, m.Segments,
		m.Delivery, ms(m.UpdatedAt)); err != nil {
		return fmt.Errorf("record sms sent: %w", err)
	}
	return nil
}

// SMSMessageByProviderID finds the message a provider's id names in the
// workspace, or ErrNotFound.
func (s *Store) SMSMessageByProviderID(ctx context.Context, workspaceID, provider, providerID string) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, s.q.SMSMessageByProvider, provider, providerID, workspaceID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("sms message by provider id: %w", err)
	}
	return id, nil
}

// SetSMSDelivery records a text's latest delivery receipt.
func (s *Store) SetSMSDelivery(ctx context.Context, workspaceID, messageID, delivery, code string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, s.q.SMSMessageDelivery, workspaceID, messageID, delivery, code, ms(at))
	if err != nil {
		return fmt.Errorf("set sms delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SMSMessageInfo returns what the provider said about a text.
func (s *Store) SMSMessageInfo(ctx context.Context, workspaceID, messageID string) (SMSMessage, error) {
	var m SMSMessage
	var at int64
	err := s.r.QueryRowContext(ctx, s.q.SMSMessageGet, workspaceID, messageID).Scan(&m.MessageID, &m.Provider, &m.ProviderID,
		&m.Segments, &m.Delivery, &m.DeliveryCode, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("sms message: %w", err)
	}
	m.UpdatedAt = fromMS(at)
	return m, nil
}

// ContactsByPhone lists the ids of contacts whose phone is one of forms
// (up to four ways of writing one number), by their stored phone or a
// phone identity.
func (s *Store) ContactsByPhone(ctx context.Context, workspaceID string, forms []string) ([]string, error) {
	args := []any{workspaceID}
	for i := range 4 {
		v := "\x00" // matches no phone
		if i < len(forms) && forms[i] != "" {
			v = forms[i]
		}
		args = append(args, v)
	}
	rows, err := s.r.QueryContext(ctx, s.q.SMSContactsByPhone, args...)
	if err != nil {
		return nil, fmt.Errorf("contacts by phone: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("contacts by phone: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
