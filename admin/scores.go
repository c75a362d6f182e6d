package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/cartwheelhq/cartwheel/personalization/scores"
	"github.com/cartwheelhq/cartwheel/store"
)

// routesScores registers the RFM page and its cells' contact lists.
func (h *Handler) routesScores(m *http.ServeMux) {
	m.HandleFunc("GET /admin/w/{ws}/scores", h.inWorkspace(h.rfmPage))
	m.HandleFunc("GET /admin/w/{ws}/scores/{cell}", h.inWorkspace(h.rfmCell))
}

// scoreView is the contact card's "Scores & predictions" block, as text;
// an empty figure is one there is none of.
type scoreView struct {
	Cell, RFM, Engagement, PAlive, Orders90, CLV, Tier, Next, Confidence, Band string
	Prefs                                                                      []string
}

// contactScores is the contact card's block: nil before the contact is
// first scored.
func (h *Handler) contactScores(ctx context.Context, workspaceID, contactID string) (*scoreView, error) {
	sc, err := h.opt.Store.ContactScores(ctx, workspaceID, contactID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := func(v *float64, format string, scale float64) string {
		if v == nil {
			return ""
		}
		return fmt.Sprintf(format, *v*scale)
	}
	s := func(v *string) string {
		if v == nil {
			return ""
		}
		return *v
	}
	v := &scoreView{Cell: s(sc.RFMCell), Engagement: fmt.Sprintf("%.1f", sc.Engagement), PAlive: f(sc.PAlive, "%.0f%%", 100),
		Orders90: f(sc.ExpectedOrders90, "%.2f", 1), CLV: f(sc.CLV, "%.2f", 1), Tier: s(sc.CLVTier),
		Confidence: s(sc.Confidence), Band: s(sc.PriceBand)}
	if sc.RFMR != nil && sc.RFMF != nil && sc.RFMM != nil {
		v.RFM = fmt.Sprintf("R%d F%d M%d", *sc.RFMR, *sc.RFMF, *sc.RFMM)
	}
	if sc.NextOrderAt != nil {
		v.Next = sc.NextOrderAt.Format("2006-01-02")
	}
	var cats, brands []string
	_ = json.Unmarshal(sc.TopCats, &cats) // stored by the score processor as a list of names
	_ = json.Unmarshal(sc.TopBrands, &brands)
	v.Prefs = append(cats, brands...)
	return v, nil
}

// rfmCellRow is one cell of the RFM page.
type rfmCellRow struct {
	Name  string
	Count int
	Share string
}

func (h *Handler) rfmPage(w http.ResponseWriter, r *http.Request, q *request) error {
	ctx := r.Context()
	cells, err := h.opt.Store.RFMCells(ctx, q.WS.ID)
	if err != nil {
		return err
	}
	grid, err := h.opt.Store.RFMGrid(ctx, q.WS.ID)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range cells {
		total += n
	}
	rows := make([]rfmCellRow, 0, len(scores.Cells))
	for _, c := range scores.Cells {
		rows = append(rows, rfmCellRow{Name: c, Count: cells[c], Share: percent(int64(cells[c]), int64(total))})
	}
	// Recency 5 (most recent) on top, as the cells read.
	type gridRow struct {
		R      int
		Counts [5]int
	}
	var g []gridRow
	for r := 5; r >= 1; r-- {
		g = append(g, gridRow{R: r, Counts: grid[r-1]})
	}
	data := map[string]any{"Title": "scores.title", "Cells": rows, "Grid": g, "Total": total}
	if _, at, err := h.opt.Store.ScoreModel(ctx, q.WS.ID); err == nil {
		data["FittedAt"] = at
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	h.render(w, r, q, http.StatusOK, "scores.html", data)
	return nil
}

func (h *Handler) rfmCell(w http.ResponseWriter, r *http.Request, q *request) error {
	cell := r.PathValue("cell")
	if !slices.Contains(scores.Cells, cell) {
		http.NotFound(w, r)
		return nil
	}
	after := r.URL.Query().Get("after")
	const page = 50
	cs, err := h.opt.Store.CellContacts(r.Context(), q.WS.ID, cell, after, page+1)
	if err != nil {
		return err
	}
	next := ""
	if len(cs) > page {
		cs, next = cs[:page], cs[page-1].ContactID
	}
	h.render(w, r, q, http.StatusOK, "scores_cell.html", map[string]any{"Title": "scores.title", "Cell": cell,
		"Contacts": cs, "Next": next})
	return nil
}
