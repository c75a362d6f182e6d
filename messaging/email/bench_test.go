package email_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/cartwheelhq/cartwheel/commerce"
	"github.com/cartwheelhq/cartwheel/messaging/email"
	"github.com/cartwheelhq/cartwheel/messaging/email/smtptest"
)

// benchMail is a realistic abandoned-cart email: the full layout with cart
// lines, a discount and a product grid, tracked links, unsubscribe headers.
func benchMail(b *testing.B) email.Mail {
	c, err := email.Parse(email.Template{
		Subject:   "{{.Contact.FirstName}}, you left something in your cart",
		Preheader: "Your cart is saved — and here is 10% off",
		HTML: `<h1>Still thinking it over?</h1><p>Hi {{.Contact.FirstName}}, your cart at {{.Shop.Name}} is waiting.</p>
{{template "cart_items" .Items}}{{template "discount" .Discount}}
{{template "button" (button "Complete your order" .Links.Recovery)}}
<h2>You may also like</h2>{{template "product_grid" .Products}}`,
	})
	if err != nil {
		b.Fatal(err)
	}
	d := email.Data{
		Contact:  email.Contact{FirstName: "Ann", Email: "ann@example.com", Timezone: "Europe/Paris"},
		Shop:     email.Shop{Name: "Acme Mugs", URL: "https://acme.example", Address: "1 Rue du Port, Paris", Currency: "EUR"},
		Discount: &email.Discount{Code: "COMEBACK10", Percent: 10},
		Links:    email.Links{Unsubscribe: "https://acme.example/u/tok", Recovery: "https://acme.example/cart/r"},
	}
	for i := range 3 {
		d.Items = append(d.Items, commerce.LineItem{Title: fmt.Sprintf("Mug %d", i), Quantity: 1, PriceMinor: 1250,
			URL: "https://acme.example/p/mug", ImageURL: "https://cdn.acme.example/mug.png"})
	}
	for i := range 4 {
		d.Products = append(d.Products, email.Product{Title: fmt.Sprintf("Cup %d", i), PriceMinor: 990,
			URL: "https://acme.example/p/cup", ImageURL: "https://cdn.acme.example/cup.png"})
	}
	r, err := c.Render(d)
	if err != nil {
		b.Fatal(err)
	}
	sign, _ := hmacSigner("bench")
	html, err := email.Tracker{BaseURL: "https://acme.example/t", Sign: sign}.Rewrite(r.HTML, "msg_bench")
	if err != nil {
		b.Fatal(err)
	}
	return email.Mail{
		From: "hello@acme.example", FromName: "Acme Mugs", To: "ann@example.com", ToName: "Ann",
		Subject: r.Subject, HTML: html, Text: r.Text,
		Headers: email.ListUnsubscribeHeaders(d.Links.Unsubscribe, "unsubscribe@acme.example"),
	}
}

// BenchmarkSMTPSend measures sending through the pool (4 connections) to
// the in-process server over loopback, parallel like the job workers.
func BenchmarkSMTPSend(b *testing.B) {
	srv := smtptest.NewServer(b, smtptest.WithDiscard())
	s := newSender(b, srv, func(c *email.SMTPConfig) { c.MaxConns = 4 })
	m := benchMail(b)
	b.SetBytes(int64(len(m.HTML) + len(m.Text)))
	b.SetParallelism(4) // GOMAXPROCS × 4 senders compete for the 4 connections
	var failed atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Send(context.Background(), m); err != nil {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d sends failed", n)
	}
	if got := srv.Count(); got < b.N {
		b.Fatalf("server got %d of %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
	b.ReportMetric(float64(srv.Connections()), "conns")
}

// BenchmarkSMTPSendDKIM is BenchmarkSMTPSend with every message signed
// (RSA-2048): what DKIM costs a campaign.
func BenchmarkSMTPSendDKIM(b *testing.B) {
	srv := smtptest.NewServer(b, smtptest.WithDiscard())
	s := newSender(b, srv, func(c *email.SMTPConfig) { c.MaxConns = 4 })
	pemKey, err := email.GenerateDKIMKey()
	if err != nil {
		b.Fatal(err)
	}
	key, err := email.ParseDKIMKey("shop.example", email.DKIMSelector, pemKey)
	if err != nil {
		b.Fatal(err)
	}
	m := benchMail(b)
	m.DKIM = key
	b.SetParallelism(4)
	var failed atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Send(context.Background(), m); err != nil {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d sends failed", n)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
}
