package predict

import (
	"context"
	"math"
	"slices"
	"time"
)

// Backtest is a model fitted on the orders before Until, scored on the
// Horizon days that follow, each figure beside a naive baseline's.
type Backtest struct {
	Until   int32
	Horizon int
	Model   *Model
	// Customers had an order before Until; Repeaters a repeat order; Buyers
	// ordered in the window.
	Customers, Repeaters, Buyers int
	PredictTime                  time.Duration

	// AUC of ordering in the window (buyers against the rest) for the
	// model's P(alive) and P(order in window), and for the baselines: the
	// past repeat rate, and recency (fewer days since the last order ranks
	// higher).
	AUCAlive, AUCOrder, AUCRate, AUCRecency float64
	// AUCAliveRepeaters is P(alive)'s AUC among repeat customers only, where
	// it is informative (one-time buyers all have P(alive) = 1).
	AUCAliveRepeaters, AUCRateRepeaters float64

	// Mean absolute error per customer of order days and of spend in the
	// window; totals predicted and observed. The baseline predicts the past
	// repeat rate (repeat order days / age × horizon) and, for spend, that
	// times the past average order value.
	MAEOrders, MAEOrdersBase float64
	MAESpend, MAESpendBase   float64
	// Root mean squared errors of the same: the expectation is the best
	// prediction under squared error, the median under absolute error, and
	// most customers order nothing in a window, so MAE favours predicting 0.
	RMSEOrders, RMSEOrdersBase float64
	RMSESpend, RMSESpendBase   float64
	// MAEOrdersMedian is the MAE of the model's median forecast
	// (BGNBD.MedianOrders), the best single forecast under absolute error.
	MAEOrdersMedian              float64
	Orders, OrdersBase, Observed float64
	Spend, SpendBase, SpendSeen  float64

	// Median absolute error in days of the first order date in the window,
	// over repeat customers who ordered in it (NextN). The baseline is the
	// last order day plus the last gap, moved to Until if that has passed.
	NextMedAE, NextMedAEBase float64
	NextN                    int
	// NextMedAEWithin is the same error for the median wait given an order
	// within the horizon (BGNBD.NextOrderWithinDays).
	NextMedAEWithin float64

	// ValueFrequencyCorr is the correlation of repeat customers' order
	// count and mean order value: Gamma–Gamma assumes it is near zero.
	ValueFrequencyCorr float64
}

// RunBacktest fits on the customers' orders before until and scores the
// window [until, until+horizon).
func RunBacktest(ctx context.Context, cs []Customer, until int32, horizon int, o Options) (*Backtest, error) {
	end := until + int32(horizon)
	ss := make([]Summary, 0, len(cs))
	idx := make([]int, 0, len(cs))
	for i, c := range cs {
		if s, ok := Summarize(c.Orders, until); ok {
			s.ID = c.ID
			ss = append(ss, s)
			idx = append(idx, i)
		}
	}
	m, err := Fit(ctx, ss, o)
	if err != nil {
		return nil, err
	}
	b := &Backtest{Until: until, Horizon: horizon, Model: m, Customers: len(ss), Repeaters: m.Repeaters}
	h := float64(horizon)
	n := len(ss)
	bought := make([]bool, n)
	var alive, porder, rate, recency []float64
	var aliveRep, rateRep []float64
	var boughtRep []bool
	var absNext, absNextBase, absNextWithin []float64
	var xs, vs []float64
	start := time.Now()
	for i, s := range ss {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		days := map[int32]bool{}
		first := int32(math.MaxInt32)
		spend := 0.0
		for _, o := range cs[idx[i]].Orders {
			if o.Day >= until && o.Day < end {
				days[o.Day] = true
				spend += o.Value
				first = min(first, o.Day)
			}
		}
		obs := float64(len(days))
		bought[i] = obs > 0
		if bought[i] {
			b.Buyers++
		}
		pa, po := m.BGNBD.PAlive(s), m.BGNBD.POrder(s, h)
		e := m.BGNBD.ExpectedOrders(s, h)
		r := 0.0
		if s.T > 0 {
			r = float64(s.X) / s.T
		}
		eb := r * h
		alive, porder, rate, recency = append(alive, pa), append(porder, po), append(rate, r), append(recency, -float64(until-s.Last))
		if s.X > 0 {
			aliveRep, rateRep, boughtRep = append(aliveRep, pa), append(rateRep, r), append(boughtRep, bought[i])
			xs, vs = append(xs, float64(s.X)), append(vs, s.MeanRepeatValue)
		}
		b.Orders += e
		b.OrdersBase += eb
		b.Observed += obs
		b.MAEOrders += math.Abs(e - obs)
		b.MAEOrdersBase += math.Abs(eb - obs)
		b.RMSEOrders += (e - obs) * (e - obs)
		b.MAEOrdersMedian += math.Abs(float64(m.BGNBD.MedianOrders(s, h)) - obs)
		b.RMSEOrdersBase += (eb - obs) * (eb - obs)
		b.SpendSeen += spend
		sb := eb * s.MeanValue
		b.SpendBase += sb
		b.MAESpendBase += math.Abs(sb - spend)
		b.RMSESpendBase += (sb - spend) * (sb - spend)
		if m.Value != nil {
			sp := e * m.Value.ExpectedValue(s.X, s.MeanRepeatValue)
			b.Spend += sp
			b.MAESpend += math.Abs(sp - spend)
			b.RMSESpend += (sp - spend) * (sp - spend)
		}
		if bought[i] && s.X > 0 {
			pred := float64(until) + m.BGNBD.NextOrderDays(s)
			base := max(float64(s.Last)+s.LastGap, float64(until))
			absNext = append(absNext, math.Abs(pred-float64(first)))
			absNextBase = append(absNextBase, math.Abs(base-float64(first)))
			within := float64(until) + m.BGNBD.NextOrderWithinDays(s, h)
			absNextWithin = append(absNextWithin, math.Abs(within-float64(first)))
		}
	}
	b.PredictTime = time.Since(start)
	b.MAEOrders /= float64(n)
	b.MAEOrdersBase /= float64(n)
	b.MAEOrdersMedian /= float64(n)
	b.MAESpend /= float64(n)
	b.MAESpendBase /= float64(n)
	for _, v := range []*float64{&b.RMSEOrders, &b.RMSEOrdersBase, &b.RMSESpend, &b.RMSESpendBase} {
		*v = math.Sqrt(*v / float64(n))
	}
	b.AUCAlive, b.AUCOrder = AUC(alive, bought), AUC(porder, bought)
	b.AUCRate, b.AUCRecency = AUC(rate, bought), AUC(recency, bought)
	b.AUCAliveRepeaters, b.AUCRateRepeaters = AUC(aliveRep, boughtRep), AUC(rateRep, boughtRep)
	b.NextN = len(absNext)
	b.NextMedAE, b.NextMedAEBase, b.NextMedAEWithin = median(absNext), median(absNextBase), median(absNextWithin)
	b.ValueFrequencyCorr = correlation(xs, vs)
	return b, nil
}

// AUC is the area under the ROC curve of score against label: the
// probability that a random positive scores above a random negative, ties
// counting one half (Mann–Whitney with average ranks). NaN without both
// classes.
func AUC(score []float64, label []bool) float64 {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case score[a] < score[b]:
			return -1
		case score[a] > score[b]:
			return 1
		}
		return 0
	})
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && score[idx[j]] == score[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			if label[idx[k]] {
				pos++
				rankSum += avg
			}
		}
		i = j
	}
	neg = float64(len(idx)) - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

func correlation(x, y []float64) float64 {
	n := float64(len(x))
	if n < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}
