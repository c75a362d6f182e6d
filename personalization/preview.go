package personalization

import (
	"context"
	"slices"

	"github.com/cartwheelhq/cartwheel/widgets"
)

// Preview is the answer /decide would give for def alone, for the admin
// console's preview: the named variant of a pop-up (the first when none
// matches) opened at once, with no trigger and no caps; a frame in its
// named placeholder; the inbox button. Products are chosen as for a
// visitor the engine does not know yet. It goes through the same code as
// Decide, so what the preview shows is what a visitor would get, and it
// reads or changes nothing of any visitor. When there is nothing to show
// (no products for a frame), why says so and the answer's W is false.
// def must be valid (widgets.Definition.Validate).
func (d *Decider) Preview(ctx context.Context, ws, locale, id string, def widgets.Definition, variant string) (dec Decision, why string, err error) {
	w, err := d.workspace(ctx, ws)
	if err != nil {
		return dec, "", err
	}
	r := DecideRequest{WorkspaceID: ws, Locale: locale, VisitorID: "preview"}
	var v visitor
	wd := &widget{id: id, def: def}
	ok := false
	switch def.Kind {
	case widgets.KindPopup:
		i := slices.IndexFunc(def.Variants, func(x widgets.Variant) bool { return x.ID == variant })
		if i < 0 {
			i = 0
		}
		if len(def.Variants) == 0 {
			return dec, "no variant", nil
		}
		wd.def.Variants = []widgets.Variant{def.Variants[i]}
		wd.def.Caps, wd.def.Trigger = widgets.Caps{}, widgets.Trigger{}
		ok, why = d.decidePopup(w, wd, &r, &v, r.VisitorID, d.now().UnixMilli(), &dec, &Reason{}, true)
	case widgets.KindFrame:
		if def.Frame == nil {
			return dec, "no frame", nil
		}
		// The preview page has the named placeholder, not the shop's
		// selector.
		f := *def.Frame
		f.Selector = ""
		wd.def.Frame = &f
		r.Frames = []string{f.Name}
		ok, why = d.decideFrame(w, wd, &r, &v, r.VisitorID, &dec, true)
	case widgets.KindInbox:
		dec.Inbox = &Inbox{ID: id}
		ok = true
	}
	if ok {
		dec.W = true
		dec.Locale, dec.Texts = widgets.Texts(locale)
		dec.Wishlist = []string{}
	}
	return dec, why, nil
}
