package widgets

import (
	"bytes"
	_ "embed"
	"sync"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/js"
)

//go:embed push-prompt.js
var pushPromptSrc []byte

var pushPrompt = sync.OnceValue(func() []byte {
	m := minify.New()
	// ES2017, the syntax the tracker promises too.
	m.Add("application/javascript", &js.Minifier{Version: 2017})
	var b bytes.Buffer
	if err := m.Minify("application/javascript", &b, bytes.NewReader(pushPromptSrc)); err != nil {
		// The source is embedded and tested: serve it as written rather
		// than nothing.
		return pushPromptSrc
	}
	return b.Bytes()
})

// PushPrompt returns the soft push prompt script, minified once.
func PushPrompt() []byte { return pushPrompt() }

// PushPromptSource returns the prompt's source as embedded.
func PushPromptSource() []byte { return bytes.Clone(pushPromptSrc) }
