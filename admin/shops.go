package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cartwheelhq/cartwheel/connectors"
	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/store"
	"github.com/cartwheelhq/cartwheel/workspace"
)

// routesSettings adds the settings pages beyond the overview: connecting
// a shop with guided steps, a shop's sync status and its retry actions,
// and the consent, sending-rule and web push forms.
func (h *Handler) routesSettings(m *http.ServeMux) {
	m.HandleFunc("GET /admin/w/{ws}/settings/shops/connect", h.inWorkspace(h.owner(h.connectShopForm)))
	m.HandleFunc("POST /admin/w/{ws}/settings/shops/connect", h.inWorkspace(h.owner(h.connectShop)))
	m.HandleFunc("GET /admin/w/{ws}/settings/shops/{id}", h.inWorkspace(h.shopPage))
	m.HandleFunc("POST /admin/w/{ws}/settings/shops/{id}/sync", h.inWorkspace(h.editor(h.shopSync)))
	m.HandleFunc("POST /admin/w/{ws}/settings/shops/{id}/webhooks", h.inWorkspace(h.editor(h.shopWebhooks)))
	m.HandleFunc("POST /admin/w/{ws}/settings/consent", h.inWorkspace(h.owner(h.saveConsent)))
	m.HandleFunc("POST /admin/w/{ws}/settings/rules", h.inWorkspace(h.editor(h.saveRules)))
	m.HandleFunc("POST /admin/w/{ws}/settings/push", h.inWorkspace(h.editor(h.savePush)))
}

// connectStep is one step of connecting a shop as the page shows it.
type connectStep struct {
	Key   string // text key of the step's name
	State string // done, failed, todo
	// Detail says what happened, in words (an error explained, a count).
	Detail string
}

// connectPage is what the guided connection page shows.
type connectPage struct {
	Platform string
	// Step is the form shown: "address" (the shop's address), "keys"
	// (credentials), "done" (the outcome).
	Step  string
	Form  *form
	Steps []connectStep
	// KeysURL is where the shop's admin makes the credentials.
	KeysURL string
	// InstallURL starts the Shopify app's OAuth install; empty when the
	// app is not configured.
	InstallURL string
	Shop       store.Shop
	// Secret is the webhook secret, shown this once for the WordPress
	// plugin's settings.
	Secret string
}

// connectShopForm walks through the first steps: the platform, then the
// shop's address (a GET form: nothing changes until the keys are posted),
// then where to make the keys and the form that takes them.
func (h *Handler) connectShopForm(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Connectors == nil {
		return errNotFound
	}
	f := newForm()
	f.Values["platform"] = r.URL.Query().Get("platform")
	f.Values["address"] = strings.TrimSpace(r.URL.Query().Get("address"))
	p := &connectPage{Platform: f.Values["platform"], Step: "address", Form: f}
	switch p.Platform {
	case connectors.WooCommerce, connectors.Shopify:
	default:
		p.Platform, p.Step = "", "platform"
		return h.renderConnect(w, r, q, http.StatusOK, p)
	}
	if r.URL.Query().Has("address") {
		if err := h.checkAddress(q, p); err == nil {
			p.Step = "keys"
		}
	}
	status := http.StatusOK
	if len(f.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.renderConnect(w, r, q, status, p)
}

// checkAddress validates the typed address and fills in what the keys
// step shows (where to make the keys, the app install link); a problem
// goes next to the address field.
func (h *Handler) checkAddress(q *request, p *connectPage) error {
	f := p.Form
	addr := f.Values["address"]
	switch p.Platform {
	case connectors.Shopify:
		d := strings.ToLower(strings.TrimRight(strings.TrimPrefix(strings.TrimPrefix(addr, "https://"), "http://"), "/"))
		if !shopify.ValidShopDomain(d) {
			f.Errors["address"] = h.texts.text(q.Locale, "shops.bad_shopify_domain")
			return errInvalidForm
		}
		f.Values["address"] = d
		p.KeysURL = "https://" + d + "/admin/settings/apps/development"
		if h.opt.Connectors != nil && h.opt.Connectors.ShopifyApp() {
			p.InstallURL = "/shopify/install?" + url.Values{"shop": {d}}.Encode()
		}
	default:
		u, err := url.Parse(addr)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			f.Errors["address"] = h.texts.text(q.Locale, "shops.bad_woo_url")
			return errInvalidForm
		}
		u.Path = strings.TrimRight(u.Path, "/")
		f.Values["address"] = u.String()
		p.KeysURL = u.String() + "/wp-admin/admin.php?page=wc-settings&tab=advanced&section=keys"
	}
	return nil
}

var errInvalidForm = errors.New("invalid form")

