package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

func (s *Store) replaceVariants(ctx context.Context, tx *sql.Tx, p commerce.Product) error {
	if p.Variants == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.q.VariantDeleteProduct, p.WorkspaceID, p.ShopID, p.ID); err != nil {
		return fmt.Errorf("product %s variants: %w", p.ID, err)
	}
	for _, v := range p.Variants {
		if _, err := tx.ExecContext(ctx, s.q.VariantUpsert, p.WorkspaceID, p.ShopID, v.ID, p.ID, v.InventoryItemID,
			v.SKU, v.Title, v.PriceMinor, v.Stock, ms(p.UpdatedAt)); err != nil {
			return fmt.Errorf("product %s variant %s: %w", p.ID, v.ID, err)
		}
	}
	return nil
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
