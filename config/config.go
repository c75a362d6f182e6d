// Package config holds Cartwheel's one configuration struct and reads it from
// command-line flags and CARTWHEEL_* environment variables.
//
// Precedence: a flag given on the command line wins over its environment
// variable, which wins over the default. Keeping every setting in one struct
// means the README's configuration table and this file can be checked against
// each other (see config_test.go).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting Cartwheel reads at start.
type Config struct {
	// Addr is the address the HTTP server listens on.
	Addr string
	// DataDir holds the SQLite database, the generated secret key and exports.
	DataDir string
	// DatabaseURL selects the database: a SQLite file path (or sqlite:// URL);
	// empty means DataDir/cartwheel.db.
	DatabaseURL string
	// PublicURL is how browsers and shops reach this server (links in emails,
	// tracker tags, webhook callback addresses).
	PublicURL string
	// SecretKey encrypts secrets at rest; empty means a key generated into DataDir.
	SecretKey string
	// AdminToken is the bootstrap admin bearer token; empty means one is
	// generated on first start and printed once.
	AdminToken string
	// Demo creates the demo workspace and serves the storefront at /demo/.
	Demo bool
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// LogFormat is text or json.
	LogFormat string
	// ShutdownTimeout bounds how long in-flight work may take after SIGTERM.
	ShutdownTimeout time.Duration
	// CollectIPRate and CollectVisitorRate limit /collect requests a second
	// per client IP and per visitor (0 turns a limit off); bursts of ten
	// times the rate pass.
	CollectIPRate      float64
	CollectVisitorRate float64
	// ShopifyAPIKey and ShopifyAPISecret are the Shopify app's client
	// credentials; without them the app install flow is off and only shops
	// connected by hand (custom apps) work.
	ShopifyAPIKey    string
	ShopifyAPISecret string
	// ShopifyAPIBase replaces https://{shop} for Shopify API calls: for
	// testing against a fake Admin API only.
	ShopifyAPIBase string
	// TwilioAPIBase and SMSAPIBase replace the SMS providers' API
	// addresses (https://api.twilio.com, https://api.smsapi.pl): for tests
	// against in-process servers. Credentials are per workspace settings.
	TwilioAPIBase string
	SMSAPIBase    string
	// SyncInterval is how often every connected shop is reconciled with
	// its platform (catalogue; WooCommerce orders and customers too); 0
	// turns periodic syncs off.
	SyncInterval time.Duration
	// SMTPURL is the relay mail goes out through:
	// smtp://user:password@host:port?tls=starttls|tls|none&max_conns=N.
	// Empty keeps every email in the outbox (the console's Messages page) unsent.
	SMTPURL string
	// BounceDomain is the domain of the per-message VERP envelope senders
	// (bounces+<token>@BounceDomain); its MX must point at the bounce
	// listener. Empty: mail goes out with From as envelope sender.
	BounceDomain string
	// BounceListen is the address of the inbound SMTP listener for bounces
	// and complaints (e.g. ":2525"); empty: off. Needs BounceDomain.
	BounceListen string
	// PushSubject is the VAPID "sub" contact push services may write to
	// about this sender (mailto: or https:); default mailto:admin@ the
	// public URL's host.
	PushSubject string
	// PushAllowPrivateEndpoints accepts push subscriptions whose endpoint
	// is http or on a loopback/private address, and lets the sender post
	// to them. For tests against a local fake push service ONLY: in
	// production it would let any page make the server post to its own
	// network (SSRF).
	PushAllowPrivateEndpoints bool
	// AutomationWorkers is how many flow steps run at once.
	AutomationWorkers int
	// TrustedProxies are the networks (comma-separated CIDRs or addresses)
	// of the reverse proxies in front of Cartwheel: only a peer inside one
	// of them is believed when it names the client in X-Forwarded-For.
	// Empty trusts no one, so the peer's address is the client's.
	TrustedProxies string
	// TrustedProxyNets is TrustedProxies parsed.
	TrustedProxyNets []netip.Prefix
	// UpstreamTimeout bounds a request that waits on a shop's API
	// (discount codes, webhook registration): past it the caller gets 504.
	UpstreamTimeout time.Duration
}

