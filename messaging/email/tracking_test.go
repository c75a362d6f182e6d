package email

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"image/gif"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// testSigner is what secrets.Box provides: URL-safe HMAC-SHA256.
func testSigner(key string) (func([]byte) string, func([]byte, string) bool) {
	sign := func(msg []byte) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write(msg)
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	verify := func(msg []byte, sig string) bool {
		return hmac.Equal([]byte(sign(msg)), []byte(sig))
	}
	return sign, verify
}

func testTracker() Tracker {
	sign, verify := testSigner("k1")
	return Tracker{BaseURL: "https://t.shop.example/e/", Sign: sign, Verify: verify}
}

var hrefRe = regexp.MustCompile(`href="([^"]*)"`)

func TestRewriteLinks(t *testing.T) {
	tr := testTracker()
	in := `<html><body>
<a href="https://shop.example/p/1?a=1&amp;b=2">one</a>
<a href='http://shop.example/p/2'>two</a>
<a href=https://shop.example/p/3>three</a>
<a href="mailto:help@shop.example">mail</a>
<a href="tel:+331234">call</a>
<a href="#top">top</a>
<a href="https://shop.example/u/tok" data-notrack>Unsubscribe</a>
<A HREF="HTTPS://shop.example/p/4">four</A>
</BODY></html>`
	out, err := tr.Rewrite(in, "msg_abc123")
	if err != nil {
		t.Fatal(err)
	}
	wantTargets := []string{
		"https://shop.example/p/1?a=1&b=2", "http://shop.example/p/2", "https://shop.example/p/3", "HTTPS://shop.example/p/4",
	}
	var clicks []ClickInfo
	for _, m := range regexp.MustCompile(`(?i)href=["']?([^"' >]*)`).FindAllStringSubmatch(out, -1) {
		raw := strings.ReplaceAll(m[1], "&amp;", "&")
		if !strings.HasPrefix(raw, "https://t.shop.example/e/c/") {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		ci, err := tr.ParseClick(u.Path, u.Query())
		if err != nil {
			t.Fatalf("ParseClick(%s): %v", raw, err)
		}
		clicks = append(clicks, ci)
	}
	if len(clicks) != len(wantTargets) {
		t.Fatalf("%d tracked links, want %d:\n%s", len(clicks), len(wantTargets), out)
	}
	for i, ci := range clicks {
		if ci.Index != i || ci.MessageID != "msg_abc123" || ci.URL != wantTargets[i] {
			t.Errorf("click %d = %+v, want index %d target %q", i, ci, i, wantTargets[i])
		}
	}
	for _, kept := range []string{`href="mailto:help@shop.example"`, `href="tel:+331234"`, `href="#top"`,
		`href="https://shop.example/u/tok" data-notrack`} {
		if !strings.Contains(out, kept) {
			t.Errorf("rewrite changed %s", kept)
		}
	}
	pixel := `<img src="https://t.shop.example/e/o/msg_abc123.gif?s=`
	if i, j := strings.Index(out, pixel), strings.Index(out, "</BODY>"); i < 0 || i > j {
		t.Errorf("open pixel missing or not before </body>:\n%s", out)
	}

	if _, err := tr.Rewrite(in, "bad id/../x"); err == nil {
		t.Error("Rewrite accepted a message id with a slash")
	}
}

func TestParseClickRefusesTampering(t *testing.T) {
	tr := testTracker()
	good, _ := url.Parse(tr.ClickURL("msg_1", 2, "https://shop.example/p?x=1"))
	if ci, err := tr.ParseClick(good.Path, good.Query()); err != nil || ci.URL != "https://shop.example/p?x=1" {
		t.Fatalf("good click: %+v, %v", ci, err)
	}
	q := func(mod func(url.Values)) url.Values {
		v := good.Query()
		mod(v)
		return v
	}
	otherSign, _ := testSigner("other key")
	foreign, _ := url.Parse(Tracker{BaseURL: tr.BaseURL, Sign: otherSign}.ClickURL("msg_1", 2, "https://evil.example/"))
	cases := []struct {
		name  string
		path  string
		query url.Values
	}{
		{"other target", good.Path, q(func(v url.Values) { v.Set("u", "https://evil.example/") })},
		{"no signature", good.Path, q(func(v url.Values) { v.Del("s") })},
		{"garbage signature", good.Path, q(func(v url.Values) { v.Set("s", "AAAA") })},
		{"other index", strings.Replace(good.Path, "/2", "/3", 1), good.Query()},
		{"other message", strings.Replace(good.Path, "msg_1", "msg_2", 1), good.Query()},
		{"signed with another key", foreign.Path, foreign.Query()},
		{"open signature as click", good.Path, q(func(v url.Values) {
			o, _ := url.Parse(tr.OpenURL("msg_1"))
			v.Set("s", o.Query().Get("s"))
		})},
	}
	for _, tc := range cases {
		if _, err := tr.ParseClick(tc.path, tc.query); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", tc.name, err)
		}
	}
	for _, path := range []string{"/e/x/msg_1/2", "/e/c/msg_1/-1", "/e/c/msg_1/two", "/e/c/msg 1/2"} {
		if _, err := tr.ParseClick(path, good.Query()); !errors.Is(err, ErrBadTrackingURL) {
			t.Errorf("ParseClick(%q): err = %v, want ErrBadTrackingURL", path, err)
		}
	}
	// A correctly signed non-http target is still no redirect.
	js, _ := url.Parse(tr.ClickURL("msg_1", 0, "javascript:alert(1)"))
	if _, err := tr.ParseClick(js.Path, js.Query()); err == nil {
		t.Error("ParseClick accepted a javascript: target")
	}
}

