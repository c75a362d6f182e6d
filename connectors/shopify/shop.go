package shopify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ShopInfo is what Cartwheel needs to know about a connected shop.
type ShopInfo struct {
	Name            string
	Currency        string // ISO 4217, the shop's own currency: product and order amounts are in it
	Domain          string // host of the primary (customer-facing) domain
	MyshopifyDomain string
	Timezone        string // IANA name, e.g. "America/New_York"
}

const shopQuery = `query ShopInfo {
  shop {
    name
    currencyCode
    myshopifyDomain
    ianaTimezone
    primaryDomain { url host }
  }
}`

// ShopInfo reads the shop's name, currency, domains and time zone. Run it at
// install (and now and then after): webhook product payloads carry no
// currency, so the caller keeps this one.
func (c *Client) ShopInfo(ctx context.Context) (ShopInfo, error) {
	var out struct {
		Shop *struct {
			Name            string `json:"name"`
			CurrencyCode    string `json:"currencyCode"`
			MyshopifyDomain string `json:"myshopifyDomain"`
			IanaTimezone    string `json:"ianaTimezone"`
			PrimaryDomain   struct {
				URL  string `json:"url"`
				Host string `json:"host"`
			} `json:"primaryDomain"`
		} `json:"shop"`
	}
	if err := c.Do(ctx, shopQuery, nil, &out); err != nil {
		return ShopInfo{}, fmt.Errorf("shopify: shop info: %w", err)
	}
	if out.Shop == nil {
		return ShopInfo{}, errors.New("shopify: shop info: the answer has no shop")
	}
	s := out.Shop
	domain := s.PrimaryDomain.Host
	if u, err := url.Parse(s.PrimaryDomain.URL); err == nil && u.Host != "" {
		domain = u.Host
	}
	return ShopInfo{
		Name:            s.Name,
		Currency:        strings.ToUpper(s.CurrencyCode),
		Domain:          strings.ToLower(domain),
		MyshopifyDomain: strings.ToLower(s.MyshopifyDomain),
		Timezone:        s.IanaTimezone,
	}, nil
}
