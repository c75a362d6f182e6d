package woocommerce

import (
	"strings"
	"testing"
)

func TestSignatureVector(t *testing.T) {
	// Test vector of protocols.md §2.2, computed independently (Python hmac).
	const want = "qY2Gl36+X5UqWQ/k7Z17aTwyK2OVpPPjsi+X9k+wXe0="
	body := readTestdata(t, "order_deleted.json") // {"id":727}
	if got := SignWebhook("s3cr3t", body); got != want {
		t.Fatalf("SignWebhook = %s, want %s", got, want)
	}
	if !VerifyWebhook("s3cr3t", body, want) {
		t.Error("the documented signature does not verify")
	}
}

func TestVerifyWebhookRejects(t *testing.T) {
	body := readTestdata(t, "order_created.json")
	sig := SignWebhook("k3yK3yk3y", body)
	tampered := []byte(strings.Replace(string(body), `"total": "29.35"`, `"total": "0.01"`, 1))
	for _, c := range []struct {
		name, secret string
		body         []byte
		header       string
		want         bool
	}{
		{"valid", "k3yK3yk3y", body, sig, true},
		{"valid with whitespace", "k3yK3yk3y", body, " " + sig + "\n", true},
		{"tampered body", "k3yK3yk3y", tampered, sig, false},
		{"re-serialised body", "k3yK3yk3y", []byte(strings.ReplaceAll(string(body), "\n", "")), sig, false},
		{"wrong secret", "other", body, sig, false},
		{"empty secret", "", body, SignWebhook("", body), false},
		{"empty header", "k3yK3yk3y", body, "", false},
		{"not base64", "k3yK3yk3y", body, "%%%", false},
		{"hex instead of base64", "k3yK3yk3y", body, "a9b", false},
		{"truncated", "k3yK3yk3y", body, sig[:20], false},
	} {
		if got := VerifyWebhook(c.secret, c.body, c.header); got != c.want {
			t.Errorf("%s: VerifyWebhook = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestIsPing(t *testing.T) {
	ping := readTestdata(t, "ping.txt")
	for _, c := range []struct {
		body, ct string
		want     bool
	}{
		{string(ping), "", true},
		{string(ping), "application/x-www-form-urlencoded", true},
		{string(ping), "application/x-www-form-urlencoded; charset=UTF-8", true},
		{"webhook_id=1234567", "", true},
		{string(ping), "application/json", false},
		{"webhook_id=", "", false},
		{"webhook_id=12&topic=order.created", "", false},
		{"webhook_id=12\n", "", false},
		{"webhook_id=-1", "", false},
		{"webhook_id=123456789012345678901", "", false},
		{`{"webhook_id":12}`, "application/json", false},
		{"", "", false},
	} {
		if got := IsPing([]byte(c.body), c.ct); got != c.want {
			t.Errorf("IsPing(%q, %q) = %v, want %v", c.body, c.ct, got, c.want)
		}
	}
}
