package cdp

import (
	"encoding/json"
	"errors"
	"net/mail"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// Identity kinds in the identity graph.
const (
	KindVisitor = "visitor"
	KindEmail   = "email"
	KindPhone   = "phone"
)

// CustomerKind is the identity kind of a platform's customer id
// ("shopify_customer", "woocommerce_customer", "demo_customer"…): ids are
// only unique within their platform.
func CustomerKind(source string) string {
	switch source {
	case "", "tracker", "api":
		return "customer"
	}
	return source + "_customer"
}

// NormalizeEmail returns the canonical form of an address, or "" if it is
// not one. Lower-casing the local part is technically lossy but is what every
// shop platform does, and it is what makes "Ann@x" and "ann@x" one person.
func NormalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return ""
	}
	return s
}

func normalizePhone(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	if b.Len() < 6 || b.Len() > 16 {
		return ""
	}
	return b.String()
}

type identifier struct{ kind, value string }

// identifiers lists what an event says about who the person is, strongest
// first: an email outranks a platform customer id, which outranks a phone.
func identifiers(e *store.Event, props map[string]json.RawMessage) []identifier {
	var out []identifier
	if em := NormalizeEmail(str(props, "email")); em != "" {
		out = append(out, identifier{KindEmail, em})
	}
	if id := str(props, "customer_id"); id != "" && len(id) <= 64 {
		out = append(out, identifier{CustomerKind(e.Source), id})
	}
	if ph := normalizePhone(str(props, "phone")); ph != "" {
		out = append(out, identifier{KindPhone, ph})
	}
	return out
}

// resolve finds (or creates) the contact an event belongs to, growing the
// identity graph and merging contacts the event shows to be one person.
// It returns "" for an event that names nobody.
func (b *batch) resolve(e *store.Event, props map[string]json.RawMessage) (string, error) {
	ws := e.WorkspaceID
	idents := identifiers(e, props)
	var contact string
	var err error
	switch {
	case e.VisitorID != "":
		contact, err = b.identity(ws, KindVisitor, e.VisitorID)
		if err == nil && contact == "" {
			contact, err = b.newContact(ws, identifier{KindVisitor, e.VisitorID})
		}
	case e.ContactID != "":
		var c store.Contact
		c, err = b.tx.Contact(ws, e.ContactID)
		if errors.Is(err, store.ErrNotFound) {
			return "", &badEvent{"unknown contact " + e.ContactID}
		}
		contact = c.ID
		if err == nil && c.MergedInto != "" {
			contact = c.MergedInto
		}
	case len(idents) > 0:
		contact, err = b.identity(ws, idents[0].kind, idents[0].value)
		if err == nil && contact == "" {
			contact, err = b.newContact(ws, idents[0])
		}
	}
	if err != nil || contact == "" {
		return "", err
	}
	browser := ""
	if e.VisitorID != "" {
		browser = contact
	}
	for _, id := range idents {
		// What a browser says (every identifier of a page's event; for the
		// shop's own events, only how its visitor id relates to the person)
		// is a claim, not a proof.
		claim := e.VisitorID != "" && (contact == browser || pageSource(e.Source))
		if contact, err = b.link(e, contact, id, claim); err != nil {
			return "", err
		}
	}
	if e.Type == EventIdentify || len(idents) > 0 {
		if err := b.updateTraits(ws, contact, props); err != nil {
			return "", err
		}
	}
	return contact, nil
}

func (b *batch) newContact(ws string, first identifier) (string, error) {
	c := store.Contact{WorkspaceID: ws, ID: ids.New("ct"), CreatedAt: b.now, UpdatedAt: b.now}
	switch first.kind {
	case KindEmail:
		c.Email = first.value
	case KindPhone:
		c.Phone = first.value
	}
	if err := b.tx.CreateContact(c); err != nil {
		return "", err
	}
	return c.ID, b.addIdentity(ws, first.kind, first.value, c.ID, b.now)
}

// pageSource reports whether events of source come from a shop's pages,
// where anybody can type anything.
func pageSource(source string) bool { return source == "tracker" || source == "widget" }

