package admin

import (
	"fmt"
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
	"github.com/cartwheelhq/cartwheel/messaging/sms"
)

// smsStepSetting is what the flow page shows of an SMS step: its text and
// how it counts, so the cost of a text is seen before it is sent. A text
// with template actions is counted as written; the rendered text differs
// by the names and codes put in.
func smsStepSetting(s automation.Step) (string, bool) {
	switch s.Kind {
	case automation.KindSendSMS:
		text, _ := s.Params["text"].(string)
		c := sms.CountText(text)
		approx := ""
		if strings.Contains(text, "{{") {
			approx = "~"
		}
		return fmt.Sprintf("%s (%s, %s%d × %d)", text, c.Encoding, approx, c.Segments, c.PerSegment), true
	case automation.KindSendBest:
		list, _ := s.Params["channels"].([]any)
		names := make([]string, 0, len(list))
		for _, v := range list {
			names = append(names, fmt.Sprint(v))
		}
		return strings.Join(names, " → "), true
	}
	return "", false
}
