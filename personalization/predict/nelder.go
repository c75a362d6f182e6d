package predict

import (
	"context"
	"math"
	"sort"
)

// nelderMead minimises f from x0 with the Nelder–Mead simplex (standard
// coefficients), restarting from the best point until a restart no longer
// improves it: a restart rebuilds a collapsed simplex, the method's known
// failure mode. It returns the minimiser, the minimum, the number of
// evaluations and errNoConvergence when maxEval runs out first. f may return
// +Inf for points outside its domain; the simplex then steps back.
func nelderMead(ctx context.Context, f func([]float64) float64, x0 []float64, step float64, maxEval int) ([]float64, float64, int, error) {
	n := len(x0)
	evals := 0
	best := append([]float64(nil), x0...)
	fbest := f(best)
	evals++
	for restart := 0; restart < 10; restart++ {
		xs := make([][]float64, n+1)
		fs := make([]float64, n+1)
		xs[0] = append([]float64(nil), best...)
		fs[0] = fbest
		for i := 1; i <= n; i++ {
			xs[i] = append([]float64(nil), best...)
			xs[i][i-1] += step
			fs[i] = f(xs[i])
			evals++
		}
		idx := make([]int, n+1)
		centroid := make([]float64, n)
		trial := func(from []float64, coef float64) []float64 {
			p := make([]float64, n)
			for j := range p {
				p[j] = centroid[j] + coef*(from[j]-centroid[j])
			}
			return p
		}
		converged := false
		for evals < maxEval {
			if err := ctx.Err(); err != nil {
				return best, fbest, evals, err
			}
			for i := range idx {
				idx[i] = i
			}
			sort.Slice(idx, func(i, j int) bool { return fs[idx[i]] < fs[idx[j]] })
			lo, hi, nh := idx[0], idx[n], idx[n-1]
			spread := 0.0
			for j := 0; j < n; j++ {
				spread = math.Max(spread, math.Abs(xs[hi][j]-xs[lo][j]))
			}
			if math.Abs(fs[hi]-fs[lo]) <= 1e-10*(math.Abs(fs[lo])+1e-12) && spread < 1e-6 {
				converged = true
				break
			}
			for j := range centroid {
				centroid[j] = 0
				for i := 0; i <= n; i++ {
					if i != hi {
						centroid[j] += xs[i][j] / float64(n)
					}
				}
			}
			xr := trial(xs[hi], -1)
			fr := f(xr)
			evals++
			switch {
			case fr < fs[lo]:
				xe := trial(xs[hi], -2)
				fe := f(xe)
				evals++
				if fe < fr {
					xs[hi], fs[hi] = xe, fe
				} else {
					xs[hi], fs[hi] = xr, fr
				}
			case fr < fs[nh]:
				xs[hi], fs[hi] = xr, fr
			default:
				coef := 0.5
				if fr < fs[hi] {
					coef = -0.5 // outside contraction
				}
				xc := trial(xs[hi], coef)
				fc := f(xc)
				evals++
				if fc < math.Min(fr, fs[hi]) {
					xs[hi], fs[hi] = xc, fc
				} else {
					for i := 0; i <= n; i++ {
						if i == lo {
							continue
						}
						for j := range xs[i] {
							xs[i][j] = xs[lo][j] + 0.5*(xs[i][j]-xs[lo][j])
						}
						fs[i] = f(xs[i])
						evals++
					}
				}
			}
		}
		lo := 0
		for i := range fs {
			if fs[i] < fs[lo] {
				lo = i
			}
		}
		improved := fs[lo] < fbest-1e-10*(math.Abs(fbest)+1e-12)
		if fs[lo] <= fbest {
			best, fbest = append([]float64(nil), xs[lo]...), fs[lo]
		}
		if !converged {
			return best, fbest, evals, errNoConvergence
		}
		if !improved && restart > 0 {
			return best, fbest, evals, nil
		}
		step = math.Max(step/2, 0.05)
	}
	return best, fbest, evals, nil
}
