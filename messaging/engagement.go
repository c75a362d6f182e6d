package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/l10n"
	"github.com/cartwheelhq/cartwheel/store"
)

// Event types and sources the engagement side logs. Consent is changed
// only through consent events, which the profile processor applies.
const (
	EventEmailClicked = "email_clicked"
	EventEmailOpened  = "email_opened"
	EventPushClicked  = "push_clicked"
	EventConsent      = "consent"

	SourceEmail       = "email"
	SourcePush        = "push"
	SourceEmailLink   = "email_link"
	SourceDoubleOptIn = "double_opt_in"

	eventOrderPlaced    = "order_placed"
	eventOrderRefunded  = "order_refunded"
	eventOrderCancelled = "order_cancelled"
)

// Recorder logs an event about a known contact; *cdp.Ingest satisfies it.
type Recorder interface {
	RecordFor(ctx context.Context, workspaceID, contactID, typ, source string, at time.Time, props any) error
}

// ErrBadLink is returned for a tracking URL or token that was not signed
// by this instance, was altered, is malformed, or names a contact that no
// longer exists. Handlers answer 404 and never redirect.
var ErrBadLink = errors.New("messaging: invalid or unknown link")

// Engagement handles what people do with the messages they got: clicks
// and opens (counted on the message and logged as events), unsubscribes,
// the preference page, double opt-in confirmations, order attribution and
// the on-site inbox.
type Engagement struct {
	st       *store.Store
	links    Links
	rec      Recorder
	settings func(ctx context.Context, workspaceID string) (Settings, error)
	log      *slog.Logger
	now      func() time.Time
}

// NewEngagement returns the engagement service. settings is usually
// (*Service).Settings; now may be nil (time.Now).
func NewEngagement(st *store.Store, links Links, rec Recorder, settings func(ctx context.Context, workspaceID string) (Settings, error),
	log *slog.Logger, now func() time.Time) *Engagement {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engagement{st: st, links: links, rec: rec, settings: settings, log: log, now: now}
}

func badLink(err error) error { return fmt.Errorf("%w: %w", ErrBadLink, err) }

// message returns the message a verified link names and the contact it
// now lives in (following merges); ok is false when either was erased.
func (e *Engagement) message(ctx context.Context, id string) (store.Message, string, bool, error) {
	m, err := e.st.Message(ctx, "", id)
	if errors.Is(err, store.ErrNotFound) {
		return m, "", false, nil
	}
	if err != nil {
		return m, "", false, err
	}
	c, err := e.st.Contact(ctx, m.WorkspaceID, m.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		return m, "", true, nil
	}
	if err != nil {
		return m, "", false, err
	}
	return m, c.ID, true, nil
}

// EmailClick verifies an email click URL (path and query as received),
// counts the click and logs email_clicked for the message's contact. It
// returns where to redirect: the target, with a proof that the browser is
// the message's contact (ProofParam) when the target is the workspace's
// storefront. A bad signature is ErrBadLink: the target is never followed
// unless this instance signed it. Failing to count a verified click does
// not keep the person from the shop: it is logged and the target still
// returned.
func (e *Engagement) EmailClick(ctx context.Context, path string, q url.Values) (string, error) {
	info, err := e.links.EmailTracker().ParseClick(path, q)
	if err != nil {
		return "", badLink(err)
	}
	m, contact := e.click(ctx, info.MessageID, EventEmailClicked, SourceEmail, func(m store.Message) map[string]any {
		return map[string]any{"message_id": m.ID, "flow_id": m.FlowID, "url": info.URL, "link_index": info.Index}
	})
	return e.withProof(ctx, info.URL, m.WorkspaceID, contact, ProofEmailLink), nil
}

// PushClick is EmailClick for a web push notification's click URL; it
// logs push_clicked.
func (e *Engagement) PushClick(ctx context.Context, path string, q url.Values) (string, error) {
	info, err := e.links.PushTracker().ParseClick(path, q)
	if err != nil {
		return "", badLink(err)
	}
	m, contact := e.click(ctx, info.MessageID, EventPushClicked, SourcePush, func(m store.Message) map[string]any {
		return map[string]any{"message_id": m.ID, "flow_id": m.FlowID, "url": info.URL}
	})
	return e.withProof(ctx, info.URL, m.WorkspaceID, contact, ProofPushLink), nil
}

