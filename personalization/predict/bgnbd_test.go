package predict

import (
	"math"
	"testing"
)

// simpson integrates f over [lo, hi] with n (even) intervals.
func simpson(f func(float64) float64, lo, hi float64, n int) float64 {
	h := (hi - lo) / float64(n)
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

// smooth has integer r, a, b > 1 so that the prior densities are smooth and plain
// Simpson integration is accurate: an independent check of the closed forms.
var smooth = BGNBD{R: 3, Alpha: 5, A: 3, B: 4}

var customers = []Summary{
	{X: 0, Tx: 0, T: 30},
	{X: 1, Tx: 3, T: 10},
	{X: 3, Tx: 20, T: 40},
	{X: 10, Tx: 35, T: 60},
}

func gammaPDF(l, r, alpha float64) float64 {
	return math.Exp(r*math.Log(alpha) + (r-1)*math.Log(l) - alpha*l - lgamma(r))
}

func betaPDF(p, a, b float64) float64 {
	return math.Exp((a-1)*math.Log(p) + (b-1)*math.Log1p(-p) - lgamma(a) - lgamma(b) + lgamma(a+b))
}

// individual is the likelihood of (x, t_x, T) given λ and p (equation 3 of
// the paper), the object the closed form integrates over the priors.
func individual(s Summary, l, p float64) (alive, total float64) {
	fx := float64(s.X)
	alive = math.Pow(1-p, fx) * math.Pow(l, fx) * math.Exp(-l*s.T)
	total = alive
	if s.X > 0 {
		total += p * math.Pow(1-p, fx-1) * math.Pow(l, fx) * math.Exp(-l*s.Tx)
	}
	return alive, total
}

// lambdaMax is where the λ integrand has fallen far below its peak: the
// likelihood decays like e^{−λ(α+t_x)} at best.
func lambdaMax(s Summary) float64 {
	k := smooth.R + float64(s.X)
	return (k + 10*math.Sqrt(k) + 30) / (smooth.Alpha + min(s.Tx, s.T)*float64(min(s.X, 1)) + s.T*float64(1-min(s.X, 1)))
}

// integrate2 integrates f(λ, p)·g(λ)·f(p) over λ ∈ (0, lmax) and p ∈ (0, 1).
func integrate2(m BGNBD, lmax float64, f func(l, p float64) float64) float64 {
	return simpson(func(p float64) float64 {
		if p <= 0 || p >= 1 {
			return 0
		}
		return betaPDF(p, m.A, m.B) * simpson(func(l float64) float64 {
			if l <= 0 {
				return 0
			}
			return gammaPDF(l, m.R, m.Alpha) * f(l, p)
		}, 0, lmax, 2000)
	}, 0, 1, 400)
}

// TestLikelihoodAgainstNumericIntegration checks the closed-form
// log-likelihood and P(alive) against integrating the individual-level
// likelihood over the gamma and beta priors numerically.
func TestLikelihoodAgainstNumericIntegration(t *testing.T) {
	for _, s := range customers {
		lmax := lambdaMax(s)
		L := integrate2(smooth, lmax, func(l, p float64) float64 { _, v := individual(s, l, p); return v })
		A := integrate2(smooth, lmax, func(l, p float64) float64 { v, _ := individual(s, l, p); return v })
		if got, want := smooth.LogLikelihood(s.X, s.Tx, s.T), math.Log(L); math.Abs(got-want) > 1e-5 {
			t.Errorf("%+v: LL = %.8f, numeric %.8f", s, got, want)
		}
		if got, want := smooth.PAlive(s), A/L; math.Abs(got-want) > 1e-6 {
			t.Errorf("%+v: P(alive) = %.8f, numeric %.8f", s, got, want)
		}
		// The grouped total must agree with the per-customer sum.
		if got, want := smooth.totalLogLikelihood(groupSummaries([]Summary{s, s})), 2*smooth.LogLikelihood(s.X, s.Tx, s.T); math.Abs(got-want) > 1e-9 {
			t.Errorf("%+v: grouped LL %.10f, per customer %.10f", s, got, want)
		}
	}
}

// TestExpectedOrdersAgainstNumericIntegration checks the conditional
// expectation (2F1 form) and P(order in window) against the double integral
// of an alive customer's (1 − e^{−λpτ})/p and 1 − e^{−λτ} over the joint
// posterior.
func TestExpectedOrdersAgainstNumericIntegration(t *testing.T) {
	for _, s := range customers {
		for _, tau := range []float64{30, 90} {
			lmax := lambdaMax(s)
			L := integrate2(smooth, lmax, func(l, p float64) float64 { _, v := individual(s, l, p); return v })
			E := integrate2(smooth, lmax, func(l, p float64) float64 {
				a, _ := individual(s, l, p)
				return a * -math.Expm1(-l*p*tau) / p
			})
			P := integrate2(smooth, lmax, func(l, p float64) float64 {
				a, _ := individual(s, l, p)
				return a * -math.Expm1(-l*tau)
			})
			if got, want := smooth.ExpectedOrders(s, tau), E/L; math.Abs(got-want) > 1e-5*math.Max(1, want) {
				t.Errorf("%+v τ=%v: E = %.8f, numeric %.8f", s, tau, got, want)
			}
			if got, want := smooth.POrder(s, tau), P/L; math.Abs(got-want) > 1e-6 {
				t.Errorf("%+v τ=%v: P(order) = %.8f, numeric %.8f", s, tau, got, want)
			}
		}
	}
}

// TestExpectedOrdersSeriesMatchesQuadrature covers the parameters the plain
// integration above cannot (a < 1, a = 1 exactly, b < 1, large x), where the
// transformed series and the one-dimensional quadrature must agree.
func TestExpectedOrdersSeriesMatchesQuadrature(t *testing.T) {
	for _, m := range []BGNBD{
		{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}, // CDNOW, weeks
		{R: 0.5, Alpha: 20, A: 1, B: 2.5},
		{R: 0.5, Alpha: 20, A: 1 + 1e-9, B: 2.5},
		{R: 1.3, Alpha: 60, A: 3, B: 0.7},
		{R: 0.1, Alpha: 2, A: 0.2, B: 0.9},
	} {
		for _, s := range []Summary{{X: 0, T: 2}, {X: 2, Tx: 30, T: 39}, {X: 300, Tx: 350, T: 360}} {
			for _, tau := range []float64{1, 30, 365} {
				got := m.ExpectedOrders(s, tau)
				want := m.PAlive(s) * m.expectedByQuadrature(s, tau)
				if math.IsNaN(got) || math.Abs(got-want) > 1e-6*math.Max(1, want) {
					t.Errorf("%+v %+v τ=%v: series %.10g, quadrature %.10g", m, s, tau, got, want)
				}
			}
		}
	}
}

// TestExpectedSeriesKnownSums checks the series against closed forms:
// with a = 1 and α' = c it is Σ zⁿ/n = −ln(1−z); with a = 2, α' = c = 1 it
// is Σ zⁿ = z/(1−z).
func TestExpectedSeriesKnownSums(t *testing.T) {
	for _, z := range []float64{0, 0.1, 0.5, 0.9, 0.999} {
		got, err := expectedSeries(3.7, 1, 3.7, z)
		if err != nil || math.Abs(got+math.Log1p(-z)) > 1e-12*math.Max(1, got) {
			t.Errorf("z=%v: %v (%v), want %v", z, got, err, -math.Log1p(-z))
		}
		got, err = expectedSeries(1, 2, 1, z)
		if want := z / (1 - z); err != nil || math.Abs(got-want) > 1e-11*math.Max(1, want) {
			t.Errorf("z=%v: %v (%v), want %v", z, got, err, want)
		}
	}
	if _, err := expectedSeries(1, 2, 1, 1); err == nil {
		t.Error("z = 1 accepted; the series diverges there")
	}
}

// TestNextOrderDaysIsTheMedian draws the alive customer's wait from its
// posterior and checks that half of the draws fall before the median.
func TestNextOrderDaysIsTheMedian(t *testing.T) {
	s := Summary{X: 3, Tx: 20, T: 40}
	med := smooth.NextOrderDays(s)
	// P(wait ≤ d | alive) = 1 − ((α+T)/(α+T+d))^(r+x) by integrating e^{−λd}
	// over λ's Gamma(r+x, α+T) posterior numerically.
	k, rate := smooth.R+3, smooth.Alpha+40
	survive := simpson(func(l float64) float64 {
		if l <= 0 {
			return 0
		}
		return gammaPDF(l, k, rate) * math.Exp(-l*med)
	}, 0, 2, 4000)
	if math.Abs(survive-0.5) > 1e-6 {
		t.Errorf("P(no order within the median %.3f days) = %.6f, want 0.5", med, survive)
	}
}

// TestTailSumsToExpectation checks the order-count distribution against the
// 2F1 expectation, an independent route: Σ_k P(X ≥ k) = E[X]; and P(X ≥ 1)
// against POrder.
func TestTailSumsToExpectation(t *testing.T) {
	for _, m := range []BGNBD{smooth, {R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}, {R: 0.7, Alpha: 60, A: 1e-5, B: 40000}} {
		for _, s := range customers {
			for _, tau := range []float64{30, 90} {
				sum := 0.0
				m.walkTail(s, tau, func(_ int, tail float64) bool { sum += tail; return true })
				if want := m.ExpectedOrders(s, tau); math.Abs(sum-want) > 1e-9*math.Max(1, want) {
					t.Errorf("%+v %+v τ=%v: Σ P(X≥k) = %.12f, E = %.12f", m, s, tau, sum, want)
				}
				if got, want := m.PAtLeast(s, tau, 1), m.POrder(s, tau); math.Abs(got-want) > 1e-12 {
					t.Errorf("P(X≥1) = %v, POrder = %v", got, want)
				}
				med := m.MedianOrders(s, tau)
				if m.PAtLeast(s, tau, med) < 0.5 && med > 0 || m.PAtLeast(s, tau, med+1) >= 0.5 {
					t.Errorf("median %d: P(X≥med) = %v, P(X≥med+1) = %v", med, m.PAtLeast(s, tau, med), m.PAtLeast(s, tau, med+1))
				}
			}
		}
	}
}

// TestMedianOrdersHeavyBuyer checks a customer whose P(NB = 0) underflows:
// the median must still sit near the expectation, not run away.
func TestMedianOrdersHeavyBuyer(t *testing.T) {
	m := BGNBD{R: 0.7, Alpha: 60, A: 1e-5, B: 40000}
	s := Summary{X: 6000, Tx: 359, T: 360}
	e, med := m.ExpectedOrders(s, 90), m.MedianOrders(s, 90)
	if math.Abs(float64(med)-e) > 0.05*e {
		t.Errorf("median %d orders, expectation %.1f", med, e)
	}
}
