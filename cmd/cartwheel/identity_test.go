package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/connectors/shopify"
	"github.com/cartwheelhq/cartwheel/connectors/shopify/shopifytest"
	"github.com/cartwheelhq/cartwheel/connectors/woocommerce"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
	"github.com/cartwheelhq/cartwheel/store"
)

// inboxJSON is GET /inbox as the tests read it.
type inboxJSON struct {
	Messages []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Body  string `json:"body"`
	} `json:"messages"`
	RecentlyViewed []struct{ ID string } `json:"recently_viewed"`
}

func readInbox(t *testing.T, inst *instance, siteKey, visitor string) (inboxJSON, string) {
	t.Helper()
	code, body, _ := get(t, inst.url("/inbox?k="+siteKey+"&v="+visitor))
	if code != 200 {
		t.Fatalf("inbox of %s: %d %s", visitor, code, body)
	}
	var in inboxJSON
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	return in, body
}

func (in inboxJSON) viewed() []string {
	var out []string
	for _, p := range in.RecentlyViewed {
		out = append(out, p.ID)
	}
	return out
}

// verify posts a proof to /identify/verify as t.js does.
func verify(t *testing.T, inst *instance, siteKey, visitor, proof string) int {
	t.Helper()
	code, _ := post(t, inst, "/identify/verify", map[string]any{"k": siteKey, "v": visitor, "proof": proof})
	return code
}

func contactOfVisitor(inst *instance, ws, visitor string) string {
	c, err := inst.st.ContactByIdentity(context.Background(), ws, cdp.KindVisitor, visitor)
	if err != nil {
		return ""
	}
	return c.ID
}

