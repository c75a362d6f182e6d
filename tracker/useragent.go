package tracker

import (
	"regexp"
	"strings"

	"github.com/mssola/useragent"
)

// Client is what a User-Agent header says about the browser that sent a
// request.
type Client struct {
	// Bot is true for crawlers, link previewers, HTTP libraries, an empty
	// User-Agent and (unless UAOptions.AllowHeadless) headless browsers: their
	// events are not a person's and must not reach profiles or reports.
	Bot bool
	// Headless is true for a headless browser (HeadlessChrome, PhantomJS…),
	// whether or not it counts as a bot.
	Headless       bool
	Browser        string // "Chrome", "Safari", "Firefox", "Edge", "Googlebot"…
	BrowserVersion string
	OS             string // "Windows", "macOS", "iOS", "iPadOS", "Android", "Linux"…
	OSVersion      string
	Device         string // "desktop", "mobile", "tablet" or "bot"
}

// Device kinds of Client.Device.
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceBot     = "bot"
)

// UAOptions tunes ClassifyUA.
type UAOptions struct {
	// AllowHeadless makes headless browsers count as people. Our own browser
	// tests drive HeadlessChrome; production keeps the default (false).
	AllowHeadless bool
}

// botMarkers catches what mssola/useragent lets through: HTTP libraries and
// tools, monitoring and performance robots, and crawlers whose name ends in
// "bot" inside a Mozilla-compatible string (GPTBot, ClaudeBot…). "bot" must
// be followed by a separator so that phone names such as "CUBOT X19" pass.
var botMarkers = regexp.MustCompile(`(?i)bot(?:[/;)_-]| \(|$)|crawl|spider|slurp|scrapy|` +
	`facebookexternalhit|bingpreview|mediapartners-google|google-inspectiontool|apis-google|` +
	`lighthouse|pagespeed|ptst/|gtmetrix|pingdom|uptimerobot|statuscake|` +
	`^curl/|^wget/|^python|^go-http-client|^java/|^okhttp|^axios/|^node-fetch|^node\b|^undici|` +
	`^libwww-perl|^apache-httpclient|^ruby|^php|^guzzlehttp|^postmanruntime|^insomnia|^httpie|` +
	`^dart:io|^reqwest|^aiohttp|^httpx|^restsharp|^faraday|^feedfetcher|^mechanize`)

// headlessMarkers are the signatures of browsers driven without a screen.
var headlessMarkers = regexp.MustCompile(`(?i)headlesschrome|phantomjs|slimerjs|electron/.*\bheadless|puppeteer|playwright|selenium|webdriver`)

// ClassifyUA parses a User-Agent header. It never fails: an unknown string
// gives empty names and the desktop device.
func ClassifyUA(ua string, opts UAOptions) Client {
	ua = strings.TrimSpace(ua)
	p := useragent.New(ua)
	name, version := p.Browser()
	c := Client{Browser: name, BrowserVersion: version}
	c.OS, c.OSVersion = osOf(p)
	c.Headless = headlessMarkers.MatchString(ua)
	if c.Headless && strings.HasPrefix(c.Browser, "Headless") {
		c.Browser = "Headless Chrome"
	}
	c.Bot = ua == "" || p.Bot() || botMarkers.MatchString(ua) || (c.Headless && !opts.AllowHeadless)

	switch {
	case c.Bot:
		c.Device = DeviceBot
	case isTablet(ua, p):
		c.Device = DeviceTablet
	case p.Mobile():
		c.Device = DeviceMobile
	default:
		c.Device = DeviceDesktop
	}
	return c
}

// isTablet: iPads, and Android devices whose browser leaves out "Mobile"
// (Google's rule for telling tablets from phones), plus self-declared ones.
// An iPad in desktop mode sends a Mac User-Agent and counts as a desktop.
func isTablet(ua string, p *useragent.UserAgent) bool {
	switch {
	case p.Platform() == "iPad", strings.Contains(ua, "Tablet"), strings.Contains(ua, "Kindle"), strings.Contains(ua, "Silk/"):
		return true
	case strings.Contains(ua, "Android") && !strings.Contains(ua, "Mobile"):
		return true
	}
	return false
}

// osOf gives the operating system under the names people use.
func osOf(p *useragent.UserAgent) (name, version string) {
	info := p.OSInfo()
	name, version = info.Name, info.Version
	switch {
	case name == "iPhone OS":
		name = "iOS"
	case name == "OS" && p.Platform() == "iPad":
		name = "iPadOS"
	case name == "Mac OS X" || name == "Mac OS":
		name = "macOS"
	case strings.HasPrefix(name, "Linux"):
		name = "Linux"
	case strings.HasPrefix(name, "Windows"):
		name = "Windows"
	}
	return name, version
}