// Defaults returns a Config with every default filled in.
func Defaults() Config {
	return Config{
		Addr:            ":8080",
		DataDir:         "./data",
		LogLevel:        "info",
		LogFormat:       "text",
		ShutdownTimeout: 15 * time.Second,
		// A tracker sends a batch every few seconds at most; a shop's whole
		// office behind one NAT address stays far below 50 a second.
		CollectIPRate:      50,
		CollectVisitorRate: 2,
		// WooCommerce never retries a failed webhook: a quarter-hour
		// reconciliation bounds how late a missed order can be.
		SyncInterval:      15 * time.Minute,
		AutomationWorkers: 64,
		UpstreamTimeout:   10 * time.Second,
	}
}

// setting ties one field to its flag and environment variable so that the
// two can never drift apart.
type setting struct {
	flag, env, usage string
	str              *string
	boolean          *bool
	dur              *time.Duration
	float            *float64
	integer          *int
}

func (c *Config) settings() []setting {
	return []setting{
		{flag: "addr", env: "CARTWHEEL_ADDR", usage: "HTTP listen address", str: &c.Addr},
		{flag: "data-dir", env: "CARTWHEEL_DATA_DIR", usage: "directory for the database, secret key and exports", str: &c.DataDir},
		{flag: "database-url", env: "CARTWHEEL_DATABASE_URL", usage: "SQLite path or sqlite:// URL (default DATA_DIR/cartwheel.db)", str: &c.DatabaseURL},
		{flag: "public-url", env: "CARTWHEEL_PUBLIC_URL", usage: "external base URL (default http://localhost + addr port)", str: &c.PublicURL},
		{flag: "secret-key", env: "CARTWHEEL_SECRET_KEY", usage: "base64 or hex 32-byte key encrypting secrets at rest (default: generated into data dir)", str: &c.SecretKey},
		{flag: "admin-token", env: "CARTWHEEL_ADMIN_TOKEN", usage: "bootstrap admin bearer token (default: generated on first start, printed once)", str: &c.AdminToken},
		{flag: "demo", env: "CARTWHEEL_DEMO", usage: "create the demo workspace and serve the storefront at /demo/", boolean: &c.Demo},
		{flag: "log-level", env: "CARTWHEEL_LOG_LEVEL", usage: "debug, info, warn or error", str: &c.LogLevel},
		{flag: "log-format", env: "CARTWHEEL_LOG_FORMAT", usage: "text or json", str: &c.LogFormat},
		{flag: "shutdown-timeout", env: "CARTWHEEL_SHUTDOWN_TIMEOUT", usage: "how long in-flight work may finish after SIGTERM", dur: &c.ShutdownTimeout},
		{flag: "collect-ip-rate", env: "CARTWHEEL_COLLECT_IP_RATE", usage: "tracker requests a second per client IP (0: no limit)", float: &c.CollectIPRate},
		{flag: "collect-visitor-rate", env: "CARTWHEEL_COLLECT_VISITOR_RATE", usage: "tracker batches a second per visitor (0: no limit)", float: &c.CollectVisitorRate},
		{flag: "shopify-api-key", env: "CARTWHEEL_SHOPIFY_API_KEY", usage: "Shopify app client id (enables /shopify/install)", str: &c.ShopifyAPIKey},
		{flag: "shopify-api-secret", env: "CARTWHEEL_SHOPIFY_API_SECRET", usage: "Shopify app client secret (verifies OAuth, webhooks, App Proxy)", str: &c.ShopifyAPISecret},
		{flag: "shopify-api-base", env: "CARTWHEEL_SHOPIFY_API_BASE", usage: "base URL replacing https://{shop} for Shopify API calls (testing only)", str: &c.ShopifyAPIBase},
		{flag: "twilio-api-base", env: "CARTWHEEL_TWILIO_API_BASE", usage: "base URL replacing https://api.twilio.com (testing only)", str: &c.TwilioAPIBase},
		{flag: "smsapi-api-base", env: "CARTWHEEL_SMSAPI_API_BASE", usage: "base URL replacing https://api.smsapi.pl (testing only)", str: &c.SMSAPIBase},
		{flag: "sync-interval", env: "CARTWHEEL_SYNC_INTERVAL", usage: "how often connected shops are reconciled (0: never)", dur: &c.SyncInterval},
		{flag: "smtp-url", env: "CARTWHEEL_SMTP_URL", usage: "smtp://user:pass@host:port?tls=starttls|tls|none&max_conns=N (empty: emails stay in the outbox)", str: &c.SMTPURL},
		{flag: "bounce-domain", env: "CARTWHEEL_BOUNCE_DOMAIN", usage: "domain of per-message bounce addresses, bounces+<token>@domain (empty: From is the envelope sender)", str: &c.BounceDomain},
		{flag: "bounce-listen", env: "CARTWHEEL_BOUNCE_LISTEN", usage: "address of the inbound SMTP listener for bounces and complaints, e.g. :2525 (empty: off)", str: &c.BounceListen},
		{flag: "push-subject", env: "CARTWHEEL_PUSH_SUBJECT", usage: "VAPID contact, mailto: or https: (default mailto:admin@ the public URL's host)", str: &c.PushSubject},
		{flag: "push-allow-private-endpoints", env: "CARTWHEEL_PUSH_ALLOW_PRIVATE_ENDPOINTS", usage: "accept http and loopback/private push endpoints (tests only: never in production)", boolean: &c.PushAllowPrivateEndpoints},
		{flag: "automation-workers", env: "CARTWHEEL_AUTOMATION_WORKERS", usage: "flow steps run at once", integer: &c.AutomationWorkers},
		{flag: "trusted-proxies", env: "CARTWHEEL_TRUSTED_PROXIES", usage: "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (empty: none)", str: &c.TrustedProxies},
		{flag: "upstream-timeout", env: "CARTWHEEL_UPSTREAM_TIMEOUT", usage: "how long a request may wait on a shop's API before answering 504", dur: &c.UpstreamTimeout},
	}
}

