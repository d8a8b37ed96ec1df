package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/app"
	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
	"github.com/fachtag/fachtag/internal/scenarios"
	"github.com/fachtag/fachtag/internal/server"
)

// Time limits: every browser step has its own, and the whole browser
// session has one, so a stuck page or a lost event can never hang the test.
const (
	stepTimeout    = 30 * time.Second
	sessionTimeout = 180 * time.Second
	mailTimeout    = 10 * time.Second
	pollInterval   = 50 * time.Millisecond
)

// stack is one running fachtag: database, server and mail worker.
type stack struct {
	base string // http://127.0.0.1:port, also the BaseURL of links
	pool *pgxpool.Pool
	sink *mailtest.Sink
	ev   *event.File
}

// startStack imports the demo scenario (moved into the future, open, with
// small capacities) into a fresh database and runs the server and the
// outbox worker until the test ends. capacities maps workshop keys to seats.
func startStack(t *testing.T, scenario string, capacities map[string]int) *stack {
	t.Helper()
	pool := dbtest.NewChecked(t)
	ev := importScenario(t, pool, scenario, capacities)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))

	sink := mailtest.Start(t)
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("smtp sender: %v", err)
	}
	t.Cleanup(func() { _ = sender.Close() })

	// The listener comes first so that BaseURL is known before the server
	// and the worker are built.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()

	srv, err := server.New(app.New(pool, auth.Options{}), server.Options{BaseURL: base, RateLimitPerMinute: 0, Logger: log,
		Privacy: event.Legal{Text: "BEISPIELTEXT – keine echte Datenschutzerklärung.\n\nHier steht, wer die Daten wozu verarbeitet."},
		Imprint: event.Legal{Text: "BEISPIELTEXT – kein echtes Impressum.\n\nNetzwerk Beispiel\nMusterstraße 1\n12345 Musterstadt"}})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	startWorker(t, pool, sender, base, log, srv)
	ts := httptest.NewUnstartedServer(srv.Handler())
	_ = ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	return &stack{base: base, pool: pool, sink: sink, ev: ev}
}

func importScenario(t *testing.T, pool *pgxpool.Pool, name string, capacities map[string]int) *event.File {
	t.Helper()
	data, err := scenarios.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := event.ParseFile(data)
	if err != nil {
		t.Fatalf("parse scenario %s: %v", name, err)
	}
	now := time.Now()
	f.MoveTo(now.AddDate(0, 0, 30), now)
	f.Status = event.StatusOpen
	for i := range f.Workshops {
		if c, ok := capacities[f.Workshops[i].Key]; ok {
			f.Workshops[i].Capacity = c
		}
	}
	if _, err := event.Import(t.Context(), pool, f); err != nil {
		t.Fatalf("import scenario %s: %v", name, err)
	}
	return f
}

// startWorker runs an outbox worker with a short poll interval; it stops
// (and finishes sends in flight) before the database goes away.
func startWorker(t *testing.T, pool *pgxpool.Pool, sender mail.Sender, base string, log *slog.Logger, srv *server.Server) {
	t.Helper()
	w := mail.NewWorker(pool, sender, mail.WorkerConfig{PersonalLink: server.ManageLink(base), AnswerLink: server.AnswerLink(base), LegalLinks: srv.MailLegalLinks,
		CertificatePDF: srv.MailCertificate, From: "Tagungsbüro <fachtag@example.org>",
		PollInterval: pollInterval, RetryBase: 200 * time.Millisecond, ErrorPause: time.Second}, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("mail worker: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("mail worker did not stop within 10s")
		}
	})
}

// workshopTitle is the title of a workshop of the imported event.
func (s *stack) workshopTitle(t *testing.T, key string) string {
	t.Helper()
	for _, w := range s.ev.Workshops {
		if w.Key == key {
			return w.Title
		}
	}
	t.Fatalf("scenario has no workshop %q", key)
	return ""
}

