package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the request metrics /metrics exposes. Labels use the
// matched route pattern, never the raw path, so cardinality stays bounded.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cartwheel_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cartwheel_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// observe records metrics and logs the request; 5xx at warn, the rest at
// debug so busy ingest endpoints do not flood the log.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler set the status now, so it is what we record.
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
		err = nil
	}
	status := c.Response().StatusCode()
	route := "unmatched"
	if r := c.Route(); r != nil && r.Path != "/" && r.Path != "" {
		route = r.Path
	} else if c.Path() == "/" {
		route = "/"
	}
	elapsed := time.Since(start)
	method := methodLabel(c.Method())
	s.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	s.metrics.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
	level := s.opt.Log.Debug
	switch {
	case status == fiber.StatusServiceUnavailable:
		// Shed load or a full disk: counted, logged once per interval.
		s.shedLog.note(route, start)
	case status >= 500:
		level = s.opt.Log.Warn
	}
	level("http", "method", c.Method(), "path", c.Path(), "status", status, "ms", elapsed.Milliseconds(),
		"request_id", c.Locals("requestid"))
	return err
}

// methodLabel maps a request method to a constant string: a label is kept
// for the life of the process, so it must never be the request's own
// string (and unknown methods must not grow the label set).
func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	}
	return "other"
}
