package server

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"
)

// netHTTP mounts a net/http handler (the tracker, the demo storefront,
// the widget bundle, /metrics). Fiber's own adaptor hands the handler
// strings that point into fasthttp's request buffers, which the next
// request on the connection overwrites: a handler keeping one (a cache
// keyed by User-Agent, a label) would find it changed under it. Every
// string and byte here is a copy, so a handler may keep whatever it likes.
// The client address is the one clientIP resolved (trusted proxies
// applied), so a handler reading RemoteAddr sees the visitor.
func (s *Server) netHTTP(h http.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		fc := c.Context()
		uri := string(fc.RequestURI())
		u, err := url.ParseRequestURI(uri)
		if err != nil {
			return errBadRequest("malformed request URI")
		}
		body := bytes.Clone(fc.PostBody())
		r := &http.Request{Method: string(fc.Method()), URL: u, RequestURI: uri, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: make(http.Header), Host: string(fc.Host()), RemoteAddr: net.JoinHostPort(s.clientIP(c), "0"),
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
		fc.Request.Header.VisitAll(func(k, v []byte) {
			if name := string(k); name != fiber.HeaderHost {
				r.Header.Add(name, string(v))
			}
		})
		w := &bufferedResponse{header: http.Header{}}
		h.ServeHTTP(w, r.WithContext(c.UserContext()))
		if w.status == 0 {
			w.status = http.StatusOK
		}
		if w.header.Get(fiber.HeaderContentType) == "" && w.body.Len() > 0 {
			// What net/http would have done.
			w.header.Set(fiber.HeaderContentType, http.DetectContentType(w.body.Bytes()))
		}
		res := c.Response()
		for k, vs := range w.header {
			for _, v := range vs {
				res.Header.Add(k, v)
			}
		}
		c.Status(w.status)
		return c.Send(w.body.Bytes())
	}
}

// bufferedResponse collects a net/http handler's answer; the handlers
// mounted here answer small bodies in one piece, so nothing streams.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferedResponse) Header() http.Header { return w.header }

func (w *bufferedResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *bufferedResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}
