package predict

import "math"

// PAtLeast is the probability of at least k order days in the next tau days.
// Given alive, λ and p, the customer places k orders when the Poisson
// process has k events in the window and the customer stayed after each of
// the first k−1: P(X ≥ k | λ, p) = (1−p)^(k−1) · P(Poisson(λτ) ≥ k). Given
// alive, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x) independently, so
//
//	P(X ≥ k) = P(alive) · B(a, b+x+k−1)/B(a, b+x) · P(NB(r+x, q) ≥ k),  q = (α+T)/(α+T+τ),
//
// NB the negative binomial the gamma–Poisson mixture is. k = 1 gives POrder,
// and Σ_k P(X ≥ k) is ExpectedOrders (checked in the tests).
func (m BGNBD) PAtLeast(s Summary, tau float64, k int) float64 {
	if k <= 0 {
		return 1
	}
	p := 0.0
	m.walkTail(s, tau, func(n int, tail float64) bool {
		if n == k {
			p = tail
			return false
		}
		return true
	})
	return p
}

// MedianOrders is the median of the number of order days in the next tau
// days: the best single forecast under absolute error, where the
// expectation (ExpectedOrders) is the best under squared error.
func (m BGNBD) MedianOrders(s Summary, tau float64) int {
	med := 0
	m.walkTail(s, tau, func(n int, tail float64) bool {
		if tail < 0.5 {
			return false
		}
		med = n
		return true
	})
	return med
}

// walkTail calls f with P(X ≥ n) for n = 1, 2, … until f returns false or
// the tail is negligible.
func (m BGNBD) walkTail(s Summary, tau float64, f func(n int, tail float64) bool) {
	fx := float64(s.X)
	k0 := m.R + fx
	logq := -math.Log1p(tau / (m.Alpha + s.T))
	// P(NB = n) is carried in logs: for a customer with thousands of
	// orders P(NB = 0) = q^(r+x) underflows, and its successors must not.
	logpn := k0 * logq // ln P(NB = 0)
	cdf := math.Exp(logpn)
	log1mq := math.Log(-math.Expm1(logq))
	lb := lgamma(m.A+m.B+fx) - lgamma(m.B+fx)
	alive := m.PAlive(s)
	for n := 1; n < 1_000_000; n++ {
		fn := float64(n)
		beta := math.Exp(lb + lgamma(m.B+fx+fn-1) - lgamma(m.A+m.B+fx+fn-1))
		tail := alive * beta * math.Max(0, 1-cdf)
		if !f(n, tail) || tail < 1e-15 {
			return
		}
		// P(NB = n) from P(NB = n−1).
		logpn += math.Log((k0+fn-1)/fn) + log1mq
		cdf += math.Exp(logpn)
	}
}
