package admin

import (
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/automation"
)

// Durations are shown as typed and read back the same; an engine error
// finds the editor's field it names, by the step's position in what was
// submitted, or none (the JSON) when the editor has no such field.
func TestFlowEditorFields(t *testing.T) {
	for _, d := range []time.Duration{time.Hour, 90 * time.Minute, 48 * time.Hour, 45 * time.Second, 23 * time.Hour} {
		s := formatDuration(d)
		back, err := parseDuration(s)
		if err != nil || back != d {
			t.Errorf("%v shown as %q reads back as %v (%v)", d, s, back, err)
		}
	}
	if s := formatDuration(time.Hour); s != "1h" {
		t.Errorf("1h shown as %q", s)
	}
	if _, err := parseDuration("2 hours"); err == nil {
		t.Error("\"2 hours\" read as a duration")
	}
	stored := automation.Flow{Steps: []automation.Step{
		{ID: "wait-1h", Kind: automation.KindWait, Wait: &automation.Wait{Duration: automation.Duration(time.Hour)}},
		{ID: "email-1", Kind: automation.KindSendEmail, Params: map[string]any{"subject": "Hi"}},
	}}
	fm := flowForm(stored)
	// The submitted flow has a new step first: indexes move, ids do not.
	sent := automation.Flow{Steps: append([]automation.Step{{ID: "tag", Kind: automation.KindTagAdd}}, stored.Steps...)}
	for field, want := range map[string]string{
		"steps[1].wait.duration":      "wait.wait-1h",
		"steps[1].wait":               "wait.wait-1h",
		"steps[2].params.subject":     "subject.email-1",
		"steps[2].params.html":        "",
		"steps[0].params.tag":         "",
		"steps[9].wait":               "",
		"trigger.max_age":             "max_age",
		"reentry.days":                "reentry_days",
		"steps[1].wait.until_hour":    "",
		"trigger.filters[0]":          "",
		"steps[2].params.products":    "",
		"goal.event":                  "goal_event",
		"steps":                       "",
		"steps[1].params.subject":     "",
		"steps[2].params.subject.x":   "",
		"steps[2].params.subjectline": "",
	} {
		if got := formField(field, sent, fm); got != want {
			t.Errorf("%s: field %q, want %q", field, got, want)
		}
	}
}