// Load reads args (without the program and subcommand names) and the
// environment, given as a lookup function so tests need not touch the
// process environment.
func Load(name string, args []string, lookupEnv func(string) (string, bool), usageOut io.Writer) (Config, error) {
	c := Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(usageOut)
	for _, s := range c.settings() {
		usage := fmt.Sprintf("%s (env %s)", s.usage, s.env)
		switch {
		case s.str != nil:
			fs.StringVar(s.str, s.flag, *s.str, usage)
		case s.boolean != nil:
			fs.BoolVar(s.boolean, s.flag, *s.boolean, usage)
		case s.dur != nil:
			fs.DurationVar(s.dur, s.flag, *s.dur, usage)
		case s.float != nil:
			fs.Float64Var(s.float, s.flag, *s.float, usage)
		case s.integer != nil:
			fs.IntVar(s.integer, s.flag, *s.integer, usage)
		}
	}
	// Environment first, so that flags parsed afterwards override it.
	for _, s := range c.settings() {
		v, ok := lookupEnv(s.env)
		if !ok {
			continue
		}
		if err := s.set(v); err != nil {
			return c, fmt.Errorf("%s: %w", s.env, err)
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.normalize()
}

func (s setting) set(v string) error {
	switch {
	case s.str != nil:
		*s.str = v
	case s.boolean != nil:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not a boolean: %q", v)
		}
		*s.boolean = b
	case s.dur != nil:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration: %q", v)
		}
		*s.dur = d
	case s.float != nil:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return fmt.Errorf("not a non-negative number: %q", v)
		}
		*s.float = f
	case s.integer != nil:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a whole number: %q", v)
		}
		*s.integer = n
	}
	return nil
}

// ErrPostgresNotSupported is returned for a postgres:// database URL until the
// PostgreSQL backend lands.
var ErrPostgresNotSupported = errors.New("PostgreSQL is not yet supported: leave CARTWHEEL_DATABASE_URL empty or give a SQLite file path")