// link attaches identifier id to contact, or — when it already belongs to
// another contact — decides which contact the event is really about.
//
// claim says the link rests on a browser's word (docs/tracker.md, "What
// identification reveals"). A claim may merge the browser's anonymous
// contact into the identifier's owner (its history is the browser's own),
// never a known contact: merging would hand one person's identifiers and
// history to whoever typed the other's email or phone. A known browser
// claiming another's email now belongs to that person (a shared
// computer), the histories apart; other claimed identifiers are ignored.
func (b *batch) link(e *store.Event, contact string, id identifier, claim bool) (string, error) {
	ws := e.WorkspaceID
	owner, err := b.identity(ws, id.kind, id.value)
	if err != nil {
		return "", err
	}
	switch {
	case owner == contact:
		return contact, nil
	case owner == "":
		if err := b.addIdentity(ws, id.kind, id.value, contact, b.now); err != nil {
			return "", err
		}
		if id.kind == KindEmail {
			return contact, b.setEmail(ws, contact, id.value)
		}
		return contact, nil
	}
	if claim {
		known, err := b.tx.KnownContact(ws, contact)
		if err != nil {
			return "", err
		}
		switch {
		case !known:
			return owner, b.merge(ws, contact, owner)
		case id.kind != KindEmail:
			return contact, nil
		}
		return owner, b.addIdentity(ws, KindVisitor, e.VisitorID, owner, b.now)
	}
	cur, err := b.tx.Contact(ws, contact)
	if err != nil {
		return "", err
	}
	own, err := b.tx.Contact(ws, owner)
	if err != nil {
		return "", err
	}
	switch {
	case cur.Email == "":
		// An anonymous (or less-known) contact turns out to be owner: its
		// whole history moves there.
		return owner, b.merge(ws, contact, owner)
	case own.Email == "":
		return contact, b.merge(ws, owner, contact)
	case id.kind != KindEmail:
		// Two people with different emails share a phone or customer id:
		// that is bad data, not proof they are one person.
		return contact, nil
	}
	// Two known people with different emails on one browser (a shared
	// computer): the browser now belongs to owner, the histories stay apart.
	if e.VisitorID != "" {
		if err := b.addIdentity(ws, KindVisitor, e.VisitorID, owner, b.now); err != nil {
			return "", err
		}
	}
	return owner, nil
}

func (b *batch) setEmail(ws, contact, email string) error {
	c, err := b.tx.Contact(ws, contact)
	if err != nil {
		return err
	}
	if c.Email != "" {
		return nil
	}
	c.Email, c.UpdatedAt = email, b.now
	return b.tx.UpdateContact(c)
}

// updateTraits copies names and phone from identify-like events.
func (b *batch) updateTraits(ws, contact string, props map[string]json.RawMessage) error {
	first, last, phone := str(props, "first_name"), str(props, "last_name"), normalizePhone(str(props, "phone"))
	if first == "" && last == "" && phone == "" {
		return nil
	}
	c, err := b.tx.Contact(ws, contact)
	if err != nil {
		return err
	}
	changed := false
	for _, f := range []struct {
		dst *string
		v   string
		max int
	}{{&c.FirstName, first, 100}, {&c.LastName, last, 100}, {&c.Phone, phone, 20}} {
		if f.v != "" && len(f.v) <= f.max && *f.dst != f.v {
			*f.dst, changed = f.v, true
		}
	}
	if !changed {
		return nil
	}
	c.UpdatedAt = b.now
	return b.tx.UpdateContact(c)
}

// merge folds contact from into contact into: identifiers, events, profile
// counters, consents (newest per channel wins) and missing fields.
func (b *batch) merge(ws, from, into string) error {
	pf, err := b.profile(ws, from)
	if err != nil {
		return err
	}
	pi, err := b.profile(ws, into)
	if err != nil {
		return err
	}
	pi.merge(pf)
	delete(b.profiles, pkey(ws, from))
	delete(b.dirty, pkey(ws, from))
	b.dirty[pkey(ws, into)] = true

	consents, err := b.tx.Consents(ws, from)
	if err != nil {
		return err
	}
	for _, c := range consents {
		if err := b.tx.SetConsent(ws, into, c); err != nil {
			return err
		}
	}
	if err := b.tx.DeleteConsents(ws, from); err != nil {
		return err
	}
	cf, err := b.tx.Contact(ws, from)
	if err != nil {
		return err
	}
	ci, err := b.tx.Contact(ws, into)
	if err != nil {
		return err
	}
	for _, f := range []struct{ dst, src *string }{{&ci.Email, &cf.Email}, {&ci.Phone, &cf.Phone},
		{&ci.FirstName, &cf.FirstName}, {&ci.LastName, &cf.LastName}} {
		if *f.dst == "" {
			*f.dst = *f.src
		}
	}
	ci.UpdatedAt = b.now
	if err := b.tx.UpdateContact(ci); err != nil {
		return err
	}
	// Every identifier of from now points at into.
	clear(b.idents)
	return b.tx.MergeContact(ws, from, into, b.now)
}

// identityCacheSize bounds the processor's identity cache.
const identityCacheSize = 200_000

func identityKey(ws, kind, value string) string { return ws + "\x00" + kind + "\x00" + value }

// identity resolves an identifier through the processor's cache. The
// processor is the only writer of the identity graph, so the cache cannot go
// stale; it is dropped whenever a batch fails or contacts merge.
func (b *batch) identity(ws, kind, value string) (string, error) {
	k := identityKey(ws, kind, value)
	if c, ok := b.idents[k]; ok {
		return c, nil
	}
	c, err := b.tx.IdentityContact(ws, kind, value)
	if err == nil && c != "" {
		if len(b.idents) >= identityCacheSize {
			clear(b.idents)
		}
		b.idents[k] = c
	}
	return c, err
}

func (b *batch) addIdentity(ws, kind, value, contact string, at time.Time) error {
	if err := b.tx.AddIdentity(ws, kind, value, contact, at); err != nil {
		return err
	}
	b.idents[identityKey(ws, kind, value)] = contact
	return nil
}
