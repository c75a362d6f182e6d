package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// widgetQueries are the queries of on-site widgets: their definitions,
// their statistics, and the state /decide keeps warm.
type widgetQueries struct {
	WidgetCreate          string `query:"widget-create"`
	WidgetGet             string `query:"widget-get"`
	WidgetList            string `query:"widget-list"`
	WidgetUpdate          string `query:"widget-update"`
	WidgetStatsAdd        string `query:"widget-stats-add"`
	WidgetStatsList       string `query:"widget-stats-list"`
	WidgetVisitorList     string `query:"widget-visitor-list"`
	WidgetVisitorPut      string `query:"widget-visitor-put"`
	WishlistAdd           string `query:"wishlist-add"`
	WishlistRemove        string `query:"wishlist-remove"`
	WishlistList          string `query:"wishlist-list"`
	WidgetCatalogPage     string `query:"widget-catalog-page"`
	WidgetProfileSnapshot string `query:"widget-profile-snapshot"`
	WidgetInboxUnread     string `query:"widget-inbox-unread"`

	EraseWidgetVisitor           string `query:"erase-widget-visitor"`
	EraseWishlistVisitor         string `query:"erase-wishlist-visitor"`
	EraseWorkspaceWidgetVisitors string `query:"erase-workspace-widget-visitors"`
	EraseWorkspaceWishlists      string `query:"erase-workspace-wishlists"`
}

