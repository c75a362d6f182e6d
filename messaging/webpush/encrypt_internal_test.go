package webpush

import (
	"bytes"
	"crypto/ecdh"
	"encoding/base64"
	"testing"
)

// TestSealRFC8291Vector checks the encryption byte for byte against RFC
// 8291 Appendix A: the sender's key and the salt fixed as there, the
// record unpadded as there.
func TestSealRFC8291Vector(t *testing.T) {
	b := func(s string) []byte {
		t.Helper()
		v, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ua, err := ecdh.P256().NewPublicKey(b("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"))
	if err != nil {
		t.Fatal(err)
	}
	as, err := ecdh.P256().NewPrivateKey(b("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := seal([]byte("When I grow up, I want to be a watermelon"), ua, b("BTBZMqHH6r4Tts7J_aSIgg"), as,
		b("DGv6ra1nlYgDCS1FRnbzlw"), false)
	if err != nil {
		t.Fatal(err)
	}
	want := b("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
	if !bytes.Equal(got, want) {
		t.Fatalf("body\n got %s\nwant %s", base64.RawURLEncoding.EncodeToString(got), base64.RawURLEncoding.EncodeToString(want))
	}
	if len(got) != 144 {
		t.Fatalf("%d bytes, the RFC's body is 144", len(got))
	}
}
