package predict

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Simulation describes a synthetic population drawn from known BG/NBD and
// Gamma–Gamma parameters: for tests that must recover them and for the
// bench's scale run.
type Simulation struct {
	Customers int
	BGNBD     BGNBD
	Value     GammaGamma
	// Start is the first day a customer can be born; births are uniform over
	// [Start, Start+Days), and purchases are simulated up to
	// Start+Days+Horizon so that the last Horizon days can be scored.
	Start         int32
	Days, Horizon int
	Seed          uint64
}

// Simulate draws the population: per customer λ ~ Gamma(r, α), p ~ Beta(a,
// b), ν ~ Gamma(q, γ); a first order at birth, then Poisson(λ) orders, after
// each of which the customer leaves with probability p; each order's value
// ~ Gamma(P, ν).
func Simulate(sim Simulation) []Customer {
	rng := rand.New(rand.NewPCG(sim.Seed, sim.Seed^0x9e3779b97f4a7c15))
	end := float64(sim.Start) + float64(sim.Days+sim.Horizon)
	cs := make([]Customer, sim.Customers)
	bg, gg := sim.BGNBD, sim.Value
	for i := range cs {
		lambda := gammaVariate(rng, bg.R) / bg.Alpha
		x := gammaVariate(rng, bg.A)
		p := x / (x + gammaVariate(rng, bg.B))
		nu := gammaVariate(rng, gg.Q) / gg.Gamma
		t := float64(sim.Start) + rng.Float64()*float64(sim.Days)
		value := func() float64 { return gammaVariate(rng, gg.P) / nu }
		orders := []Order{{Day: int32(math.Floor(t)), Value: value()}}
		for lambda > 0 {
			t += rng.ExpFloat64() / lambda
			if t >= end {
				break
			}
			orders = append(orders, Order{Day: int32(math.Floor(t)), Value: value()})
			if rng.Float64() < p {
				break
			}
		}
		cs[i] = Customer{ID: fmt.Sprintf("c%d", i), Orders: orders}
	}
	return cs
}

// gammaVariate draws from Gamma(shape k, rate 1) (Marsaglia & Tsang 2000;
// for k < 1 via Gamma(k+1)·U^(1/k)).
func gammaVariate(rng *rand.Rand, k float64) float64 {
	if k < 1 {
		return gammaVariate(rng, k+1) * math.Pow(rng.Float64(), 1/k)
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
