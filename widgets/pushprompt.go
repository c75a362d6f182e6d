package widgets

import (
	_ "embed"
	"sync"

	"github.com/cartwheelhq/cartwheel/internal/jsasset"
)

//go:embed push-prompt.js
var pushPromptSrc []byte

// newPushPrompt minifies the soft push prompt; any origin may load it.
func newPushPrompt() (*jsasset.Asset, error) { return newPublicAsset("push prompt", pushPromptSrc) }

var pushPrompt = sync.OnceValues(newPushPrompt)

// PushPromptHandler returns the handler of GET/HEAD /push-prompt.js, built
// once (the source is embedded and its minification tested, so it is never
// nil).
func PushPromptHandler() *jsasset.Asset {
	a, _ := pushPrompt()
	return a
}
