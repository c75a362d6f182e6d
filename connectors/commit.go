package connectors

import (
	"context"

	"github.com/cartwheelhq/cartwheel/store"
)

// maxGroup bounds one group commit: large enough for a flash sale's burst,
// small enough that the write transaction stays short.
const maxGroup = 256

type insertReq struct {
	d     store.Delivery
	reply chan insertResult
}

type insertResult struct {
	inserted bool
	err      error
}

// committer stores deliveries with group commit: while one transaction is
// being written and synced, the deliveries arriving meanwhile queue up and
// go into the next one together. Under a burst, a delivery waits for about
// one fsync instead of one per delivery ahead of it.
type committer struct {
	st  *store.Store
	req chan insertReq
}

func newCommitter(st *store.Store) *committer {
	return &committer{st: st, req: make(chan insertReq)}
}

// run writes batches until ctx ends.
func (c *committer) run(ctx context.Context) {
	for {
		var batch []insertReq
		select {
		case <-ctx.Done():
			return
		case r := <-c.req:
			batch = append(batch, r)
		}
	gather:
		for len(batch) < maxGroup {
			select {
			case r := <-c.req:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		ds := make([]store.Delivery, len(batch))
		for i, r := range batch {
			ds[i] = r.d
		}
		// The batch is written even if ctx ended meanwhile: its senders
		// are waiting for the answer.
		ins, err := c.st.InsertDeliveries(context.WithoutCancel(ctx), ds)
		for i, r := range batch {
			res := insertResult{err: err}
			if err == nil {
				res.inserted = ins[i]
			}
			r.reply <- res
		}
	}
}

// insert stores d through the running batcher, or directly when the hub is
// not running (tests, tools).
func (h *Hub) insert(ctx context.Context, d store.Delivery) (bool, error) {
	rc := h.runCtx.Load()
	if rc == nil {
		return h.opt.Store.InsertDelivery(ctx, d)
	}
	r := insertReq{d: d, reply: make(chan insertResult, 1)}
	select {
	case h.commit.req <- r:
	case <-ctx.Done():
		return false, ctx.Err()
	case <-(*rc).Done():
		// The batcher stopped with Run (shutdown): a delivery arriving now
		// is still stored, directly, rather than waiting for nobody.
		return h.opt.Store.InsertDelivery(ctx, d)
	}
	res := <-r.reply
	return res.inserted, res.err
}
