package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

const productColumns = 21

func scanProduct(row scanner) (commerce.Product, error) {
	var p commerce.Product
	var tags string
	var created, updated int64
	var managed bool
	err := row.Scan(&p.WorkspaceID, &p.ID, &p.ShopID, &p.ExternalID, &p.Handle, &p.Title, &p.Description, &p.Vendor,
		&p.Category, &tags, &p.PriceMinor, &p.CompareMinor, &p.Currency, &p.Stock, &p.ImageURL, &p.URL, &p.Status,
		&p.ReplenishDays, &created, &updated, &managed)
	p.StockUntracked = !managed
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
		return p, fmt.Errorf("product %s tags: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, nil
}

// UpsertProducts inserts or updates products in one transaction (see
// SaveProducts); it is for callers that need not know which applied.
func (s *Store) UpsertProducts(ctx context.Context, ps []commerce.Product) error {
	_, err := s.SaveProducts(ctx, ps)
	return err
}

// SaveProducts inserts or updates products in one transaction and reports
// which of them were written. A product is identified by its id alone; its
// UpdatedAt is the shop's own modification time of this version, and a
// version older than the stored one changes nothing (equal times apply: the
// later arrival wins). A product written with Variants has its stored
// variants replaced by them, so a variant removed in the shop stops mapping
// to the product.
func (s *Store) SaveProducts(ctx context.Context, ps []commerce.Product) ([]bool, error) {
	applied := make([]bool, len(ps))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.q.ProductUpsert)
		if err != nil {
			return fmt.Errorf("upsert products: %w", err)
		}
		defer stmt.Close()
		for i, p := range ps {
			args := [productColumns + 1]any{p.WorkspaceID, p.ID, p.ShopID, p.ExternalID, p.Handle, p.Title, p.Description,
				p.Vendor, p.Category, jsonText(nonNil(p.Tags)), p.PriceMinor, p.CompareMinor, p.Currency, p.Stock,
				p.ImageURL, p.URL, p.Status, p.ReplenishDays, ms(p.CreatedAt), ms(p.UpdatedAt), !p.StockUntracked,
				ms(p.UpdatedAt)}
			var id string
			err := stmt.QueryRowContext(ctx, args[:]...).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue // a newer version is stored
			}
			if err != nil {
				return fmt.Errorf("upsert product %s: %w", p.ID, err)
			}
			applied[i] = true
			if err := s.replaceVariants(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// Product returns one product of the workspace.
func (s *Store) Product(ctx context.Context, workspaceID, id string) (commerce.Product, error) {
	p, err := scanProduct(s.r.QueryRowContext(ctx, s.q.ProductGet, workspaceID, id))
	if err != nil {
		return p, fmt.Errorf("product %s: %w", id, err)
	}
	return p, nil
}

// ProductByHandle returns a shop's product by its URL handle: the active
// one when an archived product once had the handle too.
func (s *Store) ProductByHandle(ctx context.Context, workspaceID, shopID, handle string) (commerce.Product, error) {
	p, err := scanProduct(s.r.QueryRowContext(ctx, s.q.ProductByHandle, workspaceID, shopID, handle))
	if err != nil {
		return p, fmt.Errorf("product %s: %w", handle, err)
	}
	return p, nil
}

// ProductFilter narrows a product listing.
type ProductFilter struct {
	// ShopID limits the listing to one shop ("" = every shop).
	ShopID   string
	Category string
	// Query matches title, category or tags, case-insensitively.
	Query string
	// Sort is "" (title), "newest", "price_asc" or "price_desc".
	Sort   string
	Limit  int
	Offset int
}

// Products lists active products matching f and counts all matches.
func (s *Store) Products(ctx context.Context, workspaceID string, f ProductFilter) ([]commerce.Product, int, error) {
	q := strings.ToLower(strings.TrimSpace(f.Query))
	// LIKE wildcards typed by a shopper are dropped rather than obeyed.
	q = strings.NewReplacer("%", "", "_", "").Replace(q)
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var total int
	if err := s.r.QueryRowContext(ctx, s.q.ProductCount, workspaceID, f.Category, q, f.ShopID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count products: %w", err)
	}
	out, err := list(ctx, s.r, "products", s.q.ProductList, scanProduct, workspaceID, f.Category, q, f.Sort, f.Limit, f.Offset, f.ShopID)
	return out, total, err
}

// CategoryCount is a category with its number of active products.
type CategoryCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Categories lists the workspace's product categories.
func (s *Store) Categories(ctx context.Context, workspaceID string) ([]CategoryCount, error) {
	rows, err := s.r.QueryContext(ctx, s.q.ProductCategories, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	out := []CategoryCount{}
	for rows.Next() {
		var c CategoryCount
		if err := rows.Scan(&c.Name, &c.Count); err != nil {
			return nil, fmt.Errorf("list categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
