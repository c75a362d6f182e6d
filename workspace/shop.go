package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
	// ConsumerKey and ConsumerSecret are a WooCommerce REST key pair.
	ConsumerKey    string `json:"consumer_key"`
	ConsumerSecret string `json:"consumer_secret"`
	// Currency is the shop's ISO 4217 currency, for payloads that carry
	// none; the workspace's currency when empty.
	Currency string `json:"currency"`
	// APIURL is where the shop's API answers when it is not
	// https://{domain} (a WordPress installed under a path).
	APIURL string `json:"api_url"`
}

// Shop statuses. A redacted shop's data and credentials were erased at the
// platform's request; it stays listed so late webhooks are refused.
const (
	ShopActive   = "active"
	ShopDisabled = "disabled"
	ShopRedacted = "redacted"
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
	token := in.AccessToken
	if in.Platform == "woocommerce" && (in.ConsumerKey != "" || in.ConsumerSecret != "") {
		if in.ConsumerKey == "" || in.ConsumerSecret == "" || strings.Contains(in.ConsumerKey, ":") {
			return store.Shop{}, invalid("consumer_key", "a WooCommerce key pair needs both consumer_key and consumer_secret")
		}
		token = in.ConsumerKey + ":" + in.ConsumerSecret
	}
	if in.APIURL != "" {
		u, err := url.Parse(in.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return store.Shop{}, invalid("api_url", "%q is not an http(s) URL", in.APIURL)
		}
	}
	w, err := s.st.Workspace(ctx, workspaceID)
	if err != nil {
		return store.Shop{}, err
	}
	currency := in.Currency
	if currency == "" {
		currency = w.Currency
	}
	if !currencyRe.MatchString(currency) {
		return store.Shop{}, invalid("currency", "%q is not an ISO 4217 code", currency)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = domain
	}
	now := s.now().UTC()
	sh := store.Shop{ID: ids.New("shop"), WorkspaceID: workspaceID, Platform: in.Platform, Domain: domain, Name: name,
		Status: ShopActive, Currency: currency, APIURL: strings.TrimRight(in.APIURL, "/"), CreatedAt: now, UpdatedAt: now}
	sh.AccessTokenEnc = s.box.Seal(token, sealContext(sh.ID, "access_token"))
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

// ShopByID finds a shop by id alone (webhook endpoints name it in the URL).
func (s *Service) ShopByID(ctx context.Context, id string) (store.Shop, error) {
	return s.st.ShopByID(ctx, id)
}

// ShopByDomain finds a platform's shop by its domain.
func (s *Service) ShopByDomain(ctx context.Context, platform, domain string) (store.Shop, error) {
	return s.st.ShopByDomain(ctx, platform, normalizeDomain(domain))
}

// InstallShopify records a Shopify app install: the first install of a shop
// creates its workspace and shop; a reinstall stores the new token and
// re-enables the shop. The webhook secret of an app install is the app's
// secret, so none is stored. It reports whether the shop is new.
func (s *Service) InstallShopify(ctx context.Context, domain, accessToken, currency string) (store.Shop, bool, error) {
	domain = normalizeDomain(domain)
	sh, err := s.st.ShopByDomain(ctx, "shopify", domain)
	switch {
	case err == nil:
		sh.Status, sh.UpdatedAt = ShopActive, s.now().UTC()
		sh.AccessTokenEnc = s.box.Seal(accessToken, sealContext(sh.ID, "access_token"))
		sh.WebhookSecretEnc = s.box.Seal("", sealContext(sh.ID, "webhook_secret"))
		if currency != "" {
			sh.Currency = currency
		}
		if err := s.st.UpdateShop(ctx, sh); err != nil {
			return sh, false, err
		}
		s.log.Info("shopify app reinstalled", "workspace", sh.WorkspaceID, "shop", sh.ID, "domain", domain)
		return sh, false, nil
	case !errors.Is(err, store.ErrNotFound):
		return sh, false, err
	}
	name := strings.TrimSuffix(domain, ".myshopify.com")
	settings := Settings{Name: &name}
	if currency != "" {
		settings.Currency = &currency
	}
	w, err := s.Create(ctx, settings)
	if err != nil {
		return store.Shop{}, false, err
	}
	sh, err = s.ConnectShop(ctx, w.ID, ShopInput{Platform: "shopify", Domain: domain, Name: name, AccessToken: accessToken, Currency: currency})
	return sh, true, err
}

// SaveShop stores a shop's changed name, status or currency.
func (s *Service) SaveShop(ctx context.Context, sh store.Shop) error {
	sh.UpdatedAt = s.now().UTC()
	return s.st.UpdateShop(ctx, sh)
}
