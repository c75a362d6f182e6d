package admin

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cartwheelhq/cartwheel/store"
)

// BenchmarkWidgetPages measures the widget editor, its preview (the saved
// widget, and what was typed) and the widgets list, like
// BenchmarkConsolePages: a pop-up with two variants and 90 days of
// figures, in a workspace of the same size (docs/BENCHMARKS.md, "Admin
// console").
//
//	go test ./admin -run '^$' -bench WidgetPages -benchtime 50x
func BenchmarkWidgetPages(b *testing.B) {
	ctx := context.Background()
	c := newWidgetConsole(b)
	seedConsole(b, c.st, c.ws)
	def := fullPopup()
	def.Variants[1].Content.Products = nil
	w, err := c.dec.CreateWidget(ctx, c.ws, def, "")
	if err != nil {
		b.Fatal(err)
	}
	today := time.Now().UnixMilli() / (24 * 3600 * 1000)
	if err := c.st.InTx(ctx, func(tx *store.Tx) error {
		for day := range 90 {
			for _, v := range []string{"a", "b"} {
				if err := tx.AddWidgetStats(c.ws, store.WidgetStat{WidgetID: w.ID, Variant: v, Day: today - int64(day),
					Impressions: 100, Clicks: 20, Submissions: 8, Conversions: 3, RevenueMinor: 39900}); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	typed := url.Values{}
	for k, v := range widgetFormOf(def, "PLN").Values {
		typed.Set(k, v)
	}
	typed.Set("variants[0].content.title", "Typed")
	for _, p := range []struct{ name, method, page string }{
		{"editor", "GET", "/widgets/" + w.ID},
		{"preview", "GET", "/widgets/" + w.ID + "/preview?variant=a"},
		{"preview-typed", "POST", "/widgets/" + w.ID + "/preview"},
		{"list", "GET", "/widgets"},
	} {
		b.Run(p.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				var v url.Values
				if p.method == "POST" {
					v = url.Values{}
					for k, x := range typed {
						v[k] = x
					}
				}
				code, body, _ := c.do(p.method, p.page, v)
				if code != http.StatusOK {
					b.Fatalf("%s: %d", p.page, code)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}
