package actions_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/automation/actions"
	"github.com/cartwheelhq/cartwheel/store"
)

func TestAddInbox(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "", "v1", false, "")
	en := enrollment("ct_ann", f.checkout("v1"))
	s := automation.Step{ID: "inbox", Kind: automation.KindInbox, Params: map[string]any{
		"title": "Your {{(index .Items 1).Title}} is still here", "url": "/cart", "image": "/img/kettle.svg"}}
	res, err := f.ch.AddInbox(f.ctx, en, s)
	if err != nil || res.Skipped != "" {
		t.Fatalf("AddInbox = %+v, %v", res, err)
	}
	m, err := f.st.Message(f.ctx, ws, messageID(t, res))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	_ = json.Unmarshal(m.Body, &body)
	if m.Channel != store.ChannelInbox || m.Status != store.MessageSent || m.Subject != "Your Copper Kettle is still here" ||
		body["url"] != "https://shop.example/cart" || body["image"] != "https://shop.example/img/kettle.svg" {
		t.Errorf("inbox message %+v %v", m, body)
	}
	again, err := f.ch.AddInbox(f.ctx, en, s)
	if err != nil || messageID(t, again) != m.ID {
		t.Errorf("repeat = %+v, %v", again, err)
	}
	if _, err := f.ch.AddInbox(f.ctx, en, automation.Step{ID: "bad", Kind: automation.KindInbox}); err == nil {
		t.Error("an inbox step without a title must fail")
	}
}

func TestTag(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "", "v1", false, "")
	en := enrollment("ct_ann", 0)
	for _, kind := range []string{automation.KindTagAdd, automation.KindTagRemove} {
		res, err := f.ch.Tag(f.ctx, en, automation.Step{ID: kind, Kind: kind, Params: map[string]any{"tag": "vip"}})
		if err != nil || res.Data["tag"] != "vip" {
			t.Fatalf("%s = %+v, %v", kind, res, err)
		}
	}
	for _, typ := range []string{"tag_added", "tag_removed"} {
		evs := f.events(typ)
		if len(evs) != 1 || evs[0].ContactID != "ct_ann" || evs[0].Source != "automation" || string(evs[0].Props) != `{"tag":"vip"}` {
			t.Errorf("%s events %+v", typ, evs)
		}
	}
	long := automation.Step{ID: "x", Kind: automation.KindTagAdd, Params: map[string]any{"tag": strings.Repeat("a", 65)}}
	if _, err := f.ch.Tag(f.ctx, en, long); err == nil {
		t.Error("a 65-byte tag must be refused")
	}
}

// shopDiscounts stands in for the shop platform: it keeps the codes it
// was asked to create and, like the contract requires, answers an
// existing code with success.
type shopDiscounts struct {
	mu    sync.Mutex
	codes map[string]actions.DiscountRequest
	calls int
}

func (s *shopDiscounts) CreateDiscount(_ context.Context, _ string, req actions.DiscountRequest) (actions.Discount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codes == nil {
		s.codes = map[string]actions.DiscountRequest{}
	}
	s.calls++
	s.codes[req.Code] = req
	return actions.Discount{Code: req.Code, ExpiresAt: t0.Add(time.Duration(req.ValidDays) * 24 * time.Hour)}, nil
}

func TestDiscountDeterministicCode(t *testing.T) {
	shop := &shopDiscounts{}
	f := newFixture(t, func(o *actions.Options) { o.Discounts = shop })
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	en := enrollment("ct_ann", 0)
	s := automation.Step{ID: "disc", Kind: automation.KindDiscount, Params: map[string]any{"percent": 10.0, "prefix": "cart"}}
	first, err := f.ch.Discount(f.ctx, en, s)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.ch.Discount(f.ctx, en, s)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := first.Data["code"].(string)
	if !regexp.MustCompile(`^CART-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$`).MatchString(code) {
		t.Fatalf("code %q", code)
	}
	if again.Data["code"] != code || len(shop.codes) != 1 || shop.calls != 1 {
		t.Errorf("a repeat asked for another code: %+v vs %+v (%d codes)", again.Data, first.Data, len(shop.codes))
	}
	if first.Data["percent"] != int64(10) || first.Data["expires_at"] != "2026-03-16T10:00:00Z" {
		t.Errorf("data %+v", first.Data)
	}
	if req := shop.codes[code]; req.Email != "ann@example.com" || req.ValidDays != 14 || req.Percent != 10 {
		t.Errorf("request %+v", req)
	}
	other, err := f.ch.Discount(f.ctx, enrollment("ct_ann", 0), s)
	if err != nil || other.Data["code"] == code {
		t.Errorf("another enrollment got the same code: %+v, %v", other, err)
	}
	if want := actions.DiscountCode("CART", automation.StepKey(en, "disc")); code != want {
		t.Errorf("code %q, want DiscountCode's %q", code, want)
	}

	bad := automation.Step{ID: "d2", Kind: automation.KindDiscount, Params: map[string]any{"percent": 10.0, "amount_minor": 500.0}}
	if _, err := f.ch.Discount(f.ctx, en, bad); err == nil {
		t.Error("percent and amount together must be refused")
	}
	g := newFixture(t)
	g.contact("ct_ann", "ann@example.com", "v1", true, "")
	if _, err := g.ch.Discount(g.ctx, en, s); err == nil || !strings.Contains(err.Error(), "discount") {
		t.Errorf("without a Discounter: %v", err)
	}
}

