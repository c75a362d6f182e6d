package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Collected is one accepted /collect batch and what the request said about
// its sender.
type Collected struct {
	Batch     Batch
	Client    Client
	UserAgent string
	IP        string // see CollectHandler.ClientIP
	Origin    string // the Origin header: the shop's site, for a site key check
}

// Sink stores an accepted batch, typically by resolving Batch.SiteKey to a
// workspace and handing the events to the ingest pipeline. Its error decides
// the answer, and so what the tracker does with the events (4xx: drop them,
// 5xx: keep them and retry):
//
//	ErrUnknownSite  404  dropped
//	ErrForbidden    403  dropped; the error's text is shown, so wrap it
//	                     with a reason meant for the shop's developer
//	ErrRateLimited  429  dropped
//	ErrBusy         503  retried (Retry-After: 5)
//	anything else   500  retried; the text is not shown
type Sink func(ctx context.Context, c Collected) error

// Errors a Sink wraps to choose the answer (see Sink).
var (
	ErrUnknownSite = errors.New("unknown site key")
	ErrForbidden   = errors.New("not allowed for this site key")
	ErrRateLimited = errors.New("too many events from this visitor")
	ErrBusy        = errors.New("busy")
)

// CollectHandler serves /collect: it reads and decodes the body, drops
// bots, and hands the rest to Sink. Its status codes are part of the
// tracker's contract: 2xx sent, 4xx dropped, 5xx retried.
type CollectHandler struct {
	Sink   Sink // nil accepts and discards: for tests
	Limits Limits
	UA     UAOptions
	Now    func() time.Time
	// ClientIP extracts the visitor's address. The default is the host of
	// RemoteAddr; behind a proxy, give one that trusts only that proxy's
	// forwarding header.
	ClientIP func(*http.Request) string
	// Admit, when set, is asked before the body is read or decoded: false
	// answers 503 at once. Under overload, decoding a batch only to find
	// the queue full spends the CPU the writer needs, and goodput falls
	// the more clients retry without waiting.
	Admit func() bool

	uas uaCache
}

// NewCollectHandler returns a handler with DefaultLimits, the real clock and
// headless browsers counted as bots.
func NewCollectHandler(sink Sink) *CollectHandler {
	return &CollectHandler{Sink: sink, Limits: DefaultLimits(), Now: time.Now}
}

// CollectResponse is the JSON body of a 200 answer.
type CollectResponse struct {
	Accepted int         `json:"accepted"`
	Rejected []ItemError `json:"rejected"`
	// Ignored is "bot" when the batch came from a bot: valid, not stored.
	Ignored string `json:"ignored,omitempty"`
}

// errorResponse has the shape of the REST API's errors (docs/api.md), so
// one client-side parser reads both.
type errorResponse struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func fail(code, message string) errorResponse {
	return errorResponse{errorBody{code, message}}
}

// ServeHTTP answers POST (and the OPTIONS preflight a non-tracker caller
// may send). CORS is open to any origin without credentials: the tracker
// runs on the shops' domains, and the site key, not a cookie, says whose
// data it is.
func (h *CollectHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodPost:
	case http.MethodOptions:
		hd.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		hd.Set("Access-Control-Allow-Headers", "Content-Type")
		hd.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		hd.Set("Allow", "POST, OPTIONS")
		writeJSON(w, http.StatusMethodNotAllowed, fail("method_not_allowed", "use POST"))
		return
	}

	if h.Admit != nil && !h.Admit() {
		writeSinkError(w, ErrBusy)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(h.Limits.MaxBodyBytes)))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, fail("too_large", "body larger than the limit of "+strconv.Itoa(h.Limits.MaxBodyBytes)+" bytes"))
			return
		}
		writeJSON(w, http.StatusBadRequest, fail("bad_request", "cannot read body: "+err.Error()))
		return
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	batch, rejected, err := Decode(body, h.Limits, now())
	if err != nil {
		status, code := http.StatusBadRequest, "bad_request"
		if errors.Is(err, ErrBodyTooLarge) {
			status, code = http.StatusRequestEntityTooLarge, "too_large"
		}
		writeJSON(w, status, fail(code, err.Error()))
		return
	}
	if rejected == nil {
		rejected = []ItemError{}
	}

	ua := r.UserAgent()
	c := Collected{Batch: batch, Client: h.uas.classify(ua, h.UA), UserAgent: ua, IP: h.clientIP(r), Origin: r.Header.Get("Origin")}
	if c.Client.Bot {
		writeJSON(w, http.StatusOK, CollectResponse{Rejected: rejected, Ignored: "bot"})
		return
	}
	if len(batch.Events) > 0 && h.Sink != nil {
		if err := h.Sink(r.Context(), c); err != nil {
			writeSinkError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, CollectResponse{Accepted: len(batch.Events), Rejected: rejected})
}

// writeSinkError answers a Sink's refusal. On 5xx the tracker keeps the
// events and sends them again later; their ids let the sink drop what it had
// already stored.
func writeSinkError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrUnknownSite):
		writeJSON(w, http.StatusNotFound, fail("not_found", ErrUnknownSite.Error()))
	case errors.Is(err, ErrForbidden):
		writeJSON(w, http.StatusForbidden, fail("forbidden", err.Error()))
	case errors.Is(err, ErrRateLimited):
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusTooManyRequests, fail("rate_limited", ErrRateLimited.Error()))
	case errors.Is(err, ErrBusy):
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, fail("busy", "busy, retry later"))
	default:
		writeJSON(w, http.StatusInternalServerError, fail("internal", "internal error, retry later"))
	}
}

func (h *CollectHandler) clientIP(r *http.Request) string {
	if h.ClientIP != nil {
		return h.ClientIP(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
