package campaigns

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// materialiseBatch is how many recipients one transaction adds.
const materialiseBatch = 2000

// sendBatch is how many due recipients one claim decides and queues.
const sendBatch = 500

// runner sends due campaigns, each in its own goroutine, at most once per
// campaign at a time in this process. On PostgreSQL with several replicas
// it would need the leader election the other singletons use; on SQLite
// there is one process.
type runner struct {
	s       *Service
	mu      sync.Mutex
	running map[string]*atomic.Bool // campaign id → its stop flag
	wg      sync.WaitGroup
	locs    sync.Map // time zone name → *time.Location
}

func newRunner(s *Service) *runner { return &runner{s: s, running: map[string]*atomic.Bool{}} }

// interrupt asks a running campaign to stop dispatching (pause, cancel).
func (r *runner) interrupt(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if stop, ok := r.running[id]; ok {
		stop.Store(true)
	}
}

func (r *runner) loop(ctx context.Context) error {
	t := time.NewTicker(r.s.o.Poll)
	defer t.Stop()
	for {
		if err := r.start(ctx, false); err != nil && ctx.Err() == nil {
			r.s.log.Error("campaigns: poll", "err", err)
		}
		select {
		case <-ctx.Done():
			r.wg.Wait()
			return nil
		case <-t.C:
		}
	}
}

func (r *runner) tick(ctx context.Context) error {
	err := r.start(ctx, true)
	r.wg.Wait()
	return err
}

// start runs each due campaign not already running; wait runs them in
// this goroutine, one after the other.
func (r *runner) start(ctx context.Context, wait bool) error {
	due, err := r.s.o.Store.DueCampaigns(ctx, r.s.o.Now())
	if err != nil {
		return err
	}
	for _, c := range due {
		r.mu.Lock()
		if _, busy := r.running[c.ID]; busy {
			r.mu.Unlock()
			continue
		}
		stop := &atomic.Bool{}
		r.running[c.ID] = stop
		r.mu.Unlock()
		do := func() {
			defer func() {
				r.mu.Lock()
				delete(r.running, c.ID)
				r.mu.Unlock()
			}()
			if err := r.run(ctx, c, stop); err != nil && ctx.Err() == nil {
				r.s.log.Error("campaigns: run", "campaign", c.ID, "err", err)
			}
		}
		if wait {
			do()
			continue
		}
		r.wg.Go(do)
	}
	return nil
}

// run does what is due of one campaign: materialise the audience, send
// what was queued before a crash or pause, send the due recipients, and
// move the campaign on (A/B test wait, winner, deferred recipients, done).
func (r *runner) run(ctx context.Context, row store.Campaign, stop *atomic.Bool) error {
	st, now := r.s.o.Store, r.s.o.Now().UTC()
	c, err := fromRow(row)
	if err != nil {
		return err
	}
	if row.Status == store.CampaignScheduled {
		if ok, err := st.TransitionCampaign(ctx, row.WorkspaceID, row.ID, []string{store.CampaignScheduled}, store.CampaignSending,
			time.Time{}, now); err != nil || !ok {
			return err
		}
		r.s.log.Info("campaign started", "campaign", row.ID, "workspace", row.WorkspaceID, "channel", row.Channel)
	}
	if !row.Materialised {
		if err := r.materialise(ctx, row, c, now, stop); err != nil {
			return err
		}
	}
	sd, err := r.newSend(ctx, row, c)
	if err != nil {
		return err
	}
	temp := sd.sendAll(ctx, stop)
	if ctx.Err() != nil || stop.Load() {
		return nil
	}
	return r.advance(ctx, row, c, temp)
}

// materialise reads the audience into campaign_recipients, a batch per
// transaction with the cursor, so that a crash repeats at most the batch
// it interrupted (which the primary key makes harmless).
func (r *runner) materialise(ctx context.Context, row store.Campaign, c Campaign, start time.Time, stop *atomic.Bool) error {
	aud := r.s.o.Audience
	if len(c.Spec.Audience.Segments) > 0 {
		if aud = r.s.o.Segments; aud == nil {
			return fmt.Errorf("campaign %s: segment audience without a segments source", row.ID)
		}
	}
	cursor, seq := row.Cursor, int64(row.Recipients)
	nVariants := max(len(c.Spec.Variants), 1)
	for !stop.Load() && ctx.Err() == nil {
		page, err := aud.Page(ctx, row.WorkspaceID, row.Channel, c.Spec.Audience.Segments, c.Spec.Audience.Exclude, cursor, materialiseBatch)
		if err != nil {
			return fmt.Errorf("campaign %s audience: %w", row.ID, err)
		}
		batch := make([]store.NewRecipient, 0, len(page))
		for _, id := range page {
			nr := store.NewRecipient{ContactID: id, Seq: seq, State: store.RecipientPending, SendAt: start}
			if t := c.Spec.Test; t != nil {
				// Every prefix of the audience has its exact share in the
				// sample (a line drawn Bresenham's way), spread over the
				// variants in turn; the rest waits for the winner.
				pct := int64(t.SamplePercent)
				if in := (seq+1)*pct/100 - seq*pct/100; in > 0 {
					nr.Variant = int(((seq+1)*pct/100 - 1) % int64(nVariants))
				} else {
					nr.Variant, nr.State = -1, store.RecipientHeld
				}
			}
			batch = append(batch, nr)
			seq++
		}
		done := len(page) < materialiseBatch
		if len(page) > 0 {
			cursor = page[len(page)-1]
		}
		if err := r.s.o.Store.AddCampaignRecipients(ctx, row.ID, batch, cursor, done); err != nil {
			return err
		}
		if done {
			r.s.log.Info("campaign audience materialised", "campaign", row.ID, "recipients", seq)
			return nil
		}
	}
	return ctx.Err()
}

