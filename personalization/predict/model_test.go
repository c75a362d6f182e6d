package predict

import (
	"context"
	"errors"
	"math"
	"testing"
)

// TestGammaGammaRecovered fits Gamma–Gamma on a simulated population and
// checks the parameters' identifiable combination (the mean order value
// pγ/(q−1)), q, and that shrinkage puts a customer's expected value between
// their own mean and the population's.
func TestGammaGammaRecovered(t *testing.T) {
	value := GammaGamma{P: 6, Q: 4, Gamma: 15}
	cs := Simulate(Simulation{Customers: 20000, BGNBD: BGNBD{R: 2, Alpha: 40, A: 0.8, B: 4}, Value: value,
		Days: 365, Horizon: 0, Seed: 11})
	ss := Summaries(cs, 365)
	g, _, err := FitGammaGamma(context.Background(), ss)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fitted %+v (truth %+v), mean %.3f (truth %.3f)", g, value, g.Mean(), value.Mean())
	if math.Abs(g.Mean()-value.Mean()) > 0.03*value.Mean() {
		t.Errorf("mean order value %.3f, want %.3f ± 3 %%", g.Mean(), value.Mean())
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p", g.P, value.P}, {"q", g.Q, value.Q}, {"gamma", g.Gamma, value.Gamma}} {
		if math.Abs(c.got-c.want) > 0.25*c.want {
			t.Errorf("%s = %.3f, want %.3f ± 25 %%", c.name, c.got, c.want)
		}
	}
	own := 3 * value.Mean()
	for _, x := range []int{1, 5, 50} {
		e := g.ExpectedValue(x, own)
		if e <= g.Mean() || e >= own {
			t.Errorf("x=%d: expected value %.2f not between the population mean %.2f and the customer's %.2f", x, e, g.Mean(), own)
		}
	}
	if g.ExpectedValue(1, own) >= g.ExpectedValue(50, own) {
		t.Error("more orders should pull the expectation closer to the customer's own mean")
	}
	if g.ExpectedValue(0, 0) != g.Mean() {
		t.Error("a one-time buyer's expected value should be the population mean")
	}
}

// TestNoPrediction covers what is refused: a contact without orders, a
// workspace too small for a model, a workspace where nobody came back.
func TestNoPrediction(t *testing.T) {
	ctx := context.Background()
	if _, ok := Summarize(nil, 100); ok {
		t.Error("a contact without orders was summarised")
	}
	if _, ok := Summarize([]Order{{Day: 100, Value: 5}}, 100); ok {
		t.Error("an order on the prediction day itself (not before it) was counted")
	}
	cs := Simulate(Simulation{Customers: 60, BGNBD: truth, Value: GammaGamma{P: 6, Q: 4, Gamma: 15}, Days: 365, Seed: 3})
	if _, err := Fit(ctx, Summaries(cs, 365), Options{}); !errors.Is(err, ErrTooFewCustomers) {
		t.Errorf("60 customers: err = %v, want ErrTooFewCustomers", err)
	}
	var once []Summary
	for i := range 500 {
		s, _ := Summarize([]Order{{Day: int32(i % 300), Value: 10}}, 365)
		once = append(once, s)
	}
	if _, err := Fit(ctx, once, Options{}); !errors.Is(err, ErrTooFewCustomers) {
		t.Errorf("nobody came back: err = %v, want ErrTooFewCustomers", err)
	}
}

