package scores

import (
	"math"
	"slices"
)

// RFM cells, stored in contact_scores.rfm_cell. They are part of the
// public API (segment and flow conditions): never rename one.
const (
	CellChampions          = "champions"
	CellLoyal              = "loyal"
	CellPotentialLoyalists = "potential_loyalists"
	CellNew                = "new"
	CellPromising          = "promising"
	CellNeedAttention      = "need_attention"
	CellAboutToSleep       = "about_to_sleep"
	CellAtRisk             = "at_risk"
	CellCantLoseThem       = "cant_lose_them"
	CellHibernating        = "hibernating"
	CellLost               = "lost"
)

// Cells lists the cells best first, the order the console shows them in.
var Cells = []string{CellChampions, CellLoyal, CellPotentialLoyalists, CellNew, CellPromising, CellNeedAttention,
	CellAboutToSleep, CellAtRisk, CellCantLoseThem, CellHibernating, CellLost}

// Breaks are a workspace's quintile boundaries: the values at 20, 40, 60
// and 80 % of the contacts with orders, per dimension.
type Breaks struct {
	Recency  [4]float64 `json:"recency"`
	Freq     [4]float64 `json:"frequency"`
	Monetary [4]float64 `json:"monetary"`
}

// quantiles returns the 20/40/60/80 % boundaries of xs (sorted in place):
// the k-th is the value at rank ceil(k·n/5), so that n a multiple of five
// splits into five equal groups.
func quantiles(xs []float64) [4]float64 {
	var q [4]float64
	if len(xs) == 0 {
		return q
	}
	slices.Sort(xs)
	n := len(xs)
	for k := 1; k <= 4; k++ {
		i := int(math.Ceil(float64(k*n)/5)) - 1
		q[k-1] = xs[max(i, 0)]
	}
	return q
}

// higher is the quintile (1–5) of v when more is better: one plus the
// boundaries it exceeds. Equal values always share a quintile, so a shop
// where most customers ordered once puts them all in frequency 1.
func higher(v float64, q [4]float64) int {
	s := 1
	for _, b := range q {
		if v > b {
			s++
		}
	}
	return s
}

// lower is the quintile of v when less is better (recency in days).
func lower(v float64, q [4]float64) int {
	s := 5
	for _, b := range q {
		if v > b {
			s--
		}
	}
	return s
}

// RFMInput is what RFM reads of one contact with orders.
type RFMInput struct {
	RecencyDays float64 // days since the last order
	Orders      float64 // distinct order days
	Revenue     float64 // total value, net of refunds
}

// FitBreaks computes the workspace's quintile boundaries.
func FitBreaks(in []RFMInput) Breaks {
	r, f, m := make([]float64, len(in)), make([]float64, len(in)), make([]float64, len(in))
	for i, x := range in {
		r[i], f[i], m[i] = x.RecencyDays, x.Orders, x.Revenue
	}
	return Breaks{Recency: quantiles(r), Freq: quantiles(f), Monetary: quantiles(m)}
}

// Score returns a contact's R, F and M quintiles and cell.
func (b Breaks) Score(x RFMInput) (r, f, m int, cell string) {
	r, f, m = lower(x.RecencyDays, b.Recency), higher(x.Orders, b.Freq), higher(x.Revenue, b.Monetary)
	return r, f, m, Cell(r, f, m)
}

// Cell names the RFM cell of quintiles r, f, m. It is the usual 11-cell
// map over recency and the rounded mean of frequency and monetary (FM):
//
//	R 5,   FM 4–5: champions         R 3–4, FM 4–5: loyal
//	R 4–5, FM 2–3: potential loyalists
//	R 5,   FM 1:   new               R 4,   FM 1:   promising
//	R 3,   FM 3:   need attention    R 3,   FM 1–2: about to sleep
//	R 1–2, FM 5:   can't lose them   R 1–2, FM 3–4: at risk
//	R 1–2, FM 1–2: hibernating, except R 1 and FM 1: lost
func Cell(r, f, m int) string {
	fm := (f + m + 1) / 2
	switch {
	case r == 5 && fm >= 4:
		return CellChampions
	case r >= 3 && fm >= 4:
		return CellLoyal
	case r >= 4 && fm >= 2:
		return CellPotentialLoyalists
	case r == 5:
		return CellNew
	case r == 4:
		return CellPromising
	case r == 3 && fm == 3:
		return CellNeedAttention
	case r == 3:
		return CellAboutToSleep
	case fm == 5:
		return CellCantLoseThem
	case fm >= 3:
		return CellAtRisk
	case r == 1 && fm == 1:
		return CellLost
	default:
		return CellHibernating
	}
}
