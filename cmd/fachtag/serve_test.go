package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/config"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
	"github.com/fachtag/fachtag/internal/server"
)

// TestGracefulShutdown cancels the server's context while a request is in
// flight: the request must complete and serveUntilDone return cleanly.
func TestGracefulShutdown(t *testing.T) {
	pool, _ := dbtest.New(t)
	sink := mailtest.Start(t)
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	worker := mail.NewWorker(pool, sender, mail.WorkerConfig{PersonalLink: server.ManageLink("http://x.test"), From: "fachtag <f@x.test>"}, slog.New(slog.DiscardHandler))

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
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "done")
	})

	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveUntilDone(ctx, cfg, slow, worker) }()

	reply := make(chan string, 1)
	go func() {
		var resp *http.Response
		var getErr error
		for i := 0; i < 50; i++ { // the listener may not be up yet
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
