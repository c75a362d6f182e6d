package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// An owner sets up Twilio on the console's SMS page (a bad sender id is
// shown next to its field, what was typed kept), the token is stored
// sealed and never shown again, and the counter counts a Polish text.
func TestConsoleSMSSettings(t *testing.T) {
	inst, out := startTest(t, testEnv(t, t.TempDir(), map[string]string{"CARTWHEEL_DEMO": "true"}))
	ws := inst.demo.Workspace.ID
	c, post := consoleOwner(t, inst, out.String())
	page := "/admin/w/" + ws + "/sms"
	csrf := formCSRF(t, c, inst.url(page))
	form := url.Values{"_csrf": {csrf}, "provider": {"twilio"}, "twilio_account_sid": {"AC99"}, "twilio_auth_token": {"tw-console-secret"},
		"sender_id": {"Far too long name"}, "from_number": {"+48500100200"}, "default_country": {"pl"}}
	code, body := post(page, form)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="sms-sender_id-err"`) ||
		!strings.Contains(body, `value="AC99"`) || strings.Contains(body, "tw-console-secret") {
		t.Fatalf("bad sender id: %d", code)
	}
	form.Set("sender_id", "Sklep")
	if code, _ := post(page, form); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	_, body, _ = getWith(t, c, inst.url(page+"?saved=1"))
	if strings.Contains(body, "tw-console-secret") || !strings.Contains(body, "/webhooks/sms/twilio/"+ws+"/inbound") ||
		!strings.Contains(body, `value="Sklep"`) {
		t.Fatal("the saved page shows the token, or lacks the webhook and sender")
	}
	value, secret, err := inst.st.SMSSettings(context.Background(), ws)
	if err != nil || strings.Contains(value+secret, "tw-console-secret") || !strings.Contains(value, `"default_country":"PL"`) {
		t.Fatalf("stored: %s / %s / %v", value, secret, err)
	}
	text := "Cześć! Dziś -20% na żółte kurtki i ciepłe szaliki. Kod ZIMA20 ważny do niedzieli, zapraszamy do sklepu."
	code, body = post(page+"/count", url.Values{"_csrf": {csrf}, "text": {text}})
	if code != http.StatusOK || !strings.Contains(body, `id="sms-count"`) || !strings.Contains(body, "103 characters, UCS-2, 2 segment(s)") {
		t.Fatalf("count: %d %s", code, between(body, `id="sms-count"`, "</p>"))
	}
	code, body = post(page+"/count", url.Values{"_csrf": {csrf}, "text": {text}, "transliterate": {"on"}})
	if code != http.StatusOK || !strings.Contains(body, "103 characters, GSM-7, 1 segment(s)") {
		t.Fatalf("count transliterated: %d %s", code, between(body, `id="sms-count"`, "</p>"))
	}

	// The flow page shows an SMS step's text with its count.
	api := apiClient{t: t, inst: inst, token: testAdminToken, ws: ws}
	var flow struct{ ID string }
	if code := api.do("POST", "/api/v1/flows", map[string]any{"name": "SMS", "trigger": map[string]any{"event": "joined_club"},
		"steps": []map[string]any{{"id": "text", "kind": "send_sms", "params": map[string]any{"text": text}}}}, &flow); code != 201 {
		t.Fatalf("flow: %d", code)
	}
	if _, body, _ := getWith(t, c, inst.url("/admin/w/"+ws+"/flows/"+flow.ID)); !strings.Contains(body, "(UCS-2, 2 × 67)") ||
		!strings.Contains(body, `name="text.text"`) {
		t.Fatal("the flow page lacks the SMS step's count or its text field")
	}
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	out, _, _ := strings.Cut(rest, to)
	return out
}
