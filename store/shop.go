package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Shop is a connected store. The two secrets are held here only as
// ciphertext; the secrets package seals and opens them.
type Shop struct {
	ID               string    `json:"id"`
	WorkspaceID      string    `json:"workspace_id"`
	Platform         string    `json:"platform"`
	Domain           string    `json:"domain"`
	Name             string    `json:"name"`
	Status           string    `json:"status"`
	AccessTokenEnc   string    `json:"-"`
	WebhookSecretEnc string    `json:"-"`
	Currency         string    `json:"currency,omitempty"`
	APIURL           string    `json:"api_url,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func scanShop(row scanner) (Shop, error) {
	var sh Shop
	var created, updated int64
	err := row.Scan(&sh.ID, &sh.WorkspaceID, &sh.Platform, &sh.Domain, &sh.Name, &sh.Status,
		&sh.AccessTokenEnc, &sh.WebhookSecretEnc, &created, &updated, &sh.Currency, &sh.APIURL)
	if errors.Is(err, sql.ErrNoRows) {
		return sh, ErrNotFound
	}
	sh.CreatedAt, sh.UpdatedAt = fromMS(created), fromMS(updated)
	return sh, err
}

// CreateShop inserts sh; a second shop with the same platform and domain is ErrConflict.
func (s *Store) CreateShop(ctx context.Context, sh Shop) error {
	_, err := s.w.ExecContext(ctx, s.q.ShopCreate, sh.ID, sh.WorkspaceID, sh.Platform, sh.Domain, sh.Name, sh.Status,
		sh.AccessTokenEnc, sh.WebhookSecretEnc, ms(sh.CreatedAt), sh.Currency, sh.APIURL)
	if isUniqueViolation(err) {
		return fmt.Errorf("create shop %s: %w", sh.Domain, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create shop: %w", err)
	}
	return nil
}

// Shop returns a shop of the workspace.
func (s *Store) Shop(ctx context.Context, workspaceID, id string) (Shop, error) {
	sh, err := scanShop(s.r.QueryRowContext(ctx, s.q.ShopGet, workspaceID, id))
	if err != nil {
		return sh, fmt.Errorf("shop %s: %w", id, err)
	}
	return sh, nil
}

// ShopByDomain finds the shop a webhook or install request names.
func (s *Store) ShopByDomain(ctx context.Context, platform, domain string) (Shop, error) {
	sh, err := scanShop(s.r.QueryRowContext(ctx, s.q.ShopByDomain, platform, domain))
	if err != nil {
		return sh, fmt.Errorf("shop %s %s: %w", platform, domain, err)
	}
	return sh, nil
}

// ShopByID finds a shop by id alone, for endpoints (webhooks) that name
// the shop before any workspace is known.
func (s *Store) ShopByID(ctx context.Context, id string) (Shop, error) {
	sh, err := scanShop(s.r.QueryRowContext(ctx, s.q.ShopByID, id))
	if err != nil {
		return sh, fmt.Errorf("shop %s: %w", id, err)
	}
	return sh, nil
}

// Shops lists the workspace's shops.
func (s *Store) Shops(ctx context.Context, workspaceID string) ([]Shop, error) {
	return list(ctx, s.r, "shops", s.q.ShopList, scanShop, workspaceID)
}

// UpdateShop saves a shop's mutable fields.
func (s *Store) UpdateShop(ctx context.Context, sh Shop) error {
	res, err := s.w.ExecContext(ctx, s.q.ShopUpdate, sh.WorkspaceID, sh.ID, sh.Name, sh.Status,
		sh.AccessTokenEnc, sh.WebhookSecretEnc, ms(sh.UpdatedAt), sh.Currency, sh.APIURL)
	if err != nil {
		return fmt.Errorf("update shop %s: %w", sh.ID, err)
	}
	return expectOne(res, "update shop "+sh.ID)
}
