// Package server is fachtag's HTTP layer: thin chi handlers for the HTML
// pages and the JSON API, with errors mapped to status codes in one place.
// Booking rules live in package booking; handlers only parse, call and render.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/web"
)

// Options configure a Server.
type Options struct {
	BaseURL            string // absolute, no trailing slash; used for every link handed out
	RateLimitPerMinute int    // public POSTs per client address; 0 turns the limit off
	TrustProxy         bool   // client address from X-Forwarded-For
	Logger             *slog.Logger
	Auth               auth.Options                                              // accounts: hashing cost, session timeouts, lockout
	SendResetLink      func(ctx context.Context, email, lang, link string) error // nil: the link is logged (see org_reset.go)
}

// Server holds what the handlers share.
type Server struct {
	opts    Options
	pool    *pgxpool.Pool
	book    *booking.Service
	pages   *pages
	limiter *rateLimiter
	log     *slog.Logger

	auth *auth.Service
}

// New parses the templates (failing fast on a broken one) and returns a
// Server.
func New(pool *pgxpool.Pool, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Server{
		opts:    opts,
		pool:    pool,
		book:    booking.New(pool),
		pages:   p,
		limiter: newRateLimiter(opts.RateLimitPerMinute),
		log:     opts.Logger,
		auth:    auth.New(pool, opts.Auth),
	}, nil
}

// Handler returns the HTTP handler with every route and protection.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.recoverPanics, securityHeaders)
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	static, _ := fs.Sub(web.FS, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	r.Get("/", s.page(s.index))
	r.Route("/events/{slug}", func(r chi.Router) {
		r.Get("/", s.page(s.eventPage))
		r.Get("/register", s.page(s.registerForm))
		r.With(s.limit).Post("/register", s.page(s.registerSubmit))
		r.Get("/link", s.page(s.resendForm))
		r.With(s.limit).Post("/link", s.page(s.resendSubmit))
	})
	r.Route("/r/{token}", func(r chi.Router) {
		r.Use(noStore)
		r.Get("/", s.page(s.managePage))
		r.With(s.limit).Post("/swap", s.page(s.manageSwap))
		r.With(s.limit).Post("/cancel", s.page(s.manageCancel))
		r.With(s.limit).Post("/wishes", s.page(s.manageWishes))
		r.Get("/calendar.ics", s.page(s.calendar))
		r.Get("/qr.png", s.page(s.participantQR))
	})
	r.Route("/api/v1", s.apiRoutes)
	r.Route("/org", s.orgPages)
	r.NotFound(s.page(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	return http.NewCrossOriginProtection().Handler(r)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 only when the database answers and its schema is the
// one this binary expects.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := db.SchemaCurrent(ctx, s.pool); err != nil {
		s.log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "path", redactPath(r.URL.Path), "panic", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders keeps pages out of frames, stops MIME sniffing and, above
// all, keeps personal links out of Referer headers sent to other sites.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age="+itoa(int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}