// connectShop takes the credentials and runs the remaining steps: check
// them against the shop, store the shop, register the webhooks, start the
// first sync. A check that fails stores nothing and says why next to the
// field; the later steps' failures are shown and can be retried from the
// shop's page.
func (h *Handler) connectShop(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Connectors == nil {
		return errNotFound
	}
	ctx := r.Context()
	f := newForm()
	for _, k := range []string{"platform", "address", "consumer_key", "consumer_secret", "access_token", "webhook_secret"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	p := &connectPage{Platform: f.Values["platform"], Step: "keys", Form: f}
	if p.Platform != connectors.WooCommerce && p.Platform != connectors.Shopify {
		return errNotFound
	}
	if err := h.checkAddress(q, p); err != nil {
		p.Step = "address"
		return h.renderConnect(w, r, q, http.StatusUnprocessableEntity, p)
	}
	in, secretShown := h.shopInput(q, p)
	if len(f.Errors) > 0 {
		return h.renderConnect(w, r, q, http.StatusUnprocessableEntity, p)
	}
	if dup, err := h.connected(ctx, q.WS.ID, in); err != nil {
		return err
	} else if dup != "" {
		f.Errors["address"] = h.texts.text(q.Locale, "shops.already", dup)
		p.Step = "address"
		return h.renderConnect(w, r, q, http.StatusUnprocessableEntity, p)
	}
	in, err := h.opt.Connectors.CheckShop(ctx, in)
	if err != nil {
		field := "consumer_key"
		if p.Platform == connectors.Shopify {
			field = "access_token"
		}
		f.Errors[field] = h.explainShopError(q.Locale, err.Error())
		h.record(ctx, q, "shop.connect_refused", in.Domain, err.Error())
		return h.renderConnect(w, r, q, http.StatusUnprocessableEntity, p)
	}
	p.Steps = append(p.Steps, connectStep{Key: "shops.step.check", State: "done", Detail: h.texts.text(q.Locale, "shops.checked", in.Currency)})
	sh, err := h.opt.Workspaces.ConnectShop(ctx, q.WS.ID, in)
	var inv *workspace.InvalidError
	if errors.As(err, &inv) {
		f.Errors["address"] = inv.Reason
		return h.renderConnect(w, r, q, http.StatusUnprocessableEntity, p)
	}
	if err != nil {
		return err
	}
	h.record(ctx, q, "shop.connect", sh.ID, sh.Platform+" "+sh.Domain)
	p.Shop, p.Step = sh, "done"
	if secretShown {
		p.Secret = in.WebhookSecret
	}
	p.Steps = append(p.Steps, connectStep{Key: "shops.step.saved", State: "done", Detail: sh.ID})
	p.Steps = append(p.Steps, h.webhookStep(ctx, q, sh))
	sync := connectStep{Key: "shops.step.sync", State: "done", Detail: h.texts.text(q.Locale, "shops.sync_started")}
	if err := h.opt.Connectors.StartSync(ctx, q.WS.ID, sh.ID); err != nil && !errors.Is(err, connectors.ErrSyncRunning) {
		sync.State, sync.Detail = "failed", h.explainShopError(q.Locale, err.Error())
	}
	p.Steps = append(p.Steps, sync)
	return h.renderConnect(w, r, q, http.StatusOK, p)
}

// shopInput checks the credential fields and turns the form into what
// workspace.ConnectShop takes. It reports whether the webhook secret was
// made here (and so must be shown once for the plugin).
func (h *Handler) shopInput(q *request, p *connectPage) (workspace.ShopInput, bool) {
	f := p.Form
	in := workspace.ShopInput{Platform: p.Platform, WebhookSecret: f.Values["webhook_secret"]}
	made := false
	switch p.Platform {
	case connectors.Shopify:
		in.Domain = f.Values["address"]
		in.AccessToken = f.Values["access_token"]
		if in.AccessToken == "" {
			f.Errors["access_token"] = h.texts.text(q.Locale, "shops.need_token")
		}
		// A custom app's deliveries are signed with its own API secret:
		// without it none could be verified.
		if in.WebhookSecret == "" {
			f.Errors["webhook_secret"] = h.texts.text(q.Locale, "shops.need_app_secret")
		}
	default:
		u, _ := url.Parse(f.Values["address"])
		in.Domain = u.Host
		if u.String() != "https://"+u.Host {
			in.APIURL = u.String()
		}
		in.ConsumerKey, in.ConsumerSecret = f.Values["consumer_key"], f.Values["consumer_secret"]
		if !strings.HasPrefix(in.ConsumerKey, "ck_") || strings.Contains(in.ConsumerKey, ":") {
			f.Errors["consumer_key"] = h.texts.text(q.Locale, "shops.bad_ck")
		}
		if !strings.HasPrefix(in.ConsumerSecret, "cs_") {
			f.Errors["consumer_secret"] = h.texts.text(q.Locale, "shops.bad_cs")
		}
		switch s := in.WebhookSecret; {
		case s == "":
			in.WebhookSecret, made = newWebhookSecret(), true
		case !alnum(s) || len(s) < 16:
			// WooCommerce HTML-decodes the secret before signing.
			f.Errors["webhook_secret"] = h.texts.text(q.Locale, "shops.bad_secret")
		}
	}
	return in, made
}

// connected names an already connected shop of the workspace with the
// same platform and domain, or "".
func (h *Handler) connected(ctx context.Context, wsID string, in workspace.ShopInput) (string, error) {
	shops, err := h.opt.Workspaces.Shops(ctx, wsID)
	if err != nil {
		return "", err
	}
	for _, sh := range shops {
		if sh.Platform == in.Platform && strings.EqualFold(sh.Domain, in.Domain) && sh.Status != workspace.ShopRedacted {
			return sh.Domain, nil
		}
	}
	return "", nil
}

// webhookStep registers the shop's webhooks and says how it went.
func (h *Handler) webhookStep(ctx context.Context, q *request, sh store.Shop) connectStep {
	n, err := h.opt.Connectors.RegisterWebhooks(ctx, q.WS.ID, sh.ID)
	if err != nil {
		return connectStep{Key: "shops.step.webhooks", State: "failed", Detail: h.explainShopError(q.Locale, err.Error())}
	}
	return connectStep{Key: "shops.step.webhooks", State: "done", Detail: h.texts.text(q.Locale, "shops.webhooks_done", n)}
}

func (h *Handler) renderConnect(w http.ResponseWriter, r *http.Request, q *request, status int, p *connectPage) error {
	h.render(w, r, q, status, "shop_connect.html", map[string]any{"Title": "shops.connect", "P": p,
		"App": h.opt.Connectors.ShopifyApp()})
	return nil
}

// syncRow is one kind of sync on the shop's page.
type syncRow struct {
	store.SyncState
	// Explained is the last error in words; Raw the error as recorded.
	Explained string
}

// shopPage shows one shop: the connection's steps, each sync's progress
// and its last error in words, the deliveries received, and the retry
// actions.
func (h *Handler) shopPage(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Connectors == nil {
		return errNotFound
	}
	ctx := r.Context()
	st, err := h.opt.Connectors.Status(ctx, q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	byKind := map[string]store.SyncState{}
	for _, s := range st.Syncs {
		byKind[s.Kind] = s
	}
	var syncs []syncRow
	running := false
	for _, k := range connectors.Kinds(st.Shop.Platform) {
		s, ok := byKind[k]
		if !ok {
			s = store.SyncState{Kind: k}
		}
		running = running || s.Status == store.SyncRunning
		syncs = append(syncs, h.explainRow(q, s))
	}
	var hooks *syncRow
	if s, ok := byKind[connectors.OpWebhooks]; ok {
		row := h.explainRow(q, s)
		hooks = &row
	}
	notice := ""
	switch r.URL.Query().Get("did") {
	case "sync":
		notice = h.texts.text(q.Locale, "shops.sync_started")
	case "sync-running":
		notice = h.texts.text(q.Locale, "shops.sync_running")
	case "webhooks":
		notice = h.texts.text(q.Locale, "shops.webhooks_again")
	}
	h.render(w, r, q, http.StatusOK, "shop.html", map[string]any{"Title": "shops.title", "Shop": st.Shop, "Syncs": syncs,
		"Hooks": hooks, "Deliveries": st.Deliveries, "LastSync": st.LastSyncAt, "Running": running, "Notice": notice,
		"Syncable": len(connectors.Kinds(st.Shop.Platform)) > 0 && st.Shop.Status == workspace.ShopActive})
	return nil
}

func (h *Handler) explainRow(q *request, s store.SyncState) syncRow {
	row := syncRow{SyncState: s}
	if s.Status == store.SyncFailed && s.Error != "" {
		row.Explained = h.explainShopError(q.Locale, s.Error)
	}
	return row
}

// shopSync starts a sync again (a failed one resumes from its page).
func (h *Handler) shopSync(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Connectors == nil {
		return errNotFound
	}
	id := r.PathValue("id")
	did := "sync"
	err := h.opt.Connectors.StartSync(r.Context(), q.WS.ID, id)
	var inv *workspace.InvalidError
	switch {
	case errors.Is(err, connectors.ErrSyncRunning):
		did = "sync-running"
	case errors.As(err, &inv):
		return errForbidden
	case err != nil:
		return err
	}
	h.record(r.Context(), q, "shop.sync", id, "")
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/settings/shops/"+id+"?did="+did, http.StatusSeeOther)
	return nil
}

// shopWebhooks registers the shop's webhooks again; the outcome is kept on
// the shop's status, which the page it redirects to shows.
func (h *Handler) shopWebhooks(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Connectors == nil {
		return errNotFound
	}
	id := r.PathValue("id")
	sh, err := h.opt.Workspaces.Shop(r.Context(), q.WS.ID, id)
	if err != nil {
		return err
	}
	step := h.webhookStep(r.Context(), q, sh)
	h.record(r.Context(), q, "shop.webhooks", id, step.State)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/settings/shops/"+id+"?did=webhooks", http.StatusSeeOther)
	return nil
}

// newWebhookSecret makes a secret of letters and digits only: WooCommerce
// HTML-decodes the secret before signing, so other characters could sign
// differently on each side.
func newWebhookSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func alnum(s string) bool {
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
