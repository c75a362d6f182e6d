package webpush_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/messaging/webpush"
)

// BenchmarkSend measures encrypt + sign + post + (fake) decrypt through
// loopback with concurrent senders, as a send worker pool would run.
func BenchmarkSend(b *testing.B) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	f := newFixture(b, webpush.WithHTTPClient(&http.Client{Transport: tr}))
	subs := make([]webpush.Subscription, 16)
	for i := range subs {
		subs[i], _ = f.srv.Subscribe()
	}
	payload, err := webpush.Message{Title: "Your cart is waiting", Body: "Complete your order today", URL: "https://shop.example/cart"}.Encode()
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sub := subs[next.Add(1)%int64(len(subs))]
			if _, err := f.sender.Send(context.Background(), sub, payload, webpush.SendOptions{Urgency: webpush.UrgencyNormal}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pushes/s")
	if f.srv.Count() != b.N {
		b.Fatalf("%d deliveries for %d sends", f.srv.Count(), b.N)
	}
}
