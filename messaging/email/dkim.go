package email

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	gomail "github.com/wneessen/go-mail"
)

// DKIMSelector is the selector keys are published under
// (cw1._domainkey.<domain>). A new key gets a new selector, so the old
// record can stay while mail signed with it is still in flight.
const DKIMSelector = "cw1"

// dkimHeaders are the headers signed: those a receiver shows or acts on.
// The one-click unsubscribe headers are signed because RFC 8058 §4 asks
// for them to be covered by a DKIM signature.
var dkimHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "Reply-To",
	"List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type"}

// DKIMKey signs a sending domain's mail (rsa-sha256, relaxed/relaxed).
type DKIMKey struct {
	Domain   string
	Selector string
	Key      crypto.Signer
}

// GenerateDKIMKey makes an RSA-2048 key: every receiver verifies
// rsa-sha256, while Ed25519 (RFC 8463) is still not checked by several
// large mailbox providers. It returns the key as PKCS#8 PEM.
func GenerateDKIMKey() (string, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("dkim key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", fmt.Errorf("dkim key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// ParseDKIMKey reads a PEM private key made by GenerateDKIMKey.
func ParseDKIMKey(domain, selector, pemKey string) (*DKIMKey, error) {
	k, err := gomail.PrivKeyFromPEM([]byte(pemKey))
	if err != nil {
		return nil, fmt.Errorf("dkim key for %s: %w", domain, err)
	}
	return &DKIMKey{Domain: strings.ToLower(domain), Selector: selector, Key: k}, nil
}

// RecordName is the DNS name the public key is published at.
func (k *DKIMKey) RecordName() string { return k.Selector + "._domainkey." + k.Domain }

// RecordValue is the TXT record's value (RFC 6376 §3.6.1).
func (k *DKIMKey) RecordValue() (string, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Key.Public())
	if err != nil {
		return "", fmt.Errorf("dkim public key: %w", err)
	}
	algo := "rsa"
	if _, ok := k.Key.Public().(*rsa.PublicKey); !ok {
		return "", errors.New("dkim: only RSA keys are published")
	}
	return "v=DKIM1; k=" + algo + "; p=" + base64.StdEncoding.EncodeToString(der), nil
}

// sign adds the DKIM-Signature header to msg. go-mail's own signer folds
// the h= tag inside a header name and signs the unfolded form, which
// verifiers reject; go-msgauth's is used instead. The message is written
// once to be signed and again when sent: go-mail keeps its multipart
// boundaries and the Date between writes, so both are the same bytes.
func (k *DKIMKey) sign(msg *gomail.Msg) error {
	if k.Domain == "" || k.Selector == "" || k.Key == nil {
		return fmt.Errorf("%w: incomplete DKIM key", ErrInvalidMail)
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return fmt.Errorf("%w: write for DKIM: %w", ErrInvalidMail, err)
	}
	s, err := dkim.NewSigner(&dkim.SignOptions{Domain: k.Domain, Selector: k.Selector, Signer: k.Key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: dkimHeaders})
	if err != nil {
		return fmt.Errorf("dkim: %w", err)
	}
	if _, err := s.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("dkim: %w", err)
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("dkim: %w", err)
	}
	v := strings.TrimSuffix(s.Signature(), "\r\n")
	name, value, ok := strings.Cut(v, ":")
	if !ok || !strings.EqualFold(name, "DKIM-Signature") {
		return fmt.Errorf("dkim: unexpected signature field %q", name)
	}
	msg.SetGenHeaderPreformatted("DKIM-Signature", strings.TrimLeft(value, " "))
	return nil
}
