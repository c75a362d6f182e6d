package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/webpush/pushtest"
)

// With the default configuration /push/subscribe refuses every endpoint the
// server must never post to (issue 12: SSRF through push subscriptions),
// and stores none of them; the local fake push service is refused too
// unless the test-only option is on.
func TestPushSubscribeRefusesPrivateEndpoints(t *testing.T) {
	inst, _ := startTest(t, testEnv(t, t.TempDir(), nil))
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	var w wsJSON
	if code := admin.do("POST", "/api/v1/workspaces", map[string]any{"name": "SSRF"}, &w); code != 201 {
		t.Fatalf("workspace: %d", code)
	}
	good, _ := pushtest.NewServer(t).Subscribe()
	keys := map[string]string{"p256dh": good.P256dh, "auth": good.Auth}
	post := func(endpoint string) int {
		b, _ := json.Marshal(map[string]any{"k": w.SiteKey, "v": "visitor-1",
			"subscription": map[string]any{"endpoint": endpoint, "keys": keys}})
		req, _ := http.NewRequest("POST", inst.url("/push/subscribe"), bytes.NewReader(b))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Origin", "https://shop.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, ep := range []string{
		good.Endpoint, // pushtest: http on 127.0.0.1
		"http://127.0.0.1:8080/admin/api",
		"https://127.0.0.1/admin",
		"https://localhost/admin",
		"https://[::1]/x",
		"https://169.254.169.254/latest/meta-data",
		"https://10.0.0.5/x",
		"https://172.20.0.1/x",
		"https://192.168.0.1/x",
		"https://100.64.1.1/x",
		"https://[fd00::1]/x",
		"https://[fe80::1]/x",
		"https://[::ffff:127.0.0.1]/x",
		"https://224.0.0.1/x",
		"https://0.0.0.0/x",
		"https://metadata/computeMetadata/v1",
		"https://db.internal/x",
	} {
		if code := post(ep); code != 400 {
			t.Errorf("subscribe %s: %d, want 400", ep, code)
		}
	}
	subs, err := inst.st.VisitorPushSubscriptions(context.Background(), w.ID, "visitor-1")
	if err != nil || len(subs) != 0 {
		t.Fatalf("stored %+v %v", subs, err)
	}
}
