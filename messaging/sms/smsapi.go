package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// SMSAPIBase is SMSAPI.pl's API.
const SMSAPIBase = "https://api.smsapi.pl"

// SMSAPI sends through SMSAPI.pl: a POST to /sms.do with an OAuth bearer
// token and the fields to, message, from, format=json, encoding=utf-8,
// notify_url, idx (Cartwheel's message id) and check_idx=1, with which
// SMSAPI refuses a second message with the same idx (error 301): a retry
// after a lost answer cannot send the text twice.
type SMSAPI struct {
	Token string
	Base  string // default SMSAPIBase
	HTTP  *http.Client
}

// Name implements Provider.
func (s *SMSAPI) Name() string { return "smsapi" }

// smsapiTemporary are SMSAPI's error codes worth retrying: its internal
// errors and its rate limits. Every other code is the request's or the
// account's (8 bad request, 11 message too long, 13 no valid number, 14
// bad sender, 101–105 authorisation, credit or IP filter…), which the
// same request meets again.
var smsapiTemporary = map[int]bool{201: true, 202: true, 203: true, 999: true}

// smsapiDuplicate is the error of an idx already used with check_idx.
const smsapiDuplicate = 301

// Send implements Provider.
func (s *SMSAPI) Send(ctx context.Context, m Outgoing) (Sent, error) {
	form := url.Values{"to": {strings.TrimPrefix(m.To, "+")}, "message": {m.Text}, "format": {"json"},
		"encoding": {"utf-8"}}
	if m.From != "" {
		form.Set("from", strings.TrimPrefix(m.From, "+"))
	}
	if m.StatusURL != "" {
		form.Set("notify_url", m.StatusURL)
	}
	if m.Reference != "" {
		form.Set("idx", m.Reference)
		form.Set("check_idx", "1")
	}
	base := s.Base
	if base == "" {
		base = SMSAPIBase
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/sms.do", strings.NewReader(form.Encode()))
	if err != nil {
		return Sent{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+s.Token)
	res, err := client(s.HTTP).Do(req)
	if err != nil {
		return Sent{}, &SendError{Provider: "smsapi", Code: "network", Message: err.Error()}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	var ans struct {
		Count int `json:"count"`
		List  []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"list"`
		Error   int    `json:"error"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		se := &SendError{Provider: "smsapi", Code: strconv.Itoa(res.StatusCode), Message: "unreadable answer"}
		se.Permanent = res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests
		return Sent{}, se
	}
	switch {
	case ans.Error == smsapiDuplicate:
		return Sent{Duplicate: true, Status: DeliveryQueued}, nil
	case ans.Error != 0:
		return Sent{}, &SendError{Provider: "smsapi", Code: strconv.Itoa(ans.Error), Message: ans.Message,
			Permanent: !smsapiTemporary[ans.Error]}
	case res.StatusCode >= 300:
		return Sent{}, &SendError{Provider: "smsapi", Code: strconv.Itoa(res.StatusCode), Message: http.StatusText(res.StatusCode),
			Permanent: res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests}
	case len(ans.List) == 0 || ans.List[0].ID == "":
		return Sent{}, &SendError{Provider: "smsapi", Code: "empty", Message: "answer lists no message"}
	}
	return Sent{ProviderID: ans.List[0].ID, Status: strings.ToLower(ans.List[0].Status)}, nil
}

// smsapiStatus maps SMSAPI's delivery report codes to delivery states.
// 404 DELIVERED; 403 SENT; 409 QUEUE, 410 ACCEPTED, 411 RENEWAL; 401
// NOT_FOUND, 402 EXPIRED, 405 UNDELIVERED; 406 FAILED, 407 REJECTED, 412
// STOP (the recipient blocked the sender), 408 UNKNOWN.
func smsapiStatus(code string) (string, error) {
	switch code {
	case "404":
		return DeliveryDelivered, nil
	case "403":
		return DeliverySent, nil
	case "409", "410", "411", "408":
		return DeliveryQueued, nil
	case "401", "402", "405":
		return DeliveryUndelivered, nil
	case "406", "407", "412":
		return DeliveryFailed, nil
	}
	return "", fmt.Errorf("smsapi delivery report: unknown status %q", code)
}

// smsapiReceipts reads a delivery report callback. SMSAPI sends one or,
// bulked, several reports at once: each field a comma-separated list
// (MsgId, status, idx, donedate…), in the query of a GET or a form POST.
func smsapiReceipts(v url.Values) ([]Receipt, error) {
	ids := splitList(v.Get("MsgId"))
	statuses := splitList(v.Get("status"))
	idxs := splitList(v.Get("idx"))
	if len(ids) == 0 || len(ids) != len(statuses) {
		return nil, fmt.Errorf("smsapi delivery report: %d MsgId for %d status", len(ids), len(statuses))
	}
	out := make([]Receipt, 0, len(ids))
	for i, id := range ids {
		st, err := smsapiStatus(statuses[i])
		if err != nil {
			return nil, err
		}
		r := Receipt{ProviderID: id, Status: st, Code: statuses[i]}
		if i < len(idxs) {
			r.Reference = idxs[i]
		}
		out = append(out, r)
	}
	return out, nil
}

// smsapiInbound reads a received message (SMSAPI's two-way SMS callback:
// sms_from, sms_to, sms_text, MsgId).
func smsapiInbound(v url.Values) (Inbound, error) {
	in := Inbound{ProviderID: v.Get("MsgId"), From: v.Get("sms_from"), To: v.Get("sms_to"), Text: v.Get("sms_text")}
	if in.From == "" {
		return in, fmt.Errorf("smsapi received message: no sms_from")
	}
	if !strings.HasPrefix(in.From, "+") {
		in.From = "+" + in.From // SMSAPI writes numbers with their country code, without the +
	}
	return in, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
