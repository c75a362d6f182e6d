package email

import (
	"net/netip"
	"strings"
)

// OpenKind says whether an open-pixel fetch was probably a person reading.
type OpenKind int

const (
	// OpenHuman is a fetch that followed a person opening the message
	// (including through Gmail's and Yahoo's image proxies, which fetch when
	// the message is opened).
	OpenHuman OpenKind = iota
	// OpenMachine is a fetch nobody saw: Apple Mail Privacy Protection
	// prefetching at delivery, a security scanner, a link previewer, a script.
	OpenMachine
)

func (k OpenKind) String() string {
	if k == OpenMachine {
		return "machine"
	}
	return "human"
}

// ClassifyOpen tells human opens from machine ones by the request's
// User-Agent and remote address. The rules, in order:
//
//  1. No User-Agent at all: machine. Mail clients and browsers always send one.
//  2. User-Agent exactly "Mozilla/5.0" with no further tokens: machine. This is
//     the well-known signature of Apple Mail Privacy Protection (iOS 15+,
//     macOS 12+), whose proxy fetches every remote image of a message when it
//     reaches the device, whether or not it is ever read.
//  3. Known automation: security gateways and link scanners (Barracuda,
//     Mimecast, Proofpoint, …), link previewers (Slack, Facebook, Bing
//     preview…), HTTP libraries (curl, python-requests, Go-http-client…),
//     headless browsers, and anything calling itself a bot, crawler or
//     spider ("…bot/", "…bot;" and the like): machine.
//  4. A request from Apple's network 17.0.0.0/8 whose User-Agent names no
//     platform (no "(…)" comment) is an MPP prefetch in another guise:
//     machine.
//  5. Everything else, including "GoogleImageProxy" (Gmail fetches through its
//     proxy when the message is opened, once, then caches) and
//     "YahooMailProxy": human.
//
// Limits, which is why engagement uses clicks and not opens:
//   - MPP traffic leaves through the iCloud Private Relay egress network,
//     which Apple publishes as a long, changing list that mostly lies outside
//     17.0.0.0/8 (on CDN partners' space) and is shared with people browsing
//     with Private Relay. No static list is embedded here; rule 2 catches the
//     common case and rule 4 the rest from Apple's own block. A reader who
//     opens an MPP-prefetched message later is never seen at all.
//   - Scanners that imitate a desktop browser's User-Agent are not caught;
//     callers that also know the send time can treat opens within a few
//     seconds of delivery as machine opens.
//   - Gmail's proxy caches the image, so repeat opens are invisible.
func ClassifyOpen(userAgent, remoteIP string) OpenKind {
	ua := strings.TrimSpace(userAgent)
	if ua == "" || ua == "Mozilla/5.0" {
		return OpenMachine
	}
	lower := strings.ToLower(ua)
	for _, token := range machineTokens() {
		if strings.Contains(lower, token) {
			return OpenMachine
		}
	}
	if !strings.Contains(ua, "(") {
		if ip, err := netip.ParseAddr(strings.TrimSpace(remoteIP)); err == nil &&
			netip.MustParsePrefix("17.0.0.0/8").Contains(ip.Unmap()) {
			return OpenMachine
		}
	}
	return OpenHuman
}

// machineTokens are lower-case User-Agent fragments of software that fetches
// images without a person: security gateways, link previewers, libraries.
func machineTokens() []string {
	return []string{
		// "bot" only with a delimiter after it, so a phone brand like "CUBOT"
		// does not count.
		"bot/", "bot;", "bot)", "bot-", "robot", "crawler", "spider", "scanner", "preview", "headless", "phantomjs",
		"curl/", "wget/", "python-requests", "python-urllib", "aiohttp", "go-http-client",
		"java/", "okhttp", "apache-httpclient", "libwww-perl", "node-fetch", "axios/",
		"barracuda", "mimecast", "proofpoint", "ironport", "fortiguard", "forcepoint",
		"symantec", "messagelabs", "trend micro", "trendmicro", "zscaler", "sophos",
		"facebookexternalhit", "whatsapp", "skypeuripreview",
	}
}