// Issue 12: knowing a customer's email must not open their inbox. A
// stranger's browser that identifies with Ann's email gets none of her
// messages, codes or other devices' views; Ann's own browser gets them once
// it follows the link from the email she received; stolen, forged and
// expired proofs are refused.
func TestIdentifyRevealsOnlyToProvenBrowsers(t *testing.T) {
	smtp := smtptest.NewServer(t, smtptest.WithAuth("", ""))
	host, port := smtp.Addr()
	fake := shopifytest.NewServer(t)
	fake.SetToken("shpat_flows")
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SHOPIFY_API_BASE": fake.URL(),
		"CARTWHEEL_SYNC_INTERVAL": "0", "CARTWHEEL_SMTP_URL": fmt.Sprintf("smtp://%s:%d?tls=none", host, port)}))
	s := newWidgetShop(t, inst, testShopDomain, fake.URL())
	ws := s.ws.ID

	// Ann's flow: a discount code, an inbox message with it, and an email
	// linking to the shop.
	shopLink := "https://" + testShopDomain + "/products/p1"
	flow := map[string]any{"name": "VIP", "status": "active", "trigger": map[string]any{"event": "vip_signup"},
		"steps": []any{
			map[string]any{"id": "disc", "kind": "discount", "params": map[string]any{"percent": 10, "prefix": "VIP"}},
			map[string]any{"id": "box", "kind": "inbox", "params": map[string]any{"title": "Your VIP code",
				"body": "Use {{with .Discount}}{{.Code}}{{end}} at checkout", "discount_from": "disc"}},
			map[string]any{"id": "mail", "kind": "send_email", "params": map[string]any{"subject": "Your VIP code",
				"html":     `<p><a href="` + shopLink + `">Shop now</a> <a href="https://social.example/bean-shop">Follow us</a></p>`,
				"products": "none"}},
		}}
	if code := s.api.do("POST", "/api/v1/flows", flow, nil); code != 201 {
		t.Fatalf("flow: %d", code)
	}
	// Ann browses on her phone (her own page-side identify), then signs up.
	s.track(t, "ann-phone", "ph1", pageView(), productView("p2"), map[string]any{"t": "identify", "p": map[string]any{"email": "ann@example.com"}})
	evs := map[string]any{"events": []any{
		map[string]any{"type": "consent", "email": "ann@example.com", "properties": map[string]any{"email": true}},
		map[string]any{"type": "vip_signup", "email": "ann@example.com"},
	}}
	if code := s.api.do("POST", "/api/v1/events", evs, nil); code != 202 {
		t.Fatalf("events: %d", code)
	}
	waitForLong(t, "Ann's email", func() bool { return smtp.Count() == 1 })
	ann, err := inst.st.ContactByEmail(context.Background(), ws, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var code string
	waitFor(t, "Ann's inbox message", func() bool {
		ms, _ := inst.st.Messages(context.Background(), ws, store.MessageFilter{Channel: store.ChannelInbox, ContactID: ann.ID, Limit: 5})
		if len(ms) == 1 {
			var b struct{ Body string }
			_ = json.Unmarshal(ms[0].Body, &b)
			code = strings.Fields(strings.TrimPrefix(b.Body, "Use "))[0]
		}
		return strings.HasPrefix(code, "VIP-")
	})

	// Eve knows Ann's email: her browser identifies with it.
	s.track(t, "eve-laptop", "ev1", pageView(), productView("p7"), map[string]any{"t": "identify", "p": map[string]any{"email": "ann@example.com"}})
	waitFor(t, "Eve's browser linked to Ann", func() bool { return contactOfVisitor(inst, ws, "eve-laptop") == ann.ID })
	waitFor(t, "Ann's phone linked to Ann", func() bool { return contactOfVisitor(inst, ws, "ann-phone") == ann.ID })
	in, body := readInbox(t, inst, s.ws.SiteKey, "eve-laptop")
	if len(in.Messages) != 0 || strings.Contains(body, code) || strings.Contains(body, "VIP code") {
		t.Fatalf("a stranger who typed Ann's email reads her inbox: %s", body)
	}
	if v := in.viewed(); len(v) != 1 || v[0] != "p7" {
		t.Errorf("Eve's recently viewed %v, want only her own p7 (not Ann's phone's p2)", v)
	}
	if d := s.decide(t, "eve-laptop", "ev1", "home", "", ""); d.Inbox == nil || d.Inbox.Unread != 0 {
		t.Errorf("Eve's /decide shows Ann's unread count: %+v", d.Inbox)
	}
	ms, _ := inst.st.Messages(context.Background(), ws, store.MessageFilter{Channel: store.ChannelInbox, ContactID: ann.ID, Limit: 5})
	if code, _ := post(t, inst, "/inbox/read", map[string]any{"k": s.ws.SiteKey, "v": "eve-laptop", "id": ms[0].ID}); code != 404 {
		t.Errorf("Eve marked Ann's message read: %d", code)
	}
	// Ann's phone identified itself the same way, page-side: no proof, no inbox.
	if in, _ := readInbox(t, inst, s.ws.SiteKey, "ann-phone"); len(in.Messages) != 0 {
		t.Errorf("an unverified page-side identify reads the inbox")
	}

	// Ann clicks the link in the email she received, on her laptop.
	m := smtp.Messages()[0]
	var click, social string
	for _, part := range strings.Split(m.HTML, `href="`)[1:] {
		href := strings.ReplaceAll(part[:strings.Index(part, `"`)], "&amp;", "&")
		switch {
		case strings.Contains(href, "/e/c/") && strings.Contains(href, "social.example"):
			social = href
		case strings.Contains(href, "/e/c/") && strings.Contains(href, "products%2Fp1"):
			click = href
		}
	}
	// A link to anywhere but the shop carries no proof.
	if a := send(t, noRedirect, "GET", social, "", "", nil); a.code != 302 || a.hdr.Get("Location") != "https://social.example/bean-shop" {
		t.Fatalf("third-party link %s: %d %q", social, a.code, a.hdr.Get("Location"))
	}
	a := send(t, noRedirect, "GET", click, "", "", nil)
	loc, err := url.Parse(a.hdr.Get("Location"))
	if a.code != 302 || err != nil || loc.Host != testShopDomain || loc.Path != "/products/p1" {
		t.Fatalf("click %s: %d %q", click, a.code, a.hdr.Get("Location"))
	}
	proof := loc.Query().Get(messaging.ProofParam)
	if proof == "" {
		t.Fatalf("the redirect to the shop carries no proof: %s", loc)
	}
	s.track(t, "ann-laptop", "al1", pageView())
	if c := verify(t, inst, s.ws.SiteKey, "ann-laptop", proof); c != 200 {
		t.Fatalf("verify Ann's laptop: %d", c)
	}
	in, body = readInbox(t, inst, s.ws.SiteKey, "ann-laptop")
	if len(in.Messages) != 1 || !strings.Contains(body, code) {
		t.Fatalf("Ann's verified laptop does not see her inbox: %s", body)
	}
	if d := s.decide(t, "ann-laptop", "al1", "home", "", ""); d.Inbox == nil || d.Inbox.Unread != 1 {
		t.Errorf("Ann's verified laptop: inbox %+v, want 1 unread", d.Inbox)
	}
	waitFor(t, "Ann's laptop merged into her contact, her phone's views with it", func() bool {
		in, _ := readInbox(t, inst, s.ws.SiteKey, "ann-laptop")
		return contactOfVisitor(inst, ws, "ann-laptop") == ann.ID && contains(in.viewed(), "p2")
	})

	// The proof was single-use: Eve replaying it from Ann's URL gets nothing.
	if c := verify(t, inst, s.ws.SiteKey, "eve-laptop", proof); c != 403 {
		t.Errorf("a replayed proof on another browser: %d, want 403", c)
	}
	if c := verify(t, inst, s.ws.SiteKey, "ann-laptop", proof); c != 200 {
		t.Errorf("the same browser presenting its proof again: %d", c)
	}
	// Forged and expired proofs are refused.
	box, err := secretsBoxFor(t, inst.cfg)
	if err != nil {
		t.Fatal(err)
	}
	links := messaging.NewLinks(inst.cfg.PublicURL, box)
	enc, sig, _ := strings.Cut(links.Proof(ws, ann.ID, messaging.ProofEmailLink, time.Now().Add(time.Minute)), ".")
	flip := func(s string) string { // a different first character, whatever it was
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	raw, _ := base64.RawURLEncoding.DecodeString(enc)
	for name, p := range map[string]string{
		"altered signature": enc + "." + flip(sig),
		"altered payload":   base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), ann.ID, "ct_someone", 1))) + "." + sig,
		"expired":           links.Proof(ws, ann.ID, messaging.ProofEmailLink, time.Now().Add(-time.Second)),
		"other workspace":   links.Proof("ws_other", ann.ID, messaging.ProofEmailLink, time.Now().Add(time.Minute)),
		"garbage":           "not-a-proof",
	} {
		if c := verify(t, inst, s.ws.SiteKey, "eve-laptop", p); c != 403 {
			t.Errorf("%s proof: %d, want 403", name, c)
		}
	}
	in, body = readInbox(t, inst, s.ws.SiteKey, "eve-laptop")
	if len(in.Messages) != 0 || strings.Contains(body, code) {
		t.Fatalf("after the refused proofs Eve reads Ann's inbox: %s", body)
	}
}

