package webpush_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

func TestGenerateKeys(t *testing.T) {
	k, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Valid(); err != nil {
		t.Fatalf("fresh keys invalid: %v", err)
	}
	pub, err := base64.RawURLEncoding.DecodeString(k.Public)
	if err != nil || len(pub) != 65 || pub[0] != 4 {
		t.Fatalf("public key %q: %d bytes, err %v; want 65-byte uncompressed point", k.Public, len(pub), err)
	}
	priv, err := base64.RawURLEncoding.DecodeString(k.Private)
	if err != nil || len(priv) != 32 {
		t.Fatalf("private key: %d bytes, err %v", len(priv), err)
	}
	k2, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	if k2.Public == k.Public || k2.Private == k.Private {
		t.Fatal("two key pairs are equal")
	}
}

func TestKeysValid(t *testing.T) {
	a, _ := webpush.GenerateKeys()
	b, _ := webpush.GenerateKeys()
	pub, _ := base64.RawURLEncoding.DecodeString(a.Public)
	offCurve := bytes.Clone(pub)
	offCurve[64] ^= 1
	cases := map[string]webpush.Keys{
		"mismatched pair":     {Public: a.Public, Private: b.Private},
		"empty":               {},
		"public not base64":   {Public: "!!" + a.Public[2:], Private: a.Private},
		"private not base64":  {Public: a.Public, Private: "*" + a.Private[1:]},
		"public compressed":   {Public: base64.RawURLEncoding.EncodeToString(append([]byte{2}, pub[1:33]...)), Private: a.Private},
		"public off curve":    {Public: base64.RawURLEncoding.EncodeToString(offCurve), Private: a.Private},
		"private too short":   {Public: a.Public, Private: a.Private[:40]},
		"private is zero":     {Public: a.Public, Private: base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
		"public as private":   {Public: a.Public, Private: a.Public},
		"private as public":   {Public: a.Private, Private: a.Private},
		"swapped with other":  {Public: b.Public, Private: a.Private},
		"public trailing bit": {Public: a.Public + "A", Private: a.Private},
	}
	for name, k := range cases {
		if err := k.Valid(); err == nil {
			t.Errorf("%s: Valid() = nil", name)
		}
	}
	padded := webpush.Keys{Public: a.Public + "=", Private: a.Private + "="}
	if err := padded.Valid(); err != nil {
		t.Errorf("padded base64url refused: %v", err)
	}
}

func TestKeysDoNotPrintPrivate(t *testing.T) {
	k, _ := webpush.GenerateKeys()
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "keys", k)
	type holder struct{ K webpush.Keys }
	for _, s := range []string{
		fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k), fmt.Sprintf("%v", holder{k}), logged.String(),
	} {
		if strings.Contains(s, k.Private) {
			t.Errorf("private key printed: %s", s)
		}
		if !strings.Contains(s, k.Public) {
			t.Errorf("public key missing: %s", s)
		}
	}
}
