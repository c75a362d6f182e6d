package automation

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
)

// lockedBuffer is a log sink safe for River's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A checkout older than the default 48 h enrols nobody, and says so at
// info with the reason; a flow whose trigger sets max_age takes it.
func TestTriggerMaxAgeIsAFlowSettingAndLogged(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	h := newHarness(t, Options{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	def := h.flow(cartFlow())
	long := cartFlow()
	long.Name = "Abandoned checkout, a week"
	long.Trigger.MaxAge = Duration(7 * 24 * time.Hour)
	week := h.flow(long)

	checkout := map[string]any{"email": "late@example.com", "token": "tok-late"}
	h.visit(cdp.EventCheckoutUpdated, "late", "", 72*time.Hour, checkout)
	if n := len(h.enrollments(def.ID)); n != 0 {
		t.Fatalf("the 48 h flow enrolled %d for a 72 h old checkout", n)
	}
	h.waitEnrollment(week.ID, EnrollmentActive, "email-1")
	var line string
	for l := range strings.Lines(logs.String()) {
		if strings.Contains(l, "not enrolled") && strings.Contains(l, def.ID) {
			line = l
		}
	}
	if !strings.Contains(line, "level=INFO") || !strings.Contains(line, "72h0m0s ago") || !strings.Contains(line, "max_age of 48h0m0s") {
		t.Fatalf("no info line with the reason; log:\n%s", logs.String())
	}
}

// max_age is validated and survives the flow's JSON.
func TestTriggerMaxAgeValidated(t *testing.T) {
	t.Parallel()
	base := `{"name": "x", "trigger": {"event": "checkout_updated", "max_age": %q},
		"steps": [{"id": "p", "kind": "send_push", "params": {"title": "t"}}]}`
	for _, bad := range []string{"30s", "400d", "-1h", "soon"} {
		if _, err := DecodeFlow([]byte(strings.ReplaceAll(base, "%q", `"`+bad+`"`))); !isInvalid(err) {
			t.Errorf("max_age %q: %v", bad, err)
		}
	}
	f, err := DecodeFlow([]byte(strings.ReplaceAll(base, "%q", `"5d"`)))
	if err != nil || time.Duration(f.Trigger.MaxAge) != 5*24*time.Hour {
		t.Fatalf("5d: %v %v", f.Trigger.MaxAge, err)
	}
	raw, _ := json.Marshal(f.Trigger)
	if !strings.Contains(string(raw), `"max_age":"5d"`) {
		t.Fatalf("trigger JSON %s", raw)
	}
}
