package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// jsonBody is the one gate every JSON request body of the API passes:
// present, and exactly one JSON value. Trailing data (`{…}}`, `{…}{…}`)
// is refused rather than ignored — a body that parses two ways is how
// smuggling starts. Handlers whose domain package decodes the body
// (flows, widgets, messaging settings) get the checked bytes.
func jsonBody(c *fiber.Ctx) ([]byte, error) {
	b := c.Body()
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errBadRequest("a JSON body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return nil, errBadRequest("invalid JSON body: " + clipText(err.Error(), maxEcho))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errBadRequest("invalid JSON body: trailing data after the value")
	}
	return b, nil
}

// decodeJSON reads a JSON body strictly into v: one value, no unknown
// fields, so a typo in a field name is reported instead of ignored.
func decodeJSON(c *fiber.Ctx, v any) error {
	b, err := jsonBody(c)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadRequest("invalid JSON body: " + clipText(err.Error(), maxEcho))
	}
	return nil
}

// decodePublicJSON reads the body of a public endpoint (widgets, push):
// one JSON value like every body, but unknown fields pass, so that a
// newer w.js or push prompt cached in a browser still works against an
// older server.
func decodePublicJSON(c *fiber.Ctx, v any) error {
	b, err := jsonBody(c)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// maxEcho bounds how much of a caller's input an error message repeats.
const maxEcho = 120

// clipText shortens s to at most n bytes (on a rune boundary) and marks
// the cut, so that an error about a 1 MB value is not 1 MB long.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
