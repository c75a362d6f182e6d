package cdp

import (
	"context"
	"errors"
	"fmt"

	"github.com/cartwheelhq/cartwheel/store"
)

// ContactView is everything the admin API shows about one person.
type ContactView struct {
	Contact    store.Contact    `json:"contact"`
	Identities []store.Identity `json:"identities"`
	Consents   []store.Consent  `json:"consents"`
	Profile    *Profile         `json:"profile"`
	Interests  []Interest       `json:"interests"`
}

// Contacts answers the admin API's questions about people.
type Contacts struct{ st *store.Store }

// NewContacts returns the read side of contacts.
func NewContacts(st *store.Store) *Contacts { return &Contacts{st: st} }

// View assembles a contact's profile; a merged contact's id leads to the
// contact it was merged into.
func (c *Contacts) View(ctx context.Context, workspaceID, id string) (ContactView, error) {
	ct, err := c.st.Contact(ctx, workspaceID, id)
	if err != nil {
		return ContactView{}, err
	}
	v := ContactView{Contact: ct}
	if v.Identities, err = c.st.Identities(ctx, workspaceID, ct.ID); err != nil {
		return v, err
	}
	if v.Consents, err = c.st.Consents(ctx, workspaceID, ct.ID); err != nil {
		return v, err
	}
	raw, err := c.st.Profile(ctx, workspaceID, ct.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	if v.Profile, err = decodeProfile(raw); err != nil {
		return v, fmt.Errorf("contact %s profile: %w", ct.ID, err)
	}
	v.Profile.Recent, v.Profile.CheckoutTokens = nil, nil // bookkeeping, not information
	v.Interests = v.Profile.Interests(5)
	return v, nil
}

// ByEmail finds the contact with an email address.
func (c *Contacts) ByEmail(ctx context.Context, workspaceID, email string) (store.Contact, error) {
	em := NormalizeEmail(email)
	if em == "" {
		return store.Contact{}, fmt.Errorf("email %q: %w", email, store.ErrNotFound)
	}
	return c.st.ContactByEmail(ctx, workspaceID, em)
}

// ByVisitor finds the contact a visitor id belongs to.
func (c *Contacts) ByVisitor(ctx context.Context, workspaceID, visitorID string) (store.Contact, error) {
	return c.st.ContactByIdentity(ctx, workspaceID, KindVisitor, visitorID)
}

// Timeline lists a contact's events by the time they happened, newest
// first, after the event before of the previous page (0 = from the newest).
func (c *Contacts) Timeline(ctx context.Context, workspaceID, id string, before int64, limit int) ([]store.Event, error) {
	ct, err := c.st.Contact(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	return c.st.ContactEvents(ctx, workspaceID, ct.ID, before, limit)
}

// VisitorTimeline lists a visitor's own events (before it is identified,
// or when it is not yet processed).
func (c *Contacts) VisitorTimeline(ctx context.Context, workspaceID, visitorID string, before int64, limit int) ([]store.Event, error) {
	return c.st.VisitorEvents(ctx, workspaceID, visitorID, before, limit)
}