func TestParseOpen(t *testing.T) {
	tr := testTracker()
	u, _ := url.Parse(tr.OpenURL("msg_7"))
	if oi, err := tr.ParseOpen(u.Path, u.Query()); err != nil || oi.MessageID != "msg_7" {
		t.Fatalf("ParseOpen = %+v, %v", oi, err)
	}
	if _, err := tr.ParseOpen(strings.Replace(u.Path, "msg_7", "msg_8", 1), u.Query()); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other message: err = %v", err)
	}
	if _, err := tr.ParseOpen(u.Path, url.Values{}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("unsigned: err = %v", err)
	}
	img, err := gif.Decode(bytes.NewReader(Pixel()))
	if err != nil || img.Bounds().Dx() != 1 || img.Bounds().Dy() != 1 {
		t.Errorf("Pixel is not a 1×1 GIF: %v", err)
	}
}

// The unsubscribe and preferences links stay direct after rendering and
// rewriting, even where the author linked to them in the body.
func TestRenderedUnsubscribeLinksAreNotTracked(t *testing.T) {
	c := mustParse(t, Template{Subject: "s", HTML: `<p><a href="{{.Links.Unsubscribe}}">Stop these emails</a> or <a href="https://acme.example/sale">shop</a></p>`})
	d := sampleData()
	r := mustRender(t, c, d)
	out, err := testTracker().Rewrite(r.HTML, "msg_1")
	if err != nil {
		t.Fatal(err)
	}
	var tracked, direct int
	for _, m := range hrefRe.FindAllStringSubmatch(out, -1) {
		h := strings.ReplaceAll(m[1], "&amp;", "&")
		switch {
		case strings.HasPrefix(h, "https://t.shop.example/e/c/"):
			tracked++
			if strings.Contains(h, url.QueryEscape("/u/tok")) || strings.Contains(h, url.QueryEscape("/prefs/")) {
				t.Errorf("unsubscribe/preferences link was rewritten: %s", h)
			}
		case h == d.Links.Unsubscribe || h == d.Links.Preferences:
			direct++
		}
	}
	// Body: unsubscribe (direct) + sale (tracked); footer: unsubscribe, preferences,
	// view in browser (direct); header logo link to the shop (tracked).
	if direct != 3 || tracked != 2 {
		t.Errorf("direct = %d, tracked = %d; want 3 and 2\n%s", direct, tracked, out)
	}
}

func TestClassifyOpen(t *testing.T) {
	cases := []struct {
		ua, ip string
		want   OpenKind
	}{
		{"Mozilla/5.0", "203.0.113.9", OpenMachine},         // Apple MPP prefetch
		{" Mozilla/5.0 ", "17.58.1.2", OpenMachine},         // same, padded
		{"", "198.51.100.1", OpenMachine},                   // no user agent
		{"AppleWebKit/605.1.15", "17.120.3.4", OpenMachine}, // Apple network, no platform
		{"Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", "66.249.84.1", OpenHuman},
		{"YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", "98.136.1.1", OpenHuman},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", "17.58.1.2", OpenHuman},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36", "203.0.113.7", OpenHuman},
		{"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)", "203.0.113.8", OpenHuman},
		{"Mozilla/5.0 (Linux; Android 10; CUBOT NOTE 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", "203.0.113.5", OpenHuman},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "66.249.66.1", OpenMachine},
		{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "54.1.1.1", OpenMachine},
		{"facebookexternalhit/1.1", "69.63.1.1", OpenMachine},
		{"curl/8.5.0", "192.0.2.1", OpenMachine},
		{"python-requests/2.31.0", "192.0.2.1", OpenMachine},
		{"Go-http-client/1.1", "192.0.2.1", OpenMachine},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36", "192.0.2.1", OpenMachine},
		{"Barracuda Sentinel (EE)", "64.235.1.1", OpenMachine},
		{"Mozilla/5.0 (compatible; BingPreview/1.0b)", "40.77.1.1", OpenMachine},
	}
	for _, tc := range cases {
		if got := ClassifyOpen(tc.ua, tc.ip); got != tc.want {
			t.Errorf("ClassifyOpen(%q, %q) = %v, want %v", tc.ua, tc.ip, got, tc.want)
		}
	}
}
