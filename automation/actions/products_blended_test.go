package actions_test

import (
	"strings"
	"testing"

	"github.com/cartwheelhq/cartwheel/automation/actions"
)

// "blended" asks for the engine's blended default, whose repeat part is
// the point for a shop whose customers reorder: what Ann bought stays in
// (unlike the other engine strategies, which leave purchases out).
func TestEmailProductsBlended(t *testing.T) {
	f := newFixture(t, func(o *actions.Options) { o.Recommender = engines{ws: shopEngine()} })
	f.catalogue()
	f.contact("ct_ann", "ann@example.com", "v1", true, "")
	got := shown(f.sendProducts("ct_ann", "s_blended", "blended", 0))
	if len(got) != 2 || got[0] != "Linen Apron" {
		t.Fatalf("blended = %q, want Ann's Linen Apron first", strings.Join(got, ","))
	}
}
