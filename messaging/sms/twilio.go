package sms

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// TwilioBase is the Twilio REST API.
const TwilioBase = "https://api.twilio.com"

// Twilio sends through Twilio's Messages API: a form-encoded POST to
// /2010-04-01/Accounts/{AccountSid}/Messages.json with HTTP basic auth
// (the Account SID and its Auth Token).
type Twilio struct {
	AccountSID string
	AuthToken  string
	// MessagingServiceSID, when set, sends through a Messaging Service
	// (Twilio picks the number) instead of From.
	MessagingServiceSID string
	Base                string // default TwilioBase
	HTTP                *http.Client
}

// Name implements Provider.
func (t *Twilio) Name() string { return "twilio" }

// twilioError is the body of a Twilio error answer.
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// twilioPermanent are the error codes that no retry can fix: a bad or
// unreachable To (21211, 21612, 21614, 21408 region not enabled), a
// recipient who replied STOP (21610), a From that cannot send (21606,
// 21659, 21212), a body too long or empty (21617, 21602), auth (20003).
var twilioPermanent = map[int]bool{20003: true, 21211: true, 21212: true, 21408: true, 21602: true, 21606: true,
	21610: true, 21612: true, 21614: true, 21617: true, 21659: true, 30006: true, 30007: true}

// Send implements Provider.
func (t *Twilio) Send(ctx context.Context, m Outgoing) (Sent, error) {
	form := url.Values{"To": {m.To}, "Body": {m.Text}}
	if t.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", t.MessagingServiceSID)
	} else {
		form.Set("From", m.From)
	}
	if m.StatusURL != "" {
		form.Set("StatusCallback", m.StatusURL)
	}
	base := t.Base
	if base == "" {
		base = TwilioBase
	}
	u := strings.TrimRight(base, "/") + "/2010-04-01/Accounts/" + url.PathEscape(t.AccountSID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return Sent{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(t.AccountSID, t.AuthToken)
	res, err := client(t.HTTP).Do(req)
	if err != nil {
		return Sent{}, &SendError{Provider: "twilio", Code: "network", Message: err.Error()}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode == http.StatusCreated || res.StatusCode == http.StatusOK {
		var ok struct {
			SID    string `json:"sid"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(body, &ok); err != nil || ok.SID == "" {
			return Sent{}, &SendError{Provider: "twilio", Code: strconv.Itoa(res.StatusCode), Message: "answer without a message sid"}
		}
		return Sent{ProviderID: ok.SID, Status: ok.Status}, nil
	}
	var te twilioError
	_ = json.Unmarshal(body, &te)
	se := &SendError{Provider: "twilio", Code: strconv.Itoa(res.StatusCode), Message: te.Message}
	if te.Code != 0 {
		se.Code = strconv.Itoa(te.Code)
	}
	if se.Message == "" {
		se.Message = http.StatusText(res.StatusCode)
	}
	switch {
	case twilioPermanent[te.Code]:
		se.Permanent = true
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		se.Permanent = true
	case res.StatusCode >= 400:
		// Any other 4xx is the request's fault: the same request fails again.
		se.Permanent = true
	}
	return Sent{}, se
}

// TwilioSignature is what Twilio puts in X-Twilio-Signature: the base64
// HMAC-SHA1, keyed with the Auth Token, of the full URL it posted to
// followed by every POST parameter's name and value, sorted by name.
func TwilioSignature(authToken, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		vs := append([]string(nil), form[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyTwilio checks a webhook's X-Twilio-Signature in constant time.
func VerifyTwilio(authToken, fullURL string, form url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	want := TwilioSignature(authToken, fullURL, form)
	return hmac.Equal([]byte(want), []byte(signature))
}

// twilioReceipt reads a status callback (MessageSid, MessageStatus,
// ErrorCode).
func twilioReceipt(form url.Values, reference string) (Receipt, error) {
	r := Receipt{ProviderID: form.Get("MessageSid"), Reference: reference, Code: form.Get("ErrorCode")}
	if r.ProviderID == "" {
		r.ProviderID = form.Get("SmsSid")
	}
	status := form.Get("MessageStatus")
	if status == "" {
		status = form.Get("SmsStatus")
	}
	switch status {
	case "delivered", "read":
		r.Status = DeliveryDelivered
	case "undelivered":
		r.Status = DeliveryUndelivered
	case "failed", "canceled":
		r.Status = DeliveryFailed
	case "sent":
		r.Status = DeliverySent
	case "accepted", "queued", "sending", "scheduled":
		r.Status = DeliveryQueued
	default:
		return r, fmt.Errorf("twilio status callback: unknown MessageStatus %q", status)
	}
	if r.ProviderID == "" {
		return r, fmt.Errorf("twilio status callback: no MessageSid")
	}
	if r.Code == "" {
		r.Code = status
	}
	return r, nil
}

// twilioInbound reads an incoming message webhook.
func twilioInbound(form url.Values) (Inbound, error) {
	in := Inbound{ProviderID: form.Get("MessageSid"), From: form.Get("From"), To: form.Get("To"), Text: form.Get("Body")}
	if in.From == "" {
		return in, fmt.Errorf("twilio incoming message: no From")
	}
	return in, nil
}

func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return http.DefaultClient
}
