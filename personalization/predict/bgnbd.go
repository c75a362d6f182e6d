package predict

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// errNoConvergence reports a series or an optimiser that did not converge.
var errNoConvergence = errors.New("predict: did not converge")

// BGNBD holds the four population parameters of the BG/NBD model (Fader,
// Hardie & Lee 2005): while alive a customer orders as a Poisson process of
// rate λ ~ Gamma(shape R, rate Alpha) per day, and after each repeat order
// leaves for good with probability p ~ Beta(A, B).
type BGNBD struct {
	R, Alpha, A, B float64
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// LogLikelihood is the log of the probability of one customer's (x, t_x, T)
// (equation 6 of the paper, written in logs so that large x and T neither
// overflow nor underflow).
func (m BGNBD) LogLikelihood(x int, tx, T float64) float64 {
	fx := float64(x)
	a1 := lgamma(m.R+fx) - lgamma(m.R) + m.R*math.Log(m.Alpha)
	a2 := lgamma(m.A+m.B) + lgamma(m.B+fx) - lgamma(m.B) - lgamma(m.A+m.B+fx)
	a3 := -(m.R + fx) * math.Log(m.Alpha+T)
	if x == 0 {
		return a1 + a2 + a3
	}
	a4 := math.Log(m.A) - math.Log(m.B+fx-1) - (m.R+fx)*math.Log(m.Alpha+tx)
	return a1 + a2 + logSumExp(a3, a4)
}

func logSumExp(u, v float64) float64 {
	if u < v {
		u, v = v, u
	}
	return u + math.Log1p(math.Exp(v-u))
}

// PAlive is the probability that a customer with summary s is still alive at
// s.Now. It is 1 for a one-time buyer by the model's assumption (dropout only
// follows a repeat order).
func (m BGNBD) PAlive(s Summary) float64 {
	if s.X == 0 {
		return 1
	}
	fx := float64(s.X)
	odds := m.A / (m.B + fx - 1) * math.Exp((m.R+fx)*(math.Log(m.Alpha+s.T)-math.Log(m.Alpha+s.Tx)))
	return 1 / (1 + odds)
}

// POrder is the probability of at least one order in the next tau days. A
// living customer does not drop out without ordering, so no order in the
// window means dead, or alive with no Poisson event: given alive, λ's
// posterior is Gamma(R+x, Alpha+T), whence
// P = P(alive)·(1 − ((α+T)/(α+T+τ))^(r+x)).
func (m BGNBD) POrder(s Summary, tau float64) float64 {
	fx := float64(s.X)
	return m.PAlive(s) * -math.Expm1(-(m.R+fx)*math.Log1p(tau/(m.Alpha+s.T)))
}

// ExpectedOrders is the expected number of order days in the next tau days
// (equation 10 of the paper). The paper's form
//
//	(a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+τ))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)] · P(alive),
//	z = τ/(α+T+τ),
//
// overflows for large x (2F1's terms grow like (1−z)^−(r+x)) and is 0/0 at
// a = 1. Euler's transformation 2F1(A,B;C;z) = (1−z)^(C−A−B)·2F1(C−A,C−B;C;z)
// turns it into (1−z)^(a−1)·2F1(a+b−1−r, a−1; a+b+x−1; z), whose numerator
// parameters are small, and the factor (a−1) is divided out of the series
// exactly (expectedSeries), so the sum converges quickly for every z < 1 and
// needs no division by a−1. Should the series still fail (c ≤ 0 when a+b < 1
// and x = 0), the expectation is integrated numerically over p instead.
func (m BGNBD) ExpectedOrders(s Summary, tau float64) float64 {
	if tau <= 0 {
		return 0
	}
	fx := float64(s.X)
	z := tau / (m.Alpha + s.T + tau)
	c := m.A + m.B + fx - 1
	if c > 0.5 {
		if h, err := expectedSeries(m.A+m.B-1-m.R, m.A, c, z); err == nil {
			am1 := m.A - 1
			l := math.Log1p(-z)
			lead := -l
			if am1 != 0 {
				lead = -math.Expm1(am1*l) / am1
			}
			v := c * (lead - math.Exp(am1*l)*h)
			if !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 {
				return m.PAlive(s) * v
			}
		}
	}
	return m.PAlive(s) * m.expectedByQuadrature(s, tau)
}

// expectedSeries is Σ_{n≥1} (α')_n (a)_{n−1} / ((c)_n n!) zⁿ, that is
// (2F1(α', a−1; c; z) − 1)/(a−1) with the factor a−1 cancelled term by term.
func expectedSeries(alpha, a, c, z float64) (float64, error) {
	if z < 0 || z >= 1 || c <= 0 {
		return math.NaN(), errors.New("predict: series outside its domain")
	}
	term := alpha / c * z // n = 1: (α')_1 (a)_0 / ((c)_1 1!) z
	sum := term
	for n := 1; n < 200000; n++ {
		fn := float64(n)
		term *= (alpha + fn) * (a + fn - 1) / ((c + fn) * (fn + 1)) * z
		if math.IsInf(term, 0) || math.IsNaN(term) {
			return math.NaN(), errNoConvergence
		}
		sum += term
		if math.Abs(term) <= 1e-16*math.Abs(sum) && fn > alpha+a-c || term == 0 {
			return sum, nil
		}
	}
	return math.NaN(), errNoConvergence
}

// expectedByQuadrature is E[Y(τ) | alive]: given alive, λ ~ Gamma(r+x, α+T)
// and p ~ Beta(a, b+x) independently, and a living customer with (λ, p)
// orders (1 − e^{−λpτ})/p times in expectation, so integrating λ out
// leaves E_p[(1 − ((α+T)/(α+T+pτ))^(r+x)) / p].
func (m BGNBD) expectedByQuadrature(s Summary, tau float64) float64 {
	fx := float64(s.X)
	k := m.R + fx
	g := func(p float64) float64 {
		if p == 0 {
			return k * tau / (m.Alpha + s.T)
		}
		return -math.Expm1(-k*math.Log1p(p*tau/(m.Alpha+s.T))) / p
	}
	return betaExpect(m.A, m.B+fx, g)
}

// betaExpect integrates g against the Beta(a, b) density with Simpson's rule
// in log-odds t = ln(p/(1−p)), where the density p^a(1−p)^b is a smooth bump
// for every a, b > 0 (no singular ends), over the range outside which it is
// below e^−35 of its peak.
func betaExpect(a, b float64, g func(float64) float64) float64 {
	const n = 20000 // even
	lb := lgamma(a) + lgamma(b) - lgamma(a+b)
	logSigmoid := func(t float64) float64 {
		if t > 0 {
			return -math.Log1p(math.Exp(-t))
		}
		return t - math.Log1p(math.Exp(t))
	}
	mode := math.Log(a / b)
	lo, hi := mode-35/a-5, mode+35/b+5
	f := func(t float64) float64 {
		lp, lq := logSigmoid(t), logSigmoid(-t)
		return math.Exp(a*lp+b*lq-lb) * g(math.Exp(lp))
	}
	h := (hi - lo) / n
	sum := f(lo) + f(hi)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(lo+float64(i)*h)
	}
	return sum * h / 3
}

