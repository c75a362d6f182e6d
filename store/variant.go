package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// variantQueries are the variant listing and the partial replacement used
// when a product names its variants by id only.
type variantQueries struct {
	VariantList   string `query:"variant-list"`
	VariantLink   string `query:"variant-link"`
	VariantDelete string `query:"variant-delete"`
}

func (s *Store) replaceVariants(ctx context.Context, tx *sql.Tx, p commerce.Product) error {
	if p.Variants == nil {
		return nil
	}
	if p.VariantIDsOnly {
		return s.linkVariants(ctx, tx, p)
	}
	if _, err := tx.ExecContext(ctx, s.q.VariantDeleteProduct, p.WorkspaceID, p.ShopID, p.ID); err != nil {
		return fmt.Errorf("product %s variants: %w", p.ID, err)
	}
	for _, v := range p.Variants {
		// The product's own time stamps the variant's stock figure.
		if err := s.upsertVariant(ctx, tx, p.WorkspaceID, p.ShopID, p.ID, v, p.UpdatedAt); err != nil {
			return err
		}
	}
	return nil
}

// upsertVariant stores v; stockAt is when its stock figure was true.
func (s *Store) upsertVariant(ctx context.Context, tx *sql.Tx, workspaceID, shopID, productID string, v commerce.Variant, stockAt time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q.VariantUpsert, workspaceID, shopID, v.ID, productID, v.InventoryItemID,
		v.SKU, v.Title, v.PriceMinor, v.Stock, !v.StockUntracked, ms(v.UpdatedAt), ms(stockAt)); err != nil {
		return fmt.Errorf("product %s variant %s: %w", productID, v.ID, err)
	}
	return nil
}

// linkVariants ties the listed variants to p, keeping the details their own
// deliveries stored, and drops those p no longer lists.
func (s *Store) linkVariants(ctx context.Context, tx *sql.Tx, p commerce.Product) error {
	listed := make(map[string]bool, len(p.Variants))
	for _, v := range p.Variants {
		listed[v.ID] = true
		if _, err := tx.ExecContext(ctx, s.q.VariantLink, p.WorkspaceID, p.ShopID, v.ID, p.ID); err != nil {
			return fmt.Errorf("product %s variant %s: %w", p.ID, v.ID, err)
		}
	}
	stored, err := variantList(ctx, tx, s.q.VariantList, p.WorkspaceID, p.ShopID, p.ID)
	if err != nil {
		return err
	}
	for _, v := range stored {
		if listed[v.ID] {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.q.VariantDelete, p.WorkspaceID, p.ShopID, v.ID); err != nil {
			return fmt.Errorf("product %s variant %s: %w", p.ID, v.ID, err)
		}
	}
	return nil
}

// UpsertVariant stores one variant of a shop's product sent on its own (a
// WooCommerce variation), unless the stored one is newer. The product need
// not be stored yet: its own delivery links the variants it lists.
func (s *Store) UpsertVariant(ctx context.Context, workspaceID, shopID, productID string, v commerce.Variant) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.upsertVariant(ctx, tx, workspaceID, shopID, productID, v, v.UpdatedAt)
	})
}

// ProductVariants lists a shop's product's variants.
func (s *Store) ProductVariants(ctx context.Context, workspaceID, shopID, productID string) ([]commerce.Variant, error) {
	return variantList(ctx, s.r, s.q.VariantList, workspaceID, shopID, productID)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func variantList(ctx context.Context, db querier, q, workspaceID, shopID, productID string) ([]commerce.Variant, error) {
	rows, err := db.QueryContext(ctx, q, workspaceID, shopID, productID)
	if err != nil {
		return nil, fmt.Errorf("product %s variants: %w", productID, err)
	}
	defer rows.Close()
	out := []commerce.Variant{}
	for rows.Next() {
		var v commerce.Variant
		var managed bool
		var updated int64
		if err := rows.Scan(&v.ID, &v.InventoryItemID, &v.SKU, &v.Title, &v.PriceMinor, &v.Stock, &managed, &updated); err != nil {
			return nil, fmt.Errorf("product %s variants: %w", productID, err)
		}
		v.StockUntracked, v.UpdatedAt = !managed, fromMS(updated)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("product %s variants: %w", productID, err)
	}
	return out, nil
}

// VariantProduct returns the product a shop's variant belongs to.
func (s *Store) VariantProduct(ctx context.Context, workspaceID, shopID, variantID string) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, s.q.VariantProduct, workspaceID, shopID, variantID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("variant %s: %w", variantID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("variant %s: %w", variantID, err)
	}
	return id, nil
}

// ErrStale is returned for a change older than the version already stored.
var ErrStale = errors.New("older than the stored version")

// SetInventory sets the stock of the variant an inventory item stands for
// and recomputes its product's stock (stamping the product updated at at).
// stockAt is the level's own time: a level older than the variant's stock
// figure (from an inventory level or its product's version) changes nothing
// and gives ErrStale. It returns the product id, or ErrNotFound when no
// synced variant has that inventory item.
func (s *Store) SetInventory(ctx context.Context, workspaceID, shopID, inventoryItemID string, available int64, stockAt, at time.Time) (string, error) {
	var productID string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q.VariantSetStock, workspaceID, shopID, inventoryItemID, available, ms(stockAt)).Scan(&productID)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, s.q.VariantByInventory, workspaceID, shopID, inventoryItemID).Scan(&productID)
			if err == nil {
				return fmt.Errorf("inventory item %s: %w", inventoryItemID, ErrStale)
			}
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("inventory item %s: %w", inventoryItemID, ErrNotFound)
			}
		}
		if err != nil {
			return fmt.Errorf("inventory item %s: %w", inventoryItemID, err)
		}
		if _, err := tx.ExecContext(ctx, s.q.ProductRestock, workspaceID, productID, ms(at)); err != nil {
			return fmt.Errorf("restock product %s: %w", productID, err)
		}
		return nil
	})
	return productID, err
}

// SetProductStatus changes the status of the shop's product with the given
// external id ("archived" when the shop deletes it: orders and profiles
// still refer to it).
func (s *Store) SetProductStatus(ctx context.Context, workspaceID, shopID, externalID, status string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, s.q.ProductSetStatus, workspaceID, shopID, externalID, status, ms(at))
	if err != nil {
		return fmt.Errorf("product %s status: %w", externalID, err)
	}
	return expectOne(res, "product "+externalID+" status")
}

// CartTokenVisitor returns the visitor whose browser reported a cart or
// checkout token, or ErrNotFound.
func (s *Store) CartTokenVisitor(ctx context.Context, workspaceID, token string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, s.q.CartTokenVisitor, workspaceID, token).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("cart token: %w", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("cart token: %w", err)
	}
	return v, nil
}