// Widget is a stored widget; Definition is the admin's JSON as validated
// by package widgets.
type Widget struct {
	WorkspaceID string          `json:"workspace_id"`
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Status      string          `json:"status"`
	Definition  json.RawMessage `json:"definition"`
	Template    string          `json:"template,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

func scanWidget(row scanner) (Widget, error) {
	var w Widget
	var def string
	var created, updated int64
	err := row.Scan(&w.WorkspaceID, &w.ID, &w.Name, &w.Kind, &w.Status, &def, &w.Template, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return w, ErrNotFound
	}
	w.Definition = json.RawMessage(def)
	w.CreatedAt, w.UpdatedAt = fromMS(created), fromMS(updated)
	return w, err
}

// CreateWidget stores a new widget.
func (s *Store) CreateWidget(ctx context.Context, w Widget) error {
	_, err := s.w.ExecContext(ctx, s.q.WidgetCreate, w.WorkspaceID, w.ID, w.Name, w.Kind, w.Status, string(w.Definition),
		w.Template, ms(w.CreatedAt))
	if err != nil {
		return fmt.Errorf("create widget: %w", err)
	}
	return nil
}

// Widget returns one widget of the workspace.
func (s *Store) Widget(ctx context.Context, workspaceID, id string) (Widget, error) {
	w, err := scanWidget(s.r.QueryRowContext(ctx, s.q.WidgetGet, workspaceID, id))
	if err != nil {
		return w, fmt.Errorf("widget %s: %w", id, err)
	}
	return w, nil
}

// Widgets lists the workspace's widgets, oldest first.
func (s *Store) Widgets(ctx context.Context, workspaceID string) ([]Widget, error) {
	return list(ctx, s.r, "widgets", s.q.WidgetList, scanWidget, workspaceID)
}

// UpdateWidget replaces a widget's name, kind, status and definition.
func (s *Store) UpdateWidget(ctx context.Context, w Widget) error {
	res, err := s.w.ExecContext(ctx, s.q.WidgetUpdate, w.WorkspaceID, w.ID, w.Name, w.Kind, w.Status, string(w.Definition),
		ms(w.UpdatedAt))
	if err != nil {
		return fmt.Errorf("update widget: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("widget %s: %w", w.ID, ErrNotFound)
	}
	return nil
}

// WidgetStat is a count of what visitors did with one variant of a widget
// (one day of it when written, a total when read).
type WidgetStat struct {
	WidgetID     string `json:"-"`
	Variant      string `json:"variant"`
	Day          int64  `json:"-"` // days since 1970-01-01 UTC
	Impressions  int64  `json:"impressions"`
	Clicks       int64  `json:"clicks"`
	Closes       int64  `json:"closes"`
	Submissions  int64  `json:"submissions"`
	Conversions  int64  `json:"conversions"`
	RevenueMinor int64  `json:"revenue_minor"`
}

// WidgetStats totals a widget's statistics per variant from day since on.
func (s *Store) WidgetStats(ctx context.Context, workspaceID, widgetID string, since int64) ([]WidgetStat, error) {
	return list(ctx, s.r, "widget stats", s.q.WidgetStatsList, func(row scanner) (WidgetStat, error) {
		st := WidgetStat{WidgetID: widgetID}
		err := row.Scan(&st.Variant, &st.Impressions, &st.Clicks, &st.Closes, &st.Submissions, &st.Conversions, &st.RevenueMinor)
		return st, err
	}, workspaceID, widgetID, since)
}

// WidgetMark is what one visitor has seen and done of one widget.
type WidgetMark struct {
	WidgetID     string
	Variant      string
	ShownAt      time.Time
	ShownSession string
	Shows        int
	ClosedAt     time.Time
	SubmittedAt  time.Time
	ConvertedAt  time.Time
	// ClickedAt is the last click (widget_clicked, reco_clicked).
	ClickedAt time.Time
}

// WidgetMarks returns a visitor's marks (a point lookup).
func (s *Store) WidgetMarks(ctx context.Context, workspaceID, visitorID string) ([]WidgetMark, error) {
	return list(ctx, s.r, "widget marks", s.q.WidgetVisitorList, func(row scanner) (WidgetMark, error) {
		var m WidgetMark
		var shown, closed, submitted, converted, clicked int64
		err := row.Scan(&m.WidgetID, &m.Variant, &shown, &m.ShownSession, &m.Shows, &closed, &submitted, &converted, &clicked)
		m.ShownAt, m.ClosedAt, m.SubmittedAt, m.ConvertedAt = fromMS(shown), fromMS(closed), fromMS(submitted), fromMS(converted)
		m.ClickedAt = fromMS(clicked)
		return m, err
	}, workspaceID, visitorID)
}

// Wishlist returns a visitor's wishlisted product ids, newest first.
func (s *Store) Wishlist(ctx context.Context, workspaceID, visitorID string) ([]string, error) {
	return list(ctx, s.r, "wishlist", s.q.WishlistList, func(row scanner) (string, error) {
		var id string
		return id, row.Scan(&id)
	}, workspaceID, visitorID)
}

// CatalogItem is a product as /decide renders it.
type CatalogItem struct {
	ID         string
	Title      string
	URL        string
	ImageURL   string
	PriceMinor int64
	Currency   string
	Category   string
	Stock      int64
	Status     string
	CreatedAt  time.Time
}

// CatalogPage returns up to limit products of the workspace with ids after
// after, in id order: the catalogue is loaded in pages at start.
func (s *Store) CatalogPage(ctx context.Context, workspaceID, after string, limit int) ([]CatalogItem, error) {
	return list(ctx, s.r, "catalog", s.q.WidgetCatalogPage, func(row scanner) (CatalogItem, error) {
		var c CatalogItem
		var created int64
		err := row.Scan(&c.ID, &c.Title, &c.URL, &c.ImageURL, &c.PriceMinor, &c.Currency, &c.Category, &c.Stock, &c.Status, &created)
		c.CreatedAt = fromMS(created)
		return c, err
	}, workspaceID, after, limit)
}

// ProfileSnapshot returns a contact's profile document (nil when it has
// none) and the profile processor's checkpoint, read in one statement: the
// profile counts exactly the events up to that position.
func (s *Store) ProfileSnapshot(ctx context.Context, workspaceID, contactID string) (json.RawMessage, int64, error) {
	var data string
	var pos int64
	if err := s.r.QueryRowContext(ctx, s.q.WidgetProfileSnapshot, workspaceID, contactID).Scan(&data, &pos); err != nil {
		return nil, 0, fmt.Errorf("profile snapshot: %w", err)
	}
	if data == "" {
		return nil, pos, nil
	}
	return json.RawMessage(data), pos, nil
}

// UnreadInbox counts a contact's unread inbox messages.
func (s *Store) UnreadInbox(ctx context.Context, workspaceID, contactID string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, s.q.WidgetInboxUnread, workspaceID, contactID).Scan(&n); err != nil {
		return 0, fmt.Errorf("unread inbox: %w", err)
	}
	return n, nil
}

// AddWidgetStats adds counts to widget statistics.
func (t *Tx) AddWidgetStats(workspaceID string, st WidgetStat) error {
	_, err := t.tx.ExecContext(t.ctx, t.q.WidgetStatsAdd, workspaceID, st.WidgetID, st.Variant, st.Day, st.Impressions,
		st.Clicks, st.Closes, st.Submissions, st.Conversions, st.RevenueMinor)
	if err != nil {
		return fmt.Errorf("widget stats: %w", err)
	}
	return nil
}

// PutWidgetMark stores a visitor's mark for one widget.
func (t *Tx) PutWidgetMark(workspaceID, visitorID string, m WidgetMark) error {
	_, err := t.tx.ExecContext(t.ctx, t.q.WidgetVisitorPut, workspaceID, visitorID, m.WidgetID, m.Variant, ms(m.ShownAt),
		m.ShownSession, m.Shows, ms(m.ClosedAt), ms(m.SubmittedAt), ms(m.ConvertedAt), ms(m.ClickedAt))
	if err != nil {
		return fmt.Errorf("widget mark: %w", err)
	}
	return nil
}

// SetWishlisted adds a product to a visitor's wishlist, or removes it.
func (t *Tx) SetWishlisted(workspaceID, visitorID, productID string, on bool, at time.Time) error {
	var err error
	if on {
		_, err = t.tx.ExecContext(t.ctx, t.q.WishlistAdd, workspaceID, visitorID, productID, ms(at))
	} else {
		_, err = t.tx.ExecContext(t.ctx, t.q.WishlistRemove, workspaceID, visitorID, productID)
	}
	if err != nil {
		return fmt.Errorf("wishlist: %w", err)
	}
	return nil
}
