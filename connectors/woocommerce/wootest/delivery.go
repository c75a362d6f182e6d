package wootest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

// Sign returns the X-WC-Webhook-Signature of body under secret, computed
// here independently of the package under test.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// NewDelivery builds a webhook delivery as WC_Webhook::deliver sends it: a
// JSON POST with the X-WC-Webhook-* headers, signed with secret, from the
// store s (its home URL with a trailing slash is the Source) and webhook
// webhookID. Topic cart.updated is delivered the same way by the plugin.
func (s *Server) NewDelivery(ctx context.Context, deliveryURL, topic string, body []byte, secret string, webhookID int64) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, deliveryURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resource, event, _ := strings.Cut(topic, ".")
	id := strconv.FormatInt(webhookID, 10)
	sum := md5.Sum([]byte(id + topic + string(body)))
	req.Header.Set("User-Agent", "WooCommerce/9.8.1 Hookshot (WordPress/6.8)")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-WC-Webhook-Source", strings.TrimRight(s.URL, "/")+"/")
	req.Header.Set("X-WC-Webhook-Topic", topic)
	req.Header.Set("X-WC-Webhook-Resource", resource)
	req.Header.Set("X-WC-Webhook-Event", event)
	req.Header.Set("X-WC-Webhook-Signature", Sign(secret, body))
	req.Header.Set("X-WC-Webhook-ID", id)
	req.Header.Set("X-WC-Webhook-Delivery-ID", hex.EncodeToString(sum[:]))
	return req, nil
}