// advance moves the campaign on once what is due has been sent.
func (r *runner) advance(ctx context.Context, row store.Campaign, c Campaign, tempFailures int) error {
	st, now := r.s.o.Store, r.s.o.Now().UTC()
	n, err := st.CampaignProgress(ctx, row.ID)
	if err != nil {
		return err
	}
	cur, err := st.Campaign(ctx, row.WorkspaceID, row.ID)
	if err != nil {
		return err
	}
	if cur.Status != store.CampaignSending && cur.Status != store.CampaignTesting {
		return nil // paused or cancelled meanwhile
	}
	setDue := func(status string, at time.Time) error {
		_, err := st.TransitionCampaign(ctx, row.WorkspaceID, row.ID, []string{store.CampaignSending, store.CampaignTesting}, status, at, now)
		return err
	}
	if n[store.RecipientQueued] > 0 || tempFailures > 0 {
		// The relay failed temporarily: try again in a minute.
		return setDue(store.CampaignSending, now.Add(time.Minute))
	}
	if c.Spec.Test != nil && cur.Winner < 0 && n[store.RecipientPending] == 0 {
		if cur.TestEndsAt.IsZero() {
			ends := now.Add(time.Duration(c.Spec.Test.Wait))
			if err := st.SetCampaignTestEnd(ctx, row.ID, ends); err != nil {
				return err
			}
			r.s.log.Info("campaign A/B sample sent", "campaign", row.ID, "winner_at", ends)
			return setDue(store.CampaignTesting, ends)
		}
		if now.Before(cur.TestEndsAt) {
			return setDue(store.CampaignTesting, cur.TestEndsAt)
		}
		stats, err := st.CampaignVariantStats(ctx, row.ID)
		if err != nil {
			return err
		}
		w := Winner(stats, c.Spec.Test.Metric)
		if err := st.ChooseCampaignWinner(ctx, row.ID, w, now); err != nil {
			return err
		}
		r.s.log.Info("campaign A/B winner chosen", "campaign", row.ID, "variant", w, "metric", c.Spec.Test.Metric)
		return setDue(store.CampaignSending, now)
	}
	if n[store.RecipientPending] > 0 {
		next, err := st.NextCampaignDue(ctx, row.ID)
		if err != nil {
			return err
		}
		if earliest := now.Add(time.Second); next.Before(earliest) {
			next = earliest
		}
		return setDue(store.CampaignSending, next)
	}
	if n[store.RecipientHeld] > 0 {
		return errors.New("held recipients without an A/B test")
	}
	if _, err := st.TransitionCampaign(ctx, row.WorkspaceID, row.ID, []string{store.CampaignSending, store.CampaignTesting},
		store.CampaignDone, time.Time{}, now); err != nil {
		return err
	}
	r.s.log.Info("campaign done", "campaign", row.ID, "sent", n[store.RecipientSent], "skipped", n[store.RecipientSkipped])
	return nil
}

// Winner is the variant the A/B test chose: the most contacts who clicked
// (or the most revenue credited), the earlier variant on a tie.
func Winner(stats []store.VariantStats, metric string) int {
	best, bestV := 0, int64(-1)
	for _, s := range stats {
		v := int64(s.Clickers)
		if metric == MetricRevenue {
			v = s.RevenueMinor
		}
		if v > bestV {
			best, bestV = s.Variant, v
		}
	}
	return best
}

// location loads (once) the named time zone, else the workspace's, else UTC.
func (r *runner) location(names ...string) *time.Location {
	for _, n := range names {
		if n == "" {
			continue
		}
		if l, ok := r.locs.Load(n); ok {
			if loc := l.(*time.Location); loc != nil {
				return loc
			}
			continue
		}
		loc := location(n)
		if loc == time.UTC && n != "UTC" {
			r.locs.Store(n, (*time.Location)(nil))
			continue
		}
		r.locs.Store(n, loc)
		return loc
	}
	return time.UTC
}
