package actions_test

import (
	"slices"
	"testing"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/store"
)

// A flow's filters and branches see the segments the contact is in, by
// id: "segments contains seg_vip" holds for a member and not for anyone
// else.
func TestFactsNameTheContactsSegments(t *testing.T) {
	f := newFixture(t)
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	f.contact("ct_bo", "bo@example.com", "v2", true, "")
	if err := f.st.InTx(f.ctx, func(tx *store.Tx) error { return tx.JoinSegment(ws, "seg_vip", "ct_ann", t0) }); err != nil {
		t.Fatal(err)
	}
	in := automation.Filter{Field: "segments", Op: "contains", Value: "seg_vip"}
	for _, c := range []struct {
		contact string
		want    bool
	}{{"ct_ann", true}, {"ct_bo", false}} {
		facts, err := f.ch.ContactFacts(f.ctx, ws, c.contact)
		if err != nil {
			t.Fatal(err)
		}
		segs, _ := facts["segments"].([]any)
		if got := slices.Contains(segs, any("seg_vip")); got != c.want {
			t.Errorf("%s: segments %v", c.contact, facts["segments"])
		}
		if got := in.Match(facts); got != c.want {
			t.Errorf("%s: %+v matches %v, want %v", c.contact, in, got, c.want)
		}
	}
}