// TestPredictOneTimeAndRepeat checks what a prediction holds: a one-time
// buyer is flagged, alive by assumption, less likely to order the longer ago
// the order was; a lapsed repeat buyer has a higher churn risk than an
// active one with the same number of orders.
func TestPredictOneTimeAndRepeat(t *testing.T) {
	cs := Simulate(Simulation{Customers: 3000, BGNBD: truth, Value: GammaGamma{P: 6, Q: 4, Gamma: 15}, Days: 365, Seed: 5})
	m, err := Fit(context.Background(), Summaries(cs, 365), Options{})
	if err != nil {
		t.Fatal(err)
	}
	recent, _ := Summarize([]Order{{Day: 350, Value: 20}}, 365)
	old, _ := Summarize([]Order{{Day: 10, Value: 20}}, 365)
	pr, po := m.Predict(recent), m.Predict(old)
	if !pr.OneTime || pr.PAlive != 1 || pr.Churn != 0 {
		t.Errorf("one-time buyer: %+v", pr)
	}
	if !(pr.POrder90 > po.POrder90 && pr.Orders90 > po.Orders90) {
		t.Errorf("a recent one-time buyer (P %.3f, E %.3f) should beat an old one (P %.3f, E %.3f)",
			pr.POrder90, pr.Orders90, po.POrder90, po.Orders90)
	}
	if !pr.HasValue || math.Abs(pr.OrderValue-m.Value.Mean()) > 1e-9 {
		t.Errorf("one-time buyer's order value %.3f, want the population mean %.3f", pr.OrderValue, m.Value.Mean())
	}
	active, _ := Summarize([]Order{{Day: 200, Value: 20}, {Day: 250, Value: 20}, {Day: 300, Value: 20}, {Day: 355, Value: 20}}, 365)
	lapsed, _ := Summarize([]Order{{Day: 0, Value: 20}, {Day: 20, Value: 20}, {Day: 40, Value: 20}, {Day: 60, Value: 20}}, 365)
	pa, pl := m.Predict(active), m.Predict(lapsed)
	if !(pa.Churn < pl.Churn) || pa.OneTime || pl.OneTime {
		t.Errorf("active churn %.3f should be below lapsed %.3f", pa.Churn, pl.Churn)
	}
	if want := m.BGNBD.MedianOrders(active, 90); pa.LikelyOrders90 != want || pl.LikelyOrders90 > pa.LikelyOrders90 {
		t.Errorf("likely orders: active %d (want %d), lapsed %d", pa.LikelyOrders90, want, pl.LikelyOrders90)
	}
	if pa.Orders90 <= pa.Orders30 || pa.POrder90 < pa.POrder30 || pa.Orders90 < pa.POrder90 {
		t.Errorf("inconsistent horizons: %+v", pa)
	}
	if math.Abs(pa.Spend90-pa.Orders90*pa.OrderValue) > 1e-9 || pa.CLV <= pa.Spend90 {
		t.Errorf("spend %.3f, CLV %.3f for %.3f orders of %.3f", pa.Spend90, pa.CLV, pa.Orders90, pa.OrderValue)
	}
	if pa.NextOrder.IsZero() || pa.NextOrderDays <= 0 || pa.NextOrderAliveDays >= pl.NextOrderAliveDays || pa.NextOrderDays > 90 {
		t.Errorf("next order: active %.1f days, lapsed %.1f", pa.NextOrderDays, pl.NextOrderDays)
	}
}

// TestCLVDiscounting checks that discounting lowers the lifetime value below
// the undiscounted expected spend over the same horizon, and that without a
// discount it is exactly expected orders × value.
func TestCLVDiscounting(t *testing.T) {
	s := Summary{X: 4, Tx: 200, T: 220}
	plain := &Model{BGNBD: truth, opts: Options{AnnualDiscount: -1}.withDefaults()}
	disc := &Model{BGNBD: truth, opts: Options{AnnualDiscount: 0.5}.withDefaults()}
	want := truth.ExpectedOrders(s, 365) * 40
	if got := plain.CLV(s, 40); math.Abs(got-want) > 1e-9 {
		t.Errorf("undiscounted CLV %.6f, want %.6f", got, want)
	}
	if got := disc.CLV(s, 40); !(got < want && got > want/1.5) {
		t.Errorf("CLV at 50 %% a year %.4f, want between %.4f and %.4f", got, want/1.5, want)
	}
}
