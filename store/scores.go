package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// scoreQueries are the queries of per-contact scores and predictions
// (personalization/scores).
type scoreQueries struct {
	ScorePutOrders       string `query:"score-put-orders"`
	ScorePutActivity     string `query:"score-put-activity"`
	ScoreClearStale      string `query:"score-clear-stale"`
	ScoreGet             string `query:"score-get"`
	ScoreActivityPage    string `query:"score-activity-page"`
	ScoreRFMCells        string `query:"score-rfm-cells"`
	ScoreRFMGrid         string `query:"score-rfm-grid"`
	ScoreCellContacts    string `query:"score-cell-contacts"`
	ScoreModelGet        string `query:"score-model-get"`
	ScoreModelPut        string `query:"score-model-put"`
	ScoreOrdersWorkspace string `query:"score-orders-workspace"`
	ScoreOrdersContact   string `query:"score-orders-contact"`
	ScoreCatalogPrices   string `query:"score-catalog-prices"`
	ScoreProductFacets   string `query:"score-product-facets"`
}

// OrderScores are a contact's RFM cell and predictions. A nil pointer is
// "no score": no orders, or too little history for the models.
type OrderScores struct {
	RFMR        *int       `json:"rfm_r"`
	RFMF        *int       `json:"rfm_f"`
	RFMM        *int       `json:"rfm_m"`
	RFMCell     *string    `json:"rfm_cell"`
	RecencyDays *int       `json:"recency_days"`
	OrderCount  int        `json:"order_count"`
	Revenue     float64    `json:"revenue"`
	LastOrderAt *time.Time `json:"last_order_at"`

	PAlive           *float64   `json:"p_alive"`
	ChurnRisk        *float64   `json:"churn_risk"`
	POrder30         *float64   `json:"p_order_30"`
	POrder90         *float64   `json:"p_order_90"`
	ExpectedOrders30 *float64   `json:"expected_orders_30"`
	ExpectedOrders90 *float64   `json:"expected_orders_90"`
	ExpectedSpend90  *float64   `json:"expected_spend_90"`
	CLV              *float64   `json:"clv"`
	CLVTier          *string    `json:"clv_tier"`
	NextOrderAt      *time.Time `json:"next_order_at"`
	Confidence       *string    `json:"prediction_confidence"`
}

// ActivityScores are what the score processor keeps from events: the
// engagement score and the product preferences.
type ActivityScores struct {
	Engagement   float64         `json:"engagement"`
	EngagementAt time.Time       `json:"engagement_at"`
	TopCats      json.RawMessage `json:"top_categories"`
	TopBrands    json.RawMessage `json:"top_brands"`
	PriceBand    *string         `json:"price_band"`
	// Prefs is the processor's running state; not shown.
	Prefs json.RawMessage `json:"-"`
}

