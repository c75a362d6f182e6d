package scores

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/predict"
	"github.com/cartwheelhq/cartwheel/store"
)

// Params are a workspace's fit, stored in score_models: what scoring one
// contact between refits needs.
type Params struct {
	// Model is nil when the workspace has too little history for one
	// (ModelError says why): predictions are then NULL for everyone.
	Model      *predict.Params `json:"model,omitempty"`
	ModelError string          `json:"model_error,omitempty"`
	Breaks     Breaks          `json:"rfm_breaks"`
	// CLVTiers are the CLV tertiles of the predicted contacts.
	CLVTiers [2]float64 `json:"clv_tiers"`
	// PriceTiers are the catalogue's price tertiles (minor units).
	PriceTiers [2]float64 `json:"price_tiers"`
	Contacts   int        `json:"contacts"`
	FittedAt   time.Time  `json:"fitted_at"`
}

// CLV tiers, stored in contact_scores.clv_tier and shown to templates.
const (
	TierHigh   = "high"
	TierMedium = "medium"
	TierLow    = "low"
)

// Confidence levels of a prediction.
const (
	ConfidenceHigh   = "high"   // four or more order days
	ConfidenceMedium = "medium" // two or three
	ConfidenceLow    = "low"    // one: BG/NBD's P(alive) says nothing yet
)

func tier(v float64, t [2]float64) string {
	switch {
	case v >= t[1] && t[1] > 0:
		return TierHigh
	case v >= t[0] && t[0] > 0:
		return TierMedium
	default:
		return TierLow
	}
}

// Scorer refits workspaces and scores contacts.
type Scorer struct {
	st   *store.Store
	log  *slog.Logger
	opts Options
	now  func() time.Time
}

// NewScorer returns a scorer; now may be nil (time.Now).
func NewScorer(st *store.Store, log *slog.Logger, o Options, now func() time.Time) *Scorer {
	if now == nil {
		now = time.Now
	}
	return &Scorer{st: st, log: log, opts: o.withDefaults(), now: now}
}

// History is one contact's orders for scoring.
type History struct {
	ContactID string
	Orders    []predict.Order
}

// Scored is one contact's computed order scores.
type Scored struct {
	ContactID string
	store.OrderScores
}

// Compute fits the workspace's RFM breakpoints and prediction models to
// the histories as of now and scores every contact. It is the whole refit
// but for reading and writing, so the benchmark can time it apart.
func Compute(ctx context.Context, hs []History, now time.Time, o Options) (Params, []Scored, error) {
	o = o.withDefaults()
	day := predict.DayOf(now) + 1 // as of the end of today: today's orders count
	p := Params{FittedAt: now, Contacts: len(hs)}
	ss := make([]predict.Summary, 0, len(hs))
	rfm := make([]RFMInput, 0, len(hs))
	for _, h := range hs {
		s, ok := predict.Summarize(h.Orders, day)
		if !ok {
			continue
		}
		s.ID = h.ContactID
		ss = append(ss, s)
		rfm = append(rfm, rfmInput(s, now))
	}
	p.Breaks = FitBreaks(slices.Clone(rfm))
	m, err := predict.Fit(ctx, ss, predict.Options{MinCustomers: o.MinCustomers, MinRepeaters: o.MinRepeaters})
	switch {
	case err == nil:
		mp := m.Params()
		p.Model = &mp
	case errors.Is(err, predict.ErrTooFewCustomers) || errors.Is(err, predict.ErrNoFit):
		p.ModelError = err.Error()
	default:
		return p, nil, err
	}
	out := make([]Scored, len(ss))
	// Contacts are scored independently with a read-only model: one
	// goroutine per CPU, each on a contiguous share.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(ss)/1024))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(ss)/workers, (w+1)*len(ss)/workers
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				if (i-lo)%4096 == 0 && ctx.Err() != nil {
					return
				}
				out[i] = Scored{ContactID: ss[i].ID, OrderScores: p.score(m, ss[i], rfm[i], now)}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return p, nil, err
	}
	var clvs []float64
	for i := range out {
		if c := out[i].CLV; c != nil {
			clvs = append(clvs, *c)
		}
	}
	p.CLVTiers = Tertiles(clvs)
	for i := range out {
		if c := out[i].CLV; c != nil {
			t := tier(*c, p.CLVTiers)
			out[i].CLVTier = &t
		}
	}
	return p, out, nil
}

