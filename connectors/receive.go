package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// Receive errors; the HTTP layer maps them to status codes.
var (
	// ErrBadSignature: 401, before anything of the body was parsed.
	ErrBadSignature = errors.New("webhook signature does not verify")
	// ErrUnknownShop: 404, no connected shop matches the delivery.
	ErrUnknownShop = errors.New("no such shop")
	// ErrMalformed: 400, the body is not the JSON the topic promises.
	ErrMalformed = errors.New("malformed webhook body")
)

// Receipt says what happened to a delivery that was accepted.
type Receipt struct {
	Duplicate bool `json:"duplicate,omitempty"`
	Ignored   bool `json:"ignored,omitempty"`
}

// ReceiveShopify verifies, checks and stores a Shopify delivery; header
// reads one request header. Only after it is stored may the platform be
// answered 200: processing happens afterwards, in Run.
func (h *Hub) ReceiveShopify(ctx context.Context, header func(string) string, body []byte) (Receipt, error) {
	domain := strings.ToLower(strings.TrimSpace(header(shopify.HeaderShopDomain)))
	sh, err := h.opt.Workspaces.ShopByDomain(ctx, Shopify, domain)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sh.Status == workspace.ShopRedacted) {
		// A shop Cartwheel holds nothing for (never installed, or erased):
		// a genuine delivery signed with the app secret is acknowledged so
		// Shopify stops retrying; anything else is refused as unsigned.
		if h.opt.ShopifyAPISecret != "" && shopify.VerifyWebhook(h.opt.ShopifyAPISecret, body, header(shopify.HeaderHmac)) {
			h.log.Info("webhook for a shop with no data acknowledged", "domain", domain, "topic", header(shopify.HeaderTopic))
			return Receipt{Ignored: true}, nil
		}
		return Receipt{}, fmt.Errorf("%w (shop %q unknown)", ErrBadSignature, domain)
	}
	if err != nil {
		return Receipt{}, err
	}
	// An app install's deliveries are signed with the app secret; a
	// hand-connected custom app's with its own.
	_, secret, err := h.opt.Workspaces.ShopSecrets(sh)
	if err != nil {
		return Receipt{}, err
	}
	if secret == "" {
		secret = h.opt.ShopifyAPISecret
	}
	if !shopify.VerifyWebhook(secret, body, header(shopify.HeaderHmac)) {
		return Receipt{}, ErrBadSignature
	}
	topic := header(shopify.HeaderTopic)
	id := header(shopify.HeaderWebhookID)
	if id == "" {
		return Receipt{}, fmt.Errorf("%w: no %s header", ErrMalformed, shopify.HeaderWebhookID)
	}
	_, err = shopify.Decode(topic, body)
	return h.store(ctx, sh, topic, "shopify:"+id, body, err, shopify.ErrUnknownTopic)
}

// ReceiveWooCommerce does for a WooCommerce delivery what ReceiveShopify
// does. The creation ping, which carries no signature, is answered without
// being stored.
func (h *Hub) ReceiveWooCommerce(ctx context.Context, shopID string, header func(string) string, body []byte) (Receipt, error) {
	sh, err := h.opt.Workspaces.ShopByID(ctx, shopID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sh.Platform != WooCommerce) {
		return Receipt{}, fmt.Errorf("%w: %s", ErrUnknownShop, shopID)
	}
	if err != nil {
		return Receipt{}, err
	}
	if header(woocommerce.HeaderSignature) == "" && woocommerce.IsPing(body, header("Content-Type")) {
		h.log.Info("woocommerce webhook ping", "shop", sh.ID)
		return Receipt{Ignored: true}, nil
	}
	_, secret, err := h.opt.Workspaces.ShopSecrets(sh)
	if err != nil {
		return Receipt{}, err
	}
	if !woocommerce.VerifyWebhook(secret, body, header(woocommerce.HeaderSignature)) {
		return Receipt{}, ErrBadSignature
	}
	topic := header(woocommerce.HeaderTopic)
	_, err = woocommerce.Decode(topic, body)
	if err != nil && !errors.Is(err, woocommerce.ErrUnknownTopic) {
		return Receipt{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return h.store(ctx, sh, topic, woocommerce.DedupKey(topic, body), body, err, woocommerce.ErrUnknownTopic)
}

// store persists a verified delivery; decodeErr is what decoding it at
// receipt gave, and unknown the platform's unknown-topic error.
func (h *Hub) store(ctx context.Context, sh store.Shop, topic, key string, body []byte, decodeErr, unknown error) (Receipt, error) {
	if !json.Valid(body) {
		return Receipt{}, fmt.Errorf("%w: not JSON", ErrMalformed)
	}
	ignored := errors.Is(decodeErr, unknown)
	if decodeErr != nil && !ignored {
		return Receipt{}, fmt.Errorf("%w: %w", ErrMalformed, decodeErr)
	}
	if ignored {
		// Answered 200 so the platform does not retry or disable the
		// subscription; logged so an admin can see what was skipped.
		h.log.Warn("webhook topic not handled", "shop", sh.ID, "platform", sh.Platform, "topic", topic)
	}
	d := store.Delivery{WorkspaceID: sh.WorkspaceID, ShopID: sh.ID, Platform: sh.Platform, Topic: topic, DedupKey: key,
		Body: body, ReceivedAt: h.now()}
	inserted, err := h.insert(ctx, d)
	if err != nil {
		return Receipt{}, err
	}
	if !inserted {
		return Receipt{Duplicate: true}, nil
	}
	if h.opt.OnDelivery != nil {
		h.opt.OnDelivery()
	}
	h.notify()
	return Receipt{Ignored: ignored}, nil
}

// StatusFor maps a Receive error to the HTTP status the platform gets.
func StatusFor(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrBadSignature):
		return http.StatusUnauthorized
	case errors.Is(err, ErrUnknownShop):
		return http.StatusNotFound
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
