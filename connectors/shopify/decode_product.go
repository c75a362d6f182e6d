package shopify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// productPayload is the REST Product of products/create|update.
type productPayload struct {
	ID          extID     `json:"id"`
	Title       text      `json:"title"`
	BodyHTML    text      `json:"body_html"`
	Vendor      text      `json:"vendor"`
	ProductType text      `json:"product_type"`
	Handle      text      `json:"handle"`
	Status      text      `json:"status"`
	Tags        tagList   `json:"tags"`
	CreatedAt   timestamp `json:"created_at"`
	UpdatedAt   timestamp `json:"updated_at"`
	Variants    []struct {
		ID                extID   `json:"id"`
		SKU               text    `json:"sku"`
		Title             text    `json:"title"`
		Price             decimal `json:"price"`
		CompareAtPrice    decimal `json:"compare_at_price"`
		InventoryQuantity int64   `json:"inventory_quantity"`
		InventoryItemID   extID   `json:"inventory_item_id"`
	} `json:"variants"`
	Image  *imagePayload  `json:"image"`
	Images []imagePayload `json:"images"`
}

type imagePayload struct {
	Src text `json:"src"`
}

// decodeProduct maps products/create|update. The payload has no currency
// and no storefront URL: Currency is the shop's when known, and URL is left
// for the caller, who knows the shop's domain (https://{domain}/products/{handle}).
func decodeProduct(body []byte, shopCurrency string) (commerce.Change, error) {
	var p productPayload
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	if p.ID == "" {
		return commerce.Change{}, errors.New("the product has no id")
	}
	pr := &commerce.Product{
		ID:          string(p.ID),
		ExternalID:  string(p.ID),
		Handle:      string(p.Handle),
		Title:       string(p.Title),
		Description: plainText(string(p.BodyHTML)),
		Vendor:      string(p.Vendor),
		Category:    string(p.ProductType),
		Tags:        []string(p.Tags),
		Currency:    shopCurrency,
		Status:      strings.ToLower(string(p.Status)),
		CreatedAt:   p.CreatedAt.Time(),
		UpdatedAt:   p.UpdatedAt.Time(),
	}
	if pr.Tags == nil {
		pr.Tags = []string{}
	}
	if p.Image != nil && p.Image.Src != "" {
		pr.ImageURL = string(p.Image.Src)
	} else if len(p.Images) > 0 {
		pr.ImageURL = string(p.Images[0].Src)
	}
	var low *priced
	for i, v := range p.Variants {
		price, err := amount(fmt.Sprintf("variants[%d].price", i), v.Price, shopCurrency)
		if err != nil {
			return commerce.Change{}, err
		}
		pv := priced{
			Variant: commerce.Variant{ID: string(v.ID), SKU: string(v.SKU), Title: string(v.Title), PriceMinor: price, Stock: v.InventoryQuantity,
				InventoryItemID: string(v.InventoryItemID)},
			compare: string(v.CompareAtPrice),
		}
		pr.Variants = append(pr.Variants, pv.Variant)
		pr.Stock += v.InventoryQuantity
		if low == nil || pv.PriceMinor < low.PriceMinor {
			low = &pv
		}
	}
	if low != nil {
		if err := low.apply(pr, shopCurrency); err != nil {
			return commerce.Change{}, err
		}
	}
	return commerce.Change{Kind: commerce.ChangeProduct, Product: pr, ExternalID: pr.ExternalID, UpdatedAt: pr.UpdatedAt}, nil
}

func decodeProductDeleted(body []byte) (commerce.Change, error) {
	var p struct {
		ID extID `json:"id"`
	}
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	if p.ID == "" {
		return commerce.Change{}, errors.New("the deleted product has no id")
	}
	return commerce.Change{Kind: commerce.ChangeProductDeleted, ExternalID: string(p.ID)}, nil
}

// decodeInventory maps inventory_levels/update. available is null for an
// item whose stock is not tracked; that reads as 0 here, and callers that
// care should look at the variant's inventory policy.
func decodeInventory(body []byte) (commerce.Change, error) {
	var p struct {
		InventoryItemID extID     `json:"inventory_item_id"`
		LocationID      extID     `json:"location_id"`
		Available       *int64    `json:"available"`
		UpdatedAt       timestamp `json:"updated_at"`
	}
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	if p.InventoryItemID == "" {
		return commerce.Change{}, errors.New("the inventory level has no inventory_item_id")
	}
	inv := &commerce.InventoryChange{
		InventoryItemID: string(p.InventoryItemID),
		LocationID:      string(p.LocationID),
		UpdatedAt:       p.UpdatedAt.Time(),
	}
	if p.Available != nil {
		inv.Available = *p.Available
	}
	return commerce.Change{Kind: commerce.ChangeInventory, Inventory: inv, ExternalID: inv.InventoryItemID, UpdatedAt: inv.UpdatedAt}, nil
}
