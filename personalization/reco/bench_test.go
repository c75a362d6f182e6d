package reco

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

const (
	benchProducts = 100_000
	benchPersons  = 1_000_000
)

var (
	benchOnce   sync.Once
	benchEngine *Engine
	benchBuild  time.Duration
	benchHeap   uint64
	benchEvents int
)

// synthetic builds a deterministic shop: 100,000 products in 500
// categories, popularity Zipf-skewed; 1,000,000 persons with one to three
// sessions of one to six views, mostly within one category, a quarter of
// sessions ending in an order of one or two viewed items.
func synthetic() (*Engine, int) {
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, benchProducts-1)
	e := New(Options{})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range benchProducts {
		e.UpsertProduct(Product{ID: fmt.Sprint("p", i), Category: fmt.Sprint("c", i%500), PriceMinor: int64(500 + i%20000),
			InStock: i%10 != 0, CreatedAt: start.Add(-time.Duration(i) * time.Hour)})
	}
	events := 0
	var viewed []int
	for u := range benchPersons {
		person := fmt.Sprint("u", u)
		at := start.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
		for s := range 1 + rng.IntN(3) {
			viewed = viewed[:0]
			p := int(zipf.Uint64())
			for range 1 + rng.IntN(6) {
				viewed = append(viewed, p)
				e.Observe(Interaction{Person: person, Session: fmt.Sprint(s), ProductID: fmt.Sprint("p", p), Kind: KindView, At: at})
				events++
				at = at.Add(time.Duration(1+rng.IntN(5)) * time.Minute)
				if rng.IntN(10) < 7 { // same category: ids ≡ mod 500
					p = (p + 500*(1+int(zipf.Uint64()%20))) % benchProducts
				} else {
					p = int(zipf.Uint64())
				}
			}
			if rng.IntN(4) == 0 {
				for _, p := range viewed[:min(len(viewed), 1+rng.IntN(2))] {
					e.Observe(Interaction{Person: person, Session: fmt.Sprint("o", u, s), ProductID: fmt.Sprint("p", p), Kind: KindPurchase, At: at})
					events++
				}
			}
			at = at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
		}
	}
	return e, events
}

func benchSetup(b *testing.B) *Engine {
	benchOnce.Do(func() {
		t := time.Now()
		benchEngine, benchEvents = synthetic()
		benchBuild = time.Since(t)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		benchHeap = ms.HeapInuse
	})
	b.Logf("synthetic shop: %d products, %d persons, %d events, built in %s, heap in use %d MiB",
		benchProducts, benchPersons, benchEvents, benchBuild.Round(time.Millisecond), benchHeap>>20)
	return benchEngine
}

// BenchmarkRecommend asks each strategy for 10 products for a random
// person on a Zipf-drawn product page, with the filters a frame uses.
// p99-ns is measured per call.
func BenchmarkRecommend(b *testing.B) {
	e := benchSetup(b)
	for _, s := range Strategies {
		b.Run(s, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			zipf := rand.NewZipf(rng, 1.1, 1, benchProducts-1)
			reqs := make([]Request, 4096)
			for i := range reqs {
				reqs[i] = Request{Strategy: s, Person: fmt.Sprint("u", rng.IntN(benchPersons)), Anchors: []string{fmt.Sprint("p", zipf.Uint64())},
					N: 10, InStockOnly: true, ExcludeBought: true, ExcludeAnchors: true, NoFallback: true}
			}
			lat := make([]time.Duration, 0, 1<<16)
			n, empty := 0, 0
			for b.Loop() {
				t := time.Now()
				rs := e.Recommend(reqs[n%len(reqs)])
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(t))
				}
				if len(rs) == 0 {
					empty++
				}
				n++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(empty)/float64(n), "empty-share")
			b.ReportMetric(float64(benchHeap>>20), "heap-MiB")
		})
	}
}

// BenchmarkRecommendWhileObserving runs recommendations on all CPUs while
// one writer observes events, as the /decide path does under ingest.
func BenchmarkRecommendWhileObserving(b *testing.B) {
	e := benchSetup(b)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			e.Observe(Interaction{Person: fmt.Sprint("u", i%benchPersons), Session: "w", ProductID: fmt.Sprint("p", (i*7919)%benchProducts), Kind: KindView, At: at})
		}
	}()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			e.Recommend(Request{Strategy: Personalized, Person: fmt.Sprint("u", i%benchPersons), N: 10, ExcludeBought: true})
			i += 7
		}
	})
	close(stop)
	<-done
}

// BenchmarkObserve measures one event's update on the full synthetic shop.
func BenchmarkObserve(b *testing.B) {
	e := benchSetup(b)
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		e.Observe(Interaction{Person: fmt.Sprint("u", i%benchPersons), Session: fmt.Sprint("b", i/5), ProductID: fmt.Sprint("p", (i*7919)%benchProducts), Kind: []string{KindView, KindPurchase}[i%2], At: at})
		i++
	}
}
