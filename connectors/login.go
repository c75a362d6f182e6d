package connectors

import (
	"context"
	"errors"
	"fmt"
	"net/url"

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

// VerifyWooConsoleEntry checks the WordPress plugin's signed link into the
// admin console (woocommerce.ConsoleEntry) under the webhook secret of the
// WooCommerce shop it names, and returns that shop and the entry.
func (h *Hub) VerifyWooConsoleEntry(ctx context.Context, q url.Values) (store.Shop, woocommerce.ConsoleEntry, error) {
	e, err := woocommerce.ParseConsoleEntry(q)
	if err != nil {
		return store.Shop{}, e, ErrLoginRefused
	}
	sh, err := h.opt.Workspaces.ShopByID(ctx, e.ShopID)
	if errors.Is(err, store.ErrNotFound) || err == nil && sh.Platform != "woocommerce" {
		return store.Shop{}, e, ErrLoginRefused
	}
	if err != nil {
		return store.Shop{}, e, err
	}
	_, secret, err := h.opt.Workspaces.ShopSecrets(sh)
	if err != nil {
		return store.Shop{}, e, fmt.Errorf("console link: %w", err)
	}
	if err := e.Verify(secret, h.now()); err != nil {
		return store.Shop{}, e, ErrLoginRefused
	}
	return sh, e, nil
}
