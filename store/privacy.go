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

// PrivacyRequest is a data-protection request a shop forwarded (Shopify's
// mandatory compliance webhooks): an export of what is held on a customer,
// or an erasure of a customer or of a whole shop.
type PrivacyRequest struct {
	ID          string          `json:"id"`
	WorkspaceID string          `json:"workspace_id"`
	ShopID      string          `json:"shop_id"`
	Kind        string          `json:"kind"`
	Request     json.RawMessage `json:"request"`
	Status      string          `json:"status"`
	ContactID   string          `json:"contact_id,omitempty"`
	Summary     json.RawMessage `json:"summary"`
	CreatedAt   time.Time       `json:"created_at"`
	CompletedAt time.Time       `json:"completed_at,omitzero"`
}

func scanPrivacy(row scanner) (PrivacyRequest, error) {
	var p PrivacyRequest
	var req, sum string
	var created, done int64
	err := row.Scan(&p.ID, &p.WorkspaceID, &p.ShopID, &p.Kind, &req, &p.Status, &p.ContactID, &sum, &created, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	p.Request, p.Summary = json.RawMessage(req), json.RawMessage(sum)
	p.CreatedAt, p.CompletedAt = fromMS(created), fromMS(done)
	return p, err
}

// CreatePrivacyRequest records a request before it is carried out.
func (s *Store) CreatePrivacyRequest(ctx context.Context, p PrivacyRequest) error {
	if _, err := s.w.ExecContext(ctx, s.q.PrivacyCreate, p.ID, p.WorkspaceID, p.ShopID, p.Kind, string(p.Request),
		ms(p.CreatedAt)); err != nil {
		return fmt.Errorf("create privacy request: %w", err)
	}
	return nil
}

// CompletePrivacyRequest marks a request done, with the export (data
// requests only) and a summary of what was found or erased.
func (s *Store) CompletePrivacyRequest(ctx context.Context, workspaceID, id, contactID string, export []byte, summary json.RawMessage, at time.Time) error {
	res, err := s.w.ExecContext(ctx, s.q.PrivacyComplete, workspaceID, id, contactID, export, string(summary), ms(at))
	if err != nil {
		return fmt.Errorf("complete privacy request %s: %w", id, err)
	}
	return expectOne(res, "complete privacy request "+id)
}

// PrivacyRequestByID returns one of the workspace's privacy requests.
func (s *Store) PrivacyRequestByID(ctx context.Context, workspaceID, id string) (PrivacyRequest, error) {
	p, err := scanPrivacy(s.r.QueryRowContext(ctx, s.q.PrivacyGet, workspaceID, id))
	if err != nil {
		return p, fmt.Errorf("privacy request %s: %w", id, err)
	}
	return p, nil
}

// PrivacyRequests lists the workspace's latest privacy requests.
func (s *Store) PrivacyRequests(ctx context.Context, workspaceID string) ([]PrivacyRequest, error) {
	return list(ctx, s.r, "privacy requests", s.q.PrivacyList, scanPrivacy, workspaceID)
}

// PrivacyExport returns a completed data request's export document.
func (s *Store) PrivacyExport(ctx context.Context, workspaceID, id string) ([]byte, error) {
	var b []byte
	err := s.r.QueryRowContext(ctx, s.q.PrivacyExport, workspaceID, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && b == nil) {
		return nil, fmt.Errorf("privacy export %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("privacy export %s: %w", id, err)
	}
	return b, nil
}

// Erasure counts what an erasure removed.
type Erasure struct {
	Contacts  int64 `json:"contacts"`
	Events    int64 `json:"events"`
	Orders    int64 `json:"orders"`
	Checkouts int64 `json:"checkouts"`
	Products  int64 `json:"products"`
}

func execCount(ctx context.Context, tx *sql.Tx, n *int64, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	k, err := res.RowsAffected()
	if n != nil {
		*n += k
	}
	return err
}

// EraseContact deletes a contact and everything held on them from every
// table, the event log included: the contacts merged into it, their
// identities, consents, profiles, flow enrollments and step records, push
// subscriptions, events (by contact and by each visitor id), cart tokens, and the orders and checkouts that carry one of their
// emails, platform customer ids or visitor ids. orderIDs are further orders
// (external ids of shopID) the platform asks to redact.
func (s *Store) EraseContact(ctx context.Context, workspaceID, contactID, shopID string, orderIDs []string) (Erasure, error) {
	var er Erasure
	err := s.tx(ctx, func(tx *sql.Tx) error {
		all := []string{contactID}
		merged, err := tx.QueryContext(ctx, s.q.EraseMergedContacts, workspaceID, contactID)
		if err != nil {
			return err
		}
		for merged.Next() {
			var id string
			if err := merged.Scan(&id); err != nil {
				merged.Close()
				return err
			}
			all = append(all, id)
		}
		merged.Close()
		for _, id := range all {
			idents, err := tx.QueryContext(ctx, s.q.IdentityList, workspaceID, id)
			if err != nil {
				return err
			}
			var people [][3]string // email, customer id, visitor id
			for idents.Next() {
				var kind, value string
				var at int64
				if err := idents.Scan(&kind, &value, &at); err != nil {
					idents.Close()
					return err
				}
				switch {
				case kind == "email":
					people = append(people, [3]string{value, "", ""})
				case kind == "visitor":
					people = append(people, [3]string{"", "", value})
				case strings.HasSuffix(kind, "customer"):
					people = append(people, [3]string{"", value, ""})
				}
			}
			idents.Close()
			if err := idents.Err(); err != nil {
				return err
			}
			for _, p := range people {
				if err := execCount(ctx, tx, &er.Orders, s.q.EraseOrdersPerson, workspaceID, p[0], p[1], p[2]); err != nil {
					return err
				}
				if err := execCount(ctx, tx, &er.Checkouts, s.q.EraseCheckoutsPerson, workspaceID, p[0], p[1], p[2]); err != nil {
					return err
				}
				if p[1] != "" {
					if err := execCount(ctx, tx, nil, s.q.EraseCustomerVersions, workspaceID, p[1]); err != nil {
						return err
					}
				}
				if p[2] != "" {
					if err := execCount(ctx, tx, &er.Events, s.q.EraseEventsVisitor, workspaceID, p[2]); err != nil {
						return err
					}
					if err := execCount(ctx, tx, nil, s.q.EraseCartTokensVisitor, workspaceID, p[2]); err != nil {
						return err
					}
					if err := execCount(ctx, tx, nil, s.q.ErasePushVisitor, workspaceID, p[2]); err != nil {
						return err
					}
					for _, q := range []string{s.q.EraseWidgetVisitor, s.q.EraseWishlistVisitor, s.q.EraseVerificationsVisitor} {
						if err := execCount(ctx, tx, nil, q, workspaceID, p[2]); err != nil {
							return err
						}
					}
				}
			}
			if err := execCount(ctx, tx, &er.Events, s.q.EraseEventsContact, workspaceID, id); err != nil {
				return err
			}
			// Step runs go before the enrollments they name.
			// Rows found through the contact's messages go before them.
			for _, q := range []string{s.q.EraseContactSMSMessages, s.q.EraseContactEmailFeedback,
				s.q.EraseContactScores, s.q.EraseContactCampaignRecipients, s.q.EraseStepRunsContact, s.q.EraseEnrollmentsContact, s.q.EraseFlowEntriesContact,
				s.q.EraseMessagesContact, s.q.EraseTriggerFiresContact, s.q.EraseContactNotesContact,
				s.q.EraseIdentities, s.q.EraseConsents, s.q.EraseProfile, s.q.EraseVerificationsContact,
				s.q.EraseContactSegmentMembers, s.q.EraseContactSegmentDue} {
				if err := execCount(ctx, tx, nil, q, workspaceID, id); err != nil {
					return err
				}
			}
			if err := execCount(ctx, tx, &er.Contacts, s.q.EraseContact, workspaceID, id); err != nil {
				return err
			}
		}
		for _, oid := range orderIDs {
			if err := execCount(ctx, tx, &er.Orders, s.q.EraseOrderExternal, workspaceID, shopID, oid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return er, fmt.Errorf("erase contact %s: %w", contactID, err)
	}
	return er, nil
}

// EraseOrders deletes orders of a shop by external id (a redaction for a
// customer Cartwheel holds no contact for).
func (s *Store) EraseOrders(ctx context.Context, workspaceID, shopID string, orderIDs []string) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, oid := range orderIDs {
			if err := execCount(ctx, tx, &n, s.q.EraseOrderExternal, workspaceID, shopID, oid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("erase orders: %w", err)
	}
	return n, nil
}

// EraseShop deletes what is held for a shop: catalogue, orders, checkouts,
// deliveries, sync state and its credentials (the row stays, marked
// "redacted", so a late webhook is recognised and refused). With people set
// (the workspace has no other shop), the workspace's contacts and event log
// go too, and privacy exports are dropped.
func (s *Store) EraseShop(ctx context.Context, workspaceID, shopID string, people bool, at time.Time) (Erasure, error) {
	var er Erasure
	err := s.tx(ctx, func(tx *sql.Tx) error {
		steps := []struct {
			n *int64
			q string
		}{{&er.Products, s.q.EraseShopProducts}, {nil, s.q.EraseShopVariants}, {&er.Orders, s.q.EraseShopOrders},
			{&er.Checkouts, s.q.EraseShopCheckouts}, {nil, s.q.DeliveryDeleteShop}, {nil, s.q.EraseShopSyncs},
			{nil, s.q.EraseShopDiscountCodes}, {nil, s.q.EraseShopCustomerVers}}
		for _, st := range steps {
			if err := execCount(ctx, tx, st.n, st.q, workspaceID, shopID); err != nil {
				return err
			}
		}
		if err := execCount(ctx, tx, nil, s.q.EraseShopRow, workspaceID, shopID, ms(at)); err != nil {
			return err
		}
		if !people {
			return nil
		}
		ws := []struct {
			n *int64
			q string
		}{{&er.Events, s.q.EraseWorkspaceEvents}, {nil, s.q.EraseWorkspaceIdentities}, {nil, s.q.EraseWorkspaceConsents},
			{nil, s.q.EraseWorkspaceProfiles}, {&er.Contacts, s.q.EraseWorkspaceContacts}, {nil, s.q.EraseWorkspaceCartTokens},
			{nil, s.q.EraseWorkspaceExports}, {nil, s.q.EraseWorkspaceStepRuns}, {nil, s.q.EraseWorkspaceEnrollments},
			{nil, s.q.EraseWorkspaceFlowEntries}, {nil, s.q.EraseWorkspacePush},
			{nil, s.q.EraseWorkspaceMessages}, {nil, s.q.EraseWorkspaceTriggerFires}, {nil, s.q.EraseWorkspaceContactNote},
			{nil, s.q.EraseWorkspaceWidgetVisitors}, {nil, s.q.EraseWorkspaceWishlists}, {nil, s.q.EraseWorkspaceFlowDiscounts},
			{nil, s.q.EraseWorkspaceVerifications}, {nil, s.q.EraseWorkspaceProofs},
			{nil, s.q.EraseWorkspaceSegmentMembers}, {nil, s.q.EraseWorkspaceSegmentDue},
			{nil, s.q.EraseWorkspaceScores}, {nil, s.q.EraseWorkspaceScoreModels}, {nil, s.q.EraseWorkspaceCampaignRecipients},
			{nil, s.q.EraseWorkspaceSMSMessages}, {nil, s.q.EraseWorkspaceEmailFeedback}}
		for _, st := range ws {
			if err := execCount(ctx, tx, st.n, st.q, workspaceID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return er, fmt.Errorf("erase shop %s: %w", shopID, err)
	}
	return er, nil
}

// privacyExtraQueries erase what scores, campaigns, SMS and bounces keep
// per person (queries/privacy_extra.sql).
type privacyExtraQueries struct {
	EraseContactScores               string `query:"erase-contact-scores"`
	EraseContactCampaignRecipients   string `query:"erase-contact-campaign-recipients"`
	EraseContactSMSMessages          string `query:"erase-contact-sms-messages"`
	EraseContactEmailFeedback        string `query:"erase-contact-email-feedback"`
	EraseWorkspaceScores             string `query:"erase-workspace-scores"`
	EraseWorkspaceScoreModels        string `query:"erase-workspace-score-models"`
	EraseWorkspaceCampaignRecipients string `query:"erase-workspace-campaign-recipients"`
	EraseWorkspaceSMSMessages        string `query:"erase-workspace-sms-messages"`
	EraseWorkspaceEmailFeedback      string `query:"erase-workspace-email-feedback"`
}
