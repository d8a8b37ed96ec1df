package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/config"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
	"github.com/fachtag/fachtag/internal/metrics"
	"github.com/fachtag/fachtag/internal/server"
)

// TestGracefulShutdown cancels the server's context while a request is in
// flight: the request must complete and serveUntilDone return cleanly.
func TestGracefulShutdown(t *testing.T) {
	worker := testWorker(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := config.Config{HTTPAddr: addr, BaseURL: "http://" + addr, ShutdownTimeout: 5 * time.Second}
	started := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond) // a slow request, in flight when the shutdown starts
		_, _ = io.WriteString(w, "done")
	})

	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveUntilDone(ctx, cfg, serving{Handler: slow}, worker) }()

	reply := make(chan string, 1)
	go func() {
		var resp *http.Response
		var getErr error
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); { // the listener may not be up yet
			if resp, getErr = http.Get("http://" + addr + "/"); getErr == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if getErr != nil {
			reply <- getErr.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		reply <- string(body)
	}()
	<-started
	cancel()
	if got := <-reply; got != "done" {
		t.Errorf("in-flight request: got %q, want done", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serveUntilDone: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serveUntilDone did not return after shutdown")
	}
}

// TestShutdownDelay: after the signal the server turns unready at once but
// keeps serving for SHUTDOWN_DELAY before it drains; /metrics is served on
// its own listener.
func TestShutdownDelay(t *testing.T) {
	worker := testWorker(t)
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	cfg := config.Config{HTTPAddr: addr, MetricsAddr: metricsAddr, ShutdownDelay: 2 * time.Second, ShutdownTimeout: 5 * time.Second}
	var drained atomic.Bool
	site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if drained.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	m := metrics.New()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serveUntilDone(ctx, cfg, serving{Handler: site, Drain: func() { drained.Store(true) }, Metrics: m.Handler()}, worker)
	}()
	if got := waitStatus(t, "http://"+addr+"/readyz"); got != http.StatusOK {
		t.Fatalf("before the signal: %d, want 200", got)
	}
	if got := waitStatus(t, "http://"+metricsAddr+"/metrics"); got != http.StatusOK {
		t.Fatalf("metrics: %d, want 200", got)
	}
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for !drained.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := waitStatus(t, "http://"+addr+"/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("during the delay: %d, want 503 from a server that still answers", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serveUntilDone: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serveUntilDone did not return")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitStatus GETs url until the listener answers and returns the status.
func waitStatus(t *testing.T, url string) int {
	t.Helper()
	for i := 0; i < 100; i++ {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return resp.StatusCode
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("GET %s: no answer", url)
	return 0
}

// testWorker is a mail worker on a fresh database that sends to an
// in-process SMTP server.
func testWorker(t *testing.T) *mail.Worker {
	t.Helper()
	pool, _ := dbtest.New(t)
	sink := mailtest.Start(t)
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	return mail.NewWorker(pool, sender, mail.WorkerConfig{PersonalLink: server.ManageLink("http://x.test"), From: "fachtag <f@x.test>"}, slog.New(slog.DiscardHandler))
}
