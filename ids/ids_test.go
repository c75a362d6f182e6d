package ids

import (
	"strings"
	"testing"
)

func TestNewAndTokenShapes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := New("ct")
		if len(id) != len("ct_")+16 || !Valid("ct", id) {
			t.Fatalf("id %q", id)
		}
		if seen[id] {
			t.Fatalf("id %q repeated", id)
		}
		seen[id] = true
	}
	tok := Token("cw_key")
	if len(tok) != len("cw_key_")+52 || !strings.HasPrefix(tok, "cw_key_") {
		t.Fatalf("token %q", tok)
	}
}

func TestValid(t *testing.T) {
	for _, c := range []struct {
		prefix, s string
		ok        bool
	}{
		{"ct", "ct_abcdefgh", true},
		{"ct", "ct_abc", false},                        // too short
		{"ct", "ws_abcdefgh", false},                   // another kind
		{"ct", "ct_ABCDEFGH", false},                   // not our alphabet
		{"ct", "ct_abcd efg", false},                   // space
		{"ct", "ct_" + strings.Repeat("a", 65), false}, // too long
		{"ct", "ct_abcdefgh'; drop table", false},
	} {
		if got := Valid(c.prefix, c.s); got != c.ok {
			t.Errorf("Valid(%q, %q) = %v", c.prefix, c.s, got)
		}
	}
}
