package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/app"
	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/config"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/logging"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/messages"
	"github.com/fachtag/fachtag/internal/metrics"
	"github.com/fachtag/fachtag/internal/reconfirm"
	"github.com/fachtag/fachtag/internal/retention"
	"github.com/fachtag/fachtag/internal/server"
	"github.com/fachtag/fachtag/internal/webhook"
)

// logFoldInterval is how often a repeated warning or error is written:
// once when it first happens, then one summary line per interval.
const logFoldInterval = 10 * time.Second

// runServe starts the HTTP server and the mail workers and, on SIGINT or
// SIGTERM, drains HTTP requests first and then lets in-flight mails finish.
func runServe(ctx context.Context) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	slog.SetDefault(logging.New(os.Stderr, cfg.LogFormat, logFoldInterval))
	slog.Info("starting fachtag", "config", cfg)
	if cfg.Privacy == (config.Legal{}) || cfg.Imprint == (config.Legal{}) {
		slog.Warn("no installation-wide privacy notice or imprint (PRIVACY_URL|PRIVACY_FILE, IMPRINT_URL|IMPRINT_FILE): " +
			"events without their own link none, although the sign-up form asks for consent to the privacy notice")
	}
	if err := db.Migrate(cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	m := newMetrics(pool)
	services := app.New(pool, auth.Options{})
	policy := webhook.NewPolicy(cfg.WebhookAllow.Hosts, cfg.WebhookAllow.Prefixes)
	services.AllowWebhooks(policy)
	services.LimitSignUps(cfg.SignUpConcurrency)
	m.WatchSignUpGate(services.Booking.WaitingSignUps)
	srv, err := server.New(services, server.Options{BaseURL: cfg.BaseURL,
		RateLimitPerMinute: cfg.RateLimitPerMinute, TrustedProxies: cfg.TrustedProxies, Metrics: m,
		Privacy: event.Legal(cfg.Privacy), Imprint: event.Legal(cfg.Imprint), EmbedAllowHTTP: cfg.EmbedAllowHTTP,
		SendResetLink: func(ctx context.Context, email, lang, link string) error {
			return mail.Enqueue(ctx, pool, mail.Message{Kind: mail.KindPasswordReset, To: email, Language: lang, Link: link})
		}})
	if err != nil {
		return err
	}
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort,
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, TLS: cfg.SMTPTLS})
	if err != nil {
		return err
	}
	defer sender.Close()
	worker := mail.NewWorker(pool, sender, mail.WorkerConfig{PersonalLink: server.ManageLink(cfg.BaseURL),
		AnswerLink: server.AnswerLink(cfg.BaseURL), From: cfg.MailFrom,
		Concurrency: cfg.MailWorkers, RatePerSecond: cfg.MailRatePerSecond, Metrics: m, LegalLinks: srv.MailLegalLinks,
		CertificatePDF: srv.MailCertificate}, slog.Default())
	// The reminder scheduler stops with the signal and is waited for
	// before the pool closes; any number of replicas may run one.
	reminderCtx, stopReminders := context.WithCancel(ctx)
	remindersDone := make(chan error, 1)
	go func() { remindersDone <- (&messages.Scheduler{Pool: pool, Log: slog.Default()}).Run(reminderCtx) }()
	defer func() { stopReminders(); <-remindersDone }()
	retentionDone := make(chan error, 1)
	go func() { retentionDone <- (&retention.Scheduler{Pool: pool, Log: slog.Default()}).Run(reminderCtx) }()
	defer func() { stopReminders(); <-retentionDone }()
	reconfirmDone := make(chan error, 1)
	go func() { reconfirmDone <- (&reconfirm.Scheduler{Pool: pool, Log: slog.Default()}).Run(reminderCtx) }()
	defer func() { stopReminders(); <-reconfirmDone }()
	hooks := webhook.NewWorker(pool, webhook.WorkerConfig{Policy: policy, PageURL: server.WebhooksLink(cfg.BaseURL)}, slog.Default())
	return serveUntilDone(ctx, cfg, serving{Handler: srv.Handler(), Drain: srv.Drain, Metrics: m.Handler()}, worker, hooks)
}

// newMetrics registers the instruments and the collectors that read the
// pool and the outbox at each scrape.
func newMetrics(pool *pgxpool.Pool) *metrics.Metrics {
	m := metrics.New()
	m.WatchPool(func() metrics.PoolStat {
		st := pool.Stat()
		return metrics.PoolStat{Total: st.TotalConns(), Idle: st.IdleConns(), Acquired: st.AcquiredConns(),
			Max: st.MaxConns(), AcquireCount: st.AcquireCount(), EmptyAcquire: st.EmptyAcquireCount(),
			AcquireWait: st.EmptyAcquireWaitTime()}
	})
	m.WatchOutbox(func(ctx context.Context) (metrics.OutboxState, error) { return mail.State(ctx, pool) })
	return m
}

// serving is what serveUntilDone runs: the site, how to tell it that
// shutdown has begun, and the metrics (served on METRICS_ADDR if set).
type serving struct {
	Handler http.Handler
	Drain   func()
	Metrics http.Handler
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)}
}

// serveMetrics serves /metrics on addr until the returned stop is called.
func serveMetrics(addr string, h http.Handler) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	ms := newHTTPServer(mux)
	go func() { _ = ms.Serve(ln) }()
	slog.Info("metrics listening", "addr", ln.Addr().String())
	return func() { _ = ms.Close() }, nil
}

// queueWorker sends a durable queue (the mail outbox, webhook deliveries)
// until its context ends, then finishes what is in flight.
type queueWorker interface{ Run(context.Context) error }

// serveUntilDone serves until ctx ends. Then /readyz turns 503 at once,
// requests are still served for SHUTDOWN_DELAY (load balancers notice and
// stop routing here), the HTTP server drains, and in-flight mails and
// webhook requests finish.
func serveUntilDone(ctx context.Context, cfg config.Config, web serving, workers ...queueWorker) error {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	if cfg.MetricsAddr != "" && web.Metrics != nil {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, web.Metrics)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopMetrics()
	}
	hs := newHTTPServer(web.Handler)
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorker()
	workerDone := make(chan error, len(workers))
	for _, w := range workers {
		go func() { workerDone <- w.Run(workerCtx) }()
	}
	httpDone := make(chan error, 1)
	go func() { httpDone <- hs.Serve(ln) }()
	slog.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL)

	select {
	case err = <-httpDone:
	case <-ctx.Done():
		if web.Drain != nil {
			web.Drain()
		}
		if cfg.ShutdownDelay > 0 {
			slog.Info("shutting down: /readyz says 503, still serving", "delay", cfg.ShutdownDelay)
			time.Sleep(cfg.ShutdownDelay)
		}
		slog.Info("shutting down: draining HTTP requests")
		shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		err = hs.Shutdown(shutCtx)
		cancel()
	}
	slog.Info("shutting down: letting in-flight mails and webhook requests finish")
	stopWorker()
	for range workers {
		if werr := <-workerDone; werr != nil && !errors.Is(werr, context.Canceled) {
			slog.Error("queue worker", "err", werr)
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	slog.Info("stopped")
	return err
}
