package predict

import (
	"context"
	"math"
	"testing"
)

// truth is close to the CDNOW estimates, rescaled from weeks to days.
var truth = BGNBD{R: 0.5, Alpha: 20, A: 0.8, B: 2.5}

// TestFitRecoversSimulatedParameters simulates a population from known
// BG/NBD parameters with a fixed seed, fits, and checks the parameters and
// the aggregate expected orders in a holdout window. A wrong likelihood or a
// broken optimiser lands far from the truth.
func TestFitRecoversSimulatedParameters(t *testing.T) {
	const days, horizon = 365, 90
	cs := Simulate(Simulation{Customers: 20000, BGNBD: truth, Value: GammaGamma{P: 6, Q: 4, Gamma: 15},
		Start: 0, Days: days, Horizon: horizon, Seed: 7})
	ss := Summaries(cs, days)
	m, err := Fit(context.Background(), ss, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := m.BGNBD
	t.Logf("fitted %+v (truth %+v), LL %.1f, %d evaluations in %s", got, truth, m.LogLik, m.Evals, m.Elapsed)
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"r", got.R, truth.R, 0.15}, {"alpha", got.Alpha, truth.Alpha, 0.2},
		{"a", got.A, truth.A, 0.35}, {"b", got.B, truth.B, 0.35},
	} {
		if math.Abs(c.got-c.want) > c.tol*c.want {
			t.Errorf("%s = %.4f, want %.4f ± %.0f %%", c.name, c.got, c.want, 100*c.tol)
		}
	}
	// The fit's likelihood must be at least the truth's (it is the maximum).
	if ll := truth.totalLogLikelihood(groupSummaries(ss)); m.LogLik < ll-1e-6 {
		t.Errorf("fitted LL %.3f below the truth's %.3f: not a maximum", m.LogLik, ll)
	}

	// Aggregate expected orders in the holdout window against what the
	// simulation actually did there.
	var predicted, truthPred, observed float64
	for i, s := range ss {
		predicted += m.BGNBD.ExpectedOrders(s, horizon)
		truthPred += truth.ExpectedOrders(s, horizon)
		_ = i
	}
	for _, c := range cs {
		seen := map[int32]bool{}
		for _, o := range c.Orders {
			if o.Day >= days && !seen[o.Day] {
				seen[o.Day] = true
				observed++
			}
		}
	}
	t.Logf("holdout orders: observed %.0f, predicted %.1f (fitted), %.1f (true parameters)", observed, predicted, truthPred)
	if math.Abs(predicted-observed) > 0.05*observed {
		t.Errorf("predicted %.1f holdout orders, observed %.0f (more than 5 %% off)", predicted, observed)
	}
	if math.Abs(truthPred-observed) > 0.05*observed {
		t.Errorf("the true parameters predict %.1f holdout orders, observed %.0f: the expectation is wrong", truthPred, observed)
	}
}
