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

	"github.com/fachtag/fachtag/internal/app"
	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/config"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/messages"
	"github.com/fachtag/fachtag/internal/retention"
	"github.com/fachtag/fachtag/internal/server"
)

// runServe starts the HTTP server and the mail workers and, on SIGINT or
// SIGTERM, drains HTTP requests first and then lets in-flight mails finish.
func runServe(ctx context.Context) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if cfg.LogFormat == "json" {
		slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	}
	slog.Info("starting fachtag", "config", cfg)
	if err := db.Migrate(cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	srv, err := server.New(app.New(pool, auth.Options{}), server.Options{BaseURL: cfg.BaseURL,
		RateLimitPerMinute: cfg.RateLimitPerMinute, TrustedProxies: cfg.TrustedProxies,
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
	worker := mail.NewWorker(pool, sender, mail.WorkerConfig{PersonalLink: server.ManageLink(cfg.BaseURL), From: cfg.MailFrom,
		Concurrency: cfg.MailWorkers, RatePerSecond: cfg.MailRatePerSecond}, slog.Default())
	// The reminder scheduler stops with the signal and is waited for
	// before the pool closes; any number of replicas may run one.
	reminderCtx, stopReminders := context.WithCancel(ctx)
	remindersDone := make(chan error, 1)
	go func() { remindersDone <- (&messages.Scheduler{Pool: pool, Log: slog.Default()}).Run(reminderCtx) }()
	defer func() { stopReminders(); <-remindersDone }()
	retentionDone := make(chan error, 1)
	go func() { retentionDone <- (&retention.Scheduler{Pool: pool, Log: slog.Default()}).Run(reminderCtx) }()
	defer func() { stopReminders(); <-retentionDone }()
	return serveUntilDone(ctx, cfg, srv.Handler(), worker)
}

func serveUntilDone(ctx context.Context, cfg config.Config, h http.Handler, worker *mail.Worker) error {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)}
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorker()
	workerDone := make(chan error, 1)
	go func() { workerDone <- worker.Run(workerCtx) }()
	httpDone := make(chan error, 1)
	go func() { httpDone <- hs.Serve(ln) }()
	slog.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL)

	select {
	case err = <-httpDone:
	case <-ctx.Done():
		slog.Info("shutting down: draining HTTP requests")
		shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		err = hs.Shutdown(shutCtx)
		cancel()
	}
	slog.Info("shutting down: letting in-flight mails finish")
	stopWorker()
	if werr := <-workerDone; werr != nil && !errors.Is(werr, context.Canceled) {
		slog.Error("mail worker", "err", werr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	slog.Info("stopped")
	return err
}
