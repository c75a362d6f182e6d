package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/cdp"
	"github.com/cartwheelhq/cartwheel/store"
)

// maxTagLen is the profile processor's bound on a tag.
const maxTagLen = 64

// Tag adds (tag_add) or removes (tag_remove) a tag on the contact by
// logging tag_added or tag_removed, which the profile processor applies.
// Tags are a set, so a step repeated after a crash logs the same change
// again harmlessly; no message row is needed.
//
// Params: tag (required, at most 64 bytes).
func (c *Channels) Tag(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
	p := paramsOf(s)
	tag := strings.TrimSpace(p.str("tag"))
	if tag == "" || len(tag) > maxTagLen {
		return automation.Result{}, p.bad("tag", "is required, at most %d bytes", maxTagLen)
	}
	typ := cdp.EventTagAdded
	switch s.Kind {
	case automation.KindTagAdd:
	case automation.KindTagRemove:
		typ = cdp.EventTagRemoved
	default:
		return automation.Result{}, fmt.Errorf("step %s: kind %q is not a tag step", s.ID, s.Kind)
	}
	if c.o.Events == nil {
		return automation.Result{}, errors.New("tag step: no event recorder configured")
	}
	// An erased contact must not get events (and a profile) back.
	if _, err := c.o.Store.Contact(ctx, en.WorkspaceID, en.ContactID); errors.Is(err, store.ErrNotFound) {
		return skipped(SkipErased), nil
	} else if err != nil {
		return automation.Result{}, err
	}
	if err := c.o.Events.RecordFor(ctx, en.WorkspaceID, en.ContactID, typ, sourceName, c.o.Now(), map[string]any{"tag": tag}); err != nil {
		return automation.Result{}, err
	}
	return automation.Result{Data: map[string]any{"tag": tag}}, nil
}
