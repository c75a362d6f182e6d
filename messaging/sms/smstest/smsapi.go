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
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/sms"
)

// SMSAPIMessage is one message the SMSAPI server accepted.
type SMSAPIMessage struct {
	ID, To, From, Message, Idx, NotifyURL string
	Parts                                 int
}

// SMSAPI is an in-process SMSAPI.pl for one OAuth token, with the sender
// names registered on the account.
type SMSAPI struct {
	*httptest.Server
	Token   string
	Senders map[string]bool

	mu       sync.Mutex
	messages []SMSAPIMessage
	idx      map[string]bool
	failNext int
}

var msisdn = regexp.MustCompile(`^[1-9][0-9]{7,14}$`)

// NewSMSAPI starts the server; senders are the registered sender names.
func NewSMSAPI(token string, senders ...string) *SMSAPI {
	s := &SMSAPI{Token: token, Senders: map[string]bool{}, idx: map[string]bool{}}
	for _, n := range senders {
		s.Senders[n] = true
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Messages returns what was accepted, in order.
func (s *SMSAPI) Messages() []SMSAPIMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMSAPIMessage(nil), s.messages...)
}

// FailNext answers the next n requests with error 203 (too many
// requests), which SMSAPI asks to retry later.
func (s *SMSAPI) FailNext(n int) { s.mu.Lock(); s.failNext = n; s.mu.Unlock() }

func smsapiErr(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "message": msg})
}

func (s *SMSAPI) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	fail := s.failNext > 0
	if fail {
		s.failNext--
	}
	s.mu.Unlock()
	switch {
	case r.URL.Path != "/sms.do":
		http.NotFound(w, r)
		return
	case r.Header.Get("Authorization") != "Bearer "+s.Token:
		smsapiErr(w, http.StatusUnauthorized, 101, "Authorization failed")
		return
	case r.Method != http.MethodPost:
		smsapiErr(w, http.StatusMethodNotAllowed, 8, "Error in request")
		return
	case fail:
		smsapiErr(w, http.StatusTooManyRequests, 203, "Too many requests, try again later")
		return
	}
	if err := r.ParseForm(); err != nil {
		smsapiErr(w, http.StatusBadRequest, 8, "Error in request")
		return
	}
	f := r.PostForm
	m := SMSAPIMessage{To: f.Get("to"), From: f.Get("from"), Message: f.Get("message"), Idx: f.Get("idx"), NotifyURL: f.Get("notify_url")}
	switch {
	case f.Get("format") != "json":
		// Without format=json SMSAPI answers "OK:<id>:<points>" text.
		smsapiErr(w, http.StatusBadRequest, 8, "this test server speaks format=json only")
	case f.Get("encoding") != "utf-8":
		smsapiErr(w, http.StatusBadRequest, 8, "encoding must be utf-8 here")
	case m.Message == "":
		smsapiErr(w, http.StatusBadRequest, 11, "Message too long or there is no message or parameter nounicode is set and special characters (including Polish characters) are used")
	case !msisdn.MatchString(m.To):
		smsapiErr(w, http.StatusBadRequest, 13, "No correct phone numbers")
	case m.From != "" && !s.Senders[m.From]:
		smsapiErr(w, http.StatusBadRequest, 14, "Invalid sender field")
	default:
		s.mu.Lock()
		if m.Idx != "" && f.Get("check_idx") == "1" && s.idx[m.Idx] {
			s.mu.Unlock()
			smsapiErr(w, http.StatusBadRequest, 301, "ID of messages doesn't exist or idx already used")
			return
		}
		m.ID = fmt.Sprintf("%024X", len(s.messages)+1)
		m.Parts = sms.CountText(m.Message).Segments
		s.messages = append(s.messages, m)
		if m.Idx != "" {
			s.idx[m.Idx] = true
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"count": 1, "list": []map[string]any{{"id": m.ID, "points": 0.16 * float64(m.Parts),
			"number": m.To, "date_sent": time.Now().Unix(), "submitted_number": m.To, "status": "QUEUE", "error": nil,
			"idx": m.Idx, "parts": m.Parts}}})
	}
}

// Report calls a message's notify_url as SMSAPI reports a delivery: a GET
// with MsgId, status (404 delivered, 405 undelivered…), idx and the rest;
// SMSAPI expects the answer "OK".
func (s *SMSAPI) Report(ctx context.Context, m SMSAPIMessage, status string) (*http.Response, error) {
	u, err := url.Parse(m.NotifyURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	for k, v := range map[string]string{"MsgId": m.ID, "status": status, "idx": m.Idx, "donedate": fmt.Sprint(time.Now().Unix()),
		"username": "shop", "points": "0.16", "from": m.From, "to": m.To, "mcc": "260", "mnc": "2"} {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

// Incoming posts a received message to the account's callback URL, as
// SMSAPI's two-way SMS does.
func (s *SMSAPI) Incoming(ctx context.Context, callback, from, to, text string) (*http.Response, error) {
	form := url.Values{"sms_from": {strings.TrimPrefix(from, "+")}, "sms_to": {strings.TrimPrefix(to, "+")}, "sms_text": {text},
		"sms_date": {fmt.Sprint(time.Now().Unix())}, "username": {"shop"}, "MsgId": {fmt.Sprintf("MO%d", time.Now().UnixNano())}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, callback, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return http.DefaultClient.Do(req)
}
