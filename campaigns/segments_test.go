package campaigns_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/campaigns"
	"github.com/cartwheelhq/cartwheel/store"
)

// A campaign to a segment minus an exclusion segment reaches the members
// with consent who are not excluded, through the real SMTP server: not
// the excluded, not the unconsented member, not a non-member. A segment
// the workspace does not have is refused by name.
func TestCampaignToSegmentMinusExclusion(t *testing.T) {
	f := newFixture(t)
	f.contact("c1", "ann@example.com", "Ann", true, "") // VIP
	f.contact("c2", "bob@example.com", "Bob", true, "") // VIP, but staff
	f.contact("c3", "cy@example.com", "Cy", false, "")  // VIP without consent
	f.contact("c4", "dee@example.com", "Dee", true, "") // not VIP
	f.contact("c5", "eve@example.com", "Ewa", true, "") // VIP
	for _, sg := range []string{"seg_vip", "seg_staff"} {
		if err := f.st.PutSegment(f.ctx, store.Segment{WorkspaceID: ws, ID: sg, Name: sg, Definition: []byte(`{"and":[]}`),
			CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		for _, m := range [][2]string{{"seg_vip", "c1"}, {"seg_vip", "c2"}, {"seg_vip", "c3"}, {"seg_vip", "c5"}, {"seg_staff", "c2"}} {
			if err := tx.JoinSegment(ws, m[0], m[1], t0); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	in := emailInput("For our best customers")
	in.Spec.Audience = campaigns.AudienceDef{Segments: []string{"seg_nope"}}
	var invalid *campaigns.InvalidError
	if _, err := f.svc.Create(f.ctx, ws, in); !errors.As(err, &invalid) || invalid.Field != "audience.segments[0]" {
		t.Fatalf("an unknown segment: %v", err)
	}
	in.Spec.Audience = campaigns.AudienceDef{Segments: []string{"seg_vip"}, Exclude: []string{"seg_staff"}}
	c := f.create(in)
	f.tick()
	msgs := f.smtp.WaitFor(2, 5*time.Second)
	if got := recipients(msgs); !slices.Equal(got, []string{"ann@example.com", "eve@example.com"}) {
		t.Fatalf("recipients %v", got)
	}
	f.tick()
	if n := f.smtp.Count(); n != 2 {
		t.Fatalf("%d emails after another tick", n)
	}
	if got := f.get(c.ID); got.Status != "done" {
		t.Fatalf("status %s", got.Status)
	}
}
