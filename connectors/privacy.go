package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// Export is the document a data request produces: everything Cartwheel
// holds on the customer, for the shop admin to hand over.
type Export struct {
	GeneratedAt time.Time               `json:"generated_at"`
	Request     commerce.PrivacyRequest `json:"request"`
	Contact     *cdp.ContactView        `json:"contact,omitempty"`
	Orders      []commerce.Order        `json:"orders"`
	Events      []store.Event           `json:"events"`
	Notes       []string                `json:"notes,omitempty"`
	// ContactNotes are what the shop's team wrote on the contact's card:
	// held on the person, so theirs to see.
	ContactNotes []store.ContactNote `json:"contact_notes"`
}

// privacy carries out a data request, a customer redaction or a shop
// redaction, recording it for the admin. Erasures run while the profile
// processor is paused, after it caught up, so no event is left unattributed
// and no profile is written back.
func (h *Hub) privacy(ctx context.Context, sh store.Shop, ch commerce.Change) error {
	req := commerce.PrivacyRequest{}
	if ch.Privacy != nil {
		req = *ch.Privacy
	}
	raw, _ := json.Marshal(req)
	pr := store.PrivacyRequest{ID: ids.New("priv"), WorkspaceID: sh.WorkspaceID, ShopID: sh.ID, Kind: string(ch.Kind),
		Request: raw, CreatedAt: h.now()}
	if err := h.opt.Store.CreatePrivacyRequest(ctx, pr); err != nil {
		return err
	}
	var contactID string
	var export []byte
	var summary any
	err := h.opt.Exclusive(ctx, func(ctx context.Context) error {
		var err error
		switch ch.Kind {
		case commerce.ChangeDataRequest:
			contactID, export, err = h.export(ctx, sh, req)
			summary = map[string]any{"found": contactID != "", "bytes": len(export)}
		case commerce.ChangeCustomerRedact:
			contactID, summary, err = h.redactCustomer(ctx, sh, req)
		case commerce.ChangeShopRedact:
			summary, err = h.redactShop(ctx, sh)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("privacy request %s (%s): %w", pr.ID, ch.Kind, err)
	}
	sum, _ := json.Marshal(summary)
	h.log.Info("privacy request completed", "workspace", sh.WorkspaceID, "shop", sh.ID, "request", pr.ID, "kind", ch.Kind,
		"summary", string(sum))
	return h.opt.Store.CompletePrivacyRequest(ctx, sh.WorkspaceID, pr.ID, contactID, export, sum, h.now())
}

// findCustomer finds the contact a privacy request names: by the
// platform's customer id first, then by email.
func (h *Hub) findCustomer(ctx context.Context, sh store.Shop, req commerce.PrivacyRequest) (string, error) {
	if req.CustomerID != "" {
		c, err := h.opt.Store.ContactByIdentity(ctx, sh.WorkspaceID, cdp.CustomerKind(sh.Platform), req.CustomerID)
		if err == nil {
			return c.ID, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	if em := cdp.NormalizeEmail(req.Email); em != "" {
		c, err := h.opt.Store.ContactByIdentity(ctx, sh.WorkspaceID, cdp.KindEmail, em)
		if err == nil {
			return c.ID, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	return "", nil
}

func (h *Hub) export(ctx context.Context, sh store.Shop, req commerce.PrivacyRequest) (string, []byte, error) {
	contactID, err := h.findCustomer(ctx, sh, req)
	if err != nil {
		return "", nil, err
	}
	b, err := h.exportFor(ctx, sh.WorkspaceID, contactID, cdp.NormalizeEmail(req.Email), req)
	return contactID, b, err
}

// ExportContact gathers everything held on a contact — the profile,
// identities, consents, the whole event log and the orders of every email
// they have — as a privacy request's export does, for the admin console.
func (h *Hub) ExportContact(ctx context.Context, workspaceID, contactID string) ([]byte, error) {
	return h.exportFor(ctx, workspaceID, contactID, "", commerce.PrivacyRequest{})
}

// EraseContact erases a contact and everything held on them, in every
// shop of the workspace (store.EraseContact), for the admin console.
func (h *Hub) EraseContact(ctx context.Context, workspaceID, contactID string) (store.Erasure, error) {
	return h.opt.Store.EraseContact(ctx, workspaceID, contactID, "", nil)
}

// exportFor builds the export of contactID ("" when no contact matched),
// with the orders of email and of every email the contact has.
func (h *Hub) exportFor(ctx context.Context, workspaceID, contactID, email string, req commerce.PrivacyRequest) ([]byte, error) {
	ex := Export{GeneratedAt: h.now(), Request: req, Orders: []commerce.Order{}, Events: []store.Event{},
		ContactNotes: []store.ContactNote{}}
	emails := []string{}
	if email != "" {
		emails = append(emails, email)
	}
	if contactID != "" {
		v, err := cdp.NewContacts(h.opt.Store).View(ctx, workspaceID, contactID)
		if err != nil {
			return nil, err
		}
		ex.Contact = &v
		if ex.ContactNotes, err = h.opt.Store.ContactNotes(ctx, workspaceID, v.Contact.ID, 500); err != nil {
			return nil, err
		}
		for _, id := range v.Identities {
			if id.Kind == cdp.KindEmail && !slices.Contains(emails, id.Value) {
				emails = append(emails, id.Value)
			}
		}
		var before int64
		for {
			evs, err := h.opt.Store.ContactEvents(ctx, workspaceID, contactID, before, 500)
			if err != nil {
				return nil, err
			}
			ex.Events = append(ex.Events, evs...)
			if len(evs) < 500 {
				break
			}
			before = evs[len(evs)-1].ID
		}
	} else {
		ex.Notes = append(ex.Notes, "no contact matches this customer; only orders are included")
	}
	for _, em := range emails {
		f := store.OrderFilter{Email: em, Limit: 500}
		for {
			os, err := h.opt.Store.Orders(ctx, workspaceID, f)
			if err != nil {
				return nil, err
			}
			ex.Orders = append(ex.Orders, os...)
			if len(os) < f.Limit {
				break
			}
			f.Before, f.BeforeID = os[len(os)-1].PlacedAt, os[len(os)-1].ID
		}
	}
	return json.MarshalIndent(ex, "", "  ")
}

func (h *Hub) redactCustomer(ctx context.Context, sh store.Shop, req commerce.PrivacyRequest) (string, any, error) {
	contactID, err := h.findCustomer(ctx, sh, req)
	if err != nil {
		return "", nil, err
	}
	if contactID == "" {
		n, err := h.opt.Store.EraseOrders(ctx, sh.WorkspaceID, sh.ID, req.OrderIDs)
		return "", map[string]any{"found": false, "orders": n}, err
	}
	er, err := h.opt.Store.EraseContact(ctx, sh.WorkspaceID, contactID, sh.ID, req.OrderIDs)
	return contactID, er, err
}

func (h *Hub) redactShop(ctx context.Context, sh store.Shop) (any, error) {
	shops, err := h.opt.Store.Shops(ctx, sh.WorkspaceID)
	if err != nil {
		return nil, err
	}
	// People are erased only when no other shop of the workspace shares
	// them: one profile across brands belongs to the other brands too.
	people := true
	for _, o := range shops {
		if o.ID != sh.ID && o.Status != "redacted" {
			people = false
		}
	}
	return h.opt.Store.EraseShop(ctx, sh.WorkspaceID, sh.ID, people, h.now())
}
