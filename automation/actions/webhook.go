package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/cartwheelhq/cartwheel/automation"
)

// webhookPayload is the JSON a webhook step posts. Its shape is public
// (integrators parse it): add fields, never rename them.
type webhookPayload struct {
	Event          string         `json:"event"`
	WorkspaceID    string         `json:"workspace_id"`
	FlowID         string         `json:"flow_id"`
	EnrollmentID   string         `json:"enrollment_id"`
	StepID         string         `json:"step_id"`
	Contact        webhookContact `json:"contact"`
	IdempotencyKey string         `json:"idempotency_key"`
}

type webhookContact struct {
	ID        string `json:"id"`
	Email     string `json:"email,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// Webhook posts the step to an outside URL. The request carries the step
// key as Idempotency-Key (and in the body): a step repeated after a crash
// posts again with the same key, for the receiver to de-duplicate.
//
// Params: url (required, http or https), headers (an object of strings).
// A 2xx answer is success; a 4xx other than 408 and 429 skips the step
// (the receiver refuses it; asking again will not help); 408, 429, 5xx and
// network errors are returned for River to retry.
func (c *Channels) Webhook(ctx context.Context, en automation.Enrollment, s automation.Step) (automation.Result, error) {
	p := paramsOf(s)
	raw, err := p.required("url")
	if err != nil {
		return automation.Result{}, err
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return automation.Result{}, p.bad("url", "must be an http or https URL")
	}
	headers, err := p.object("headers")
	if err != nil {
		return automation.Result{}, err
	}
	r, skip, err := c.contactOf(ctx, en)
	if err != nil {
		return automation.Result{}, err
	}
	if skip != "" {
		return skipped(skip), nil
	}
	key := automation.StepKey(en, s.ID)
	body, err := json.Marshal(webhookPayload{Event: "flow_step", WorkspaceID: en.WorkspaceID, FlowID: en.FlowID,
		EnrollmentID: en.ID, StepID: s.ID, IdempotencyKey: key,
		Contact: webhookContact{ID: r.contact.ID, Email: r.contact.Email, FirstName: r.contact.FirstName, LastName: r.contact.LastName}})
	if err != nil {
		return automation.Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return automation.Result{}, p.bad("url", "%v", err)
	}
	for k, v := range headers {
		sv, ok := v.(string)
		if !ok || strings.ContainsAny(k+sv, "\r\n") {
			return automation.Result{}, p.bad("headers", "%q must be a single-line string", k)
		}
		req.Header.Set(k, sv)
	}
	// Set last: a header param cannot break the contract.
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("User-Agent", "Cartwheel-Webhook/1")

	resp, err := c.o.HTTP.Do(req)
	if err != nil {
		return automation.Result{}, fmt.Errorf("webhook %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	// Read a little so the connection can be reused; the answer is not used.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch st := resp.StatusCode; {
	case st >= 200 && st < 300:
		return automation.Result{Data: map[string]any{"status": st}}, nil
	case st == http.StatusRequestTimeout || st == http.StatusTooManyRequests || st >= 500:
		return automation.Result{}, fmt.Errorf("webhook %s answered %d", u.Host, st)
	default:
		return skipped(fmt.Sprintf("webhook answered %d", st)), nil
	}
}
