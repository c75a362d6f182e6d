package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/config"
	"github.com/cartwheelhq/cartwheel/messaging"
	"github.com/cartwheelhq/cartwheel/messaging/webpush"
	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
	"github.com/cartwheelhq/cartwheel/secrets"
)

func TestPushSubscriptionAndVAPIDKeys(t *testing.T) {
	dir := t.TempDir()
	// pushtest listens on loopback over http: only the test-only option
	// lets such an endpoint in.
	cfg := testEnv(t, dir, map[string]string{"CARTWHEEL_PUSH_ALLOW_PRIVATE_ENDPOINTS": "true"})
	inst, _ := startTest(t, cfg)
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "Push"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}

	// The key the browser subscribes with is the one `cartwheel vapid` prints.
	var key struct {
		PublicKey string `json:"public_key"`
	}
	if code := (apiClient{t: t, inst: inst}).do("GET", "/push/key", nil, &key); code != 200 || key.PublicKey == "" {
		t.Fatalf("push key: %d %+v", code, key)
	}
	var printed bytes.Buffer
	if err := vapid(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), &printed); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(printed.String()) != key.PublicKey {
		t.Fatalf("cartwheel vapid printed %q, the server hands out %q", printed.String(), key.PublicKey)
	}

	push := pushtest.NewServer(t)
	sub, _ := push.Subscribe()
	subJSON, _ := json.Marshal(sub)
	post := func(path string, body any) int {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", inst.url(path), bytes.NewReader(b))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Origin", "https://shop.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	req := map[string]any{"k": w.SiteKey, "v": "visitor-1", "subscription": json.RawMessage(subJSON)}
	if code := post("/push/subscribe", req); code != 201 {
		t.Fatalf("subscribe: %d", code)
	}
	if code := post("/push/subscribe", req); code != 201 {
		t.Fatalf("re-subscribe: %d", code)
	}
	subs, err := inst.st.VisitorPushSubscriptions(context.Background(), w.ID, "visitor-1")
	if err != nil || len(subs) != 1 || subs[0].Endpoint != sub.Endpoint {
		t.Fatalf("stored subscriptions %+v %v", subs, err)
	}
	bad := map[string]any{"k": w.SiteKey, "v": "visitor-1", "subscription": map[string]any{"endpoint": "https://push.example/x",
		"keys": map[string]string{"p256dh": "not-a-key", "auth": "x"}}}
	if code := post("/push/subscribe", bad); code != 400 {
		t.Fatalf("invalid subscription: %d", code)
	}
	if code := post("/push/subscribe", map[string]any{"k": "pk_nosuchsite000", "v": "v", "subscription": json.RawMessage(subJSON)}); code != 404 {
		t.Fatalf("unknown site: %d", code)
	}

	// A push signed with the stored keys reaches the browser's push service
	// and decrypts there.
	box, _ := secretsBoxFor(t, cfg)
	keys, err := messaging.New(inst.st, box, slog.New(slog.NewTextHandler(io.Discard, nil)), nil).VAPIDKeys(context.Background())
	if err != nil || keys.Public != key.PublicKey {
		t.Fatalf("keys %v", err)
	}
	payload, _ := webpush.Message{Title: "Your cart misses you", URL: "https://shop.example/cart"}.Encode()
	stored, _ := webpush.ParseSubscription(subJSON)
	if _, err := webpush.NewSender(keys, "mailto:ops@shop.example",
		webpush.WithEndpointPolicy(webpush.EndpointPolicy{AllowPrivate: true})).Send(context.Background(), stored, payload, webpush.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	ds := push.Deliveries()
	if len(ds) != 1 || !bytes.Equal(ds[0].Plaintext, payload) || ds[0].VAPIDKey != key.PublicKey {
		t.Fatalf("deliveries %+v", ds)
	}

	if code := post("/push/unsubscribe", req); code != 204 {
		t.Fatalf("unsubscribe: %d", code)
	}
	if subs, _ := inst.st.VisitorPushSubscriptions(context.Background(), w.ID, "visitor-1"); len(subs) != 0 {
		t.Fatalf("subscriptions after unsubscribe %+v", subs)
	}
}

// secretsBoxFor opens the instance's secret box the way start does.
func secretsBoxFor(t *testing.T, cfg config.Config) (*secrets.Box, error) {
	t.Helper()
	key, _, err := secrets.LoadOrCreate(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	return secrets.New(key)
}
