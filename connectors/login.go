package connectors

import (
	"context"
	"errors"
	"fmt"

	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/store"
)

// ErrLoginRefused is a shop's login statement that does not prove the
// login: not signed by one of the workspace's shops, for another browser,
// stale or malformed.
var ErrLoginRefused = errors.New("connectors: login statement refused")

// VerifyWooLogin checks the WordPress plugin's signed statement of its
// logged-in customer (woocommerce.Login) presented by visitorID, under the
// webhook secret of the workspace's WooCommerce shop it names, and returns
// the customer id it proves.
func (h *Hub) VerifyWooLogin(ctx context.Context, workspaceID, visitorID, ref string) (string, error) {
	l, err := woocommerce.ParseLogin(ref)
	if err != nil {
		return "", ErrLoginRefused
	}
	sh, err := h.opt.Workspaces.Shop(ctx, workspaceID, l.ShopID)
	if errors.Is(err, store.ErrNotFound) || err == nil && sh.Platform != "woocommerce" {
		return "", ErrLoginRefused
	}
	if err != nil {
		return "", err
	}
	_, secret, err := h.opt.Workspaces.ShopSecrets(sh)
	if err != nil {
		return "", fmt.Errorf("login statement: %w", err)
	}
	if err := l.Verify(secret, visitorID, h.now()); err != nil {
		return "", ErrLoginRefused
	}
	return l.CustomerID, nil
}
