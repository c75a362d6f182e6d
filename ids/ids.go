// Package ids makes the random identifiers and tokens Cartwheel hands out.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns prefix_ followed by 16 random characters (80 bits), which is
// plenty for row identifiers that are never secrets.
func New(prefix string) string { return prefix + "_" + random(10) }

// Token returns prefix_ followed by 52 random characters (256 bits), for
// bearer credentials.
func Token(prefix string) string { return prefix + "_" + random(32) }

func random(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return enc.EncodeToString(b)
}

// Valid reports whether s looks like an id of the prefix: it lets handlers
// reject garbage before it reaches a query.
func Valid(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) < 8 || len(rest) > 64 {
		return false
	}
	for _, c := range rest {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
