package messaging

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dmarc"
)

// Resolver is the DNS a domain check asks; *net.Resolver satisfies it, and
// tests give one answering from a map.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Warning codes of a domain check; the console words them in each language.
const (
	WarnNoFrom          = "no_from"
	WarnDKIMMissing     = "dkim_missing"
	WarnDKIMDifferent   = "dkim_different"
	WarnNoSPF           = "spf_missing"
	WarnSPFRelay        = "spf_relay"
	WarnNoDMARC         = "dmarc_missing"
	WarnDMARCMisaligned = "dmarc_misaligned"
	WarnDNS             = "dns_error"
)

// DNSRecord is a record the admin publishes.
type DNSRecord struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DomainReport is the state of a workspace's sending domain: the DKIM
// record to publish and what is wrong with its DNS.
type DomainReport struct {
	Domain       string     `json:"domain"`
	DKIM         *DNSRecord `json:"dkim,omitempty"`
	DKIMOK       bool       `json:"dkim_published"`
	SPF          string     `json:"spf,omitempty"`
	DMARC        string     `json:"dmarc,omitempty"`
	BounceDomain string     `json:"bounce_domain,omitempty"`
	Warnings     []string   `json:"warnings"`
}

// CheckDomain reports on the From domain of the workspace's messaging
// settings, generating its DKIM key on first call. DNS failures are
// warnings, not errors: the page shows what it could check.
func (s *Service) CheckDomain(ctx context.Context, workspaceID string) (DomainReport, error) {
	set, err := s.Settings(ctx, workspaceID)
	if err != nil {
		return DomainReport{}, err
	}
	rep := DomainReport{Domain: domainOf(set.FromEmail), Warnings: []string{}}
	if s.verp != nil {
		rep.BounceDomain = s.verp.Domain()
	}
	if rep.Domain == "" {
		rep.Warnings = append(rep.Warnings, WarnNoFrom)
		return rep, nil
	}
	k, err := s.DKIMKey(ctx, workspaceID, rep.Domain)
	if err != nil {
		return rep, err
	}
	val, err := k.RecordValue()
	if err != nil {
		return rep, err
	}
	rep.DKIM = &DNSRecord{Type: "TXT", Name: k.RecordName(), Value: val}
	warn := func(w string) { rep.Warnings = append(rep.Warnings, w) }
	// The page waits for these lookups: a resolver that does not answer
	// costs a few seconds and a warning, never a hung page.
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	dnsFailed := false
	lookup := func(name string) []string {
		txt, err := s.resolver.LookupTXT(ctx, name)
		var de *net.DNSError
		if err != nil && !(errors.As(err, &de) && de.IsNotFound) && !dnsFailed {
			dnsFailed = true
			warn(WarnDNS)
		}
		return txt
	}

	published := strings.Join(lookup(k.RecordName()), "")
	switch {
	case published == "":
		warn(WarnDKIMMissing)
	case pValue(published) != pValue(val):
		warn(WarnDKIMDifferent)
	default:
		rep.DKIMOK = true
	}

	for _, t := range lookup(rep.Domain) {
		if strings.HasPrefix(strings.ToLower(t), "v=spf1") {
			rep.SPF = t
		}
	}
	if rep.SPF == "" {
		warn(WarnNoSPF)
	} else if s.relay != "" && !s.spfCovers(ctx, rep.SPF, s.relay) {
		warn(WarnSPFRelay)
	}

	for _, t := range lookup("_dmarc." + rep.Domain) {
		if strings.HasPrefix(strings.ToLower(t), "v=dmarc1") {
			rep.DMARC = t
		}
	}
	if rep.DMARC == "" {
		warn(WarnNoDMARC)
	} else if rec, err := dmarc.Parse(rep.DMARC); err == nil && (rec.Policy == dmarc.PolicyReject || rec.Policy == dmarc.PolicyQuarantine) {
		// DMARC passes when SPF or DKIM passes aligned with From. DKIM
		// signs with the From domain, so it aligns once published; SPF
		// checks the envelope sender, the bounce domain when VERP is on.
		envelope := rep.Domain
		if rep.BounceDomain != "" {
			envelope = rep.BounceDomain
		}
		spfAligned := aligned(envelope, rep.Domain, rec.SPFAlignment == dmarc.AlignmentStrict)
		if !rep.DKIMOK && !spfAligned {
			warn(WarnDMARCMisaligned)
		}
	}
	return rep, nil
}

// pValue is a DKIM record's key, whitespace removed.
func pValue(rec string) string {
	for _, tag := range strings.Split(rec, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(tag), "=")
		if strings.TrimSpace(k) == "p" {
			return strings.Join(strings.Fields(v), "")
		}
	}
	return ""
}

// aligned reports DMARC identifier alignment: strict needs the same
// domain, relaxed the same organisational domain (approximated as the last
// two labels; no public suffix list here).
func aligned(a, b string, strict bool) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return true
	}
	return !strict && orgDomain(a) == orgDomain(b)
}

func orgDomain(d string) string {
	labels := strings.Split(strings.TrimSuffix(d, "."), ".")
	if len(labels) <= 2 {
		return d
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

// spfCovers reports whether an SPF record can authorise the relay: it
// names the relay's domain (include:, a:, mx:, redirect=, exists:) or one of
// its addresses (ip4:, ip6:). It does not evaluate nested includes: a
// warning says to look, it does not decide delivery.
func (s *Service) spfCovers(ctx context.Context, spf, relay string) bool {
	relay = strings.ToLower(strings.TrimSuffix(relay, "."))
	var ips []net.IP
	if ip := net.ParseIP(relay); ip != nil {
		ips = []net.IP{ip}
	} else if addrs, err := s.resolver.LookupIPAddr(ctx, relay); err == nil {
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	for _, term := range strings.Fields(strings.ToLower(spf))[1:] {
		term = strings.TrimLeft(term, "+~?")
		mech, arg, _ := strings.Cut(term, ":")
		if mech == term {
			mech, arg, _ = strings.Cut(term, "=")
		}
		switch mech {
		case "include", "a", "mx", "redirect", "exists":
			if arg != "" && (arg == relay || strings.HasSuffix(relay, "."+arg) || orgDomain(arg) == orgDomain(relay)) {
				return true
			}
		case "ip4", "ip6":
			if !strings.Contains(arg, "/") {
				if strings.Contains(arg, ":") {
					arg += "/128"
				} else {
					arg += "/32"
				}
			}
			if _, n, err := net.ParseCIDR(arg); err == nil {
				for _, ip := range ips {
					if n.Contains(ip) {
						return true
					}
				}
			}
		}
	}
	return false
}