// mailsTo returns the received mails to addr whose subject starts with
// prefix ("" for all).
func (s *stack) mailsTo(addr, prefix string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range s.sink.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) && strings.HasPrefix(m.Subject, prefix) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// waitMail waits until a mail to addr with the subject prefix arrived.
func (s *stack) waitMail(t *testing.T, addr, prefix string) mailtest.Received {
	t.Helper()
	deadline := time.Now().Add(mailTimeout)
	for {
		if got := s.mailsTo(addr, prefix); len(got) > 0 {
			return got[0]
		}
		if time.Now().After(deadline) {
			var subjects []string
			for _, m := range s.sink.Messages() {
				subjects = append(subjects, strings.Join(m.To, ",")+": "+m.Subject)
			}
			t.Fatalf("no mail to %s with subject %q within %v; got %q", addr, prefix+"…", mailTimeout, subjects)
		}
		time.Sleep(pollInterval)
	}
}

// registrationJSON is the part of the API's registration reply the tests read.
type registrationJSON struct {
	Status    string `json:"status"`
	Token     string `json:"token"`
	ManageURL string `json:"manage_url"`
	Bookings  []struct {
		Slot             string `json:"slot"`
		Workshop         string `json:"workshop"`
		Status           string `json:"status"`
		WaitlistPosition int    `json:"waitlist_position"`
	} `json:"bookings"`
}

// api sends a JSON request and decodes the reply into out; it fails the
// test unless the status is want.
func (s *stack) api(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// chromiumPath finds the browser. Without one the test is skipped, but under
// CI=true a missing browser is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FACHTAG_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (apt-get install chromium, or set FACHTAG_CHROMIUM)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts headless Chromium for this test and returns the
// context of its tab. The browser runs with the flags this machine needs
// (its network is closed) and a fresh profile, and dies when the session
// time limit ends or the test does.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	return newBrowserWithin(t, path, sessionTimeout)
}

// newBrowserWithin is newBrowser with its own session time limit, for a
// test that visits many pages.
func newBrowserWithin(t *testing.T, path string, limit time.Duration) context.Context {
	t.Helper()
	var out syncBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("accept-lang", "de-DE,de"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&out),
	)
	session, cancelSession := context.WithTimeout(context.Background(), limit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(session, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
		cancelSession()
		if t.Failed() && out.Len() > 0 {
			t.Logf("chromium output:\n%s", lastLines(out.String(), 30))
		}
	})
	// The first run starts the browser and binds it to ctx, which has no
	// step limit; the start itself is bounded by the allocator's own
	// timeout for the browser's answer and by the session limit.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v\n%s", path, err, lastLines(out.String(), 30))
	}
	return ctx
}

// do runs browser actions with the step time limit.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one browser action that returns a value, with the step time limit.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// navigate opens url and returns the HTTP status of the document.
func navigate(t *testing.T, ctx context.Context, url string) int64 {
	t.Helper()
	resp := get(t, ctx, "open "+url, chromedp.NavigateResponse(url))
	return resp.Status
}

// follow runs actions that load a new page (a click on a link or a submit
// button) and waits for it; it returns the final document's response.
func follow(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) *network.Response {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, actions...)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp == nil {
		t.Fatalf("%s: no page loaded", what)
	}
	return resp
}

// text is the visible text of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	return strings.TrimSpace(get(t, ctx, "text of "+css, chromedp.Text(chromedp.CSS(css))))
}

// pageText is the visible text of the whole page, without waiting for any
// element: for diagnostics and for pages that may be broken.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return strings.TrimSpace(eval[string](t, ctx, "page text", `document.body ? document.body.innerText : ''`))
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, what, js string) T {
	t.Helper()
	return get(t, ctx, what, chromedp.Evaluate[T](js))
}

// repoRoot is the module root: tests run in internal/e2e.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s: %v", root, err)
	}
	return root
}

// syncBuffer collects the browser's output from its goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var errNoLink = errors.New("no personal link in the mail")

// personalLink finds base/r/TOKEN in a mail's text part.
func personalLink(base, text string) (string, error) {
	i := strings.Index(text, base+"/r/")
	if i < 0 {
		return "", errNoLink
	}
	rest := text[i:]
	end := strings.IndexFunc(rest[len(base)+3:], func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	})
	if end < 0 {
		return rest, nil
	}
	return rest[:len(base)+3+end], nil
}
