package admin

import (
	"regexp"
	"strings"
)

// shopErrorKinds read the text connectors records for a failed call to a
// shop (it is kept as text on the shop's status, so the console works
// from the words) and name the text key that explains it to a shop admin.
// The first that matches wins: a 401 inside a timeout's text is still a
// timeout.
var shopErrorKinds = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`(?i)x509|tls:|certificate`), "shops.err.tls"},
	{regexp.MustCompile(`(?i)deadline exceeded|timeout|timed out`), "shops.err.timeout"},
	{regexp.MustCompile(`(?i)no such host|server misbehaving`), "shops.err.dns"},
	{regexp.MustCompile(`(?i)connection refused|connection reset|no route to host|network is unreachable|EOF`), "shops.err.unreachable"},
	{regexp.MustCompile(`HTTP 40[13]\b|credentials rejected|access token rejected|ACCESS_DENIED`), "shops.err.auth"},
	{regexp.MustCompile(`HTTP 404\b`), "shops.err.noapi"},
	{regexp.MustCompile(`HTTP 429\b|throttled`), "shops.err.throttled"},
	{regexp.MustCompile(`HTTP 5\d\d\b`), "shops.err.server"},
	{regexp.MustCompile(`webhook secret`), "shops.err.secret"},
	{regexp.MustCompile(`(?i)decode answer|invalid character|cannot unmarshal`), "shops.err.notapi"},
}

// explainShopError says in words why a call to a shop failed, followed by
// the recorded error itself for whoever needs the details.
func (h *Handler) explainShopError(locale, msg string) string {
	key := "shops.err.other"
	for _, k := range shopErrorKinds {
		if k.re.MatchString(msg) {
			key = k.key
			break
		}
	}
	return h.texts.text(locale, key) + " (" + strings.TrimSpace(msg) + ")"
}
