package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k, _, err := LoadOrCreate("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal("shpat_secret", "shop:1:token")
	if strings.Contains(sealed, "shpat") {
		t.Fatal("plaintext visible in ciphertext")
	}
	if got, err := b.Open(sealed, "shop:1:token"); err != nil || got != "shpat_secret" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := b.Open(sealed, "shop:2:token"); !errors.Is(err, ErrWrongKey) {
		t.Errorf("ciphertext opened under another context: %v", err)
	}
	other, _ := New(make([]byte, 32))
	if _, err := other.Open(sealed, "shop:1:token"); !errors.Is(err, ErrWrongKey) {
		t.Errorf("ciphertext opened with another key: %v", err)
	}
	if b.Seal("", "x") != "" {
		t.Error("empty secret should seal to empty")
	}
	if s1, s2 := b.Seal("a", "c"), b.Seal("a", "c"); s1 == s2 {
		t.Error("nonce reused")
	}
}

func TestLoadOrCreateKeepsKey(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := LoadOrCreate("", dir)
	if err != nil || !created {
		t.Fatalf("first: %v created=%v", err, created)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
	k2, created, err := LoadOrCreate("", dir)
	if err != nil || created || string(k1) != string(k2) {
		t.Fatalf("second load differs: %v created=%v", err, created)
	}
}

func TestParseKey(t *testing.T) {
	for _, s := range []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	} {
		if _, err := ParseKey(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "short", "AAAA"} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestSignVerify(t *testing.T) {
	b, _ := New(make([]byte, 32))
	sig := b.Sign("click", []byte("m1"))
	if !b.Verify("click", []byte("m1"), sig) {
		t.Fatal("valid signature rejected")
	}
	if b.Verify("click", []byte("m2"), sig) || b.Verify("unsubscribe", []byte("m1"), sig) || b.Verify("click", []byte("m1"), "!!") {
		t.Fatal("invalid signature accepted")
	}
}