// ContactScores is one contact_scores row.
type ContactScores struct {
	WorkspaceID string `json:"-"`
	ContactID   string `json:"contact_id"`
	OrderScores
	ActivityScores
	ScoredAt  time.Time `json:"scored_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}

func orderScoreArgs(workspaceID, contactID string, o OrderScores, at time.Time) []any {
	return []any{workspaceID, contactID, o.RFMR, o.RFMF, o.RFMM, o.RFMCell, o.RecencyDays, o.OrderCount, o.Revenue,
		msPtr(o.LastOrderAt), o.PAlive, o.ChurnRisk, o.POrder30, o.POrder90, o.ExpectedOrders30, o.ExpectedOrders90,
		o.ExpectedSpend90, o.CLV, o.CLVTier, msPtr(o.NextOrderAt), o.Confidence, at.UnixMilli()}
}

func activityArgs(workspaceID, contactID string, a ActivityScores, at time.Time) []any {
	return []any{workspaceID, contactID, a.Engagement, a.EngagementAt.UnixMilli(), string(orEmptyList(a.TopCats)),
		string(orEmptyList(a.TopBrands)), a.PriceBand, string(orEmptyObject(a.Prefs)), at.UnixMilli()}
}

func orEmptyList(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage("[]")
	}
	return m
}

func orEmptyObject(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage("{}")
	}
	return m
}

// ScoredContact is one contact's order scores, for PutOrderScores.
type ScoredContact struct {
	ContactID string
	OrderScores
}

// putChunk bounds the rows written per transaction, so that a refit of a
// million contacts never holds the writer that ingest needs for long.
const putChunk = 2000

// PutOrderScores writes the RFM and prediction columns of each contact,
// putChunk rows a transaction, stamped scored at at.
func (s *Store) PutOrderScores(ctx context.Context, workspaceID string, rows []ScoredContact, at time.Time) error {
	for len(rows) > 0 {
		n := min(len(rows), putChunk)
		err := s.InReplayableTx(ctx, func(tx *Tx) error {
			stmt, err := tx.tx.PrepareContext(ctx, s.q.ScorePutOrders)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for _, r := range rows[:n] {
				if _, err := stmt.ExecContext(ctx, orderScoreArgs(workspaceID, r.ContactID, r.OrderScores, at)...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("put order scores: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// ClearStaleScores empties the RFM and prediction columns of the contacts
// with orders whose scores are older than at (a refit that did not score
// them found no orders of theirs any more).
func (s *Store) ClearStaleScores(ctx context.Context, workspaceID string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.ScoreClearStale, workspaceID, at.UnixMilli()); err != nil {
		return fmt.Errorf("clear stale scores: %w", err)
	}
	return nil
}

// PutOrderScores writes one contact's RFM and prediction columns in the
// transaction.
func (t *Tx) PutOrderScores(workspaceID, contactID string, o OrderScores, at time.Time) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.ScorePutOrders, orderScoreArgs(workspaceID, contactID, o, at)...); err != nil {
		return fmt.Errorf("put order scores: %w", err)
	}
	return nil
}

// PutActivityScores writes one contact's engagement and preference columns
// in the transaction.
func (t *Tx) PutActivityScores(workspaceID, contactID string, a ActivityScores, at time.Time) error {
	if _, err := t.tx.ExecContext(t.ctx, t.q.ScorePutActivity, activityArgs(workspaceID, contactID, a, at)...); err != nil {
		return fmt.Errorf("put activity scores: %w", err)
	}
	return nil
}

// ContactScores returns a contact's scores row in the transaction
// (ErrNotFound when it has none yet).
func (t *Tx) ContactScores(workspaceID, contactID string) (ContactScores, error) {
	return scanScores(t.tx.QueryRowContext(t.ctx, t.q.ScoreGet, workspaceID, contactID))
}

// ContactScores returns a contact's scores row (ErrNotFound when it has
// none yet).
func (s *Store) ContactScores(ctx context.Context, workspaceID, contactID string) (ContactScores, error) {
	return scanScores(s.r.QueryRowContext(ctx, s.q.ScoreGet, workspaceID, contactID))
}

func scanScores(row scanner) (ContactScores, error) {
	var c ContactScores
	var last, next sql.NullInt64
	var engAt, scored, updated int64
	var cats, brands, prefs string
	o := &c.OrderScores
	err := row.Scan(&c.WorkspaceID, &c.ContactID, &o.RFMR, &o.RFMF, &o.RFMM, &o.RFMCell, &o.RecencyDays, &o.OrderCount,
		&o.Revenue, &last, &c.Engagement, &engAt, &o.PAlive, &o.ChurnRisk, &o.POrder30, &o.POrder90,
		&o.ExpectedOrders30, &o.ExpectedOrders90, &o.ExpectedSpend90, &o.CLV, &o.CLVTier, &next, &o.Confidence,
		&cats, &brands, &c.PriceBand, &prefs, &scored, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("contact scores: %w", err)
	}
	o.LastOrderAt, o.NextOrderAt = timePtr(last), timePtr(next)
	c.EngagementAt, c.ScoredAt, c.UpdatedAt = fromMS(engAt), fromMS(scored), fromMS(updated)
	c.TopCats, c.TopBrands, c.Prefs = json.RawMessage(cats), json.RawMessage(brands), json.RawMessage(prefs)
	return c, nil
}

// ActivityRow is one contact's activity columns, as a refit pages them.
type ActivityRow struct {
	ContactID string
	ActivityScores
}

// ActivityPage pages a workspace's score rows by contact id, limit at a
// time after afterID.
func (s *Store) ActivityPage(ctx context.Context, workspaceID, afterID string, limit int) ([]ActivityRow, error) {
	return list(ctx, s.r, "activity scores", s.q.ScoreActivityPage, func(row scanner) (ActivityRow, error) {
		var r ActivityRow
		var at int64
		var prefs string
		if err := row.Scan(&r.ContactID, &r.Engagement, &at, &prefs); err != nil {
			return r, err
		}
		r.EngagementAt, r.Prefs = fromMS(at), json.RawMessage(prefs)
		return r, nil
	}, workspaceID, afterID, limit)
}

// PutActivityScores writes the activity columns of rows, putChunk a
// transaction.
func (s *Store) PutActivityScores(ctx context.Context, workspaceID string, rows []ActivityRow, at time.Time) error {
	for len(rows) > 0 {
		n := min(len(rows), putChunk)
		err := s.InReplayableTx(ctx, func(tx *Tx) error {
			for _, r := range rows[:n] {
				if err := tx.PutActivityScores(workspaceID, r.ContactID, r.ActivityScores, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// RFMCells counts the workspace's contacts per RFM cell.
func (s *Store) RFMCells(ctx context.Context, workspaceID string) (map[string]int, error) {
	type cell struct {
		name string
		n    int
	}
	cs, err := list(ctx, s.r, "rfm cells", s.q.ScoreRFMCells, func(row scanner) (cell, error) {
		var c cell
		return c, row.Scan(&c.name, &c.n)
	}, workspaceID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(cs))
	for _, c := range cs {
		out[c.name] = c.n
	}
	return out, nil
}

// RFMGrid counts the workspace's contacts per recency (first index) and
// frequency score, 1–5 each at [score-1].
func (s *Store) RFMGrid(ctx context.Context, workspaceID string) ([5][5]int, error) {
	var g [5][5]int
	type cell struct{ r, f, n int }
	cs, err := list(ctx, s.r, "rfm grid", s.q.ScoreRFMGrid, func(row scanner) (cell, error) {
		var c cell
		return c, row.Scan(&c.r, &c.f, &c.n)
	}, workspaceID)
	if err != nil {
		return g, err
	}
	for _, c := range cs {
		if c.r >= 1 && c.r <= 5 && c.f >= 1 && c.f <= 5 {
			g[c.r-1][c.f-1] += c.n
		}
	}
	return g, nil
}

// CellContact is one contact of an RFM cell, as the console lists it.
type CellContact struct {
	ContactID  string   `json:"contact_id"`
	Email      string   `json:"email"`
	FirstName  string   `json:"first_name"`
	LastName   string   `json:"last_name"`
	Revenue    float64  `json:"revenue"`
	OrderCount int      `json:"order_count"`
	CLV        *float64 `json:"clv"`
}

// CellContacts pages the live contacts of an RFM cell by contact id.
func (s *Store) CellContacts(ctx context.Context, workspaceID, cell, afterID string, limit int) ([]CellContact, error) {
	return list(ctx, s.r, "cell contacts", s.q.ScoreCellContacts, func(row scanner) (CellContact, error) {
		var c CellContact
		return c, row.Scan(&c.ContactID, &c.Email, &c.FirstName, &c.LastName, &c.Revenue, &c.OrderCount, &c.CLV)
	}, workspaceID, cell, afterID, limit)
}

// ScoreModel returns a workspace's fitted score parameters (JSON, as the
// scores package wrote them) and when they were fitted; ErrNotFound
// before the first fit.
func (s *Store) ScoreModel(ctx context.Context, workspaceID string) (json.RawMessage, time.Time, error) {
	var params string
	var at int64
	err := s.r.QueryRowContext(ctx, s.q.ScoreModelGet, workspaceID).Scan(&params, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, ErrNotFound
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("score model: %w", err)
	}
	return json.RawMessage(params), fromMS(at), nil
}

// PutScoreModel stores a workspace's fitted score parameters.
func (s *Store) PutScoreModel(ctx context.Context, workspaceID string, params json.RawMessage, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q.ScoreModelPut, workspaceID, string(params), at.UnixMilli()); err != nil {
		return fmt.Errorf("put score model: %w", err)
	}
	return nil
}

// ScoreOrder is one order that counts for scores: its contact ("" when
// the identity graph knows none), time, value net of refunds in minor
// units, and line items (JSON commerce.LineItem).
type ScoreOrder struct {
	ContactID  string
	PlacedAt   time.Time
	ValueMinor int64
	Items      json.RawMessage
}

// ScoreOrders calls fn for every order of the workspace that was not
// cancelled, streaming so that a million orders are never all in memory
// as rows.
func (s *Store) ScoreOrders(ctx context.Context, workspaceID string, fn func(ScoreOrder) error) error {
	rows, err := s.r.QueryContext(ctx, s.q.ScoreOrdersWorkspace, workspaceID)
	if err != nil {
		return fmt.Errorf("score orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o ScoreOrder
		var placed int64
		var items string
		if err := rows.Scan(&o.ContactID, &placed, &o.ValueMinor, &items); err != nil {
			return fmt.Errorf("score orders: %w", err)
		}
		o.PlacedAt, o.Items = fromMS(placed), json.RawMessage(items)
		if err := fn(o); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ContactScoreOrders lists one contact's orders that count for scores
// (Items left empty).
func (s *Store) ContactScoreOrders(ctx context.Context, workspaceID, contactID string) ([]ScoreOrder, error) {
	return list(ctx, s.r, "contact score orders", s.q.ScoreOrdersContact, func(row scanner) (ScoreOrder, error) {
		o := ScoreOrder{ContactID: contactID}
		var placed int64
		err := row.Scan(&placed, &o.ValueMinor)
		o.PlacedAt = fromMS(placed)
		return o, err
	}, workspaceID, contactID)
}

// CatalogPrices lists the prices (minor units) of the workspace's active
// products.
func (s *Store) CatalogPrices(ctx context.Context, workspaceID string) ([]int64, error) {
	return list(ctx, s.r, "catalog prices", s.q.ScoreCatalogPrices, func(row scanner) (int64, error) {
		var p int64
		return p, row.Scan(&p)
	}, workspaceID)
}

// ProductFacets returns a product's category, vendor (brand) and price;
// ErrNotFound for a product the catalogue does not hold.
func (s *Store) ProductFacets(ctx context.Context, workspaceID, productID string) (category, vendor string, priceMinor int64, err error) {
	err = s.r.QueryRowContext(ctx, s.q.ScoreProductFacets, workspaceID, productID).Scan(&category, &vendor, &priceMinor)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", 0, ErrNotFound
	}
	if err != nil {
		return "", "", 0, fmt.Errorf("product facets: %w", err)
	}
	return category, vendor, priceMinor, nil
}
