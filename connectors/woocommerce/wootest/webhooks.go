package wootest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook is a webhook the store holds.
type Webhook struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"` // active, paused or disabled
	Topic       string `json:"topic"`
	DeliveryURL string `json:"delivery_url"`
	Secret      string `json:"secret"`
}

// Webhooks returns the store's webhooks, oldest first.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Webhook(nil), s.webhooks...)
}

// AddWebhook adds a webhook as if an admin had created it, without a ping,
// and returns its id. An empty Status is "active".
func (s *Server) AddWebhook(h Webhook) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	h.ID = s.nextID
	if h.Status == "" {
		h.Status = "active"
	}
	s.webhooks = append(s.webhooks, h)
	return h.ID
}

// view is a webhook as the REST API shows it: the secret is in the "edit"
// context only.
func (h Webhook) view() map[string]any {
	res, ev, _ := strings.Cut(h.Topic, ".")
	return map[string]any{
		"id": h.ID, "name": h.Name, "status": h.Status, "topic": h.Topic, "resource": res, "event": ev,
		"hooks": []string{}, "delivery_url": h.DeliveryURL,
		"date_created": "2024-01-01T00:00:00", "date_created_gmt": "2024-01-01T00:00:00",
		"date_modified": "2024-01-01T00:00:00", "date_modified_gmt": "2024-01-01T00:00:00",
	}
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if page < 1 {
		page = 1
	}
	if perPage < 1 {
		perPage = 10
	}
	if perPage > 100 {
		writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): per_page")
		return
	}
	s.mu.Lock()
	all := append([]Webhook(nil), s.webhooks...)
	s.mu.Unlock()
	out := []map[string]any{}
	for i := (page - 1) * perPage; i < len(all) && i < page*perPage; i++ {
		out = append(out, all[i].view())
	}
	w.Header().Set("X-WP-Total", strconv.Itoa(len(all)))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa((len(all)+perPage-1)/perPage))
	writeJSON(w, http.StatusOK, out)
}

// validTopic follows wc_is_webhook_valid_topic.
func validTopic(t string) bool {
	if strings.HasPrefix(t, "action.woocommerce_") || strings.HasPrefix(t, "action.wc_") {
		return true
	}
	res, ev, ok := strings.Cut(t, ".")
	return ok && contains([]string{"coupon", "customer", "order", "product"}, res) &&
		contains([]string{"created", "updated", "deleted", "restored"}, ev)
}

func (s *Server) createWebhook(w http.ResponseWriter, body []byte) {
	var h Webhook
	if err := json.Unmarshal(body, &h); err != nil {
		writeError(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
		return
	}
	if !validTopic(h.Topic) {
		writeError(w, http.StatusBadRequest, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.")
		return
	}
	if u, err := url.Parse(h.DeliveryURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		writeError(w, http.StatusBadRequest, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL starting with http:// or https://.")
		return
	}
	id := s.AddWebhook(h)
	h.ID = id
	if h.Status == "" {
		h.Status = "active"
	}
	s.mu.Lock()
	ping := s.ping
	s.mu.Unlock()
	if ping && h.Status == "active" {
		pingLoopback(h.DeliveryURL, id)
	}
	writeJSON(w, http.StatusCreated, h.view())
}

func (s *Server) updateWebhook(w http.ResponseWriter, idText string, body []byte) {
	id, _ := strconv.ParseInt(idText, 10, 64)
	var patch map[string]any
	if err := json.Unmarshal(body, &patch); err != nil {
		writeError(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.webhooks {
		h := &s.webhooks[i]
		if h.ID != id {
			continue
		}
		for k, v := range patch {
			str, _ := v.(string)
			switch k {
			case "status":
				h.Status = str
			case "secret":
				h.Secret = str
			case "name":
				h.Name = str
			case "delivery_url":
				h.DeliveryURL = str
			case "topic":
				h.Topic = str
			}
		}
		writeJSON(w, http.StatusOK, h.view())
		return
	}
	writeError(w, http.StatusNotFound, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
}

// pingLoopback posts the creation ping, only to this machine: a test store
// must never reach out to the network.
func pingLoopback(delivery string, id int64) {
	u, err := url.Parse(delivery)
	if err != nil {
		return
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := NewPing(ctx, delivery, id)
	if err != nil {
		return
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// NewPing builds the request WooCommerce sends when a webhook is created:
// body "webhook_id=N", form content type, no X-WC-Webhook-* headers.
func NewPing(ctx context.Context, deliveryURL string, webhookID int64) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, deliveryURL, bytes.NewReader([]byte("webhook_id="+strconv.FormatInt(webhookID, 10))))
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "WooCommerce/9.8.1 Hookshot (WordPress/6.8)")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