// NextOrderDays is the median number of days from s.Now to the next order,
// given that the customer is alive: then the wait is exponential with λ
// from its Gamma(r+x, α+T) posterior, a Lomax distribution with median
// (α+T)(2^(1/(r+x)) − 1). The median rather than the mean because the mean is
// infinite when r+x ≤ 1 and dragged far out by the long tail otherwise, and
// conditional on alive because a dead customer has no next order at all (its
// probability is 1 − PAlive, reported beside it).
func (m BGNBD) NextOrderDays(s Summary) float64 {
	return (m.Alpha + s.T) * math.Expm1(math.Ln2/(m.R+float64(s.X)))
}

// NextOrderWithinDays is the median wait for the next order given that one
// comes within h days: F(s)/F(h) = ½ with F(s) = 1 − ((α+T)/(α+T+s))^(r+x),
// the wait distribution of a living customer. Unlike NextOrderDays it is
// always inside the horizon, to be read together with POrder(s, h), the
// probability that there is such an order at all.
func (m BGNBD) NextOrderWithinDays(s Summary, h float64) float64 {
	k := m.R + float64(s.X)
	fh := -math.Expm1(-k * math.Log1p(h/(m.Alpha+s.T)))
	return (m.Alpha + s.T) * math.Expm1(-math.Log1p(-fh/2)/k)
}

