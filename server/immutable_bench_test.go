package server

import (
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// BenchmarkImmutable measures what Config.Immutable costs a request shaped
// like /decide (ten query parameters, two headers, method and path read)
// and one shaped like /collect (a 1 KB body read), with it on and off.
// The figures are in docs/BENCHMARKS.md.
func BenchmarkImmutable(b *testing.B) {
	for _, immutable := range []bool{false, true} {
		name := "off"
		if immutable {
			name = "on"
		}
		app := fiber.New(fiber.Config{Immutable: immutable, DisableStartupMessage: true})
		var sink int
		app.Get("/decide", func(c *fiber.Ctx) error {
			for _, k := range []string{"k", "v", "s", "u", "p", "pid", "cat", "d", "f", "x"} {
				sink += len(c.Query(k))
			}
			sink += len(c.Get(fiber.HeaderOrigin)) + len(c.Get(fiber.HeaderUserAgent)) + len(c.Method()) + len(c.Path())
			return c.SendString(`{"w":true}`)
		})
		app.Post("/collect", func(c *fiber.Ctx) error {
			sink += len(c.Body()) + len(c.Get(fiber.HeaderOrigin)) + len(c.Method()) + len(c.Path())
			return c.SendString(`{"accepted":1}`)
		})
		h := app.Handler()
		decide := "/decide?k=pk_0123456789abcdefghij&v=visitor-0123456789&s=session-01&u=https%3A%2F%2Fshop.example%2Fproducts%2Fbeans&p=product&pid=p12&cat=Coffee&d=desktop&f=pdp,cart&x=1"
		body := []byte(`{"k":"pk_0123456789abcdefghij","v":"visitor-0123456789","e":[` + strings.Repeat(`{"t":"page_view"},`, 50) + `{}]}`)
		b.Run("decide/"+name, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			b.ReportAllocs()
			for b.Loop() {
				ctx.Request.Reset()
				ctx.Response.Reset()
				ctx.Request.Header.SetMethod(fiber.MethodGet)
				ctx.Request.SetRequestURI(decide)
				ctx.Request.Header.Set(fiber.HeaderOrigin, "https://shop.example")
				ctx.Request.Header.Set(fiber.HeaderUserAgent, "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0")
				h(&ctx)
			}
		})
		b.Run("collect/"+name, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			b.ReportAllocs()
			for b.Loop() {
				ctx.Request.Reset()
				ctx.Response.Reset()
				ctx.Request.Header.SetMethod(fiber.MethodPost)
				ctx.Request.SetRequestURI("/collect")
				ctx.Request.Header.Set(fiber.HeaderOrigin, "https://shop.example")
				ctx.Request.SetBody(body)
				h(&ctx)
			}
		})
		_ = sink
	}
}
