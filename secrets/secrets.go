// Package secrets encrypts values at rest (shop access tokens, webhook
// secrets, the VAPID private key) and derives the signing keys Cartwheel
// uses, all from one master key.
//
// The master key comes from CARTWHEEL_SECRET_KEY or, when that is empty, from
// a file generated once in the data dir. Each purpose gets its own subkey
// through HKDF, so a signing key never doubles as an encryption key.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the name of the generated master key inside the data dir.
const KeyFile = "secret.key"

// ErrWrongKey means a ciphertext was not sealed with this key (or was altered).
var ErrWrongKey = errors.New("secret was not sealed with this key, or was altered")

// Box seals and opens secrets with the master key.
type Box struct {
	aead   cipher.AEAD
	master []byte
}

// ParseKey accepts 32 bytes as base64 (standard or URL, padded or not) or hex.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("secret key must be 32 bytes, as base64 or hex (generate one with: openssl rand -base64 32)")
}

// LoadOrCreate returns the key given in configured, or else the one in
// dataDir/secret.key, creating that file (mode 0600) when it does not exist.
// created reports that a new key was written, so the caller can warn that it
// must be backed up together with the database.
func LoadOrCreate(configured, dataDir string) (key []byte, created bool, err error) {
	if configured != "" {
		k, err := ParseKey(configured)
		return k, false, err
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := ParseKey(string(b))
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("read secret key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create data dir: %w", err)
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	// O_EXCL: two processes starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreate("", dataDir)
	}
	if err != nil {
		return nil, false, fmt.Errorf("create secret key: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write secret key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("write secret key: %w", err)
	}
	return k, true, f.Close()
}

// New returns a Box for a 32-byte master key.
func New(master []byte) (*Box, error) {
	if len(master) != 32 {
		return nil, errors.New("master key must be 32 bytes")
	}
	encKey, err := hkdf.Key(sha256.New, master, nil, "cartwheel encryption v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive encryption key: %w", err)
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, master: master}, nil
}

// Seal encrypts plaintext; the empty string seals to the empty string so that
// "no secret" needs no special case in storage. context binds the ciphertext
// to where it is stored (e.g. "shop:ID:access_token"): a ciphertext copied into
// another row does not open.
func (b *Box) Seal(plaintext, context string) string {
	if plaintext == "" {
		return ""
	}
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return "v1:" + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts what Seal produced with the same context.
func (b *Box) Open(sealed, context string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	body, ok := strings.CutPrefix(sealed, "v1:")
	if !ok {
		return "", fmt.Errorf("open secret: unknown format")
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", fmt.Errorf("open secret: %w", ErrWrongKey)
	}
	n := b.aead.NonceSize()
	pt, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("open secret: %w", ErrWrongKey)
	}
	return string(pt), nil
}

// SigningKey derives a 32-byte key for one purpose ("email-click",
// "unsubscribe", "session"…).
func (b *Box) SigningKey(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, b.master, nil, "cartwheel signing v1 "+purpose, 32)
	if err != nil {
		// Only fails for lengths beyond 255 hash blocks.
		panic(err)
	}
	return k
}

// Sign returns a URL-safe HMAC-SHA256 of msg under the purpose's key.
func (b *Box) Sign(purpose string, msg []byte) string {
	m := hmac.New(sha256.New, b.SigningKey(purpose))
	m.Write(msg)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a signature made by Sign, in constant time.
func (b *Box) Verify(purpose string, msg []byte, sig string) bool {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, b.SigningKey(purpose))
	m.Write(msg)
	return hmac.Equal(m.Sum(nil), got)
}

// HashToken is how API tokens are stored and looked up.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
