package webpush_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

func TestMessageEncode(t *testing.T) {
	m := webpush.Message{
		Title: "Your cart <3", Body: "Still thinking & it?", Icon: "https://s.example/i.png",
		Image: "https://s.example/big.png", URL: "https://s.example/cart?a=1&b=2", Tag: "cart", ClickID: "c_42",
	}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// The field names are what widgets/sw.js reads.
	want := `{"title":"Your cart <3","body":"Still thinking & it?","icon":"https://s.example/i.png","image":"https://s.example/big.png","url":"https://s.example/cart?a=1&b=2","tag":"cart","click_id":"c_42"}`
	if string(b) != want {
		t.Fatalf("Encode = %s\nwant     %s", b, want)
	}
	var back webpush.Message
	if err := json.Unmarshal(b, &back); err != nil || back != m {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
	if b, _ := (webpush.Message{Title: "t"}).Encode(); string(b) != `{"title":"t"}` {
		t.Fatalf("empty fields not omitted: %s", b)
	}
	if _, err := (webpush.Message{Body: "no title"}).Encode(); err == nil {
		t.Fatal("message without title encoded")
	}
}

func TestMessageEncodeBoundary(t *testing.T) {
	if webpush.MaxPayload != 3993 {
		t.Fatalf("MaxPayload = %d, want 3993 (RFC 8291 §4)", webpush.MaxPayload)
	}
	overhead := len(`{"title":"t","body":""}`)
	fits := webpush.Message{Title: "t", Body: strings.Repeat("é", (webpush.MaxPayload-overhead)/2)}
	if (webpush.MaxPayload-overhead)%2 == 1 {
		fits.Body += "a"
	}
	b, err := fits.Encode()
	if err != nil {
		t.Fatalf("largest message refused: %v", err)
	}
	if len(b) != webpush.MaxPayload {
		t.Fatalf("largest message is %d bytes, want %d", len(b), webpush.MaxPayload)
	}
	over := fits
	over.Body += "a"
	if _, err := over.Encode(); !errors.Is(err, webpush.ErrPayloadTooLarge) {
		t.Fatalf("one byte over: err = %v, want ErrPayloadTooLarge", err)
	}
}
