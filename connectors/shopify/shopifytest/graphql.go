package shopifytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

// answer is one GraphQL answer: data, or top-level errors.
type answer struct {
	data   map[string]any
	errors []map[string]any
}

func gqlError(code, msg string) answer {
	return answer{errors: []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveToken is POST /admin/oauth/access_token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Code         string `json:"code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "malformed JSON"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.code == "" || req.ClientID != s.clientID || req.ClientSecret != s.clientSecret || req.Code != s.code {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
			"error_description": "The authorization code was not found or was already used"})
		return
	}
	s.code = "" // single-use
	writeJSON(w, http.StatusOK, map[string]string{"access_token": s.token, "scope": s.scope})
}

// serveGraphQL is POST /admin/api/{version}/graphql.json.
func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	var req gqlRequest
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	decErr := dec.Decode(&req)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.versions = append(s.versions, r.PathValue("version"))
	if r.Header.Get("X-Shopify-Access-Token") != s.token || s.token == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	if s.limited > 0 {
		s.limited--
		s.throttled++
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})
		return
	}
	if decErr != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{"message": "malformed request: " + decErr.Error()}}})
		return
	}
	root := rootField(req.Query)
	if root == "products" && s.failAfter >= 0 && !s.failed && s.productPages == s.failAfter {
		s.failed = true
		writeJSON(w, http.StatusInternalServerError, map[string]any{"errors": "Internal Server Error"})
		return
	}
	cost := s.cost(root, req.Variables)
	if a, ok := s.charge(cost); !ok {
		writeJSON(w, http.StatusOK, s.envelope(a, cost, false))
		return
	}
	var a answer
	switch root {
	case "shop":
		a = s.resolveShop()
	case "products":
		a = s.resolveProducts(req.Variables)
	case "webhookSubscriptions":
		a = s.resolveWebhooks(req.Variables)
	case "webhookSubscriptionCreate":
		a = s.createWebhook(req.Variables)
	case "discountCodeBasicCreate":
		a = s.createDiscount(req.Variables)
	default:
		a = gqlError("UNSUPPORTED", fmt.Sprintf("shopifytest: no fake for root field %q", root))
	}
	writeJSON(w, http.StatusOK, s.envelope(a, cost, true))
}

// rootField returns the first field of the operation's selection set,
// skipping the operation header (keyword, name, variable definitions),
// comments and an alias.
func rootField(q string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(q, "\n") {
		line, _, _ = strings.Cut(line, "#")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	q = b.String()
	i := strings.IndexByte(q, '{')
	if i < 0 {
		return ""
	}
	name, rest := ident(q[i+1:])
	if r := strings.TrimLeft(rest, " \t\r\n,"); strings.HasPrefix(r, ":") {
		name, _ = ident(r[1:])
	}
	return name
}

// ident reads a GraphQL name after optional white space.
func ident(s string) (string, string) {
	s = strings.TrimLeft(s, " \t\r\n,")
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z' || n > 0 && s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return s[:n], s[n:]
}

// intVar reads an integer variable, def when absent or malformed.
func intVar(vars map[string]any, name string, def int) int {
	switch v := vars[name].(type) {
	case json.Number:
		if n, err := strconv.Atoi(v.String()); err == nil {
			return n
		}
	case float64:
		return int(v)
	}
	return def
}

func strVar(vars map[string]any, name string) string {
	s, _ := vars[name].(string)
	return s
}

// cost is the fake's query cost (see Throttle).
func (s *Server) cost(root string, vars map[string]any) float64 {
	if root == "products" {
		return float64(2 + 10*intVar(vars, "first", 1))
	}
	return 10
}

// charge takes cost points from the bucket after refilling it for the
// virtual time elapsed; it reports false, with the refusal to send, when
// the bucket cannot pay.
func (s *Server) charge(cost float64) (answer, bool) {
	if !s.bucket {
		return answer{}, true
	}
	s.available = min(s.maximum, s.available+s.restore*(s.clock-s.refilled).Seconds())
	s.refilled = s.clock
	if cost > s.maximum {
		return gqlError("MAX_COST_EXCEEDED", fmt.Sprintf("Query cost is %.0f, which exceeds the single query max cost limit (%.0f).", cost, s.maximum)), false
	}
	if s.available+1e-9 < cost {
		s.throttled++
		return gqlError("THROTTLED", "Throttled"), false
	}
	s.available -= cost
	return answer{}, true
}

// envelope renders an answer with Shopify's extensions.cost. Without
// throttling the bucket is reported as always full.
func (s *Server) envelope(a answer, cost float64, ran bool) map[string]any {
	maximum, avail, restore := 2000.0, 2000.0, 100.0
	if s.bucket {
		maximum, avail, restore = s.maximum, s.available, s.restore
	}
	var actual any
	if ran {
		actual = cost
	}
	out := map[string]any{"extensions": map[string]any{"cost": map[string]any{
		"requestedQueryCost": cost,
		"actualQueryCost":    actual,
		"throttleStatus":     map[string]any{"maximumAvailable": maximum, "currentlyAvailable": avail, "restoreRate": restore},
	}}}
	if a.data != nil {
		out["data"] = a.data
	}
	if a.errors != nil {
		out["errors"] = a.errors
	}
	return out
}