// click counts a verified click and returns its message and the contact it
// now lives in ("" when erased or unreadable).
func (e *Engagement) click(ctx context.Context, id, typ, source string, props func(store.Message) map[string]any) (store.Message, string) {
	m, contact, ok, err := e.message(ctx, id)
	if err != nil || !ok {
		if err != nil {
			e.log.Warn("click not recorded", "message", id, "err", err)
		}
		return m, ""
	}
	at := e.now().UTC()
	if err := e.st.RecordMessageClick(ctx, m.ID, at); err != nil {
		e.log.Warn("click not counted", "message", m.ID, "err", err)
	}
	if contact == "" {
		return m, ""
	}
	if err := e.rec.RecordFor(ctx, m.WorkspaceID, contact, typ, source, at, props(m)); err != nil {
		e.log.Warn("click event not logged", "message", m.ID, "err", err)
	}
	return m, contact
}

// EmailOpen verifies an open-pixel request and counts it, machine opens
// (Apple Mail Privacy Protection, scanners; see email.ClassifyOpen) apart
// from human ones. Only human opens are logged, as email_opened. The
// caller serves the pixel whatever this returns.
func (e *Engagement) EmailOpen(ctx context.Context, path string, q url.Values, userAgent, ip string) error {
	info, err := e.links.EmailTracker().ParseOpen(path, q)
	if err != nil {
		return badLink(err)
	}
	m, contact, ok, err := e.message(ctx, info.MessageID)
	if err != nil || !ok {
		return err
	}
	machine := email.ClassifyOpen(userAgent, ip) == email.OpenMachine
	at := e.now().UTC()
	if err := e.st.RecordMessageOpen(ctx, m.ID, machine, at); err != nil {
		return err
	}
	if machine || contact == "" {
		return nil
	}
	return e.rec.RecordFor(ctx, m.WorkspaceID, contact, EventEmailOpened, SourceEmail, at,
		map[string]any{"message_id": m.ID, "machine": false})
}

// UnsubscribeResult says who was unsubscribed, for the page that confirms
// it.
type UnsubscribeResult struct {
	WorkspaceID string
	ContactID   string
	Email       string
	// Shop is the workspace's name, what the page calls the sender.
	Shop string
	// Lang is the language of the workspace's locale, which the pages
	// are written in.
	Lang l10n.Lang
}

// contactLink is a verified contact token's contact.
func (e *Engagement) contactLink(ctx context.Context, info email.UnsubscribeInfo) (UnsubscribeResult, error) {
	c, err := e.st.Contact(ctx, info.WorkspaceID, info.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		return UnsubscribeResult{}, badLink(err)
	}
	if err != nil {
		return UnsubscribeResult{}, err
	}
	r := UnsubscribeResult{WorkspaceID: c.WorkspaceID, ContactID: c.ID, Email: c.Email}
	if r.WorkspaceID == "" {
		r.WorkspaceID = info.WorkspaceID
	}
	w, err := e.st.Workspace(ctx, r.WorkspaceID)
	if errors.Is(err, store.ErrNotFound) {
		return UnsubscribeResult{}, badLink(err)
	}
	if err != nil {
		return UnsubscribeResult{}, err
	}
	r.Shop, r.Lang = w.Name, l10n.For(w.Locale)
	return r, nil
}

// emailConsent returns the contact's email consent, found is false when
// none was ever recorded.
func (e *Engagement) emailConsent(ctx context.Context, ws, contact string) (store.Consent, bool, error) {
	cs, err := e.st.Consents(ctx, ws, contact)
	if err != nil {
		return store.Consent{}, false, err
	}
	for _, c := range cs {
		if c.Channel == "email" {
			return c, true, nil
		}
	}
	return store.Consent{}, false, nil
}

