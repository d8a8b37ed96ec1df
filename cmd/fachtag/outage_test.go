package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/app"
	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/logging"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
	"github.com/fachtag/fachtag/internal/scenarios"
	"github.com/fachtag/fachtag/internal/server"
)

// TestDatabaseOutage puts a TCP proxy between the pool and PostgreSQL and
// cuts it under load: every request that needs the database answers 503
// with Retry-After (JSON error under /api, a page elsewhere), /readyz says
// 503, the log folds the repeats into a few lines, and once the proxy is
// back the pool reconnects by itself.
func TestDatabaseOutage(t *testing.T) {
	direct, dbURL := dbtest.New(t)
	ctx := context.Background()
	slug := importOpenScenario(t, direct)
	proxy := startProxy(t, hostPort(t, dbURL))
	pool, err := db.Open(ctx, withHost(t, dbURL, proxy.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	logs := &lockedBuffer{}
	log := logging.New(logs, "json", 10*time.Second)
	srv, err := server.New(app.New(pool, auth.Options{}), server.Options{BaseURL: "http://fachtag.test", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	stopWorker := runWorker(t, pool, log)
	defer stopWorker()
	if r := fetch(t, ts.URL+"/readyz", ""); r.status != http.StatusOK {
		t.Fatalf("before the outage /readyz: %d", r.status)
	}

	proxy.cut()
	before := logs.lines()
	paths := []string{"/api/v1/events/" + slug, "/events/" + slug, "/readyz", "/api/v1/events/" + slug + "/registrations"}
	perClient, outage := 150, time.Duration(0)
	if s, err := time.ParseDuration(os.Getenv("FACHTAG_OUTAGE")); err == nil { // a longer outage, for the figures
		perClient, outage = 1<<30, s
	}
	began := time.Now()
	replies := load(t, ts.URL, paths, 8, perClient, outage)
	during, took := logs.lines()-before, time.Since(began)
	for _, r := range replies {
		checkUnavailable(t, r)
	}
	if outage == 0 && len(replies) != 8*perClient {
		t.Fatalf("got %d replies, want %d", len(replies), 8*perClient)
	}
	// Each kind of line (the 503s of each route, the readyz warning, the
	// claim error: 12 at most) is written once per 10 s interval plus a
	// summary of the interval before; one line per request would be
	// thousands. The bound follows how long the load took on this machine.
	intervals := int(took/(10*time.Second)) + 2
	if limit := 12 * 2 * intervals; during > limit {
		t.Errorf("the outage wrote %d log lines for %d requests in %v, want at most %d:\n%s",
			during, len(replies), took, limit, logs.tail(40))
	}
	t.Logf("during the outage: %d requests, %d log lines; a sample reply: %d Retry-After=%s %s",
		len(replies), during, replies[0].status, replies[0].header.Get("Retry-After"), replies[0].body)
	t.Logf("the log during the outage:\n%s", logs.tail(min(during+1, 30)))

	proxy.restore()
	deadline := time.Now().Add(60 * time.Second)
	for fetch(t, ts.URL+"/readyz", "").status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover within 60 s of the database coming back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r := fetch(t, ts.URL+"/api/v1/events/"+slug, ""); r.status != http.StatusOK {
		t.Errorf("after the outage: %d %s", r.status, r.body)
	}
}

// checkUnavailable: 503, Retry-After, the API's error shape under /api/
// and a page in German elsewhere.
func checkUnavailable(t *testing.T, r reply) {
	t.Helper()
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("%s: %d Retry-After=%q, want 503 with Retry-After", r.path, r.status, r.header.Get("Retry-After"))
	}
	switch {
	case strings.HasPrefix(r.path, "/api/"):
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(r.body, &body); err != nil || body.Error.Code != "unavailable" || body.Error.Message == "" {
			t.Fatalf("%s: body %s, want the API error shape with code unavailable", r.path, r.body)
		}
	case r.path == "/readyz":
	default:
		if !strings.Contains(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "kurz gestört") {
			t.Fatalf("%s: %s %s, want the friendly page", r.path, r.header.Get("Content-Type"), r.body)
		}
	}
}

type reply struct {
	path   string
	status int
	header http.Header
	body   []byte
}

func fetch(t *testing.T, u, body string) reply {
	t.Helper()
	method := http.MethodGet
	var rd io.Reader
	if body != "" {
		method, rd = http.MethodPost, strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "de")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s: %v", u, err)
		return reply{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p, _ := url.Parse(u)
	return reply{path: p.Path, status: resp.StatusCode, header: resp.Header, body: b}
}

// load sends n requests from each of clients goroutines, cycling paths,
// or fewer if a positive within has passed; a path ending in
// /registrations is a sign-up POST.
func load(t *testing.T, base string, paths []string, clients, n int, within time.Duration) []reply {
	stop := time.Now().Add(within)
	var mu sync.Mutex
	var out []reply
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; i < n && (within <= 0 || time.Now().Before(stop)); i++ {
				p := paths[(c+i)%len(paths)]
				body := ""
				if strings.HasSuffix(p, "/registrations") {
					body = `{"name":"Ada","email":"ada@example.org","consents":{"privacy":true}}`
				}
				r := fetch(t, base+p, body)
				mu.Lock()
				out = append(out, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

func importOpenScenario(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	data, err := scenarios.Read("stadt-land-flucht-2024")
	if err != nil {
		t.Fatal(err)
	}
	f, err := event.ParseFile(data)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	f.MoveTo(now.AddDate(0, 0, 30), now)
	f.Status = event.StatusOpen
	if _, err := booking.ImportEvent(context.Background(), pool, f); err != nil {
		t.Fatal(err)
	}
	return f.Slug
}

func runWorker(t *testing.T, pool *pgxpool.Pool, log *slog.Logger) (stop func()) {
	sink := mailtest.Start(t)
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	w := mail.NewWorker(pool, sender, mail.WorkerConfig{PersonalLink: server.ManageLink("http://fachtag.test"),
		From: "fachtag <f@fachtag.test>", PollInterval: 50 * time.Millisecond}, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() { cancel(); <-done; sender.Close() }
}

// lockedBuffer is a log destination shared by the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), "\n")
}

func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ls := strings.Split(b.buf.String(), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}

// proxy forwards TCP connections to target until cut, which closes the
// listener and every open connection, as a stopped PostgreSQL would;
// restore listens again on the same address.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *proxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

func hostPort(t *testing.T, dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func withHost(t *testing.T, dbURL, host string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host
	return u.String()
}
