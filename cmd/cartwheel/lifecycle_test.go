package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	cfg := testEnv(t, dir, nil)
	inst, _ := startTest(t, cfg)
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	w, a, sh := newTenant(t, admin, "Keep", "keep.myshopify.com")
	if err := inst.stop(); err != nil {
		t.Fatal(err)
	}

	inst2, _ := startTest(t, cfg)
	a.inst = inst2
	var got wsJSON
	if code := a.do("GET", "/api/v1/workspace", nil, &got); code != 200 || got.ID != w.ID || got.SiteKey != w.SiteKey {
		t.Fatalf("after restart: %d %+v", code, got)
	}
	var gotShop shopJSON
	if code := a.do("GET", "/api/v1/shops/"+sh.ID, nil, &gotShop); code != 200 || gotShop.Domain != "keep.myshopify.com" {
		t.Fatalf("shop after restart: %d %+v", code, gotShop)
	}
	// The shop's sealed secrets still open with the same key.
	shop, err := inst2.ws.Shop(context.Background(), w.ID, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	tok, secret, err := inst2.ws.ShopSecrets(shop)
	if err != nil || tok != "shpat_Keep" || secret != "whsec_Keep" {
		t.Fatalf("secrets after restart: %q %q %v", tok, secret, err)
	}
	// At rest they are ciphertext.
	raw, err := os.ReadFile(filepath.Join(dir, "cartwheel.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("shpat_Keep")) || bytes.Contains(raw, []byte("whsec_Keep")) {
		t.Fatal("a shop secret is stored in plaintext")
	}
}

var tokenLine = regexp.MustCompile(`(?m)^\s+(cw_admin_[a-z2-7]+)\s*$`)

func TestGeneratedAdminTokenIsPrintedOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := testEnv(t, dir, nil)
	cfg.AdminToken = ""
	inst, out := startTest(t, cfg)
	m := tokenLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no admin token printed:\n%s", out.String())
	}
	if strings.Count(out.String(), m[1]) != 1 {
		t.Fatal("the token appears more than once in the output (logged?)")
	}
	if code := (apiClient{t: t, inst: inst, token: m[1]}).do("GET", "/api/v1/workspaces", nil, nil); code != 200 {
		t.Fatalf("generated token refused: %d", code)
	}
	inst.stop()
	inst2, out2 := startTest(t, cfg)
	if tokenLine.MatchString(out2.String()) {
		t.Fatal("a token was printed again on the second start")
	}
	if code := (apiClient{t: t, inst: inst2, token: m[1]}).do("GET", "/api/v1/workspaces", nil, nil); code != 200 {
		t.Fatalf("generated token refused after restart: %d", code)
	}
}

func TestWrongSecretKeyIsRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	inst, _ := startTest(t, testEnv(t, dir, nil))
	inst.stop()
	cfg := testEnv(t, dir, map[string]string{"CARTWHEEL_SECRET_KEY": strings.Repeat("ab", 32)})
	_, err := start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "CARTWHEEL_SECRET_KEY does not match") {
		t.Fatalf("start with another key: %v", err)
	}
}

// buildBinary compiles cartwheel once per test that needs a real process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cartwheel")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

func TestProcessLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)

	t.Run("postgres is rejected clearly", func(t *testing.T) {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "CARTWHEEL_DATABASE_URL=postgres://u@127.0.0.1/test", "CARTWHEEL_DATA_DIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "not yet supported") {
			t.Fatalf("exit %v, output %q", err, out)
		}
	})

	t.Run("migrate twice", func(t *testing.T) {
		dir := t.TempDir()
		for i := range 2 {
			out, err := exec.Command(bin, "migrate", "--data-dir", dir).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "database is up to date") {
				t.Fatalf("migrate #%d: %v %s", i+1, err, out)
			}
			if i == 1 && strings.Contains(string(out), "migration applied") {
				t.Fatalf("second migrate applied something: %s", out)
			}
		}
	})

	t.Run("SIGTERM drains and exits 0", func(t *testing.T) {
		dir := t.TempDir()
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--demo")
		cmd.Env = append(os.Environ(), "CARTWHEEL_ADMIN_TOKEN="+testAdminToken)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		addr := waitForReady(t, stderr)
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("readyz: %v %v", resp, err)
		}
		resp.Body.Close()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("exit after SIGTERM: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no exit within 20 s of SIGTERM")
		}
		// A clean close leaves no WAL behind: the database is one file.
		if fi, err := os.Stat(filepath.Join(dir, "cartwheel.db-wal")); err == nil && fi.Size() > 0 {
			t.Errorf("WAL of %d bytes left after a clean shutdown", fi.Size())
		}
	})
}

// waitForReady returns the address a starting process listens on, from its
// log (see readyAddress), failing the test after 30 s.
func waitForReady(t *testing.T, r io.Reader) string {
	t.Helper()
	addr, err := readyAddress(r, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}
