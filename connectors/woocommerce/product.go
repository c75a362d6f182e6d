package woocommerce

import (
	"html"
	"strconv"
	"strings"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// productStatus maps a post status: only published products are for sale;
// trashed ones are kept as archived so past orders still name them.
func productStatus(s string) string {
	switch s {
	case "publish":
		return "active"
	case "trash":
		return "archived"
	}
	return "draft" // draft, pending, private, future
}

// productStock turns WooCommerce's stock into commerce.Product.Stock and
// tells whether the shop counts it. When it does not (manage_stock false,
// or no stock_quantity), only stock_status is
// known: the stock is untracked, 1 standing for "available" and 0 for out
// of stock. Backorderable products are available whatever their count.
func productStock(p product) (stock int64, untracked bool) {
	n, err := strconv.ParseInt(string(p.StockQuantity), 10, 64)
	// "parent" on a variation: the parent's count, which the variation
	// shares, is its stock.
	untracked = err != nil || string(p.ManageStock) == "false"
	switch {
	case p.StockStatus == "outofstock":
		return 0, untracked
	case untracked:
		return 1, true
	case n > 0:
		return n, false
	case p.StockStatus == "onbackorder":
		return 1, false
	}
	return 0, false
}

// productChange maps a product payload. Variations (type "variation", sent
// by product.created/updated when a variation is saved) are not products of
// their own: they decode to ChangeVariant of their parent.
func productChange(p product, currency string) (commerce.Change, error) {
	if p.ID == "" {
		return commerce.Change{}, errMissingID
	}
	id := string(p.ID)
	price, err := amount(p.Price, "price", currency)
	if err != nil {
		return commerce.Change{}, err
	}
	stock, untracked := productStock(p)
	if p.Type == "variation" {
		return variationChange(p, price, stock, untracked)
	}
	out := commerce.Product{
		ID:          id,
		ExternalID:  id,
		Handle:      p.Slug,
		Title:       html.UnescapeString(p.Name),
		Description: plainText(firstNonEmpty(p.ShortDescription, p.Description)),
		Tags:        make([]string, 0, len(p.Tags)),
		PriceMinor:  price,
		Currency:    currency,
		Stock:       stock,

		StockUntracked: untracked,
		VariantIDsOnly: true,
		URL:            p.Permalink,
		Status:         productStatus(p.Status),
		CreatedAt:      p.DateCreatedGMT.Time,
		UpdatedAt:      p.DateModifiedGMT.Time,
	}
	if len(p.Categories) > 0 {
		out.Category = html.UnescapeString(p.Categories[0].Name)
	}
	for _, c := range p.Categories {
		out.Collections = append(out.Collections, html.UnescapeString(c.Name))
	}
	for _, t := range p.Tags {
		out.Tags = append(out.Tags, html.UnescapeString(t.Name))
	}
	if len(p.Images) > 0 {
		out.ImageURL = p.Images[0].Src
	}
	if p.OnSale {
		regular, err := amount(p.RegularPrice, "regular_price", currency)
		if err != nil {
			return commerce.Change{}, err
		}
		if regular > price {
			out.CompareMinor = regular
		}
	}
	// The product payload lists variation ids only; their prices and stock
	// need one request each, which a webhook decoder must not make.
	for _, v := range p.Variations {
		if v != "" {
			out.Variants = append(out.Variants, commerce.Variant{ID: string(v)})
		}
	}
	return commerce.Change{Kind: commerce.ChangeProduct, Product: &out, ExternalID: id, UpdatedAt: out.UpdatedAt}, nil
}

// variationChange maps a variation payload to its parent's variant, with
// the variation's own price, stock and title ("Bluza z kapturem - M").
func variationChange(p product, price, stock int64, untracked bool) (commerce.Change, error) {
	parent := p.ParentID.nonZero()
	if parent == "" {
		// Nothing to attach it to: acknowledged and dropped rather than
		// refused, since a refused delivery is never resent.
		return commerce.Change{Kind: commerce.ChangeIgnored, ExternalID: string(p.ID), UpdatedAt: p.DateModifiedGMT.Time}, nil
	}
	v := commerce.Variant{ID: string(p.ID), SKU: p.SKU, Title: html.UnescapeString(p.Name), PriceMinor: price,
		Stock: stock, StockUntracked: untracked, UpdatedAt: p.DateModifiedGMT.Time}
	if p.Status == "private" || p.Status == "trash" {
		// A disabled variation cannot be bought, whatever its stock.
		v.Stock = 0
	}
	return commerce.Change{Kind: commerce.ChangeVariant, ExternalID: parent, UpdatedAt: v.UpdatedAt,
		Product: &commerce.Product{ExternalID: parent, Variants: []commerce.Variant{v}}}, nil
}

// plainText strips HTML tags and entities from a description and folds
// whitespace, for emails and widgets that show it as text. Script and style
// contents are dropped with their tags.
func plainText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:lt])
		s = s[lt:]
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			break // an unclosed tag: drop the rest rather than show markup
		}
		tag := strings.ToLower(s[1:gt])
		s = s[gt+1:]
		b.WriteByte(' ')
		for _, raw := range []string{"script", "style"} {
			if tag == raw || strings.HasPrefix(tag, raw+" ") {
				if end := strings.Index(strings.ToLower(s), "</"+raw); end >= 0 {
					s = s[end:]
				} else {
					s = ""
				}
			}
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}
