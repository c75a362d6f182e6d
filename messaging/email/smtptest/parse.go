package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Subject is the decoded (RFC 2047) Subject header.
func (m Message) Subject() string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

// ContentType is the media type of the whole message, e.g.
// "multipart/alternative".
func (m Message) ContentType() string {
	mt, _, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	return mt
}

func parse(m *Message) error {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return fmt.Errorf("parse message: %w", err)
	}
	m.Header = msg.Header
	return walk(m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
}

// walk collects the first text/plain and text/html parts, descending into
// nested multiparts (mixed → alternative → related).
func walk(m *Message, contentType, encoding string, body io.Reader, depth int) error {
	if depth > 8 {
		return fmt.Errorf("multipart nested too deep")
	}
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			// NextPart decodes quoted-printable itself and then drops the
			// Content-Transfer-Encoding header, so encoding is only ever
			// base64 (or nothing) here.
			if err := walk(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // skips the line breaks
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mt, err)
	}
	switch {
	case mt == "text/html" && m.HTML == "":
		m.HTML = string(b)
	case mt == "text/plain" && m.Text == "":
		m.Text = string(b)
	}
	return nil
}
