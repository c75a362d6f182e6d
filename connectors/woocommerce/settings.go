package woocommerce

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// StoreInfo is what Cartwheel needs from the store's general settings.
type StoreInfo struct {
	// Currency is the store currency (woocommerce_currency), the one its
	// product prices are in.
	Currency string
	// PriceDecimals is the number of decimals the store shows
	// (woocommerce_price_num_decimals), -1 when unknown. Amounts are still
	// read in the currency's ISO 4217 precision; a difference only means
	// the store rounds its display.
	PriceDecimals int
}

// Settings reads GET /wc/v3/settings/general.
func (c *Client) Settings(ctx context.Context) (StoreInfo, error) {
	// Values are strings for the options read here but arrays or objects
	// for others, hence the untyped decoding.
	var raw []map[string]any
	if _, err := c.do(ctx, "GET", "/settings/general", nil, nil, &raw); err != nil {
		return StoreInfo{}, err
	}
	info := StoreInfo{PriceDecimals: -1}
	for _, o := range raw {
		id, _ := o["id"].(string)
		v := strings.TrimSpace(fmt.Sprint(o["value"]))
		switch id {
		case "woocommerce_currency":
			info.Currency = strings.ToUpper(v)
		case "woocommerce_price_num_decimals":
			if n, err := strconv.Atoi(v); err == nil {
				info.PriceDecimals = n
			}
		}
	}
	return info, nil
}
