// Package bounce reads what comes back after mail goes out: delivery
// status notifications (RFC 3464) and abuse feedback reports (ARF, RFC
// 5965), received by an SMTP listener at per-message VERP addresses.
package bounce

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Report kinds.
const (
	KindDSN       = "delivery-status"
	KindComplaint = "feedback-report"
)

// Outcome of one recipient of a DSN.
const (
	Hard  = "hard"  // permanent failure (Status 5.x.x): suppress now
	Soft  = "soft"  // persistent transient failure (4.x.x): count
	Other = "other" // delayed, delivered, relayed, expanded: nothing to do
)

// ErrNotReport is mail that is not a DSN or an ARF report.
var ErrNotReport = errors.New("bounce: not a delivery status or feedback report")

// Report is a parsed DSN or ARF report.
type Report struct {
	Kind       string      // KindDSN or KindComplaint
	Recipients []Recipient // DSN: one per recipient block
	Feedback   Feedback    // ARF
	// Original holds the returned message's headers (message/rfc822 or
	// text/rfc822-headers part) when the report carries them.
	Original mail.Header
}

// Recipient is one per-recipient block of a DSN.
type Recipient struct {
	FinalRecipient    string // the address, "rfc822;" stripped
	OriginalRecipient string
	Action            string // failed, delayed, delivered, relayed, expanded
	Status            string // e.g. 5.1.1
	DiagnosticCode    string // e.g. "smtp; 550 5.1.1 user unknown"
	RemoteMTA         string
}

// Outcome classifies the recipient: Hard, Soft or Other.
func (r Recipient) Outcome() string {
	if r.Action != "failed" {
		return Other
	}
	switch {
	case strings.HasPrefix(r.Status, "5."):
		return Hard
	case strings.HasPrefix(r.Status, "4."):
		return Soft
	}
	// A failure without a usable status: the diagnostic's SMTP code decides,
	// and without one it is taken as permanent, as the MTA gave up.
	if code := smtpCode(r.DiagnosticCode); code != "" && code[0] == '4' {
		return Soft
	}
	return Hard
}

// Feedback is the machine-readable part of an ARF report.
type Feedback struct {
	Type             string // abuse, fraud, virus, other, not-spam…
	UserAgent        string
	OriginalMailFrom string
	OriginalRcptTo   string
	ArrivalDate      string
	ReportedDomain   string
	SourceIP         string
}

// maxParts bounds how many MIME parts a report may have: real ones have
// two or three.
const maxParts = 16

// Parse reads a whole message and returns its report. Anything that is not
// a multipart/report of report-type delivery-status (or
// global-delivery-status, RFC 6533) or feedback-report is ErrNotReport.
func Parse(r io.Reader) (Report, error) {
	msg, err := mail.ReadMessage(bufio.NewReader(r))
	if err != nil {
		return Report{}, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/report" || params["boundary"] == "" {
		return Report{}, fmt.Errorf("%w: content type %q", ErrNotReport, msg.Header.Get("Content-Type"))
	}
	var rep Report
	switch strings.ToLower(params["report-type"]) {
	case "delivery-status", "global-delivery-status":
		rep.Kind = KindDSN
	case "feedback-report":
		rep.Kind = KindComplaint
	default:
		return Report{}, fmt.Errorf("%w: report-type %q", ErrNotReport, params["report-type"])
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	found := false
	for i := 0; ; i++ {
		if i == maxParts {
			return Report{}, fmt.Errorf("%w: more than %d parts", ErrNotReport, maxParts)
		}
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Report{}, fmt.Errorf("%w: %w", ErrNotReport, err)
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		body := decoded(p)
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			if rep.Kind != KindDSN {
				continue
			}
			if rep.Recipients, err = parseDeliveryStatus(body); err != nil {
				return Report{}, err
			}
			found = true
		case "message/feedback-report":
			if rep.Kind != KindComplaint {
				continue
			}
			if rep.Feedback, err = parseFeedback(body); err != nil {
				return Report{}, err
			}
			found = true
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
			if h, err := readHeader(body); err == nil {
				rep.Original = h
			}
		}
	}
	if !found {
		return Report{}, fmt.Errorf("%w: no %s part", ErrNotReport, rep.Kind)
	}
	return rep, nil
}

// decoded undoes a part's transfer encoding. multipart.Reader undoes
// quoted-printable itself; base64 is left to the reader.
func decoded(p *multipart.Part) io.Reader {
	switch strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding"))) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &newlineSkipper{r: p})
	case "quoted-printable":
		return quotedprintable.NewReader(p)
	}
	return p
}

// newlineSkipper drops CR and LF so that base64's decoder sees one run.
type newlineSkipper struct{ r io.Reader }

func (s *newlineSkipper) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	j := 0
	for _, c := range b[:n] {
		if c != '\r' && c != '\n' {
			b[j] = c
			j++
		}
	}
	return j, err
}

// maxBlock bounds one part of a report read into memory.
const maxBlock = 1 << 20

