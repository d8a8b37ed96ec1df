package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
)

// observe writes one access-log line per request and records it in the
// metrics. Both name the route pattern ("/r/{token}"), never the path, so
// neither carries a personal-link token or an e-mail address.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID()
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		route := routePattern(r)
		s.opts.Metrics.Request(route, r.Method, sw.status, d)
		s.log.Log(r.Context(), accessLevel(sw.status), "request", "method", r.Method, "route", route, "status", sw.status,
			"duration_ms", float64(d.Microseconds())/1000, "request_id", id)
	})
}

// routePattern is the router's pattern of the request ("/r/{token}").
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		return rc.RoutePattern()
	}
	return "unmatched"
}

// accessLevel logs server-side failures above Info, so that the log
// handler folds their repeats during an outage (package logging) while
// every ordinary request keeps its own line.
func accessLevel(status int) slog.Level {
	switch {
	case status == http.StatusServiceUnavailable:
		return slog.LevelWarn
	case status >= 500:
		return slog.LevelError
	}
	return slog.LevelInfo
}

func requestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countSignUp records the outcome of a sign-up attempt.
func (s *Server) countSignUp(reg *booking.Registration, err error) {
	switch {
	case err != nil:
		s.opts.Metrics.SignUp("rejected")
	case reg != nil:
		s.opts.Metrics.SignUp(string(reg.Status))
	}
}

// Drain makes /readyz answer 503 from now on, so load balancers stop
// sending new requests while the ones in flight and those already routed
// here are still served (SHUTDOWN_DELAY).
func (s *Server) Drain() { s.draining.Store(true) }