// bgnbdGroup is a set of customers with the same (x, t_x, T).
type bgnbdGroup struct {
	x     int
	tx, t float64
	n     float64
}

func groupSummaries(ss []Summary) []bgnbdGroup {
	type key struct {
		x     int
		tx, t float64
	}
	idx := map[key]int{}
	var gs []bgnbdGroup
	for _, s := range ss {
		k := key{s.X, s.Tx, s.T}
		i, ok := idx[k]
		if !ok {
			i = len(gs)
			idx[k] = i
			gs = append(gs, bgnbdGroup{x: s.X, tx: s.Tx, t: s.T})
		}
		gs[i].n++
	}
	slices.SortFunc(gs, func(a, b bgnbdGroup) int { return a.x - b.x })
	return gs
}

// totalLogLikelihood sums the log-likelihood over groups sorted by x,
// computing the terms that depend only on x once per distinct x, and
// ln(α+d) once per whole day d (ages and recencies are whole days when they
// come from Summarize).
func (m BGNBD) totalLogLikelihood(gs []bgnbdGroup) float64 {
	maxDay := 0.0
	for _, g := range gs {
		maxDay = max(maxDay, g.t)
	}
	var logs []float64
	if maxDay < 1e6 {
		logs = make([]float64, int(maxDay)+1)
		for d := range logs {
			logs[d] = math.Log(m.Alpha + float64(d))
		}
	}
	logAt := func(d float64) float64 {
		if i := int(d); float64(i) == d && i >= 0 && i < len(logs) {
			return logs[i]
		}
		return math.Log(m.Alpha + d)
	}
	total := 0.0
	lr, la := lgamma(m.R), math.Log(m.Alpha)
	lab, lbb, loga := lgamma(m.A+m.B), lgamma(m.B), math.Log(m.A)
	var head, tail float64
	last := -1
	for _, g := range gs {
		fx := float64(g.x)
		if g.x != last {
			last = g.x
			head = lgamma(m.R+fx) - lr + m.R*la + lab + lgamma(m.B+fx) - lbb - lgamma(m.A+m.B+fx)
			if g.x > 0 {
				tail = loga - math.Log(m.B+fx-1)
			}
		}
		v := head - (m.R+fx)*logAt(g.t)
		if g.x > 0 {
			v = head + logSumExp(-(m.R+fx)*logAt(g.t), tail-(m.R+fx)*logAt(g.tx))
		}
		total += g.n * v
	}
	return total
}

// FitBGNBD fits the four parameters by maximum likelihood with Nelder–Mead on
// their logarithms (so they stay positive without constraints). It returns
// the parameters, the total log-likelihood and the number of evaluations.
func FitBGNBD(ctx context.Context, ss []Summary) (BGNBD, float64, int, error) {
	if len(ss) == 0 {
		return BGNBD{}, 0, 0, ErrTooFewCustomers
	}
	gs := groupSummaries(ss)
	rate := 0.0
	for _, s := range ss {
		if s.T > 0 {
			rate += float64(s.X) / s.T
		}
	}
	rate /= float64(len(ss))
	if rate <= 0 {
		return BGNBD{}, 0, 0, fmt.Errorf("%w: nobody ordered twice", ErrTooFewCustomers)
	}
	n := float64(len(ss))
	f := func(v []float64) float64 {
		for _, x := range v {
			if x < -12 || x > 12 {
				return math.Inf(1)
			}
		}
		m := BGNBD{math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2]), math.Exp(v[3])}
		ll := m.totalLogLikelihood(gs)
		if math.IsNaN(ll) {
			return math.Inf(1)
		}
		return -ll / n
	}
	// Start from r = ½ and α matching the mean repeat rate, kept inside the
	// search box so the first simplex is finite.
	x0 := []float64{math.Log(0.5), max(-10, min(10, math.Log(0.5/rate))), 0, 0}
	v, fv, evals, err := nelderMead(ctx, f, x0, 0.5, 5000)
	m := BGNBD{math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2]), math.Exp(v[3])}
	if err != nil {
		return m, -fv * n, evals, fmt.Errorf("%w: BG/NBD: %w", ErrNoFit, err)
	}
	if math.IsInf(fv, 0) || math.IsNaN(fv) {
		return m, 0, evals, fmt.Errorf("%w: BG/NBD likelihood not finite", ErrNoFit)
	}
	return m, -fv * n, evals, nil
}
