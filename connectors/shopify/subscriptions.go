package shopify

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// DefaultTopics returns the webhook topics Cartwheel subscribes a shop to
// through the Admin API. The mandatory compliance topics
// (customers/data_request, customers/redact, shop/redact) are not among
// them: Shopify accepts those only from the app configuration
// (shopify.app.toml compliance_topics, see app/shopify.app.toml), never from
// webhookSubscriptionCreate.
func DefaultTopics() []string {
	return []string{
		TopicOrdersCreate, TopicOrdersPaid, TopicOrdersUpdated, TopicOrdersCancelled,
		TopicCheckoutsCreate, TopicCheckoutsUpdate,
		TopicCartsCreate, TopicCartsUpdate,
		TopicCustomersCreate, TopicCustomersUpdate, TopicCustomerEmailConsent,
		TopicProductsCreate, TopicProductsUpdate, TopicProductsDelete,
		TopicInventoryLevelsUpdate,
		TopicAppUninstalled,
	}
}

// TopicEnum converts a REST topic name to the GraphQL WebhookSubscriptionTopic
// value: "orders/create" → "ORDERS_CREATE".
func TopicEnum(topic string) string {
	return strings.ToUpper(strings.NewReplacer("/", "_", ".", "_").Replace(topic))
}

const webhooksQuery = `query Webhooks($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic uri }
  }
}`

// The subscription uses uri, not callbackUrl: since 2025-10 uri is the one
// field for every endpoint kind and callbackUrl is deprecated.
const webhookCreateMutation = `mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`

// UserError is one entry of a mutation's userErrors: input Shopify refused.
type UserError struct {
	Field   []string `json:"field"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
}

// UserErrors is the userErrors list of a mutation, as an error.
type UserErrors []UserError

// Error names each refused field with its message and code.
func (u UserErrors) Error() string {
	parts := make([]string, 0, len(u))
	for _, e := range u {
		s := e.Message
		if len(e.Field) > 0 {
			s = strings.Join(e.Field, ".") + ": " + s
		}
		if e.Code != "" {
			s += " (" + e.Code + ")"
		}
		parts = append(parts, s)
	}
	return "shopify: " + strings.Join(parts, "; ")
}

// Is lets errors.Is(err, ErrDuplicateCode) recognise a refused duplicate
// discount code (userErrors code "TAKEN").
func (u UserErrors) Is(target error) bool {
	return target == ErrDuplicateCode && u.Has("TAKEN")
}

// Has reports whether one of the errors has the given code ("TAKEN").
func (u UserErrors) Has(code string) bool {
	for _, e := range u {
		if e.Code == code {
			return true
		}
	}
	return false
}

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// RegisterWebhooks makes sure the shop sends every topic to callbackURL.
// It lists the app's existing subscriptions first and creates only the
// missing ones, so running it at every start or reconnect is harmless.
// Subscriptions of the same topic to another address are left alone.
func (c *Client) RegisterWebhooks(ctx context.Context, callbackURL string, topics []string) error {
	if callbackURL == "" {
		return errors.New("shopify: register webhooks: empty callback URL")
	}
	have := map[string]bool{} // TOPIC_ENUM + " " + uri
	after := ""
	for page := 0; ; page++ {
		if page >= 100 {
			return errors.New("shopify: register webhooks: more than 100 pages of subscriptions")
		}
		vars := map[string]any{"first": 100}
		if after != "" {
			vars["after"] = after
		}
		var out struct {
			WebhookSubscriptions *struct {
				PageInfo pageInfo `json:"pageInfo"`
				Nodes    []struct {
					Topic string `json:"topic"`
					URI   string `json:"uri"`
				} `json:"nodes"`
			} `json:"webhookSubscriptions"`
		}
		if err := c.Do(ctx, webhooksQuery, vars, &out); err != nil {
			return fmt.Errorf("shopify: list webhooks: %w", err)
		}
		if out.WebhookSubscriptions == nil {
			return errors.New("shopify: list webhooks: the answer has no webhookSubscriptions")
		}
		for _, n := range out.WebhookSubscriptions.Nodes {
			have[n.Topic+" "+n.URI] = true
		}
		pi := out.WebhookSubscriptions.PageInfo
		if !pi.HasNextPage || pi.EndCursor == "" {
			break
		}
		after = pi.EndCursor
	}
	for _, t := range topics {
		enum := TopicEnum(t)
		if have[enum+" "+callbackURL] {
			continue
		}
		if err := c.createWebhook(ctx, enum, callbackURL); err != nil {
			return fmt.Errorf("shopify: subscribe %s: %w", t, err)
		}
		have[enum+" "+callbackURL] = true
		c.log.InfoContext(ctx, "shopify: webhook subscribed", "shop", c.shop, "topic", t)
	}
	return nil
}

func (c *Client) createWebhook(ctx context.Context, topic, uri string) error {
	vars := map[string]any{
		"topic":               topic,
		"webhookSubscription": map[string]any{"uri": uri, "format": "JSON"},
	}
	var out struct {
		WebhookSubscriptionCreate *struct {
			UserErrors UserErrors `json:"userErrors"`
		} `json:"webhookSubscriptionCreate"`
	}
	if err := c.Do(ctx, webhookCreateMutation, vars, &out); err != nil {
		return err
	}
	r := out.WebhookSubscriptionCreate
	if r == nil {
		return errors.New("the answer has no webhookSubscriptionCreate")
	}
	for _, e := range r.UserErrors {
		// A retried mutation that had in fact been applied: the
		// subscription exists, which is what was asked.
		if strings.Contains(strings.ToLower(e.Message), "already been taken") && len(r.UserErrors) == 1 {
			return nil
		}
	}
	if len(r.UserErrors) > 0 {
		return r.UserErrors
	}
	return nil
}
