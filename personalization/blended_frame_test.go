package personalization

import (
	"fmt"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/reco"
	"github.com/cartwheelhq/cartwheel/widgets"
)

// A frame that names no strategy shows the engine's blended default,
// under the admin's own title (the blend is what was asked, not a
// fallback).
func TestFrameWithoutStrategyIsBlended(t *testing.T) {
	e := newEnv(t)
	e.products(20)
	id := e.create(widgets.Definition{Name: "Picked", Kind: widgets.KindFrame, Status: widgets.StatusActive,
		Targeting: widgets.Targeting{Pages: []string{"product"}},
		Frame:     &widgets.Frame{Name: "picked", Count: 3, Title: "Picked for you"}})
	for i := range 20 {
		v := fmt.Sprintf("v%d", i)
		e.log(e.view(v, "s-"+v, "p1"), e.view(v, "s-"+v, "p2"))
		e.advance(time.Minute)
	}
	d, ex := e.decide(DecideRequest{VisitorID: "new", SessionID: "x", Page: "product", ProductID: "p1",
		Frames: []string{"picked"}})
	if len(d.Frames) != 1 || d.Frames[0].ID != id {
		t.Fatalf("frames %+v (%+v)", d.Frames, ex.Widgets)
	}
	f := d.Frames[0]
	if f.Strategy != reco.Blended || f.Title != "Picked for you" || len(f.Products) == 0 || f.Products[0].ID != "p2" {
		t.Fatalf("frame %+v", f)
	}
}
