package predict

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

var (
	// ErrTooFewCustomers: the workspace has too little history for a model;
	// none is made up.
	ErrTooFewCustomers = errors.New("predict: too few customers for a model")
	// ErrNoFit: the maximum-likelihood fit did not converge or is degenerate.
	ErrNoFit = errors.New("predict: the model could not be fitted")
)

// Options are the thresholds and economics of a fit. Zero values take the
// defaults noted.
type Options struct {
	// MinCustomers is the fewest customers a workspace needs for a model
	// (default 100): four parameters from fewer is a guess dressed as a fit.
	MinCustomers int
	// MinRepeaters is the fewest customers with a repeat order (default 20):
	// they alone tell the model anything about dropout and order value.
	MinRepeaters int
	// AnnualDiscount discounts future spend in the lifetime value (default
	// 0.10, i.e. 10 % a year; negative means none).
	AnnualDiscount float64
	// CLVDays is the lifetime value's horizon in days (default 365).
	CLVDays int
}

func (o Options) withDefaults() Options {
	if o.MinCustomers <= 0 {
		o.MinCustomers = 100
	}
	if o.MinRepeaters <= 0 {
		o.MinRepeaters = 20
	}
	if o.AnnualDiscount == 0 {
		o.AnnualDiscount = 0.10
	}
	if o.AnnualDiscount < 0 {
		o.AnnualDiscount = 0
	}
	if o.CLVDays <= 0 {
		o.CLVDays = 365
	}
	return o
}

// Model is one workspace's fitted models.
type Model struct {
	BGNBD BGNBD
	// Value is nil when Gamma–Gamma could not be fitted: predictions then
	// carry orders but no spend.
	Value      *GammaGamma
	ValueError error
	Customers  int
	Repeaters  int
	// NoDropout is set when the fit put the mean dropout probability
	// a/(a+b) below 1e-6: the data show no sign of customers leaving, BG/NBD
	// has become its no-dropout limit (NBD), and PAlive is ≈ 1 for everyone
	// and ranks nobody. Expected orders and POrder stay meaningful.
	NoDropout bool
	LogLik    float64
	Evals     int
	Elapsed   time.Duration
	opts      Options
}

// Summaries summarises each customer's orders before day now, skipping
// customers without any (they get no prediction).
func Summaries(cs []Customer, now int32) []Summary {
	ss := make([]Summary, 0, len(cs))
	for _, c := range cs {
		if s, ok := Summarize(c.Orders, now); ok {
			s.ID = c.ID
			ss = append(ss, s)
		}
	}
	return ss
}

// Fit fits BG/NBD and Gamma–Gamma to the summaries of one workspace. It
// refuses (ErrTooFewCustomers, ErrNoFit) rather than return a model the data
// cannot support.
func Fit(ctx context.Context, ss []Summary, o Options) (*Model, error) {
	o = o.withDefaults()
	start := time.Now()
	rep := 0
	for _, s := range ss {
		if s.X > 0 {
			rep++
		}
	}
	if len(ss) < o.MinCustomers || rep < o.MinRepeaters {
		return nil, fmt.Errorf("%w: %d customers, %d with a repeat order (need %d and %d)",
			ErrTooFewCustomers, len(ss), rep, o.MinCustomers, o.MinRepeaters)
	}
	bg, ll, evals, err := FitBGNBD(ctx, ss)
	if err != nil {
		return nil, err
	}
	m := &Model{BGNBD: bg, Customers: len(ss), Repeaters: rep, LogLik: ll, Evals: evals, opts: o,
		NoDropout: bg.A/(bg.A+bg.B) < 1e-6}
	if gg, ev, err := FitGammaGamma(ctx, ss); err == nil {
		m.Value = &gg
		m.Evals += ev
	} else {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		m.ValueError = err
	}
	m.Elapsed = time.Since(start)
	return m, nil
}

// Prediction is what the models say about one customer at the summary's day.
type Prediction struct {
	ID string
	// Orders is the number of distinct order days so far.
	Orders int
	// OneTime marks a customer with a single order day: PAlive is 1 by the
	// model's assumption and says nothing; rank by POrder90 instead.
	OneTime bool
	// PAlive is the probability the customer has not left; Churn is 1 − PAlive.
	PAlive, Churn float64
	// POrder30/90: probability of at least one order in the next 30/90 days.
	POrder30, POrder90 float64
	// Orders30/90: expected order days in the next 30/90 days.
	Orders30, Orders90 float64
	// LikelyOrders90 is the median number of order days in the next 90
	// days: the single figure to show (a count, and the best guess under
	// absolute error); Orders90 is the one to sum.
	LikelyOrders90 int
	// OrderValue is the expected value of an order (0 with HasValue false
	// when the workspace has no value model).
	OrderValue float64
	HasValue   bool
	// Spend90 is Orders90 × OrderValue; CLV the discounted expected spend
	// over Options.CLVDays.
	Spend90, CLV float64
	// NextOrderDays is the median wait for the next order given that there
	// is one in the next 90 days (its probability is POrder90); NextOrder
	// the day it falls on. Chosen over the median given alive
	// (NextOrderAliveDays, unbounded for rare buyers) on a backtest; see
	// docs/predictions.md.
	NextOrderDays      float64
	NextOrder          time.Time
	NextOrderAliveDays float64
}

// Predict computes one customer's prediction.
func (m *Model) Predict(s Summary) Prediction {
	bg := m.BGNBD
	p := Prediction{ID: s.ID, Orders: s.Orders, OneTime: s.X == 0}
	p.PAlive = bg.PAlive(s)
	p.Churn = 1 - p.PAlive
	p.POrder30, p.POrder90 = bg.POrder(s, 30), bg.POrder(s, 90)
	p.Orders30, p.Orders90 = bg.ExpectedOrders(s, 30), bg.ExpectedOrders(s, 90)
	p.LikelyOrders90 = bg.MedianOrders(s, 90)
	p.NextOrderDays = bg.NextOrderWithinDays(s, 90)
	p.NextOrder = DayTime(s.Now).Add(time.Duration(p.NextOrderDays * 24 * float64(time.Hour)))
	p.NextOrderAliveDays = bg.NextOrderDays(s)
	if m.Value != nil {
		p.HasValue = true
		p.OrderValue = m.Value.ExpectedValue(s.X, s.MeanRepeatValue)
		p.Spend90 = p.Orders90 * p.OrderValue
		p.CLV = m.CLV(s, p.OrderValue)
	}
	return p
}

// CLV is the expected spend over the options' horizon, each 30-day step's
// expected orders discounted to today at the annual rate.
func (m *Model) CLV(s Summary, value float64) float64 {
	o := m.opts
	if o.AnnualDiscount == 0 {
		return m.BGNBD.ExpectedOrders(s, float64(o.CLVDays)) * value
	}
	total, prev := 0.0, 0.0
	for d := 30; ; d += 30 {
		end := min(d, o.CLVDays)
		cum := m.BGNBD.ExpectedOrders(s, float64(end))
		total += (cum - prev) * math.Pow(1+o.AnnualDiscount, -float64(end)/365)
		prev = cum
		if end == o.CLVDays {
			return total * value
		}
	}
}
