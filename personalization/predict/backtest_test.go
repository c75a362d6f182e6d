package predict

import (
	"context"
	"math"
	"testing"
)

func TestAUC(t *testing.T) {
	for _, c := range []struct {
		score []float64
		label []bool
		want  float64
	}{
		{[]float64{1, 2, 3, 4}, []bool{false, false, true, true}, 1},
		{[]float64{1, 2, 3, 4}, []bool{true, true, false, false}, 0},
		{[]float64{1, 1, 1, 1}, []bool{true, false, true, false}, 0.5},
		{[]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
	} {
		if got := AUC(c.score, c.label); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("AUC(%v, %v) = %v, want %v", c.score, c.label, got, c.want)
		}
	}
	if !math.IsNaN(AUC([]float64{1, 2}, []bool{true, true})) {
		t.Error("AUC with one class should be NaN")
	}
}

// TestBacktestBeatsBaselineOnModelData runs the whole backtest on a
// population drawn from the model itself: there the model must beat the
// naive baselines and predict the window's total within a few per cent, or
// the scoring (or the model) is wrong.
func TestBacktestBeatsBaselineOnModelData(t *testing.T) {
	cs := Simulate(Simulation{Customers: 5000, BGNBD: truth, Value: GammaGamma{P: 6, Q: 4, Gamma: 15},
		Days: 365, Horizon: 90, Seed: 21})
	b, err := RunBacktest(context.Background(), cs, 365, 90, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *b)
	if b.AUCOrder <= b.AUCRate || b.AUCOrder < 0.75 {
		t.Errorf("AUC of P(order) %.3f vs rate baseline %.3f", b.AUCOrder, b.AUCRate)
	}
	if b.MAEOrders >= b.MAEOrdersBase || b.MAESpend >= b.MAESpendBase {
		t.Errorf("MAE orders %.3f (baseline %.3f), spend %.2f (baseline %.2f)", b.MAEOrders, b.MAEOrdersBase, b.MAESpend, b.MAESpendBase)
	}
	if math.Abs(b.Orders-b.Observed) > 0.06*b.Observed || math.Abs(b.Spend-b.SpendSeen) > 0.1*b.SpendSeen {
		t.Errorf("totals: orders %.1f vs %.0f, spend %.1f vs %.1f", b.Orders, b.Observed, b.Spend, b.SpendSeen)
	}
}