// A shop's own signed statement of its logged-in customer verifies the
// browser: the WordPress plugin's login reference, Shopify's App Proxy
// logged_in_customer_id. Wrong signatures, another browser's reference
// and stale statements are refused.
func TestIdentifyShopSignedLogins(t *testing.T) {
	fake := shopifytest.NewServer(t)
	fake.SetToken("shpat_flows")
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SHOPIFY_API_BASE": fake.URL(),
		"CARTWHEEL_SYNC_INTERVAL": "0", "CARTWHEEL_SHOPIFY_API_KEY": testAppKey, "CARTWHEEL_SHOPIFY_API_SECRET": testAppSecret}))
	s := newWidgetShop(t, inst, testShopDomain, fake.URL())
	ws := s.ws.ID

	// WooCommerce: a second shop of the workspace, with its webhook secret.
	const wooSecret = "wooSecret0123456789"
	var woo shopJSON
	if code := s.api.do("POST", "/api/v1/shops", map[string]any{"platform": "woocommerce", "domain": "woo.example",
		"consumer_key": "ck_x", "consumer_secret": "cs_x", "webhook_secret": wooSecret}, &woo); code != 201 {
		t.Fatalf("woo shop: %d", code)
	}
	// Bob is a Shopify customer with an inbox message.
	if code, body := deliver(t, inst, "customers/create", "wh-cust-1", "whsec_widgets", shopifySample(t, "customers_create.json")); code != 200 {
		t.Fatalf("customer webhook: %d %s", code, body)
	}
	var bob string
	waitFor(t, "Bob's contact", func() bool {
		c, err := inst.st.ContactByIdentity(context.Background(), ws, cdp.CustomerKind("shopify"), "706405506930370084")
		bob = c.ID
		return err == nil
	})
	createMessage(t, inst, store.Message{ID: "msg_bob", WorkspaceID: ws, ContactID: bob, Channel: store.ChannelInbox,
		Status: store.MessageSent, Subject: "Bob's code", Body: json.RawMessage(`{"title":"Bob's code","body":"BOB-SECRET"}`)})

	proxy := func(visitor, customer, secret string, at time.Time) int {
		q := url.Values{"shop": {testShopDomain}, "path_prefix": {"/apps/cartwheel"}, "timestamp": {strconv.FormatInt(at.Unix(), 10)},
			"logged_in_customer_id": {customer}, "v": {visitor}}
		q.Set("signature", shopify.SignProxy(secret, q))
		a := send(t, http.DefaultClient, "GET", inst.url("/shopify/proxy/identity?"+q.Encode()), "", "", nil)
		return a.code
	}
	s.track(t, "bob-browser", "b1", pageView())
	waitFor(t, "Bob's browser known", func() bool { return contactOfVisitor(inst, ws, "bob-browser") != "" })
	s.track(t, "mallory", "m1", pageView(), map[string]any{"t": "identify", "p": map[string]any{"email": "bob@biller.com"}})
	waitFor(t, "Mallory linked to Bob", func() bool { return contactOfVisitor(inst, ws, "mallory") == bob })
	if c := proxy("mallory", "706405506930370084", "not-the-app-secret", time.Now()); c != 401 {
		t.Errorf("wrong App Proxy signature: %d, want 401", c)
	}
	if c := proxy("mallory", "706405506930370084", testAppSecret, time.Now().Add(-time.Hour)); c != 401 {
		t.Errorf("stale App Proxy request: %d, want 401", c)
	}
	if in, body := readInbox(t, inst, s.ws.SiteKey, "mallory"); len(in.Messages) != 0 || strings.Contains(body, "BOB-SECRET") {
		t.Fatalf("refused proxy requests opened Bob's inbox: %s", body)
	}
	if c := proxy("bob-browser", "706405506930370084", testAppSecret, time.Now()); c != 200 {
		t.Fatalf("Bob's App Proxy login: %d", c)
	}
	if in, body := readInbox(t, inst, s.ws.SiteKey, "bob-browser"); len(in.Messages) != 1 || !strings.Contains(body, "BOB-SECRET") {
		t.Fatalf("Bob's proven browser does not see his inbox: %s", body)
	}

	// WordPress: Carol, customer 42 of the WooCommerce shop, logs in.
	s.track(t, "carol-browser", "c1", pageView())
	waitFor(t, "Carol's browser known", func() bool { return contactOfVisitor(inst, ws, "carol-browser") != "" })
	now := time.Now()
	for name, ref := range map[string]string{
		"wrong secret":    woocommerce.SignLogin("not-the-secret-000", woo.ID, "42", "carol-browser", now),
		"another browser": woocommerce.SignLogin(wooSecret, woo.ID, "42", "someone-else", now),
		"stale":           woocommerce.SignLogin(wooSecret, woo.ID, "42", "carol-browser", now.Add(-2*time.Hour)),
		"shopify shop":    woocommerce.SignLogin("whsec_widgets", shopIDOf(t, s.api, "shopify"), "42", "carol-browser", now),
		"malformed":       "wc1.x.42.1.zz",
	} {
		if c := verify(t, inst, s.ws.SiteKey, "carol-browser", ref); c != 403 {
			t.Errorf("%s: %d, want 403", name, c)
		}
	}
	if c := verify(t, inst, s.ws.SiteKey, "carol-browser", woocommerce.SignLogin(wooSecret, woo.ID, "42", "carol-browser", now)); c != 200 {
		t.Fatalf("Carol's signed login: %d", c)
	}
	var carol string
	waitFor(t, "Carol's browser holds customer 42", func() bool {
		c, err := inst.st.ContactByIdentity(context.Background(), ws, cdp.CustomerKind("woocommerce"), "42")
		carol = c.ID
		return err == nil && c.ID == contactOfVisitor(inst, ws, "carol-browser")
	})
	createMessage(t, inst, store.Message{ID: "msg_carol", WorkspaceID: ws, ContactID: carol, Channel: store.ChannelInbox,
		Status: store.MessageSent, Subject: "Carol's code", Body: json.RawMessage(`{"title":"Carol's code","body":"CAROL-SECRET"}`)})
	if in, body := readInbox(t, inst, s.ws.SiteKey, "carol-browser"); len(in.Messages) != 1 || !strings.Contains(body, "CAROL-SECRET") {
		t.Fatalf("Carol's proven browser does not see her inbox: %s", body)
	}

	// Mallory logs in as herself (customer 77, new to Cartwheel), then
	// types Carol's email into a form: the claim must not merge her proven
	// contact into Carol's, so her next login statement proves only herself.
	s.track(t, "mallory-2", "m2", pageView())
	waitFor(t, "Mallory's browser known", func() bool { return contactOfVisitor(inst, ws, "mallory-2") != "" })
	login := func() {
		t.Helper()
		if c := verify(t, inst, s.ws.SiteKey, "mallory-2", woocommerce.SignLogin(wooSecret, woo.ID, "77", "mallory-2", time.Now())); c != 200 {
			t.Fatalf("Mallory's own login: %d", c)
		}
	}
	login()
	var mallory string
	waitFor(t, "Mallory's customer id on her browser's contact", func() bool {
		c, err := inst.st.ContactByIdentity(context.Background(), ws, cdp.CustomerKind("woocommerce"), "77")
		mallory = c.ID
		return err == nil
	})
	carolEmail := "carol@example.com"
	s.track(t, "carol-browser", "c2", map[string]any{"t": "identify", "p": map[string]any{"email": carolEmail}})
	waitFor(t, "Carol's email known", func() bool {
		c, err := inst.st.ContactByEmail(context.Background(), ws, carolEmail)
		return err == nil && c.ID == carol
	})
	s.track(t, "mallory-2", "m2", map[string]any{"t": "identify", "p": map[string]any{"email": carolEmail}})
	waitFor(t, "Mallory's claim applied", func() bool { return contactOfVisitor(inst, ws, "mallory-2") == carol })
	login()
	time.Sleep(500 * time.Millisecond) // the login's identify, applied
	if c, err := inst.st.ContactByIdentity(context.Background(), ws, cdp.CustomerKind("woocommerce"), "77"); err != nil || c.ID != mallory {
		t.Errorf("Mallory's customer id moved to %q (%v): a claimed email merged her proven contact away", c.ID, err)
	}
	if in, body := readInbox(t, inst, s.ws.SiteKey, "mallory-2"); len(in.Messages) != 0 || strings.Contains(body, "CAROL-SECRET") {
		t.Fatalf("a login plus a claimed email opened Carol's inbox: %s", body)
	}
}

