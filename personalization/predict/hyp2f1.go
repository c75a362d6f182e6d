package predict

import (
	"errors"
	"math"
)

// errNoConvergence reports a series or an optimiser that did not converge.
var errNoConvergence = errors.New("predict: did not converge")

// hyp2f1 evaluates the Gaussian hypergeometric function 2F1(a, b; c; z) by its
// power series, for 0 ≤ z < 1 and c > 0 (the only arguments the BG/NBD
// expectation uses). The series converges for |z| < 1 with the ratio of
// successive terms tending to z; it is summed until a term no longer changes
// the sum in the 15th digit, and refused (an error, never a silently wrong
// number) after maxTerms terms or when a term overflows. Callers arrange
// small a and b (see conditionalExpected) so the terms stay tame.
func hyp2f1(a, b, c, z float64) (float64, error) {
	if z < 0 || z >= 1 || c <= 0 || math.IsNaN(a+b+c+z) {
		return math.NaN(), errors.New("predict: 2F1 outside 0 ≤ z < 1, c > 0")
	}
	const maxTerms = 200000
	sum, term := 1.0, 1.0
	for n := 0; n < maxTerms; n++ {
		fn := float64(n)
		term *= (a + fn) * (b + fn) / ((c + fn) * (fn + 1)) * z
		if math.IsInf(term, 0) || math.IsNaN(term) {
			return math.NaN(), errNoConvergence
		}
		sum += term
		// Past the largest term (n > a+b-c) the terms shrink geometrically.
		if math.Abs(term) <= 1e-16*math.Abs(sum) && fn > a+b-c {
			return sum, nil
		}
		if term == 0 {
			return sum, nil
		}
	}
	return math.NaN(), errNoConvergence
}
