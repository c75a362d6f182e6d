package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliveryDone    = "done"
	DeliveryIgnored = "ignored"
	DeliveryFailed  = "failed"
)

// Delivery is one raw webhook delivery as it arrived. It is stored before the
// platform is answered, so a crash after the answer loses nothing, and
// processed afterwards.
type Delivery struct {
	ID          int64     `json:"id"`
	WorkspaceID string    `json:"workspace_id"`
	ShopID      string    `json:"shop_id"`
	Platform    string    `json:"platform"`
	Topic       string    `json:"topic"`
	DedupKey    string    `json:"dedup_key"`
	Body        []byte    `json:"-"`
	ReceivedAt  time.Time `json:"received_at"`
	Attempts    int       `json:"attempts"`
	NextAt      time.Time `json:"next_at,omitzero"`
	Status      string    `json:"status"`
	Error       string    `json:"error,omitempty"`
	ProcessedAt time.Time `json:"processed_at,omitzero"`
}

func scanDelivery(row scanner) (Delivery, error) {
	var d Delivery
	var recv, next, proc int64
	err := row.Scan(&d.ID, &d.WorkspaceID, &d.ShopID, &d.Platform, &d.Topic, &d.DedupKey, &d.Body, &recv,
		&d.Attempts, &next, &d.Status, &d.Error, &proc)
	d.ReceivedAt, d.NextAt, d.ProcessedAt = fromMS(recv), fromMS(next), fromMS(proc)
	return d, err
}

// InsertDelivery stores a delivery; it reports false, without error, when
// the shop already delivered one with the same dedup key.
func (s *Store) InsertDelivery(ctx context.Context, d Delivery) (bool, error) {
	ins, err := s.InsertDeliveries(ctx, []Delivery{d})
	if err != nil {
		return false, err
	}
	return ins[0], nil
}

// InsertDeliveries stores several deliveries in one transaction (one
// fsync: group commit) and reports for each whether it was new.
func (s *Store) InsertDeliveries(ctx context.Context, ds []Delivery) ([]bool, error) {
	inserted := make([]bool, len(ds))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.q.DeliveryInsert)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, d := range ds {
			res, err := stmt.ExecContext(ctx, d.WorkspaceID, d.ShopID, d.Platform, d.Topic, d.DedupKey, d.Body, ms(d.ReceivedAt))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			inserted[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("insert deliveries: %w", err)
	}
	return inserted, nil
}

// PendingDeliveries returns up to limit deliveries due at now, oldest first.
func (s *Store) PendingDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	return list(ctx, s.w, "pending deliveries", s.q.DeliveryPending, scanDelivery, ms(now), limit)
}

// FinishDelivery records a delivery's final outcome (done, ignored or failed).
func (s *Store) FinishDelivery(ctx context.Context, id int64, status, errText string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.DeliveryFinish, id, status, errText, ms(at)); err != nil {
		return fmt.Errorf("finish delivery %d: %w", id, err)
	}
	return nil
}

// RetryDelivery records a failed attempt and when to try again.
func (s *Store) RetryDelivery(ctx context.Context, id int64, errText string, next time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.DeliveryRetry, id, errText, ms(next)); err != nil {
		return fmt.Errorf("retry delivery %d: %w", id, err)
	}
	return nil
}

// Deliveries lists a shop's deliveries newest first, below id before (0 =
// from the newest), optionally of one status.
func (s *Store) Deliveries(ctx context.Context, workspaceID, shopID, status string, before int64, limit int) ([]Delivery, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return list(ctx, s.r, "deliveries", s.q.DeliveryList, scanDelivery, workspaceID, shopID, status, before, limit)
}

// DeliveryStats counts a shop's deliveries by status.
type DeliveryStats struct {
	Counts       map[string]int `json:"counts"`
	LastReceived time.Time      `json:"last_received_at,omitzero"`
}

// ShopDeliveryStats summarises a shop's deliveries for its status page.
func (s *Store) ShopDeliveryStats(ctx context.Context, workspaceID, shopID string) (DeliveryStats, error) {
	st := DeliveryStats{Counts: map[string]int{}}
	rows, err := s.r.QueryContext(ctx, s.q.DeliveryCounts, workspaceID, shopID)
	if err != nil {
		return st, fmt.Errorf("delivery stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		var last int64
		if err := rows.Scan(&status, &n, &last); err != nil {
			return st, fmt.Errorf("delivery stats: %w", err)
		}
		st.Counts[status] = n
		if t := fromMS(last); t.After(st.LastReceived) {
			st.LastReceived = t
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("delivery stats: %w", err)
	}
	return st, nil
}

// PruneDeliveries deletes processed deliveries received before done and
// failed ones received before failed, and reports how many went.
func (s *Store) PruneDeliveries(ctx context.Context, done, failed time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.q.DeliveryPrune, ms(done), ms(failed))
	if err != nil {
		return 0, fmt.Errorf("prune deliveries: %w", err)
	}
	return res.RowsAffected()
}
