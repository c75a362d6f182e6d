package reco

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// plantedStaples: 20 regular customers, 50 orders each. Every order
// holds one of the customer's two staples (reordered in turn, never
// together, so no co-occurrence leads from one to the other) and one of
// 100 pairs of products bought together, its lines shuffled. Only the
// person's own purchases find the staples, only the product on screen
// finds a pair's partner: the blend must use both.
func plantedStaples() []Interaction {
	rng := rand.New(rand.NewPCG(3, 5))
	var ins []Interaction
	const persons = 20
	for o := range persons * 50 {
		u := o % persons
		x := rng.IntN(100) * 2
		staple := fmt.Sprint("s", u, string(rune('a'+rng.IntN(2))))
		lines := []string{staple, fmt.Sprint("p", x), fmt.Sprint("p", x+1)}
		rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
		when := t0.Add(time.Duration(o) * time.Hour)
		for k, id := range lines {
			ins = append(ins, Interaction{Person: fmt.Sprint("u", u), Session: fmt.Sprint("o", o), ProductID: id,
				Kind: KindPurchase, At: when.Add(time.Duration(k) * time.Second)})
		}
	}
	return ins
}

func TestBlendBeatsItsParts(t *testing.T) {
	ins := plantedStaples()
	day := 24 * time.Hour
	only := []Blend{
		{Anchor: 1}, {History: 1}, {Repeat: 1, RepeatFreq: 0.5, RepeatHalfLife: 365 * day}, {Popular: 1},
	}
	// This planted shop's bestsellers are other people's staples, so the
	// blend here leaves popularity out; the parts' weights are otherwise
	// equal, as each part is scaled to its best score.
	mix := Blend{Anchor: 1, History: 1, Repeat: 1, RepeatFreq: 0.5, RepeatHalfLife: 365 * day}
	scores := EvaluateWith(ins, nil, EvalOptions{Split: SplitAt(ins, 0.7), K: 4, Strategies: Strategies, Blends: only,
		Engine: Options{AnchoredBlend: mix, Blend: mix}})
	var blended StrategyScore
	for _, s := range scores {
		t.Logf("%-50s hit@4 %.3f ndcg %.3f", s.Strategy, s.HitRate, s.NDCG)
		if s.Strategy == Blended {
			blended = s
		}
	}
	if blended.Targets == 0 {
		t.Fatal("no blended row")
	}
	for _, s := range scores {
		if s.Strategy != Blended && blended.HitRate < 1.15*s.HitRate {
			t.Errorf("blended %.3f does not clearly beat %s %.3f", blended.HitRate, s.Strategy, s.HitRate)
		}
	}
}

func TestEmptyStrategyIsBlended(t *testing.T) {
	e := New(Options{})
	for _, in := range plantedStaples() {
		e.Observe(in)
	}
	a := e.Recommend(Request{Person: "u3", Anchors: []string{"p10"}, N: 4, NoFallback: true})
	b := e.Recommend(Request{Strategy: Blended, Person: "u3", Anchors: []string{"p10"}, N: 4, NoFallback: true})
	if len(a) != 4 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("empty strategy %v, blended %v", a, b)
	}
	// The partner of the product on screen first, then the person's own
	// staple ahead of other people's.
	if a[0].ProductID != "p11" || a[0].Strategy != Blended || a[1].ProductID != "s3a" && a[1].ProductID != "s3b" {
		t.Fatalf("%v", a)
	}
}
