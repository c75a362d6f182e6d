package webpush_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

// browserKeys returns a p256dh and auth pair as a browser would.
func browserKeys(t *testing.T) (pub []byte, auth []byte) {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth = make([]byte, 16)
	_, _ = rand.Read(auth)
	return k.PublicKey().Bytes(), auth
}

func subJSON(endpoint, p256dh, auth string) []byte {
	b, _ := json.Marshal(map[string]any{
		"endpoint":       endpoint,
		"expirationTime": nil,
		"keys":           map[string]string{"p256dh": p256dh, "auth": auth},
	})
	return b
}

func TestParseSubscription(t *testing.T) {
	pub, auth := browserKeys(t)
	enc := base64.RawURLEncoding.EncodeToString
	p256dh, authS := enc(pub), enc(auth)
	const fcm = "https://fcm.googleapis.com/fcm/send/dXJ3:APA91bH"

	offCurve := bytes.Clone(pub)
	offCurve[64] ^= 1
	compressed := append([]byte{2 + pub[64]&1}, pub[1:33]...)

	bad := []struct {
		name, endpoint, p256dh, auth string
	}{
		{"p256dh not base64", fcm, "***" + p256dh[3:], authS},
		{"p256dh standard base64", fcm, strings.Repeat("+", 87), authS},
		{"p256dh 64 bytes", fcm, enc(pub[1:]), authS},
		{"p256dh 66 bytes", fcm, enc(append(bytes.Clone(pub), 0)), authS},
		{"p256dh compressed", fcm, enc(compressed), authS},
		{"p256dh not on curve", fcm, enc(offCurve), authS},
		{"p256dh missing", fcm, "", authS},
		{"auth not base64", fcm, p256dh, "!!!!" + authS[4:]},
		{"auth 15 bytes", fcm, p256dh, enc(auth[:15])},
		{"auth 17 bytes", fcm, p256dh, enc(append(bytes.Clone(auth), 1))},
		{"auth missing", fcm, p256dh, ""},
		{"endpoint missing", "", p256dh, authS},
		{"endpoint http", "http://push.example.net/p/1", p256dh, authS},
		{"endpoint http private address", "http://10.0.0.1/p/1", p256dh, authS},
		{"endpoint ftp", "ftp://push.example.net/p/1", p256dh, authS},
		{"endpoint relative", "/push/1", p256dh, authS},
		{"endpoint user info", "https://u:p@push.example.net/p/1", p256dh, authS},
		{"endpoint fragment", "https://push.example.net/p/1#x", p256dh, authS},
		{"endpoint too long", "https://push.example.net/" + strings.Repeat("a", webpush.MaxEndpointLen), p256dh, authS},
		{"endpoint unparsable", "https://push example.net/%zz", p256dh, authS},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if s, err := webpush.ParseSubscription(subJSON(c.endpoint, c.p256dh, c.auth)); err == nil {
				t.Fatalf("accepted: %+v", s)
			}
		})
	}
	if _, err := webpush.ParseSubscription([]byte(`{"endpoint":`)); err == nil {
		t.Error("truncated JSON accepted")
	}

	good := []struct{ name, endpoint, want string }{
		{"fcm", fcm, fcm},
		{"http 127.0.0.1", "http://127.0.0.1:8080/push/a", "http://127.0.0.1:8080/push/a"},
		{"http localhost", "http://localhost:9/push/a", "http://localhost:9/push/a"},
		{"http ::1", "http://[::1]:9/push/a", "http://[::1]:9/push/a"},
		// Canonical origin, because webpush-go derives the VAPID aud from it.
		{"upper case host and default port", "HTTPS://Updates.Push.Services.Mozilla.com:443/wpush/v2/x", "https://updates.push.services.mozilla.com/wpush/v2/x"},
		{"other port kept", "https://push.example.net:8443/p", "https://push.example.net:8443/p"},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			s, err := webpush.ParseSubscription(subJSON(c.endpoint, p256dh, authS))
			if err != nil {
				t.Fatal(err)
			}
			if s.Endpoint != c.want || s.P256dh != p256dh || s.Auth != authS {
				t.Fatalf("got %+v, want endpoint %s", s, c.want)
			}
		})
	}

	// Padded base64url is accepted and stored unpadded.
	s, err := webpush.ParseSubscription(subJSON(fcm, base64.URLEncoding.EncodeToString(pub), base64.URLEncoding.EncodeToString(auth)))
	if err != nil || s.P256dh != p256dh || s.Auth != authS {
		t.Fatalf("padded keys: %+v %v", s, err)
	}
}

func TestSubscriptionJSONRoundTrip(t *testing.T) {
	pub, auth := browserKeys(t)
	in := webpush.Subscription{
		Endpoint: "https://web.push.apple.com/QGuQyavXutnMH0",
		P256dh:   base64.RawURLEncoding.EncodeToString(pub),
		Auth:     base64.RawURLEncoding.EncodeToString(auth),
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"endpoint":%q,"keys":{"p256dh":%q,"auth":%q}}`, in.Endpoint, in.P256dh, in.Auth)
	if string(b) != want {
		t.Fatalf("marshal = %s, want %s", b, want)
	}
	var out webpush.Subscription
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("unmarshal = %+v, %v", out, err)
	}
	if err := json.Unmarshal(subJSON("http://evil.example/p", in.P256dh, in.Auth), &out); err == nil {
		t.Fatal("UnmarshalJSON does not validate")
	}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	in.Auth = in.Auth[:10]
	if err := in.Validate(); err == nil {
		t.Fatal("Validate accepted a short auth")
	}
}
