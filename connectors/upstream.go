package connectors

import (
	"context"
	"errors"
	"net"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/cartwheelhq/cartwheel/store"
)

// Operations whose last outcome is kept on the shop's status (GET
// /api/v1/shops/{id}/status lists them with the syncs): a merchant whose
// shop stopped answering sees why, in words, where they look.
const (
	OpWebhooks      = "webhooks"
	OpDiscountCodes = "discount_codes"
)

// UpstreamError is a failure of the shop's own API — unreachable, timed
// out, refusing the token, or answering something unusable — as opposed
// to the caller's mistake or Cartwheel's own. Its text says which
// operation failed and why ("webhook registration failed: … connection
// refused"); the server answers it with 502 or 504.
type UpstreamError struct {
	Op  string // "webhook registration", "discount code creation"
	Err error
}

// Error names the operation and the cause nearest the wire: the network
// error ("dial tcp …: connection refused"), else the request that failed
// ("Post \"…\": context deadline exceeded"), else the whole chain.
func (e *UpstreamError) Error() string {
	var op *net.OpError
	if errors.As(e.Err, &op) {
		return e.Op + " failed: " + op.Error()
	}
	var ue *url.Error
	if errors.As(e.Err, &ue) {
		return e.Op + " failed: " + ue.Error()
	}
	return e.Op + " failed: " + e.Err.Error()
}

// Unwrap exposes the cause (net errors, context.DeadlineExceeded).
func (e *UpstreamError) Unwrap() error { return e.Err }

// isOwnError reports errors that are not the shop API's doing.
func isOwnError(err error) bool {
	var inv interface{ InvalidInput() }
	return errors.As(err, &inv) || errors.Is(err, store.ErrNotFound)
}

// recordCall keeps the outcome of a call to the shop's API under kind on
// the shop's status: a failure with its cause, and the first success after
// a failure (successes otherwise cost no write). It returns err, wrapped
// as an *UpstreamError when it is the shop's doing.
func (h *Hub) recordCall(ctx context.Context, sh store.Shop, kind, op string, err error) error {
	if err != nil && isOwnError(err) {
		return err
	}
	if err != nil {
		h.log.Warn("shop API call failed", "shop", sh.ID, "op", op, "err", clip(err.Error(), 1000))
		err = &UpstreamError{Op: op, Err: err}
	}
	// The caller's deadline may be what failed: the record still goes in.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	prev, gerr := h.opt.Store.Sync(wctx, sh.WorkspaceID, sh.ID, kind)
	if gerr != nil {
		h.log.Warn("read shop call status", "shop", sh.ID, "kind", kind, "err", gerr)
		return err
	}
	now := h.now()
	st := prev
	st.UpdatedAt = now
	switch {
	case err != nil:
		st.Status, st.Error = store.SyncFailed, clip(err.Error(), 500)
	case prev.Status == store.SyncFailed || prev.LastSuccessAt.IsZero():
		st.Status, st.Error, st.LastSuccessAt = store.SyncIdle, "", now
	default:
		return nil
	}
	if perr := h.opt.Store.PutSync(wctx, st); perr != nil {
		h.log.Warn("record shop call status", "shop", sh.ID, "kind", kind, "err", perr)
	}
	return err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// isCallKind reports the status rows recordCall writes, which are not
// data syncs.
func isCallKind(kind string) bool { return kind == OpWebhooks || kind == OpDiscountCodes }
