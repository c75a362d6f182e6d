package automation

import (
	"strings"
	"testing"
)

func TestValidateSendBest(t *testing.T) {
	base := func(params map[string]any) *Flow {
		return &Flow{Name: "best", Trigger: Trigger{Event: "checkout_updated"},
			Steps: []Step{{ID: "s", Kind: KindSendBest, Params: params}, {ID: "t", Kind: KindSendSMS, Params: map[string]any{"text": "x"}}}}
	}
	sms := map[string]any{"text": "hi"}
	ok := base(map[string]any{"channels": []any{"sms", "email"}, "sms": sms, "email": map[string]any{"subject": "s"}})
	ok.Steps[0].Next = "t"
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, params := range map[string]map[string]any{
		"no list":         {"sms": sms},
		"empty list":      {"channels": []any{}},
		"unknown channel": {"channels": []any{"fax"}},
		"twice":           {"channels": []any{"sms", "sms"}, "sms": sms},
		"no params":       {"channels": []any{"sms", "push"}, "sms": sms},
	} {
		f := base(params)
		f.Steps[0].Next = "t"
		if err := f.Validate(); err == nil || !strings.Contains(err.Error(), "params") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
