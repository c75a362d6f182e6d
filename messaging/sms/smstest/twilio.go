package smstest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/cartwheelhq/cartwheel/messaging/sms"
)

// TwilioMessage is one message the Twilio server accepted.
type TwilioMessage struct {
	SID, To, From, Body, MessagingService, StatusCallback string
}

// Twilio is an in-process Twilio REST API for one account.
type Twilio struct {
	*httptest.Server
	AccountSID, AuthToken string

	mu       sync.Mutex
	messages []TwilioMessage
	// stopped are numbers that replied STOP: Twilio refuses them (21610).
	stopped map[string]bool
	// failNext answers that many requests 503, as Twilio does in an outage.
	failNext int
	requests int
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// NewTwilio starts the server.
func NewTwilio(accountSID, authToken string) *Twilio {
	t := &Twilio{AccountSID: accountSID, AuthToken: authToken, stopped: map[string]bool{}}
	t.Server = httptest.NewServer(http.HandlerFunc(t.serve))
	return t
}

// Messages returns what was accepted, in order.
func (t *Twilio) Messages() []TwilioMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]TwilioMessage(nil), t.messages...)
}

// Requests is how many API requests arrived, accepted or not.
func (t *Twilio) Requests() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.requests
}

// Stop makes the number one that replied STOP (21610 from now on).
func (t *Twilio) Stop(number string) { t.mu.Lock(); t.stopped[number] = true; t.mu.Unlock() }

// FailNext answers the next n requests 503.
func (t *Twilio) FailNext(n int) { t.mu.Lock(); t.failNext = n; t.mu.Unlock() }

func twilioErr(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

func (t *Twilio) serve(w http.ResponseWriter, r *http.Request) {
	t.mu.Lock()
	t.requests++
	fail := t.failNext > 0
	if fail {
		t.failNext--
	}
	t.mu.Unlock()
	want := "/2010-04-01/Accounts/" + t.AccountSID + "/Messages.json"
	user, pass, ok := r.BasicAuth()
	switch {
	case fail:
		twilioErr(w, http.StatusServiceUnavailable, 20503, "Service Unavailable")
		return
	case !ok || user != t.AccountSID || pass != t.AuthToken:
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		twilioErr(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	case r.URL.Path != want:
		twilioErr(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	case r.Method != http.MethodPost:
		twilioErr(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		twilioErr(w, http.StatusBadRequest, 21601, "Request body must be form-encoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		twilioErr(w, http.StatusBadRequest, 21601, "malformed form")
		return
	}
	m := TwilioMessage{To: r.PostForm.Get("To"), From: r.PostForm.Get("From"), Body: r.PostForm.Get("Body"),
		MessagingService: r.PostForm.Get("MessagingServiceSid"), StatusCallback: r.PostForm.Get("StatusCallback")}
	t.mu.Lock()
	stopped := t.stopped[m.To]
	t.mu.Unlock()
	switch {
	case m.To == "":
		twilioErr(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
	case !e164.MatchString(m.To):
		twilioErr(w, http.StatusBadRequest, 21211, "Invalid 'To' Phone Number: "+m.To)
	case m.From == "" && m.MessagingService == "":
		twilioErr(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
	case m.From != "" && !e164.MatchString(m.From) && strings.HasPrefix(m.To, "+1"):
		// Alphanumeric senders do not reach the US or Canada.
		twilioErr(w, http.StatusBadRequest, 21612, "The 'To' phone number is not currently reachable using the 'From' phone number via SMS.")
	case m.Body == "":
		twilioErr(w, http.StatusBadRequest, 21602, "Message body is required.")
	case utf8.RuneCountInString(m.Body) > 1600:
		twilioErr(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
	case stopped:
		twilioErr(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
	default:
		t.mu.Lock()
		m.SID = fmt.Sprintf("SM%032x", len(t.messages)+1)
		t.messages = append(t.messages, m)
		t.mu.Unlock()
		c := sms.CountText(m.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"sid": m.SID, "account_sid": t.AccountSID, "to": m.To, "from": m.From,
			"body": m.Body, "status": "queued", "num_segments": fmt.Sprint(c.Segments), "direction": "outbound-api",
			"api_version": "2010-04-01", "uri": want[:len(want)-len(".json")] + "/" + m.SID + ".json"})
	}
}

// post sends a webhook signed as Twilio signs it.
func (t *Twilio) post(ctx context.Context, to string, form url.Values, sign bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	sig := sms.TwilioSignature(t.AuthToken, to, form)
	if !sign {
		sig = sms.TwilioSignature("not-the-token", to, form)
	}
	req.Header.Set("X-Twilio-Signature", sig)
	return http.DefaultClient.Do(req)
}

// Status posts a status callback for an accepted message, as Twilio does
// when the carrier reports (status: sent, delivered, undelivered, failed).
func (t *Twilio) Status(ctx context.Context, m TwilioMessage, status, errorCode string) (*http.Response, error) {
	form := url.Values{"MessageSid": {m.SID}, "SmsSid": {m.SID}, "AccountSid": {t.AccountSID}, "MessageStatus": {status},
		"SmsStatus": {status}, "To": {m.To}, "From": {m.From}, "ApiVersion": {"2010-04-01"}}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	return t.post(ctx, m.StatusCallback, form, true)
}

// Incoming posts an incoming message to the number's webhook URL; signed
// false signs it with another token, as a forger would.
func (t *Twilio) Incoming(ctx context.Context, webhook, from, to, body string, signed bool) (*http.Response, error) {
	form := url.Values{"MessageSid": {"SMin" + strings.TrimPrefix(from, "+")}, "AccountSid": {t.AccountSID}, "From": {from},
		"To": {to}, "Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "ApiVersion": {"2010-04-01"}, "FromCountry": {sms.CountryOf(from)}}
	return t.post(ctx, webhook, form, signed)
}