// fieldBlocks splits a delivery-status or feedback-report body into its
// groups of header fields (separated by blank lines).
func fieldBlocks(r io.Reader) ([]textproto.MIMEHeader, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBlock))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	var out []textproto.MIMEHeader
	for _, block := range bytes.Split(b, []byte("\n\n")) {
		block = bytes.Trim(block, "\n")
		if len(bytes.TrimSpace(block)) == 0 {
			continue
		}
		tr := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(block), strings.NewReader("\n\n"))))
		h, err := tr.ReadMIMEHeader()
		if err != nil && len(h) == 0 {
			return nil, fmt.Errorf("%w: fields: %w", ErrNotReport, err)
		}
		out = append(out, h)
	}
	return out, nil
}

func parseDeliveryStatus(r io.Reader) ([]Recipient, error) {
	blocks, err := fieldBlocks(r)
	if err != nil {
		return nil, err
	}
	var out []Recipient
	for _, h := range blocks {
		// The per-message block (Reporting-MTA, Arrival-Date…) has no
		// Final-Recipient; every per-recipient block must.
		if h.Get("Final-Recipient") == "" && h.Get("Original-Recipient") == "" {
			continue
		}
		rc := Recipient{
			FinalRecipient:    address(h.Get("Final-Recipient")),
			OriginalRecipient: address(h.Get("Original-Recipient")),
			Action:            strings.ToLower(firstWord(h.Get("Action"))),
			Status:            statusCode(h.Get("Status")),
			DiagnosticCode:    clean(h.Get("Diagnostic-Code")),
			RemoteMTA:         clean(h.Get("Remote-MTA")),
		}
		if rc.FinalRecipient == "" {
			rc.FinalRecipient = rc.OriginalRecipient
		}
		if rc.FinalRecipient == "" || rc.Action == "" {
			continue
		}
		if rc.Status == "" {
			rc.Status = statusCode(rc.DiagnosticCode)
		}
		out = append(out, rc)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no recipient in the delivery status", ErrNotReport)
	}
	return out, nil
}

func parseFeedback(r io.Reader) (Feedback, error) {
	blocks, err := fieldBlocks(r)
	if err != nil {
		return Feedback{}, err
	}
	if len(blocks) == 0 {
		return Feedback{}, fmt.Errorf("%w: empty feedback report", ErrNotReport)
	}
	h := blocks[0]
	f := Feedback{
		Type:             strings.ToLower(firstWord(h.Get("Feedback-Type"))),
		UserAgent:        clean(h.Get("User-Agent")),
		OriginalMailFrom: address(h.Get("Original-Mail-From")),
		OriginalRcptTo:   address(h.Get("Original-Rcpt-To")),
		ArrivalDate:      clean(h.Get("Arrival-Date")),
		ReportedDomain:   clean(h.Get("Reported-Domain")),
		SourceIP:         clean(h.Get("Source-IP")),
	}
	if f.Type == "" {
		return Feedback{}, fmt.Errorf("%w: no Feedback-Type", ErrNotReport)
	}
	return f, nil
}

func readHeader(r io.Reader) (mail.Header, error) {
	tr := textproto.NewReader(bufio.NewReader(io.LimitReader(r, maxBlock)))
	h, err := tr.ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return nil, err
	}
	return mail.Header(h), nil
}

// address strips an address-type ("rfc822; a@b" → "a@b") and brackets.
func address(v string) string {
	v = clean(v)
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	v = strings.Trim(strings.TrimSpace(v), "<>")
	if strings.ContainsAny(v, " \t") || !strings.Contains(v, "@") {
		return ""
	}
	return strings.ToLower(v)
}

// statusCode finds the first x.y.z status in v (a Status field may carry a
// comment: "5.1.1 (bad destination mailbox)").
func statusCode(v string) string {
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == '(' || r == ')' || r == ';' }) {
		parts := strings.Split(w, ".")
		if len(parts) != 3 || len(parts[0]) != 1 || (parts[0] != "2" && parts[0] != "4" && parts[0] != "5") {
			continue
		}
		if digits(parts[1]) && digits(parts[2]) && len(parts[1]) <= 3 && len(parts[2]) <= 3 {
			return w
		}
	}
	return ""
}

// smtpCode finds a three-digit SMTP reply code in a diagnostic.
func smtpCode(v string) string {
	for _, w := range strings.Fields(strings.ReplaceAll(v, ";", " ")) {
		w = strings.TrimRight(w, "-")
		if len(w) == 3 && digits(w) && (w[0] == '4' || w[0] == '5') {
			return w
		}
	}
	return ""
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func firstWord(v string) string {
	f := strings.Fields(clean(v))
	if len(f) == 0 {
		return ""
	}
	return strings.TrimRight(f[0], ";")
}

// clean makes a field value one line of printable text, at most 1000
// bytes: it is stored and shown to the admin.
func clean(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	v = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, v)
	if len(v) > 1000 {
		v = strings.ToValidUTF8(v[:1000], "")
	}
	return v
}
