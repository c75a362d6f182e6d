package workspace

import (
	"context"
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/ids"
	"github.com/cartwheelhq/cartwheel/store"
)

// ShopInput connects a shop by hand (a Shopify custom app, a WooCommerce key
// pair, or a custom shop).
type ShopInput struct {
	Platform      string `json:"platform"`
	Domain        string `json:"domain"`
	Name          string `json:"name"`
	AccessToken   string `json:"access_token"`
	WebhookSecret string `json:"webhook_secret"`
}

// Shop statuses.
const (
	ShopActive   = "active"
	ShopDisabled = "disabled"
)

func normalizeDomain(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	d = strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://")
	return strings.TrimRight(d, "/")
}

// ConnectShop stores a shop with its secrets sealed.
func (s *Service) ConnectShop(ctx context.Context, workspaceID string, in ShopInput) (store.Shop, error) {
	switch in.Platform {
	case "shopify", "woocommerce", "custom":
	default:
		return store.Shop{}, invalid("platform", "must be shopify, woocommerce or custom")
	}
	domain := normalizeDomain(in.Domain)
	if domain == "" || strings.ContainsAny(domain, " /?#@") || len(domain) > 253 {
		return store.Shop{}, invalid("domain", "%q is not a host name", in.Domain)
	}
	if in.Platform == "shopify" && !strings.HasSuffix(domain, ".myshopify.com") {
		return store.Shop{}, invalid("domain", "a Shopify shop is named by its .myshopify.com domain")
	}
	if _, err := s.st.Workspace(ctx, workspaceID); err != nil {
		return store.Shop{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = domain
	}
	now := s.now().UTC()
	sh := store.Shop{ID: ids.New("shop"), WorkspaceID: workspaceID, Platform: in.Platform, Domain: domain, Name: name,
		Status: ShopActive, CreatedAt: now, UpdatedAt: now}
	sh.AccessTokenEnc = s.box.Seal(in.AccessToken, sealContext(sh.ID, "access_token"))
	sh.WebhookSecretEnc = s.box.Seal(in.WebhookSecret, sealContext(sh.ID, "webhook_secret"))
	if err := s.st.CreateShop(ctx, sh); err != nil {
		return sh, err
	}
	s.log.Info("shop connected", "workspace", workspaceID, "shop", sh.ID, "platform", sh.Platform, "domain", domain)
	return sh, nil
}

func sealContext(shopID, field string) string { return "shop:" + shopID + ":" + field }

// ShopSecrets opens a shop's access token and webhook secret.
func (s *Service) ShopSecrets(sh store.Shop) (accessToken, webhookSecret string, err error) {
	accessToken, err = s.box.Open(sh.AccessTokenEnc, sealContext(sh.ID, "access_token"))
	if err != nil {
		return "", "", fmt.Errorf("shop %s access token: %w", sh.ID, err)
	}
	webhookSecret, err = s.box.Open(sh.WebhookSecretEnc, sealContext(sh.ID, "webhook_secret"))
	if err != nil {
		return "", "", fmt.Errorf("shop %s webhook secret: %w", sh.ID, err)
	}
	return accessToken, webhookSecret, nil
}

// Shop returns one of the workspace's shops.
func (s *Service) Shop(ctx context.Context, workspaceID, id string) (store.Shop, error) {
	return s.st.Shop(ctx, workspaceID, id)
}

// Shops lists the workspace's shops.
func (s *Service) Shops(ctx context.Context, workspaceID string) ([]store.Shop, error) {
	return s.st.Shops(ctx, workspaceID)
}

// SetShopStatus enables or disables a shop (an uninstall disables it).
func (s *Service) SetShopStatus(ctx context.Context, workspaceID, id, status string) (store.Shop, error) {
	if status != ShopActive && status != ShopDisabled {
		return store.Shop{}, invalid("status", "must be active or disabled")
	}
	sh, err := s.st.Shop(ctx, workspaceID, id)
	if err != nil {
		return sh, err
	}
	sh.Status, sh.UpdatedAt = status, s.now().UTC()
	return sh, s.st.UpdateShop(ctx, sh)
}