func rfmInput(s predict.Summary, now time.Time) RFMInput {
	last := predict.DayTime(s.Last)
	return RFMInput{RecencyDays: math.Floor(now.Sub(last).Hours() / 24), Orders: float64(s.Orders),
		Revenue: s.MeanValue * float64(s.Orders)}
}

func ptr[T any](v T) *T { return &v }

// score is one contact's order scores under the fit (m nil: no model).
// The CLV tier is left to the caller, which knows the tiers.
func (p Params) score(m *predict.Model, s predict.Summary, x RFMInput, now time.Time) store.OrderScores {
	r, f, mq, cell := p.Breaks.Score(x)
	last := predict.DayTime(s.Last)
	o := store.OrderScores{RFMR: &r, RFMF: &f, RFMM: &mq, RFMCell: &cell, RecencyDays: ptr(int(x.RecencyDays)),
		OrderCount: s.Orders, Revenue: round2(x.Revenue), LastOrderAt: &last}
	if m == nil {
		return o
	}
	pr := m.Predict(s)
	if !pr.OneTime && !m.NoDropout {
		// A one-time buyer is alive with probability 1 by BG/NBD's
		// construction, and a fit without dropout says 1 for everyone:
		// neither is a figure to act on, so none is stored.
		o.PAlive, o.ChurnRisk = ptr(pr.PAlive), ptr(pr.Churn)
	}
	o.POrder30, o.POrder90 = ptr(pr.POrder30), ptr(pr.POrder90)
	o.ExpectedOrders30, o.ExpectedOrders90 = ptr(pr.Orders30), ptr(pr.Orders90)
	if pr.HasValue {
		o.ExpectedSpend90, o.CLV = ptr(round2(pr.Spend90)), ptr(round2(pr.CLV))
	}
	if !math.IsNaN(pr.NextOrderDays) && !math.IsInf(pr.NextOrderDays, 0) {
		o.NextOrderAt = ptr(pr.NextOrder)
	}
	conf := ConfidenceLow
	switch {
	case s.Orders >= 4:
		conf = ConfidenceHigh
	case s.Orders >= 2:
		conf = ConfidenceMedium
	}
	o.Confidence = &conf
	return o
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Refit reads every order of the workspace, refits its models and
// breakpoints, rescores every contact with orders, decays every engagement
// score to now and re-bands prices, and stores the fit. Contacts whose
// orders are gone (cancelled, moved) lose their order scores.
func (sc *Scorer) Refit(ctx context.Context, workspaceID string) (Params, error) {
	now := sc.now().UTC()
	byContact := map[string][]predict.Order{}
	err := sc.st.ScoreOrders(ctx, workspaceID, func(o store.ScoreOrder) error {
		if o.ContactID != "" {
			byContact[o.ContactID] = append(byContact[o.ContactID],
				predict.Order{Day: predict.DayOf(o.PlacedAt), Value: float64(o.ValueMinor) / 100})
		}
		return nil
	})
	if err != nil {
		return Params{}, err
	}
	hs := make([]History, 0, len(byContact))
	for id, os := range byContact {
		hs = append(hs, History{ContactID: id, Orders: os})
	}
	p, scored, err := Compute(ctx, hs, now, sc.opts)
	if err != nil {
		return p, err
	}
	prices, err := sc.st.CatalogPrices(ctx, workspaceID)
	if err != nil {
		return p, err
	}
	fs := make([]float64, len(prices))
	for i, v := range prices {
		fs[i] = float64(v)
	}
	p.PriceTiers = Tertiles(fs)
	rows := make([]store.ScoredContact, len(scored))
	for i, s := range scored {
		rows[i] = store.ScoredContact{ContactID: s.ContactID, OrderScores: s.OrderScores}
	}
	if err := sc.st.PutOrderScores(ctx, workspaceID, rows, now); err != nil {
		return p, err
	}
	if err := sc.st.ClearStaleScores(ctx, workspaceID, now); err != nil {
		return p, err
	}
	if err := sc.refreshActivity(ctx, workspaceID, p, now); err != nil {
		return p, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return p, fmt.Errorf("score params: %w", err)
	}
	if err := sc.st.PutScoreModel(ctx, workspaceID, raw, now); err != nil {
		return p, err
	}
	sc.log.Info("scores refitted", "workspace", workspaceID, "contacts", len(scored),
		"model", p.Model != nil, "why_not", p.ModelError)
	return p, nil
}

// refreshActivity decays every stored engagement score to now, so that a
// condition on the engagement column compares today's figure, and puts
// each contact in the new price bands.
func (sc *Scorer) refreshActivity(ctx context.Context, workspaceID string, p Params, now time.Time) error {
	after := ""
	for {
		page, err := sc.st.ActivityPage(ctx, workspaceID, after, 5000)
		if err != nil || len(page) == 0 {
			return err
		}
		for i := range page {
			a := parseActivity(page[i].Prefs)
			activityRow(&page[i].ActivityScores, &a, p, now, sc.opts)
		}
		if err := sc.st.PutActivityScores(ctx, workspaceID, page, now); err != nil {
			return err
		}
		after = page[len(page)-1].ContactID
	}
}

// activityRow fills the stored columns from the running state, decayed
// to now.
func activityRow(row *store.ActivityScores, a *Activity, p Params, now time.Time, o Options) {
	a.Engage(0, now, o.HalfLife)
	row.Engagement = math.Round(a.Engagement*1000) / 1000
	row.EngagementAt = time.UnixMilli(a.EngagementAt).UTC()
	cats, _ := json.Marshal(Top(a.Cats, topN))
	brands, _ := json.Marshal(Top(a.Brands, topN))
	row.TopCats, row.TopBrands = cats, brands
	row.PriceBand = nil
	if b := a.PriceBand(p.PriceTiers); b != "" {
		row.PriceBand = &b
	}
	row.Prefs, _ = json.Marshal(a)
}

// LoadParams returns the workspace's stored fit; ok is false before the
// first refit.
func (sc *Scorer) LoadParams(ctx context.Context, workspaceID string) (p Params, ok bool, err error) {
	raw, _, err := sc.st.ScoreModel(ctx, workspaceID)
	if errors.Is(err, store.ErrNotFound) {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, false, fmt.Errorf("score params of %s: %w", workspaceID, err)
	}
	return p, true, nil
}

// OrderScores scores one contact from its orders in the store with the
// workspace's stored fit (before any refit: RFM and predictions stay
// NULL, only the order count and revenue are set). ok is false when the
// contact has no orders.
func (sc *Scorer) OrderScores(ctx context.Context, workspaceID, contactID string, p Params, fitted bool) (store.OrderScores, error) {
	now := sc.now().UTC()
	os, err := sc.st.ContactScoreOrders(ctx, workspaceID, contactID)
	if err != nil {
		return store.OrderScores{}, err
	}
	orders := make([]predict.Order, len(os))
	for i, o := range os {
		orders[i] = predict.Order{Day: predict.DayOf(o.PlacedAt), Value: float64(o.ValueMinor) / 100}
	}
	s, ok := predict.Summarize(orders, predict.DayOf(now)+1)
	if !ok {
		return store.OrderScores{}, nil
	}
	s.ID = contactID
	x := rfmInput(s, now)
	if !fitted {
		last := predict.DayTime(s.Last)
		return store.OrderScores{OrderCount: s.Orders, Revenue: round2(x.Revenue), LastOrderAt: &last,
			RecencyDays: ptr(int(x.RecencyDays))}, nil
	}
	var m *predict.Model
	if p.Model != nil {
		m = p.Model.Model()
	}
	o := p.score(m, s, x, now)
	if o.CLV != nil {
		o.CLVTier = ptr(tier(*o.CLV, p.CLVTiers))
	}
	return o, nil
}
