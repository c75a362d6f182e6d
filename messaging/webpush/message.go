package webpush

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxPayload is the largest plaintext that fits one aes128gcm record of
// 4096 bytes, the most a push service must accept (RFC 8030 §7.2):
// 4096 - 86 (header: salt 16, rs 4, idlen 1, keyid 65) - 1 (padding
// delimiter) - 16 (AES-GCM tag) = 3993 (RFC 8291 §4). Every record is padded
// to exactly that size (encrypt.go), so a plaintext of MaxPayload bytes
// gives a 4096-byte body.
const MaxPayload = 4096 - 86 - 1 - 16

// ErrPayloadTooLarge means the plaintext exceeds MaxPayload (or a push
// service answered 413).
var ErrPayloadTooLarge = errors.New("webpush: payload too large")

// Message is what Cartwheel's service worker (widgets/sw.js) shows: a
// notification's title, body, icon and image, the tag that replaces an
// earlier notification with the same tag, the URL opened on click and the
// click id that attributes that click to this message.
type Message struct {
	Title   string `json:"title"`
	Body    string `json:"body,omitempty"`
	Icon    string `json:"icon,omitempty"`
	Image   string `json:"image,omitempty"`
	URL     string `json:"url,omitempty"`
	Tag     string `json:"tag,omitempty"`
	ClickID string `json:"click_id,omitempty"`
}

// Encode returns the JSON payload for Sender.Send. It fails when the title is
// empty (browsers would show a blank notification) or when the JSON exceeds
// MaxPayload bytes. HTML is not escaped: the payload goes to a service
// worker, not into a page, and escaping would only cost bytes.
func (m Message) Encode() ([]byte, error) {
	if m.Title == "" {
		return nil, errors.New("webpush: message has no title")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("webpush: encode message: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(b) > MaxPayload {
		return nil, fmt.Errorf("%w: %d bytes of JSON, at most %d fit one push record", ErrPayloadTooLarge, len(b), MaxPayload)
	}
	return b, nil
}