func TestWebhook(t *testing.T) {
	type hit struct {
		header http.Header
		body   map[string]any
	}
	var mu sync.Mutex
	var hits []hit
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		mu.Lock()
		hits = append(hits, hit{r.Header.Clone(), body})
		st := status
		mu.Unlock()
		w.WriteHeader(st)
	}))
	defer srv.Close()

	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	en := enrollment("ct_ann", 0)
	s := automation.Step{ID: "hook", Kind: automation.KindWebhook, Params: map[string]any{
		"url": srv.URL + "/cartwheel", "headers": map[string]any{"Authorization": "Bearer t0k"}}}
	res, err := f.ch.Webhook(f.ctx, en, s)
	if err != nil || res.Skipped != "" {
		t.Fatalf("Webhook = %+v, %v", res, err)
	}
	key := automation.StepKey(en, "hook")
	h := hits[0]
	if h.header.Get("Idempotency-Key") != key || h.header.Get("Authorization") != "Bearer t0k" ||
		h.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", h.header)
	}
	contact, _ := h.body["contact"].(map[string]any)
	if h.body["event"] != "flow_step" || h.body["idempotency_key"] != key || h.body["step_id"] != "hook" ||
		h.body["enrollment_id"] != en.ID || contact["email"] != "ann@example.com" || contact["first_name"] != "Ann" {
		t.Errorf("body %v", h.body)
	}

	status = http.StatusUnprocessableEntity
	if res, err := f.ch.Webhook(f.ctx, en, s); err != nil || res.Skipped != "webhook answered 422" {
		t.Errorf("4xx: %+v, %v", res, err)
	}
	status = http.StatusServiceUnavailable
	if _, err := f.ch.Webhook(f.ctx, en, s); err == nil {
		t.Error("5xx must be an error, for River to retry")
	}
	bad := automation.Step{ID: "hook", Kind: automation.KindWebhook, Params: map[string]any{"url": "ftp://x"}}
	if _, err := f.ch.Webhook(f.ctx, en, bad); err == nil {
		t.Error("an ftp URL must be refused")
	}
}

func TestContactFacts(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, `{"plan":"gold","timezone":"Europe/Paris"}`)
	f.subscribe("push_1", "v1")
	prof := `{"visits":3,"orders":2,"last_order_at":"2026-02-20T10:00:00Z","tags":["vip"],"last_cart":[],` +
		`"recent_page_views":[{"pv":"x","dwell_ms":1}]}`
	if err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		return tx.PutProfile(ws, "ct_ann", []byte(prof), t0)
	}); err != nil {
		t.Fatal(err)
	}
	facts, err := f.ch.ContactFacts(f.ctx, ws, "ct_ann")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(facts)
	var doc struct {
		Contact  map[string]any `json:"contact"`
		Profile  map[string]any `json:"profile"`
		Consents map[string]any `json:"consents"`
		Days     *int           `json:"days_since_last_order"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Contact["email"] != "ann@example.com" || doc.Contact["plan"] != "gold" ||
		doc.Contact["attributes"].(map[string]any)["plan"] != "gold" {
		t.Errorf("contact %v", doc.Contact)
	}
	if doc.Profile["orders"] != 2.0 || doc.Profile["visits"] != 3.0 || len(doc.Profile["tags"].([]any)) != 1 {
		t.Errorf("profile %v", doc.Profile)
	}
	if _, ok := doc.Profile["recent_page_views"]; ok {
		t.Error("bookkeeping leaked into the facts")
	}
	if doc.Consents["email"] != true || doc.Consents["push"] != true {
		t.Errorf("consents %v", doc.Consents)
	}
	if doc.Days == nil || *doc.Days != 10 {
		t.Errorf("days_since_last_order %v", doc.Days)
	}
	if loc := f.ch.Timezone(f.ctx, ws, "ct_ann"); loc == nil || loc.String() != "Europe/Paris" {
		t.Errorf("Timezone = %v", loc)
	}

	f.contact("ct_new", "", "v2", false, "")
	facts, err = f.ch.ContactFacts(f.ctx, ws, "ct_new")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := facts["days_since_last_order"]; ok || facts["consents"].(map[string]any)["push"] != false {
		t.Errorf("facts of a new contact %v", facts)
	}
}