// Unsubscribe withdraws the email consent of the contact a signed
// unsubscribe token names, by logging a consent event (source email_link)
// that the profile processor applies. oneClick says it came as an RFC 8058
// one-click POST rather than from the page. Unsubscribing someone already
// unsubscribed logs nothing and succeeds.
func (e *Engagement) Unsubscribe(ctx context.Context, token string, oneClick bool) (UnsubscribeResult, error) {
	info, err := e.links.ParseContactToken(token)
	if err != nil {
		return UnsubscribeResult{}, badLink(err)
	}
	r, err := e.contactLink(ctx, info)
	if err != nil {
		return r, err
	}
	c, found, err := e.emailConsent(ctx, r.WorkspaceID, r.ContactID)
	if err != nil {
		return r, err
	}
	if found && !c.Granted && !strings.HasPrefix(c.Text, pendingConsentPrefix) {
		return r, nil
	}
	text := "unsubscribed via the unsubscribe page"
	if oneClick {
		text = "unsubscribed via one-click link"
	}
	props := map[string]any{"email": false, "text": text}
	if info.MessageID != "" {
		props["message_id"] = info.MessageID
	}
	if err := e.rec.RecordFor(ctx, r.WorkspaceID, r.ContactID, EventConsent, SourceEmailLink, e.now().UTC(), props); err != nil {
		return r, err
	}
	e.log.Info("email unsubscribe", "workspace", r.WorkspaceID, "contact", r.ContactID, "one_click", oneClick)
	return r, nil
}

// pendingConsentPrefix is cdp.PendingConsentPrefix: the text of an email
// consent that waits for its double opt-in confirmation.
const pendingConsentPrefix = "pending confirmation: "

// PreferenceView is what the preference page shows.
type PreferenceView struct {
	UnsubscribeResult
	// EmailOn is the current email consent (false when never given).
	EmailOn bool
	// Pending is a sign-up waiting for its double opt-in confirmation.
	Pending bool
	// UpdatedAt is when the consent last changed; zero when never recorded.
	UpdatedAt time.Time
}

// Preferences returns the preference page of the contact a signed
// preference (or unsubscribe) token names.
func (e *Engagement) Preferences(ctx context.Context, token string) (PreferenceView, error) {
	info, err := e.links.ParseContactToken(token)
	if err != nil {
		return PreferenceView{}, badLink(err)
	}
	r, err := e.contactLink(ctx, info)
	if err != nil {
		return PreferenceView{}, err
	}
	c, _, err := e.emailConsent(ctx, r.WorkspaceID, r.ContactID)
	if err != nil {
		return PreferenceView{}, err
	}
	return PreferenceView{UnsubscribeResult: r, EmailOn: c.Granted, UpdatedAt: c.UpdatedAt,
		Pending: !c.Granted && strings.HasPrefix(c.Text, pendingConsentPrefix)}, nil
}

// SavePreferences records the choice made on the preference page as a
// consent event (source email_link). Re-subscribing from a link in a mail
// sent to the address proves the address is the person's, so it needs no
// double opt-in. A choice equal to the current state logs nothing.
func (e *Engagement) SavePreferences(ctx context.Context, token string, emailOn bool) error {
	v, err := e.Preferences(ctx, token)
	if err != nil {
		return err
	}
	if v.EmailOn == emailOn && !v.UpdatedAt.IsZero() && !v.Pending {
		return nil
	}
	text := "unsubscribed on the preference page"
	if emailOn {
		text = "re-subscribed on the preference page"
	}
	return e.rec.RecordFor(ctx, v.WorkspaceID, v.ContactID, EventConsent, SourceEmailLink, e.now().UTC(),
		map[string]any{"email": emailOn, "text": text})
}

// Confirm grants the email consent of the contact a signed double opt-in
// link names (source double_opt_in). A second click logs nothing.
func (e *Engagement) Confirm(ctx context.Context, token string) error {
	info, err := e.links.ParseConfirm(token)
	if err != nil {
		return badLink(err)
	}
	r, err := e.contactLink(ctx, info)
	if err != nil {
		return err
	}
	c, found, err := e.emailConsent(ctx, r.WorkspaceID, r.ContactID)
	if err != nil {
		return err
	}
	if found && c.Granted && c.Source == SourceDoubleOptIn {
		return nil
	}
	return e.rec.RecordFor(ctx, r.WorkspaceID, r.ContactID, EventConsent, SourceDoubleOptIn, e.now().UTC(),
		map[string]any{"email": true, "confirmed": true, "text": "confirmed by email link"})
}

