package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/cartwheelhq/cartwheel/personalization/reco"
)

// easeBaseline scores EASE (Steck, "Embarrassingly Shallow Autoencoders
// for Sparse Data", WWW 2019) in basket mode, as a comparison for the
// engine's strategies: B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹ over
// the training purchases (X: persons × products, 0/1), a person's score
// the sum of B's rows of everything they bought before the basket. B is
// fitted once at the split (an O(products³) inversion, nothing the engine
// could redo one event at a time); the persons' purchases keep growing
// through the test period, as in the engine's replay.
func easeBaseline(out io.Writer, ins []reco.Interaction, split time.Time, k int, lambda float64) error {
	ins = slices.Clone(ins)
	slices.SortStableFunc(ins, func(a, b reco.Interaction) int { return a.At.Compare(b.At) })
	ids := map[string]int{}
	var names []string
	bought := map[string]map[int]bool{}
	for _, in := range ins {
		if in.Kind != reco.KindPurchase || !in.At.Before(split) {
			continue
		}
		j, ok := ids[in.ProductID]
		if !ok {
			j = len(names)
			ids[in.ProductID] = j
			names = append(names, in.ProductID)
		}
		if bought[in.Person] == nil {
			bought[in.Person] = map[int]bool{}
		}
		bought[in.Person][j] = true
	}
	n := len(names)
	t := time.Now()
	g := make([]float64, n*n)
	for _, items := range bought {
		js := make([]int, 0, len(items))
		for j := range items {
			js = append(js, j)
		}
		for _, a := range js {
			for _, b := range js {
				g[a*n+b]++
			}
		}
	}
	for j := range n {
		g[j*n+j] += lambda
	}
	p, err := invertSPD(g, n)
	if err != nil {
		return err
	}
	for i := range n { // B = I − P·diag(1/diag P): row i scaled by −1/P_jj per column j, zero diagonal
		for j := range n {
			if i == j {
				continue
			}
			p[i*n+j] = -p[i*n+j] / p[j*n+j]
		}
	}
	for j := range n {
		p[j*n+j] = 0
	}
	fitted := time.Since(t)

	ideal := make([]float64, k+1)
	for r := range k {
		ideal[r+1] = ideal[r] + 1/math.Log2(float64(r+2))
	}
	type basket struct {
		session string
		top     []int
		seen    map[string]bool
		dcg     float64
		hit     bool
	}
	var targets, hits, baskets, basketHits int
	var ndcg float64
	recommended := map[int]bool{}
	open := map[string]*basket{}
	finish := func(b *basket) {
		baskets++
		if b.hit {
			basketHits++
		}
		ndcg += b.dcg / ideal[min(len(b.seen), k)]
	}
	score := make([]float64, n)
	for _, in := range ins {
		if in.Kind != reco.KindPurchase || in.At.Before(split) {
			continue
		}
		b := open[in.Person]
		if b == nil || b.session != in.Session || in.Session == "" {
			if b != nil {
				finish(b)
			}
			b = &basket{session: in.Session, seen: map[string]bool{}}
			clear(score)
			for j := range bought[in.Person] {
				row := p[j*n : (j+1)*n]
				for c, v := range row {
					score[c] += v
				}
			}
			if len(bought[in.Person]) > 0 {
				b.top = topK(score, k)
				for _, c := range b.top {
					recommended[c] = true
				}
			}
			open[in.Person] = b
		}
		j, known := ids[in.ProductID]
		if known { // learned after its basket was asked, as in the engine's replay
			if bought[in.Person] == nil {
				bought[in.Person] = map[int]bool{}
			}
		}
		if !b.seen[in.ProductID] {
			b.seen[in.ProductID] = true
			targets++
			if known {
				if r := slices.Index(b.top, j); r >= 0 {
					hits++
					b.hit = true
					b.dcg += 1 / math.Log2(float64(r+2))
				}
			}
		}
		if known {
			bought[in.Person][j] = true
		}
	}
	for _, b := range open {
		finish(b)
	}
	fmt.Fprintf(out, "EASE λ=%g: %d products, fitted in %s; hit-rate@%d %.4f, ndcg@%d %.4f, baskets hit %.4f, coverage %.4f (%d baskets)\n",
		lambda, n, fitted.Round(time.Millisecond), k, float64(hits)/float64(max(targets, 1)), k, ndcg/float64(max(baskets, 1)),
		float64(basketHits)/float64(max(baskets, 1)), float64(len(recommended))/float64(max(n, 1)), baskets)
	return nil
}

// topK returns the indexes of the k highest scores, best first.
func topK(s []float64, k int) []int {
	idx := make([]int, 0, k+1)
	for i, v := range s {
		if v <= 0 {
			continue
		}
		if len(idx) == k && v <= s[idx[k-1]] {
			continue
		}
		pos, _ := slices.BinarySearchFunc(idx, v, func(a int, v float64) int { return cmp.Compare(v, s[a]) })
		idx = slices.Insert(idx, pos, i)
		if len(idx) > k {
			idx = idx[:k]
		}
	}
	return idx
}

// invertSPD inverts a symmetric positive-definite n×n matrix (row-major)
// through its Cholesky factor: O(n³/2), about 2·10¹⁰ operations at
// n = 3,400.
func invertSPD(a []float64, n int) ([]float64, error) {
	l := make([]float64, n*n) // lower triangle, row-major
	for i := range n {
		ri := l[i*n : i*n+n]
		for j := 0; j <= i; j++ {
			rj := l[j*n : j*n+n]
			s := a[i*n+j]
			for q := range j {
				s -= ri[q] * rj[q]
			}
			if i == j {
				if s <= 0 {
					return nil, fmt.Errorf("ease: matrix not positive definite at %d", i)
				}
				ri[i] = math.Sqrt(s)
			} else {
				ri[j] = s / rj[j]
			}
		}
	}
	// M = L⁻¹ (lower), row by row by forward substitution on columns:
	// M[i][j] = −(Σ_{q=j}^{i−1} L[i][q]·M[q][j]) / L[i][i], M[i][i] = 1/L[i][i].
	m := make([]float64, n*n)
	for i := range n {
		ri, mi := l[i*n:i*n+n], m[i*n:i*n+n]
		for q := range i {
			if c := ri[q]; c != 0 {
				mq := m[q*n : q*n+q+1]
				for j, v := range mq {
					mi[j] -= c * v
				}
			}
		}
		d := ri[i]
		for j := range i {
			mi[j] /= d
		}
		mi[i] = 1 / d
	}
	// A⁻¹ = Mᵀ·M: (i, j) = Σ_{q ≥ max(i,j)} M[q][i]·M[q][j], accumulated row by row of M.
	p := make([]float64, n*n)
	for q := range n {
		mq := m[q*n : q*n+q+1]
		for i, vi := range mq {
			if vi == 0 {
				continue
			}
			pi := p[i*n : i*n+q+1]
			for j, vj := range mq {
				pi[j] += vi * vj
			}
		}
	}
	return p, nil
}
