package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// DefaultTopics are the webhook topics Cartwheel subscribes a store to: the
// same list the plugin registers. customer.deleted is left out because it
// decodes to nothing; the restored topics bring trashed records back.
func DefaultTopics() []string {
	return []string{
		"order.created", "order.updated", "order.deleted", "order.restored",
		"customer.created", "customer.updated",
		"product.created", "product.updated", "product.deleted", "product.restored",
	}
}

// webhook is a /wc/v3/webhooks record.
type webhook struct {
	ID          wooID  `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	Topic       string `json:"topic"`
	DeliveryURL string `json:"delivery_url"`
}

// RegisterWebhook subscribes deliveryURL to topic, signed with secret. It is
// idempotent: a webhook with the same topic and delivery URL is kept, and
// one WooCommerce disabled after failed deliveries (or an admin paused) is
// re-activated with secret rather than duplicated. Creating a webhook makes
// WooCommerce ping deliveryURL (see IsPing), so the endpoint must be up.
//
// The secret should be [A-Za-z0-9] only: WooCommerce HTML-decodes it before
// signing.
func (c *Client) RegisterWebhook(ctx context.Context, name, topic, deliveryURL, secret string) error {
	if topic == "" || deliveryURL == "" || secret == "" {
		return errors.New("woocommerce: register webhook: topic, delivery URL and secret are required")
	}
	existing, err := c.webhooks(ctx)
	if err != nil {
		return err
	}
	for _, w := range existing {
		if w.Topic != topic || !sameURL(w.DeliveryURL, deliveryURL) {
			continue
		}
		if w.Status == "active" {
			return nil
		}
		body := map[string]any{"status": "active", "secret": secret}
		_, err := c.do(ctx, "PUT", "/webhooks/"+string(w.ID), nil, body, nil)
		return err
	}
	body := map[string]any{
		"name":         name,
		"topic":        topic,
		"delivery_url": deliveryURL,
		"secret":       secret,
		"status":       "active",
	}
	_, err = c.do(ctx, "POST", "/webhooks", nil, body, nil)
	return err
}

// webhooks lists every webhook of the store, all pages.
func (c *Client) webhooks(ctx context.Context) ([]webhook, error) {
	var all []webhook
	for page := 1; ; page++ {
		q := url.Values{"per_page": {strconv.Itoa(MaxPerPage)}, "page": {strconv.Itoa(page)}}
		var batch []webhook
		h, err := c.do(ctx, "GET", "/webhooks", q, nil, &batch)
		if err != nil {
			return nil, err
		}
		all = append(all, batch...)
		total, _ := strconv.Atoi(h.Get("X-WP-TotalPages"))
		if page >= total || len(batch) == 0 {
			return all, nil
		}
		if page >= 100 {
			return nil, fmt.Errorf("woocommerce: webhooks: more than %d pages", page)
		}
	}
}

// sameURL compares delivery URLs as WooCommerce may have normalised them
// (esc_url_raw keeps them, but admins re-type trailing slashes).
func sameURL(a, b string) bool {
	return strings.TrimRight(strings.TrimSpace(a), "/") == strings.TrimRight(strings.TrimSpace(b), "/")
}