// ConfirmLang is the language of the workspace a double opt-in link
// belongs to, for the page that thanks the person; English for a link
// that does not verify.
func (e *Engagement) ConfirmLang(ctx context.Context, token string) l10n.Lang {
	info, err := e.links.ParseConfirm(token)
	if err != nil {
		return l10n.English
	}
	r, err := e.contactLink(ctx, info)
	if err != nil {
		return l10n.English
	}
	return r.Lang
}

// orderProps are the order event props attribution reads.
type orderProps struct {
	OrderID       string `json:"order_id"`
	TotalMinor    int64  `json:"total_minor"`
	RefundedMinor int64  `json:"refunded_minor"`
	Currency      string `json:"currency"`
}

// Attribute credits an order_placed event's order to the contact's
// message clicked last within the workspace's attribution window before
// the order (last click wins). An order already credited (the event seen
// again on a replay) is not credited twice. order_refunded and
// order_cancelled bring the credited message's revenue down to what the
// order still brings in. Other events are ignored.
func (e *Engagement) Attribute(ctx context.Context, ev store.Event, contactID string) error {
	switch ev.Type {
	case eventOrderPlaced:
	case eventOrderRefunded, eventOrderCancelled:
		var p orderProps
		if err := json.Unmarshal(ev.Props, &p); err != nil || p.OrderID == "" {
			return nil
		}
		net := p.TotalMinor - p.RefundedMinor
		if ev.Type == eventOrderCancelled {
			net = 0
		}
		return e.st.SetAttributedRevenue(ctx, ev.WorkspaceID, p.OrderID, net)
	default:
		return nil
	}
	if contactID == "" {
		contactID = ev.ContactID
	}
	var p orderProps
	if err := json.Unmarshal(ev.Props, &p); err != nil || p.OrderID == "" || contactID == "" {
		return nil
	}
	set, err := e.settings(ctx, ev.WorkspaceID)
	if err != nil {
		return err
	}
	done, err := e.st.Messages(ctx, ev.WorkspaceID, store.MessageFilter{ContactID: contactID, Limit: 500})
	if err != nil {
		return err
	}
	for _, m := range done {
		if m.OrderID == p.OrderID {
			return nil
		}
	}
	to := ev.OccurredAt
	if to.IsZero() {
		to = e.now()
	}
	id, err := e.st.AttributeOrder(ctx, ev.WorkspaceID, contactID, p.OrderID, p.TotalMinor, p.Currency,
		to.Add(-time.Duration(set.AttributionWindow)), to)
	if err != nil {
		return err
	}
	e.log.Debug("order attribution", "workspace", ev.WorkspaceID, "order", p.OrderID, "message", id)
	return nil
}

// Inbox lists a contact's on-site inbox messages newest first (at most
// 100; failed and skipped ones left out).
func (e *Engagement) Inbox(ctx context.Context, workspaceID, contactID string) ([]store.Message, error) {
	ms, err := e.st.Messages(ctx, workspaceID, store.MessageFilter{Channel: store.ChannelInbox, ContactID: contactID, Limit: 100})
	if err != nil {
		return nil, err
	}
	out := ms[:0]
	for _, m := range ms {
		if m.Status != store.MessageFailed && m.Status != store.MessageSkipped {
			out = append(out, m)
		}
	}
	return out, nil
}

// MarkRead marks one of the contact's inbox messages read; a message of
// another contact, or not an inbox message, is store.ErrNotFound.
func (e *Engagement) MarkRead(ctx context.Context, workspaceID, contactID, messageID string) error {
	m, err := e.st.Message(ctx, workspaceID, messageID)
	if err != nil {
		return err
	}
	if m.ContactID != contactID || m.Channel != store.ChannelInbox {
		return store.ErrNotFound
	}
	return e.st.MarkMessageRead(ctx, workspaceID, messageID, e.now().UTC())
}
