package email

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Tracker rewrites links for click tracking and adds the open pixel, and
// verifies the tracking URLs when they come back. It signs with functions it
// is given, so the keys stay with their owner (secrets.Box): Sign returns a
// URL-safe signature of msg, Verify checks one in constant time.
//
// Every tracking URL is signed over the message id, the link's index and the
// target, so the click endpoint can never be used as an open redirect: an
// unsigned or altered target is refused.
//
// Engagement — the "engaged" segments, the sunset policy, A/B winners — is
// measured with clicks, not opens: opens are recorded but, since Apple Mail
// Privacy Protection and corporate scanners fetch every image, an open
// proves delivery more often than reading. See ClassifyOpen.
type Tracker struct {
	BaseURL string // e.g. "https://shop.example/t"; the routes /c/… and /o/… live under it
	Sign    func(msg []byte) string
	Verify  func(msg []byte, sig string) bool
}

// ClickInfo is a verified click.
type ClickInfo struct {
	MessageID string
	Index     int    // the link's position among the message's tracked links
	URL       string // where to redirect
}

// OpenInfo is a verified open-pixel request.
type OpenInfo struct {
	MessageID string
}

// ErrBadSignature means a tracking URL or token was not signed by us or was
// altered; handlers answer it with 404 rather than a redirect.
var ErrBadSignature = errors.New("email: bad signature")

// ErrBadTrackingURL means a tracking URL is malformed.
var ErrBadTrackingURL = errors.New("email: malformed tracking URL")

// The signed messages start with their purpose, so that a signature made for
// one use (an open) can never be replayed as another (a click).
func clickMsg(messageID string, index int, target string) []byte {
	return []byte("cw-click\x00" + messageID + "|" + strconv.Itoa(index) + "|" + target)
}

func openMsg(messageID string) []byte { return []byte("cw-open\x00" + messageID) }

// validMessageID keeps ids to URL-safe characters, which also makes the
// signed "id|index|url" layout unambiguous.
func validMessageID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func (t Tracker) base() string { return strings.TrimRight(t.BaseURL, "/") }

// ClickURL is the tracking URL of one link.
func (t Tracker) ClickURL(messageID string, index int, target string) string {
	return fmt.Sprintf("%s/c/%s/%d?u=%s&s=%s", t.base(), messageID, index,
		url.QueryEscape(target), url.QueryEscape(t.Sign(clickMsg(messageID, index, target))))
}

// OpenURL is the URL of the message's open pixel.
func (t Tracker) OpenURL(messageID string) string {
	return fmt.Sprintf("%s/o/%s.gif?s=%s", t.base(), messageID, url.QueryEscape(t.Sign(openMsg(messageID))))
}

// Rewrite replaces the href of every http(s) link in html with its click
// tracking URL and appends the open pixel before </body>. Links marked
// data-notrack are left alone: the layout marks the unsubscribe and
// preferences links, and Render marks any other link to them, because they
// must work directly (RFC 8058 one-click, and no tracking of a person who
// asks to leave). mailto:, tel: and fragment links are left alone too.
func (t Tracker) Rewrite(htmlDoc string, messageID string) (string, error) {
	if t.Sign == nil || t.BaseURL == "" {
		return "", errors.New("email: tracker needs a base URL and a signer")
	}
	if !validMessageID(messageID) {
		return "", fmt.Errorf("email: message id %q is not URL-safe", messageID)
	}
	var out strings.Builder
	out.Grow(len(htmlDoc) + 1024)
	last, index := 0, 0
	z := newTokenizer(htmlDoc)
	for tok, ok := z.next(); ok; tok, ok = z.next() {
		if tok.kind != tokStart || tok.name != "a" {
			continue
		}
		if _, skip := tok.attr("data-notrack"); skip {
			continue
		}
		href, ok := tok.attr("href")
		if !ok || href.valStart < 0 {
			continue
		}
		target := strings.TrimSpace(html.UnescapeString(href.val))
		if !t.trackable(target) {
			continue
		}
		tracked := html.EscapeString(t.ClickURL(messageID, index, target))
		index++
		out.WriteString(htmlDoc[last:href.valStart])
		if href.quoted {
			out.WriteString(tracked)
		} else {
			out.WriteString(`"` + tracked + `"`)
		}
		last = href.valEnd
	}
	out.WriteString(htmlDoc[last:])
	doc := out.String()

	pixel := `<img src="` + html.EscapeString(t.OpenURL(messageID)) +
		`" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0;">`
	if i := lastIndexFold(doc, "</body"); i >= 0 {
		return doc[:i] + pixel + doc[i:], nil
	}
	return doc + pixel, nil
}

func (t Tracker) trackable(target string) bool {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return false
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return false
	}
	// Already a tracking URL (a template pasted one): do not wrap it twice.
	return !strings.HasPrefix(target, t.base()+"/c/")
}

// ParseClick verifies a click request: path is the request path (anything
// before ".../c/{messageID}/{index}" is ignored, so the routes may be
// mounted under a prefix) and q its query. It returns the target only when
// the signature matches.
func (t Tracker) ParseClick(path string, q url.Values) (ClickInfo, error) {
	segs := strings.Split(strings.TrimRight(path, "/"), "/")
	if len(segs) < 3 || segs[len(segs)-3] != "c" {
		return ClickInfo{}, ErrBadTrackingURL
	}
	id, idx := segs[len(segs)-2], segs[len(segs)-1]
	index, err := strconv.Atoi(idx)
	if err != nil || index < 0 || !validMessageID(id) {
		return ClickInfo{}, ErrBadTrackingURL
	}
	target, sig := q.Get("u"), q.Get("s")
	if target == "" || sig == "" || t.Verify == nil || !t.Verify(clickMsg(id, index, target), sig) {
		return ClickInfo{}, ErrBadSignature
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ClickInfo{}, ErrBadTrackingURL
	}
	return ClickInfo{MessageID: id, Index: index, URL: target}, nil
}

// ParseOpen verifies an open-pixel request ".../o/{messageID}.gif?s=…".
func (t Tracker) ParseOpen(path string, q url.Values) (OpenInfo, error) {
	segs := strings.Split(path, "/")
	if len(segs) < 2 || segs[len(segs)-2] != "o" {
		return OpenInfo{}, ErrBadTrackingURL
	}
	id, ok := strings.CutSuffix(segs[len(segs)-1], ".gif")
	if !ok || !validMessageID(id) {
		return OpenInfo{}, ErrBadTrackingURL
	}
	sig := q.Get("s")
	if sig == "" || t.Verify == nil || !t.Verify(openMsg(id), sig) {
		return OpenInfo{}, ErrBadSignature
	}
	return OpenInfo{MessageID: id}, nil
}

// Pixel is the 1×1 transparent GIF the open endpoint serves.
func Pixel() []byte {
	return []byte{
		0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
	}
}

// lastIndexFold is strings.LastIndex, ASCII case-insensitive in sub.
func lastIndexFold(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// openPixelTag matches the open pixel Rewrite appends.
var openPixelTag = regexp.MustCompile(`<img src="[^"]*/o/[A-Za-z0-9_-]+\.gif\?s=[^"]*" width="1" height="1"[^>]*>`)

// WithoutOpenPixel removes the open pixel from a rewritten email, so that
// showing the email to the shop's staff does not count as the recipient
// opening it.
func WithoutOpenPixel(doc string) string { return openPixelTag.ReplaceAllString(doc, "") }
