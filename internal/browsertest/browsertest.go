// Package browsertest starts a real headless Chromium for tests, through
// chromedp. A test that needs a browser calls New; without Chromium on the
// machine the test is skipped, unless CARTWHEEL_REQUIRE_BROWSER=1 (CI sets
// it), in which case it fails: CI must never pass by skipping.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// candidates are where Debian and other distributions put Chromium.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Path returns the Chromium binary, or "" when there is none.
func Path() string {
	if p := os.Getenv("CARTWHEEL_CHROMIUM"); p != "" {
		return p
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}

// UserAgent is the desktop Chrome the test browser presents as.
const UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"

// New returns a browser context (one tab) that lives until the test ends,
// or skips the test when no browser can be had and none is required. A
// positive timeout bounds the whole browser; 0 leaves bounding to the test.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CARTWHEEL_REQUIRE_BROWSER") == "1" {
			t.Fatal("Chromium is required (CARTWHEEL_REQUIRE_BROWSER=1) but not installed: apt-get install chromium")
		}
		t.Skip("no Chromium on this machine (apt-get install chromium); set CARTWHEEL_REQUIRE_BROWSER=1 to make this a failure")
	}
	// Not t.TempDir: Chromium's helper processes can still write into the
	// profile for a moment after it exits, which would fail that cleanup.
	dir, err := os.MkdirTemp("", "cartwheel-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-first-run", true),
		// Tests measure visible time; a backgrounded headless tab must not be throttled.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		// Headless Chromium says "HeadlessChrome", which Cartwheel rightly
		// counts as a bot; tests play a person's desktop Chrome.
		chromedp.UserAgent(UserAgent),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first action starts the browser, whose life is tied to the
	// context of that action: it must be the long-lived one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		t.Cleanup(cancel)
	}
	return ctx
}
