package pushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// rfc8291 is the RFC 8291 Appendix A test vector (docs/protocols.md §3.2).
var rfc8291 = map[string]string{
	"plaintext":           "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24",
	"auth_secret":         "BTBZMqHH6r4Tts7J_aSIgg",
	"receiver_private":    "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
	"receiver_public":     "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
	"sender_private":      "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
	"sender_public":       "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
	"salt":                "DGv6ra1nlYgDCS1FRnbzlw",
	"ecdh_secret":         "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs",
	"prk_key":             "Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k",
	"ikm":                 "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg",
	"prk":                 "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc",
	"cek":                 "oIhVW04MRdy2XN9CiKLxTg",
	"nonce":               "4h_95klXJ5E_qnoN",
	"header":              "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
	"ciphertext":          "8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ",
	"body":                "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
	"plaintext_delimited": "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24C",
}

func vec(t *testing.T, name string) []byte {
	t.Helper()
	s, ok := rfc8291[name]
	if !ok {
		t.Fatalf("no vector value %q", name)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("vector %s: %v", name, err)
	}
	return b
}

func vecKey(t *testing.T, name string) *ecdh.PrivateKey {
	t.Helper()
	k, err := ecdh.P256().NewPrivateKey(vec(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDecryptRFC8291Vector(t *testing.T) {
	got, err := Decrypt(vecKey(t, "receiver_private"), vec(t, "auth_secret"), vec(t, "body"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "When I grow up, I want to be a watermelon"; string(got) != want {
		t.Fatalf("plaintext %q, want %q", got, want)
	}
	if len(vec(t, "body")) != 144 {
		t.Fatalf("vector body is %d bytes, want 144", len(vec(t, "body")))
	}
}

// TestKeyScheduleRFC8291Vector checks every intermediate value of §3.4 and
// then encrypts in the sender's direction, so a decrypt that merely agreed
// with a wrong encrypt could not pass.
func TestKeyScheduleRFC8291Vector(t *testing.T) {
	recv, sender := vecKey(t, "receiver_private"), vecKey(t, "sender_private")
	if !bytes.Equal(recv.PublicKey().Bytes(), vec(t, "receiver_public")) ||
		!bytes.Equal(sender.PublicKey().Bytes(), vec(t, "sender_public")) {
		t.Fatal("vector key pairs do not match")
	}
	secret, err := sender.ECDH(recv.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(secret, vec(t, "ecdh_secret")) {
		t.Fatalf("ecdh_secret mismatch")
	}
	ks, err := deriveKeys(secret, vec(t, "auth_secret"), vec(t, "receiver_public"), vec(t, "sender_public"), vec(t, "salt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"prk_key": ks.prkKey, "ikm": ks.ikm, "prk": ks.prk, "cek": ks.cek, "nonce": ks.nonce} {
		if !bytes.Equal(got, vec(t, name)) {
			t.Errorf("%s = %s, want %s", name, base64.RawURLEncoding.EncodeToString(got), rfc8291[name])
		}
	}
	block, _ := aes.NewCipher(ks.cek)
	gcm, _ := cipher.NewGCM(block)
	ct := gcm.Seal(nil, ks.nonce, vec(t, "plaintext_delimited"), nil)
	if !bytes.Equal(ct, vec(t, "ciphertext")) {
		t.Fatal("ciphertext mismatch")
	}
	header := append(append(append([]byte{}, vec(t, "salt")...), 0, 0, 0x10, 0, 65), vec(t, "sender_public")...)
	if !bytes.Equal(header, vec(t, "header")) || len(header) != headerLen {
		t.Fatal("header mismatch")
	}
	if !bytes.Equal(append(header, ct...), vec(t, "body")) {
		t.Fatal("body mismatch")
	}
}

func TestDecryptRejects(t *testing.T) {
	recv, auth, body := vecKey(t, "receiver_private"), vec(t, "auth_secret"), vec(t, "body")
	otherKey, _ := ecdh.P256().GenerateKey(rand.Reader)
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), body...)) }

	// A record whose delimiter is 0x01 (a non-final record) must be refused.
	sender := vecKey(t, "sender_private")
	secret, _ := sender.ECDH(recv.PublicKey())
	ks, _ := deriveKeys(secret, auth, recv.PublicKey().Bytes(), sender.PublicKey().Bytes(), vec(t, "salt"))
	block, _ := aes.NewCipher(ks.cek)
	gcm, _ := cipher.NewGCM(block)
	wrongDelim := append(vec(t, "header"), gcm.Seal(nil, ks.nonce, append(vec(t, "plaintext"), 1), nil)...)

	cases := []struct {
		name string
		priv *ecdh.PrivateKey
		auth []byte
		body []byte
		want string
	}{
		{"wrong auth", recv, bytes.Repeat([]byte{1}, 16), body, "decrypt"},
		{"short auth", recv, auth[:15], body, "16 bytes"},
		{"wrong receiver", otherKey, auth, body, "decrypt"},
		{"flipped ciphertext bit", recv, auth, mutate(func(b []byte) []byte { b[100] ^= 1; return b }), "decrypt"},
		{"flipped salt bit", recv, auth, mutate(func(b []byte) []byte { b[0] ^= 1; return b }), "decrypt"},
		{"idlen not 65", recv, auth, mutate(func(b []byte) []byte { b[20] = 64; return b }), "keyid"},
		{"rs smaller than record", recv, auth, mutate(func(b []byte) []byte { b[18], b[19] = 0, 58; return b }), "rs"},
		{"sender key off curve", recv, auth, mutate(func(b []byte) []byte { b[40] ^= 1; return b }), "sender key"},
		{"truncated", recv, auth, body[:headerLen+10], "no room"},
		{"empty", recv, auth, nil, "shorter"},
		{"delimiter 0x01", recv, auth, wrongDelim, "delimiter"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decrypt(c.priv, c.auth, c.body)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

// TestVerifyJWTRFC8292Example verifies the example token of RFC 8292 §2.4
// (docs/protocols.md §3.3) and the claim checks around it.
func TestVerifyJWTRFC8292Example(t *testing.T) {
	const (
		token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA"
		key   = "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs"
		aud   = "https://push.example.net"
	)
	exp := time.Unix(1453523768, 0)
	tok, k, err := parseVAPID("vapid t=" + token + ", k=" + key)
	if err != nil || tok != token || k != key {
		t.Fatalf("parseVAPID: %q %q %v", tok, k, err)
	}
	c, err := verifyJWT(token, key, aud, exp.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.Audience != aud || c.Subject != "mailto:push@example.com" || !c.Expiry.Equal(exp) {
		t.Fatalf("claims %+v", c)
	}
	bad := map[string]error{}
	_, bad["expired"] = verifyJWT(token, key, aud, exp)
	_, bad["exp too far ahead"] = verifyJWT(token, key, aud, exp.Add(-25*time.Hour))
	_, bad["other audience"] = verifyJWT(token, key, "https://push.example.org", exp.Add(-time.Hour))
	_, bad["other key"] = verifyJWT(token, rfc8291["sender_public"], aud, exp.Add(-time.Hour))
	_, bad["tampered claims"] = verifyJWT(strings.Replace(token, ".eyJhdWQ", ".eyJhdWR", 1), key, aud, exp.Add(-time.Hour))
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	for _, h := range []string{"", "Bearer x", "vapid t=" + token, "vapid k=" + key} {
		if _, _, err := parseVAPID(h); err == nil {
			t.Errorf("parseVAPID(%q) accepted", h)
		}
	}
}

func TestCheckSubject(t *testing.T) {
	for sub, ok := range map[string]bool{
		"mailto:ops@example.com":        true,
		"https://shop.example":          true,
		"mailto:mailto:ops@example.com": false,
		"":                              false,
		"ops@example.com":               false,
		"http://shop.example":           false,
	} {
		if err := checkSubject(sub); (err == nil) != ok {
			t.Errorf("checkSubject(%q) = %v", sub, err)
		}
	}
}
