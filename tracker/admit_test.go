package tracker

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// readSpy is a body that records whether anything read it.
type readSpy struct{ read bool }

func (r *readSpy) Read([]byte) (int, error) { r.read = true; return 0, http.ErrBodyReadAfterClose }

// A handler whose Admit says no answers 503 with Retry-After without
// reading the body: overload costs a status line, not a decode.
func TestCollectAdmitShedsBeforeReading(t *testing.T) {
	h := NewCollectHandler(nil)
	h.Admit = func() bool { return false }
	body := &readSpy{}
	req := httptest.NewRequest("POST", "/collect", body)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || body.read {
		t.Fatalf("shed request: %d, Retry-After %q, body read %v", rec.Code, rec.Header().Get("Retry-After"), body.read)
	}
}
