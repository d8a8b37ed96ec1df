// Package server is fachtag's HTTP layer: thin chi handlers for the HTML
// pages and the JSON API. Every route is registered in routes.go, every
// error mapped to a status code in errors.go. A handler parses, makes one
// call to a domain service (package app builds them) and renders; the
// rules, the SQL and the transactions live in the domain packages.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fachtag/fachtag/internal/allocrun"
	"github.com/fachtag/fachtag/internal/app"
	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/limits"
	"github.com/fachtag/fachtag/internal/messages"
	"github.com/fachtag/fachtag/internal/metrics"
	"github.com/fachtag/fachtag/internal/reconfirm"
	"github.com/fachtag/fachtag/internal/roster"
	"github.com/fachtag/fachtag/internal/webhook"
	"github.com/fachtag/fachtag/internal/widget"
)

// Options configure a Server.
type Options struct {
	BaseURL            string         // absolute, no trailing slash; used for every link handed out
	RateLimitPerMinute int            // public POSTs per client address, across replicas; 0 turns the limit off
	TrustedProxies     []netip.Prefix // may set X-Forwarded-For (see clientAddr)
	Logger             *slog.Logger
	SendResetLink      func(ctx context.Context, email, lang, link string) error // nil: the link is logged (see org_reset.go)
	Metrics            *metrics.Metrics                                          // nil: no metrics
	// Privacy and Imprint are the installation's privacy notice and
	// imprint, for events without their own (see legal.go).
	Privacy, Imprint event.Legal
	// EmbedAllowHTTP lets organisers allow http:// websites (not only
	// localhost) to embed their form (package widget).
	EmbedAllowHTTP bool
}

// Server holds what the handlers share: the domain services they call,
// never a pool of its own.
type Server struct {
	opts     Options
	book     *booking.Service
	auth     *auth.Service
	events   *event.Service
	roster   *roster.Service
	messages *messages.Service
	allocs   *allocrun.Service
	certs    *certificate.Service
	ready    func(context.Context) error
	outbox   func(context.Context) (metrics.OutboxState, error)
	pages    *pages
	limits   *limits.Service
	widget   *widget.Service
	embedJS  []byte // /embed.js with BASE_URL filled in (embed.go)
	rc       *reconfirm.Service
	webhooks *webhook.Service
	log      *slog.Logger
	draining atomic.Bool // set by Drain: /readyz answers 503
}

// New parses the templates (failing fast on a broken one) and returns a
// Server on the services.
func New(svc *app.Services, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	js, err := buildEmbedScript(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	return &Server{
		opts:     opts,
		book:     svc.Booking,
		auth:     svc.Auth,
		events:   svc.Events,
		roster:   svc.Roster,
		messages: svc.Messages,
		allocs:   svc.Alloc,
		certs:    svc.Certs,
		ready:    svc.Ready,
		outbox:   svc.Outbox,
		pages:    p,
		limits:   svc.Limits,
		widget:   svc.Widget,
		embedJS:  js,
		rc:       svc.Reconfirm,
		webhooks: svc.Webhooks,
		log:      opts.Logger,
	}, nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 only when the server is not shutting down, the
// database answers and its schema is the one this binary expects.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("shutting down\n"))
		return
	}
	if err := s.ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		w.Header().Set("Retry-After", retryAfter)
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

// hstsValue keeps browsers on https for a year once they have seen the
// site over it; sent only when BASE_URL is https, since over plain http
// it would lock a test or intranet set-up out of its own site.
const hstsValue = "max-age=31536000; includeSubDomains"

// pagePolicy is every page's Content-Security-Policy but its
// frame-ancestors: 'none', except on the embeddable pages (allowFraming).
const pagePolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; base-uri 'none'"

// securityHeaders keeps pages out of frames (but the embeddable form, see
// allowFraming), stops MIME sniffing and, above
// all, keeps personal links out of Referer headers sent to other sites.
// With an https BASE_URL every response also carries HSTS.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	hsts := strings.HasPrefix(s.opts.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if hsts {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", pagePolicy+"; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses a state-changing request sent from another site
// (Sec-Fetch-Site or Origin say so): the JSON error under /api, the
// friendly error page elsewhere, both in the participant's language.
func (s *Server) crossOrigin() func(http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		s.fail(w, r, errCrossOrigin)
	}))
	return p.Handler
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