func (c *Config) normalize() error {
	if c.DataDir == "" {
		return errors.New("data dir must not be empty")
	}
	switch {
	case strings.HasPrefix(c.DatabaseURL, "postgres://"), strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		return ErrPostgresNotSupported
	case c.DatabaseURL == "":
		c.DatabaseURL = filepath.Join(c.DataDir, "cartwheel.db")
	case strings.HasPrefix(c.DatabaseURL, "sqlite://"):
		c.DatabaseURL = strings.TrimPrefix(c.DatabaseURL, "sqlite://")
	case strings.Contains(c.DatabaseURL, "://"):
		return fmt.Errorf("unsupported database URL scheme in %q", c.DatabaseURL)
	}
	if c.PublicURL == "" {
		port := "8080"
		if i := strings.LastIndex(c.Addr, ":"); i >= 0 && i < len(c.Addr)-1 {
			port = c.Addr[i+1:]
		}
		c.PublicURL = "http://localhost:" + port
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("public URL %q must be an absolute http(s) URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log format %q: want text or json", c.LogFormat)
	}
	if c.CollectIPRate < 0 || c.CollectVisitorRate < 0 {
		return errors.New("rate limits must not be negative")
	}
	if c.SyncInterval < 0 {
		return errors.New("sync interval must not be negative")
	}
	if (c.ShopifyAPIKey == "") != (c.ShopifyAPISecret == "") {
		return errors.New("set both CARTWHEEL_SHOPIFY_API_KEY and CARTWHEEL_SHOPIFY_API_SECRET, or neither")
	}
	if c.SMTPURL != "" {
		if _, err := SMTP(c.SMTPURL); err != nil {
			return err
		}
	}
	c.BounceDomain = strings.ToLower(strings.TrimSpace(c.BounceDomain))
	if c.BounceListen != "" && c.BounceDomain == "" {
		return errors.New("CARTWHEEL_BOUNCE_LISTEN needs CARTWHEEL_BOUNCE_DOMAIN: the listener accepts mail only for that domain's bounce addresses")
	}
	if c.BounceDomain != "" && (strings.ContainsAny(c.BounceDomain, " @/:") || !strings.Contains(c.BounceDomain, ".")) {
		return fmt.Errorf("CARTWHEEL_BOUNCE_DOMAIN %q is not a domain name", c.BounceDomain)
	}
	if c.PushSubject == "" {
		u, _ := url.Parse(c.PublicURL)
		c.PushSubject = "mailto:admin@" + u.Hostname()
	}
	if !strings.HasPrefix(c.PushSubject, "mailto:") && !strings.HasPrefix(c.PushSubject, "https://") {
		return errors.New("push subject must be a mailto: or https: URL")
	}
	if c.AutomationWorkers < 1 {
		return errors.New("automation workers must be at least 1")
	}
	if c.ShutdownTimeout <= 0 {
		return errors.New("shutdown timeout must be positive")
	}
	if c.UpstreamTimeout <= 0 || c.UpstreamTimeout > 5*time.Minute {
		return errors.New("upstream timeout must be positive and at most 5m")
	}
	nets, err := ParseCIDRs(c.TrustedProxies)
	if err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	c.TrustedProxyNets = nets
	return nil
}

// ParseCIDRs reads a comma-separated list of CIDRs; a bare address means
// that one address.
func ParseCIDRs(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// EnvNames lists every environment variable Config reads, for docs and tests.
func EnvNames() []string {
	var c Config
	var names []string
	for _, s := range c.settings() {
		names = append(names, s.env)
	}
	return names
}

// SMTPSettings is a parsed CARTWHEEL_SMTP_URL.
type SMTPSettings struct {
	Host, Username, Password, TLS string
	Port, MaxConns                int
}

// SMTP parses an smtp:// URL; the error never repeats the password.
func SMTP(raw string) (SMTPSettings, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return SMTPSettings{}, errors.New("SMTP URL must look like smtp://user:password@host:port?tls=starttls")
	}
	s := SMTPSettings{Host: u.Hostname(), TLS: u.Query().Get("tls")}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port < 1 || s.Port > 65535 {
			return SMTPSettings{}, fmt.Errorf("SMTP URL: bad port %q", p)
		}
	}
	switch s.TLS {
	case "", "starttls", "tls", "none":
	default:
		return SMTPSettings{}, fmt.Errorf("SMTP URL: tls=%q: want starttls, tls or none", s.TLS)
	}
	if v := u.Query().Get("max_conns"); v != "" {
		if s.MaxConns, err = strconv.Atoi(v); err != nil || s.MaxConns < 1 || s.MaxConns > 100 {
			return SMTPSettings{}, fmt.Errorf("SMTP URL: max_conns=%q: want 1 to 100", v)
		}
	}
	return s, nil
}