func shopIDOf(t *testing.T, api apiClient, platform string) string {
	t.Helper()
	var shops struct {
		Shops []struct{ ID, Platform string } `json:"shops"`
	}
	api.do("GET", "/api/v1/shops", nil, &shops)
	for _, sh := range shops.Shops {
		if sh.Platform == platform {
			return sh.ID
		}
	}
	t.Fatalf("no %s shop", platform)
	return ""
}

// The double opt-in confirmation page sends the person on to the shop with
// a proof: the browser that confirmed opens the contact's inbox.
func TestIdentifyDoubleOptInLanding(t *testing.T) {
	fake := shopifytest.NewServer(t)
	fake.SetToken("shpat_flows")
	inst, _ := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_SHOPIFY_API_BASE": fake.URL(),
		"CARTWHEEL_SYNC_INTERVAL": "0"}))
	s := newWidgetShop(t, inst, testShopDomain, fake.URL())
	ws := s.ws.ID
	if code := s.api.do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
		{"type": "newsletter_signup", "email": "fay@example.com"}}}, nil); code != 202 {
		t.Fatalf("event: %d", code)
	}
	var fay string
	waitFor(t, "Fay's contact", func() bool {
		c, err := inst.st.ContactByEmail(context.Background(), ws, "fay@example.com")
		fay = c.ID
		return err == nil
	})
	createMessage(t, inst, store.Message{ID: "msg_fay", WorkspaceID: ws, ContactID: fay, Channel: store.ChannelInbox,
		Status: store.MessageSent, Subject: "Welcome", Body: json.RawMessage(`{"title":"Welcome","body":"FAY-CODE"}`)})
	box, err := secretsBoxFor(t, inst.cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := send(t, http.DefaultClient, "GET", messaging.NewLinks(inst.cfg.PublicURL, box).Confirm(ws, fay, "msg_confirm"), "", "", nil)
	i := strings.Index(a.body, `href="https://`+testShopDomain+`/?`)
	if a.code != 200 || i < 0 {
		t.Fatalf("confirmation page without a link to the shop: %d %s", a.code, a.body)
	}
	href := strings.ReplaceAll(a.body[i+6:i+6+strings.Index(a.body[i+6:], `"`)], "&amp;", "&")
	u, err := url.Parse(href)
	if err != nil || u.Query().Get(messaging.ProofParam) == "" {
		t.Fatalf("shop link %q carries no proof", href)
	}
	s.track(t, "fay-browser", "f1", pageView())
	if code := verify(t, inst, s.ws.SiteKey, "fay-browser", u.Query().Get(messaging.ProofParam)); code != 200 {
		t.Fatalf("verify: %d", code)
	}
	if in, body := readInbox(t, inst, s.ws.SiteKey, "fay-browser"); len(in.Messages) != 1 || !strings.Contains(body, "FAY-CODE") {
		t.Fatalf("the confirming browser does not see Fay's inbox: %s", body)
	}
}
