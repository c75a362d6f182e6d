package server

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestRefusedOriginLoggedOncePerWorkspaceAndOrigin(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var r refusedOrigins
	r.note(log, "ws_a", "http://127.0.0.1:8080")
	r.note(log, "ws_a", "http://127.0.0.1:8080")
	r.note(log, "ws_b", "http://127.0.0.1:8080")
	r.note(log, "ws_a", "https://www.shop.example")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines (one per workspace and origin), got %d:\n%s", len(lines), buf.String())
	}
	if !strings.Contains(lines[0], "origin=http://127.0.0.1:8080") || !strings.Contains(lines[0], "workspace=ws_a") {
		t.Errorf("first line does not name the workspace and origin: %s", lines[0])
	}
	buf.Reset()
	r.note(log, "ws_c", strings.Repeat("x", 5000))
	if n := buf.Len(); n > 400 {
		t.Errorf("a 5,000-character origin made a %d-byte log line", n)
	}
}
