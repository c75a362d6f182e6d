package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// Resource is a REST collection Client.List can read.
type Resource string

// The collections Cartwheel reconciles.
const (
	ResourceOrders    Resource = "orders"
	ResourceCustomers Resource = "customers"
	ResourceProducts  Resource = "products"
)

// MaxPerPage is the largest page WooCommerce serves (per_page above it is a
// 400 rest_invalid_param).
const MaxPerPage = 100

// Page is one page of a collection, decoded like webhook deliveries.
type Page struct {
	Changes []commerce.Change
	// Skipped holds one error per record that could not be decoded. A bad
	// record is reported rather than failing the page, so one corrupt
	// order cannot stall reconciliation of the others.
	Skipped []error
	// Page is the page number read; TotalPages is from X-WP-TotalPages
	// (0 when the collection is empty) and Total from X-WP-Total.
	Page, TotalPages, Total int
}

// List reads one page of r modified after modifiedAfter (all records when it
// is zero), oldest modification first, so a caller can checkpoint on the
// last UpdatedAt it stored. Pages count from 1; perPage is capped at
// MaxPerPage.
//
// Orders and products are filtered by the store (modified_after with
// dates_are_gmt, WooCommerce 5.8+) and sorted by orderby=modified. The
// customers collection has neither a modified filter nor a modified sort,
// so customers are listed by id and filtered here on date_modified_gmt:
// every page must be read, and Changes may be shorter than perPage. Like
// WooCommerce's own filter, "after" is strict; callers that checkpoint on
// the last time seen should step back a little and let de-duplication on
// (ExternalID, UpdatedAt) absorb the overlap.
func (c *Client) List(ctx context.Context, r Resource, modifiedAfter time.Time, page, perPage int) (Page, error) {
	if page < 1 {
		page = 1
	}
	if perPage < 1 || perPage > MaxPerPage {
		perPage = MaxPerPage
	}
	q := url.Values{
		"page":     {strconv.Itoa(page)},
		"per_page": {strconv.Itoa(perPage)},
		"order":    {"asc"},
	}
	switch r {
	case ResourceOrders, ResourceProducts:
		q.Set("orderby", "modified")
		if !modifiedAfter.IsZero() {
			q.Set("modified_after", modifiedAfter.UTC().Format(time.RFC3339))
			q.Set("dates_are_gmt", "true")
		}
	case ResourceCustomers:
		q.Set("orderby", "id")
	default:
		return Page{}, fmt.Errorf("woocommerce: list: unknown resource %q", r)
	}
	var raw []json.RawMessage
	h, err := c.do(ctx, "GET", "/"+string(r), q, nil, &raw)
	if err != nil {
		return Page{}, err
	}
	out := Page{Page: page, Changes: make([]commerce.Change, 0, len(raw))}
	out.TotalPages, _ = strconv.Atoi(h.Get("X-WP-TotalPages"))
	out.Total, _ = strconv.Atoi(h.Get("X-WP-Total"))
	for i, rec := range raw {
		ch, err := c.decodeRecord(r, rec)
		if err != nil {
			err = fmt.Errorf("woocommerce: %s page %d record %d: %w", r, page, i, err)
			c.log.WarnContext(ctx, "woocommerce: skipped a record", "error", err)
			out.Skipped = append(out.Skipped, err)
			continue
		}
		if r == ResourceCustomers && !modifiedAfter.IsZero() && !ch.UpdatedAt.After(modifiedAfter) {
			continue
		}
		out.Changes = append(out.Changes, ch)
		if ch.Kind == commerce.ChangeProduct && len(ch.Product.Variants) > 0 {
			// The product lists its variations by id only: their prices
			// and stock follow it, as the webhooks would bring them.
			vs, err := c.Variations(ctx, ch.Product.ExternalID, ch.Product.Title)
			if err != nil {
				return Page{}, err
			}
			out.Changes = append(out.Changes, vs...)
		}
	}
	return out, nil
}

// Variations reads a variable product's variations (GET
// /products/{id}/variations, every page) as ChangeVariant changes of it.
// Older WooCommerce versions leave out a variation's name, type and
// parent_id there; the parent's title and the options stand in.
func (c *Client) Variations(ctx context.Context, productID, productTitle string) ([]commerce.Change, error) {
	var out []commerce.Change
	for page := 1; ; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(MaxPerPage)}}
		var raw []json.RawMessage
		h, err := c.do(ctx, "GET", "/products/"+url.PathEscape(productID)+"/variations", q, nil, &raw)
		if err != nil {
			return nil, err
		}
		for i, rec := range raw {
			var p product
			if err := decodeJSON(rec, &p); err != nil {
				c.log.WarnContext(ctx, "woocommerce: skipped a variation", "product", productID, "index", i, "error", err)
				continue
			}
			p.Type, p.ParentID = "variation", wooID(productID)
			if p.Name == "" {
				opts := make([]string, 0, len(p.Attributes))
				for _, a := range p.Attributes {
					if a.Option != "" {
						opts = append(opts, a.Option)
					}
				}
				p.Name = productTitle
				if len(opts) > 0 {
					p.Name += " - " + strings.Join(opts, ", ")
				}
			}
			ch, err := productChange(p, c.currency)
			if err != nil {
				c.log.WarnContext(ctx, "woocommerce: skipped a variation", "product", productID, "index", i, "error", err)
				continue
			}
			out = append(out, ch)
		}
		if pages, _ := strconv.Atoi(h.Get("X-WP-TotalPages")); page >= pages {
			return out, nil
		}
	}
}

func (c *Client) decodeRecord(r Resource, rec []byte) (commerce.Change, error) {
	switch r {
	case ResourceOrders:
		var o order
		if err := decodeJSON(rec, &o); err != nil {
			return commerce.Change{}, err
		}
		return orderChange(o)
	case ResourceCustomers:
		var cu customer
		if err := decodeJSON(rec, &cu); err != nil {
			return commerce.Change{}, err
		}
		return customerChange(cu, c.currency)
	default:
		var p product
		if err := decodeJSON(rec, &p); err != nil {
			return commerce.Change{}, err
		}
		return productChange(p, c.currency)
	}
}
