package server

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/connectors"
)

// webhookBodyLimit is well above Shopify's largest orders (hundreds of
// line items) and below the server-wide limit.
const webhookBodyLimit = 2 << 20

// shopifyWebhook stores a Shopify delivery and answers once it is durable;
// processing happens in the background, well inside Shopify's 5 s.
func (s *Server) shopifyWebhook(c *fiber.Ctx) error {
	return s.webhook(c, func(body []byte) (connectors.Receipt, error) {
		return s.opt.Connectors.ReceiveShopify(c.UserContext(), header(c), body)
	})
}

// wooWebhook does the same for a WooCommerce shop named in the URL.
func (s *Server) wooWebhook(c *fiber.Ctx) error {
	return s.webhook(c, func(body []byte) (connectors.Receipt, error) {
		return s.opt.Connectors.ReceiveWooCommerce(c.UserContext(), c.Params("shop"), header(c), body)
	})
}

func (s *Server) webhook(c *fiber.Ctx, receive func([]byte) (connectors.Receipt, error)) error {
	if len(c.Body()) > webhookBodyLimit {
		return &apiError{fiber.StatusRequestEntityTooLarge, "too_large", "webhook body too large", nil}
	}
	// fasthttp reuses the request buffer after the handler returns.
	body := bytes.Clone(c.Body())
	r, err := receive(body)
	if err != nil {
		status := connectors.StatusFor(err)
		if status == fiber.StatusInternalServerError {
			return err
		}
		s.opt.Log.Warn("webhook refused", "path", clipText(c.Path(), maxEcho), "status", status, "err", clipText(err.Error(), maxEcho))
		// The answer names no shop and repeats no header: whoever sends an
		// unsigned request learns only that it was refused. A malformed
		// body's reason is kept, bounded, for the shop's developer.
		msg := connectors.ErrBadSignature.Error()
		switch status {
		case fiber.StatusNotFound:
			msg = connectors.ErrUnknownShop.Error()
		case fiber.StatusBadRequest:
			msg = clipText(err.Error(), maxEcho)
		}
		return &apiError{status, codeFor(status), msg, nil}
	}
	return c.JSON(r)
}

func header(c *fiber.Ctx) func(string) string { return func(k string) string { return c.Get(k) } }
