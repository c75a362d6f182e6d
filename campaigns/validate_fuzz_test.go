package campaigns_test

import (
	"encoding/json"
	"testing"

	"github.com/cartwheelhq/cartwheel/campaigns"
)

// Whatever a client sends, validating it answers (an error or a campaign
// that validates again), never panics.
func FuzzValidate(f *testing.F) {
	f.Add(`{"name":"x","channel":"email","email":{"subject":"Hi {{.Contact.FirstName}}","html":"<p>x</p>"}}`)
	f.Add(`{"name":"x","channel":"push","push":{"title":"t"},"schedule":{"mode":"local","local_time":"2026-12-05T09:00"}}`)
	f.Add(`{"name":"x","channel":"email","email":{"subject":"s","html":"{{if}}"},"variants":[{"subject":"a"},{"html":"{{.Nope"}],"ab_test":{"sample_percent":20,"wait":"4h"}}`)
	f.Add(`{"name":"x","channel":"sms","audience":{"segments":["a,b"]},"throttle_per_minute":-1}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var in campaigns.Input
		if json.Unmarshal([]byte(raw), &in) != nil {
			return
		}
		if err := in.Validate(); err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("a valid campaign no longer validates: %v", err)
		}
	})
}
