package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cartwheelhq/cartwheel/connectors/woocommerce/wootest"
	"github.com/cartwheelhq/cartwheel/internal/browsertest"
)

// A shop admin connects a WooCommerce store from the console's settings,
// in Chromium, against a fake store over real HTTP: a bad address and
// wrong keys are refused next to their fields with what was typed kept,
// the right keys connect the shop, register its webhooks and start the
// sync, whose counts the shop's page shows; a webhook registration the
// store refuses (404: REST API off) is explained in words and succeeds
// when retried. With CARTWHEEL_SCREENSHOTS=DIR the pages are saved there.
func TestConsoleConnectWooCommerce(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	store := wootest.NewServer(t)
	store.SetCurrency("PLN")
	t0 := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	store.SeedProducts(3)
	store.SeedCustomers(2, t0)
	store.SeedOrders(4, t0)
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	base := inst.cfg.PublicURL
	ws := inst.demo.Workspace.ID
	setup, _ := setupLink(t, out.String())
	run := pageRunner(t, ctx)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	value := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("value of %s: %v", sel, err)
		}
		return s
	}
	run("viewport", chromedp.EmulateViewport(1280, 900))
	run("set-up", chromedp.Navigate(base+setup), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@shop.example"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough password"),
		chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#fig-attributed`)))

	run("settings", chromedp.Navigate(base+"/admin/w/"+ws+"/settings"), chromedp.WaitVisible(chromedp.CSS(`#connect-woo`)),
		chromedp.Click(chromedp.CSS(`#connect-woo`)), chromedp.WaitVisible(chromedp.CSS(`#s-address`)))
	// Step 1: the address. Something that is not one stays, with the error.
	run("bad address", chromedp.SendKeys(chromedp.CSS(`#s-address`), "sklep bez adresu"),
		chromedp.Click(chromedp.CSS(`#s-next`)), chromedp.WaitVisible(chromedp.CSS(`#s-address-err`)))
	if v := value(`#s-address`); v != "sklep bez adresu" {
		t.Errorf("the address typed was not kept: %q", v)
	}
	run("address", chromedp.SetValue(chromedp.CSS(`#s-address`), store.URL+"/"),
		chromedp.Click(chromedp.CSS(`#s-next`)), chromedp.WaitVisible(chromedp.CSS(`#s-consumer_key`)))
	if href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#keys-link').href`)); err != nil ||
		href != store.URL+"/wp-admin/admin.php?page=wc-settings&tab=advanced&section=keys" {
		t.Errorf("the link to the store's keys page: %q %v", href, err)
	}
	consoleShot(t, ctx, "shop-connect")
	// Step 2: keys the store refuses are said to be refused, nothing stored.
	run("wrong keys", chromedp.SendKeys(chromedp.CSS(`#s-consumer_key`), "ck_wrong"),
		chromedp.SendKeys(chromedp.CSS(`#s-consumer_secret`), "cs_wrong"),
		chromedp.Click(chromedp.CSS(`#s-connect`)), chromedp.WaitVisible(chromedp.CSS(`#s-consumer_key-err`)))
	if e := text(`#s-consumer_key-err`); !strings.Contains(e, "refused the keys") || !strings.Contains(e, "401") {
		t.Errorf("wrong keys explained as %q", e)
	}
	if v := value(`#s-consumer_secret`); v != "cs_wrong" {
		t.Errorf("the secret typed was not kept: %q", v)
	}
	admin := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	var shops struct {
		Shops []shopJSON `json:"shops"`
	}
	admin.do("GET", "/api/v1/shops", nil, &shops)
	before := len(shops.Shops)

	run("right keys", chromedp.SetValue(chromedp.CSS(`#s-consumer_key`), wootest.ConsumerKey),
		chromedp.SetValue(chromedp.CSS(`#s-consumer_secret`), wootest.ConsumerSecret),
		chromedp.Click(chromedp.CSS(`#s-connect`)), chromedp.WaitVisible(chromedp.CSS(`#connected`)))
	steps := text(`#connect-steps`)
	for _, want := range []string{"currency is PLN", "10 topics registered", "Sync started"} {
		if !strings.Contains(steps, want) {
			t.Errorf("the steps do not say %q: %s", want, steps)
		}
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#connect-steps .step-failed').length`)); n != 0 {
		t.Errorf("%d steps failed: %s", n, steps)
	}
	shopID, secret := text(`#plugin-shop`), text(`#plugin-secret`)
	if len(secret) < 32 {
		t.Errorf("the webhook secret for the plugin: %q", secret)
	}
	consoleShot(t, ctx, "shop-connected")
	admin.do("GET", "/api/v1/shops", nil, &shops)
	if len(shops.Shops) != before+1 {
		t.Fatalf("shops after connecting: %+v", shops.Shops)
	}
	hooks := store.Webhooks()
	if len(hooks) != 10 || hooks[0].DeliveryURL != inst.cfg.PublicURL+"/webhooks/woocommerce/"+shopID || hooks[0].Secret != secret {
		t.Errorf("webhooks in the store: %+v", hooks)
	}

	// The shop's page: the counts of each kind once the sync is through.
	run("shop page", chromedp.Click(chromedp.CSS(`#shop-status-link`)), chromedp.WaitVisible(chromedp.CSS(`#syncs`)))
	want := map[string]string{"products": "3", "customers": "2", "orders": "4"}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := map[string]string{}
		for k := range want {
			got[k] = strings.TrimSpace(text(`#sync-` + k + ` .done`))
		}
		if fmt.Sprint(got) == fmt.Sprint(want) && !strings.Contains(text(`#syncs`), "running") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("synced counts %v, want %v; page: %s", got, want, text(`main`))
		}
		time.Sleep(300 * time.Millisecond)
		run("reload", chromedp.Navigate(base+"/admin/w/"+ws+"/settings/shops/"+shopID), chromedp.WaitVisible(chromedp.CSS(`#syncs`)))
	}
	if s := text(`#webhooks-state`); !strings.Contains(s, "Registered") {
		t.Errorf("webhooks state: %q", s)
	}

	// The store turns its REST API off: registering again fails, in words.
	store.FailNext(0, 1, http.StatusNotFound)
	run("webhooks again", chromedp.Click(chromedp.CSS(`#webhooks-again`)),
		until(`location.search.includes('did=webhooks') && !!document.querySelector('#webhooks-state.err')`))
	if s := text(`#webhooks-state`); !strings.Contains(s, "REST API was not found (404)") {
		t.Errorf("a 404 at webhook registration explained as %q", s)
	}
	consoleShot(t, ctx, "shop-status")
	run("webhooks once more", chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`),
		chromedp.Click(chromedp.CSS(`#webhooks-again`)),
		until(`!window.__cwOld && !!document.querySelector('#webhooks-state.ok')`))
	run("sync again", chromedp.Evaluate[chromedp.Void](`window.__cwOld = true`),
		chromedp.Click(chromedp.CSS(`#sync-again`)),
		until(`!window.__cwOld && !!document.querySelector('#shop-notice')`))

	run("audit", chromedp.Navigate(base+"/admin/w/"+ws+"/audit"), chromedp.WaitVisible(chromedp.CSS(`#audit`)))
	if a := text(`#audit`); !strings.Contains(a, "shop.connect") || !strings.Contains(a, "shop.webhooks") || !strings.Contains(a, "shop.sync") {
		t.Errorf("audit log: %q", a)
	}
}
