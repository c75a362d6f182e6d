package shopify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// MaxProductsPerPage is the largest page Products asks for. Shopify refuses
// a query whose requested cost exceeds 1000 points, and the requested cost
// counts every connection at its full "first": one product here is about
// 226 points (itself, its image, 100 variants each with an inventory item,
// 20 collections), so four products fit. The actual cost, charged
// afterwards, is far lower for ordinary products, so the bucket is not
// drained at that rate.
const MaxProductsPerPage = 4

// ProductPage is one page of the catalogue.
type ProductPage struct {
	Products  []commerce.Product
	EndCursor string // pass as after for the next page
	HasNext   bool
}

const productsQuery = `query Products($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      handle
      title
      descriptionHtml
      vendor
      productType
      tags
      status
      onlineStoreUrl
      featuredImage { url }
      createdAt
      updatedAt
      totalInventory
      variants(first: 100) {
        nodes { id sku title price compareAtPrice inventoryQuantity inventoryItem { id } }
      }
      collections(first: 20) { nodes { title handle } }
    }
  }
}`

type gqlProduct struct {
	ID              string    `json:"id"`
	Handle          string    `json:"handle"`
	Title           string    `json:"title"`
	DescriptionHTML string    `json:"descriptionHtml"`
	Vendor          string    `json:"vendor"`
	ProductType     string    `json:"productType"`
	Tags            []string  `json:"tags"`
	Status          string    `json:"status"`
	OnlineStoreURL  string    `json:"onlineStoreUrl"`
	CreatedAt       timestamp `json:"createdAt"`
	UpdatedAt       timestamp `json:"updatedAt"`
	TotalInventory  *int64    `json:"totalInventory"`
	FeaturedImage   *struct {
		URL string `json:"url"`
	} `json:"featuredImage"`
	Variants struct {
		Nodes []gqlVariant `json:"nodes"`
	} `json:"variants"`
	Collections struct {
		Nodes []struct {
			Title  string `json:"title"`
			Handle string `json:"handle"`
		} `json:"nodes"`
	} `json:"collections"`
}

type gqlVariant struct {
	ID                string  `json:"id"`
	SKU               string  `json:"sku"`
	Title             string  `json:"title"`
	Price             decimal `json:"price"`
	CompareAtPrice    decimal `json:"compareAtPrice"`
	InventoryQuantity *int64  `json:"inventoryQuantity"`
	InventoryItem     *struct {
		ID string `json:"id"`
	} `json:"inventoryItem"`
}

// Products reads one page of the catalogue, in id order, starting after the
// cursor after ("" for the first page). currency is the shop's currency
// (ShopInfo.Currency): Admin API prices are in it, and it decides how many
// decimals an amount has. first is clamped to 1..MaxProductsPerPage.
func (c *Client) Products(ctx context.Context, currency, after string, first int) (ProductPage, error) {
	first = min(max(first, 1), MaxProductsPerPage)
	vars := map[string]any{"first": first}
	if after != "" {
		vars["after"] = after
	}
	var out struct {
		Products *struct {
			PageInfo struct {
				HasNextPage bool   `json:"hasNextPage"`
				EndCursor   string `json:"endCursor"`
			} `json:"pageInfo"`
			Nodes []gqlProduct `json:"nodes"`
		} `json:"products"`
	}
	if err := c.Do(ctx, productsQuery, vars, &out); err != nil {
		return ProductPage{}, fmt.Errorf("shopify: products after %q: %w", after, err)
	}
	if out.Products == nil {
		return ProductPage{}, errors.New("shopify: products: the answer has no products connection")
	}
	page := ProductPage{
		Products:  make([]commerce.Product, 0, len(out.Products.Nodes)),
		EndCursor: out.Products.PageInfo.EndCursor,
		HasNext:   out.Products.PageInfo.HasNextPage,
	}
	for _, n := range out.Products.Nodes {
		p, err := n.product(currency)
		if err != nil {
			return ProductPage{}, fmt.Errorf("shopify: product %s: %w", n.ID, err)
		}
		page.Products = append(page.Products, p)
	}
	if page.HasNext && page.EndCursor == "" {
		return ProductPage{}, errors.New("shopify: products: a next page without a cursor")
	}
	return page, nil
}

func (n gqlProduct) product(currency string) (commerce.Product, error) {
	id := NumericID(n.ID)
	if id == "" {
		return commerce.Product{}, errors.New("no id")
	}
	p := commerce.Product{
		ID:          id,
		ExternalID:  id,
		Handle:      n.Handle,
		Title:       n.Title,
		Description: plainText(n.DescriptionHTML),
		Vendor:      n.Vendor,
		Category:    n.ProductType,
		Tags:        append([]string{}, n.Tags...),
		Currency:    currency,
		URL:         n.OnlineStoreURL,
		Status:      strings.ToLower(n.Status),
		CreatedAt:   n.CreatedAt.Time(),
		UpdatedAt:   n.UpdatedAt.Time(),
	}
	if n.FeaturedImage != nil {
		p.ImageURL = n.FeaturedImage.URL
	}
	var low *priced
	for _, v := range n.Variants.Nodes {
		pv := priced{Variant: commerce.Variant{ID: NumericID(v.ID), SKU: v.SKU, Title: v.Title}, compare: string(v.CompareAtPrice)}
		if v.InventoryQuantity != nil {
			pv.Stock = *v.InventoryQuantity
		}
		var err error
		if pv.PriceMinor, err = minorOrZero(string(v.Price), currency); err != nil {
			return commerce.Product{}, fmt.Errorf("variant %s price: %w", pv.ID, err)
		}
		if v.InventoryItem != nil && v.InventoryItem.ID != "" {
			pv.InventoryItemID = NumericID(v.InventoryItem.ID)
		}
		p.Variants = append(p.Variants, pv.Variant)
		p.Stock += pv.Stock
		if low == nil || pv.PriceMinor < low.PriceMinor {
			low = &pv
		}
	}
	if n.TotalInventory != nil {
		p.Stock = *n.TotalInventory // covers variants beyond the first 100
	}
	if low != nil {
		if err := low.apply(&p, currency); err != nil {
			return commerce.Product{}, err
		}
	}
	for _, col := range n.Collections.Nodes {
		p.Collections = append(p.Collections, col.Title)
	}
	return p, nil
}

// priced is a variant with its compare-at price, kept while looking for
// the cheapest one: the product's price is its lowest variant price, and
// the compare-at price shown beside it must be that variant's.
type priced struct {
	commerce.Variant
	compare string
}

func (v priced) apply(p *commerce.Product, currency string) error {
	p.PriceMinor = v.PriceMinor
	cmp, err := minorOrZero(v.compare, currency)
	if err != nil {
		return fmt.Errorf("variant %s compare-at price: %w", v.ID, err)
	}
	p.CompareMinor = cmp
	return nil
}

// minorOrZero parses an optional amount: absent ("" or null) is 0.
func minorOrZero(s, currency string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	return commerce.ParseMinor(s, currency)
}
