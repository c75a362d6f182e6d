package predict

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// GammaGamma holds the parameters of the Gamma–Gamma model of order value
// (Fader, Hardie & Lee 2005, "RFM and CLV"): a customer's order values are
// Gamma(P, ν) around the customer's own mean P/ν, and ν varies across
// customers as Gamma(Q, Gamma). It assumes a customer's order value does not
// depend on how often they order (the bench prints the correlation to check).
type GammaGamma struct {
	P, Q, Gamma float64
}

// LogLikelihood is the log density of a customer's mean repeat order value m
// over x repeat orders.
func (g GammaGamma) LogLikelihood(x int, m float64) float64 {
	px := g.P * float64(x)
	return lgamma(px+g.Q) - lgamma(px) - lgamma(g.Q) + g.Q*math.Log(g.Gamma) +
		(px-1)*math.Log(m) + px*math.Log(float64(x)) - (px+g.Q)*math.Log(g.Gamma+m*float64(x))
}

// Mean is the population's expected order value, pγ/(q−1).
func (g GammaGamma) Mean() float64 { return g.P * g.Gamma / (g.Q - 1) }

// ExpectedValue is a customer's expected order value given x repeat orders of
// mean value m: a weighted average of the population mean and m, m's weight
// px/(px+q−1) growing with x. With x = 0 it is the population mean.
func (g GammaGamma) ExpectedValue(x int, m float64) float64 {
	if x == 0 || m <= 0 {
		return g.Mean()
	}
	px := g.P * float64(x)
	return (g.Gamma + m*float64(x)) * g.P / (px + g.Q - 1)
}

// FitGammaGamma fits the model on the customers with at least one repeat
// order of positive value, by maximum likelihood on log-parameters. A fit
// with q ≤ 1 has no finite mean order value and is refused.
func FitGammaGamma(ctx context.Context, ss []Summary) (GammaGamma, int, error) {
	var xs []int
	var ms []float64
	sum := 0.0
	for _, s := range ss {
		if s.X > 0 && s.MeanRepeatValue > 0 {
			xs = append(xs, s.X)
			ms = append(ms, s.MeanRepeatValue)
			sum += s.MeanRepeatValue
		}
	}
	if len(xs) < 2 {
		return GammaGamma{}, 0, fmt.Errorf("%w: Gamma–Gamma needs repeat orders with a value", ErrTooFewCustomers)
	}
	n := float64(len(xs))
	// The log-gamma terms depend on x only: sort by x and compute them once
	// per distinct x, which makes a refit of a million customers cheap.
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return xs[a] - xs[b] })
	sx, lm := make([]float64, len(xs)), make([]float64, len(xs))
	for i, j := range order {
		sx[i], lm[i] = float64(xs[j]), math.Log(ms[j])
	}
	f := func(v []float64) float64 {
		for _, x := range v {
			if x < -15 || x > 15 {
				return math.Inf(1)
			}
		}
		g := GammaGamma{math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2])}
		lq, lgq := math.Log(g.Gamma), lgamma(g.Q)
		ll, head, last := 0.0, 0.0, -1.0
		for i, x := range sx {
			px := g.P * x
			if x != last {
				last = x
				head = lgamma(px+g.Q) - lgamma(px) - lgq + g.Q*lq + px*math.Log(x)
			}
			ll += head + (px-1)*lm[i] - (px+g.Q)*math.Log(g.Gamma+math.Exp(lm[i])*x)
		}
		if math.IsNaN(ll) {
			return math.Inf(1)
		}
		return -ll / n
	}
	x0 := []float64{0, math.Log(2), math.Log(sum / n)}
	v, _, evals, err := nelderMead(ctx, f, x0, 0.5, 5000)
	g := GammaGamma{math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2])}
	if err != nil {
		return g, evals, fmt.Errorf("%w: Gamma–Gamma: %w", ErrNoFit, err)
	}
	if g.Q <= 1 {
		return g, evals, fmt.Errorf("%w: Gamma–Gamma q = %.3g ≤ 1 (no finite mean order value)", ErrNoFit, g.Q)
	}
	return g, evals, nil
}
