package server_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fachtag/fachtag/internal/metrics"
	"github.com/fachtag/fachtag/internal/server"
)

// syncBuffer is a log destination that the server's goroutines share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Every request is counted by its route pattern and logged in one line
// that names the route, never the path: no token, no e-mail address.
func TestRequestsAreCountedAndLoggedWithoutPersonalData(t *testing.T) {
	m := metrics.New()
	logs := &syncBuffer{}
	f := newFixture(t, fixtureOpts{opts: func(o *server.Options) {
		o.Metrics = m
		o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}})
	body := f.person(map[string]string{"r1": "B1"})
	reg := f.register(body)
	if r := f.get("/r/" + reg.Token + "/"); r.status != http.StatusOK {
		t.Fatalf("personal page: %v", r)
	}
	f.postJSON(regPath(slugClosed), f.person(nil))
	retried := f.person(map[string]string{"r1": "B1"})
	for range 2 { // a retry is replayed, not counted again
		if r := f.postJSON(regPath(slugOpen), retried, "Idempotency-Key", "k-1"); r.status != http.StatusCreated {
			t.Fatalf("sign-up with key: %v", r)
		}
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	scrape, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`fachtag_http_requests_total{method="POST",route="/api/v1/events/{slug}/registrations",status="201"} 3`,
		`fachtag_http_requests_total{method="POST",route="/api/v1/events/{slug}/registrations",status="410"} 1`,
		`fachtag_http_requests_total{method="GET",route="/r/{token}",status="200"} 1`,
		`fachtag_signups_total{outcome="confirmed"} 2`,
		`fachtag_signups_total{outcome="rejected"} 1`,
	} {
		if !strings.Contains(string(scrape), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	got := logs.String()
	if n := strings.Count(got, `"msg":"request"`); n != 5 {
		t.Errorf("got %d access-log lines, want 5:\n%s", n, got)
	}
	for _, secret := range []string{reg.Token, body["email"].(string)} {
		if strings.Contains(got, secret) || strings.Contains(string(scrape), secret) {
			t.Errorf("logs or metrics contain %q", secret)
		}
	}
	if !strings.Contains(got, `"route":"/r/{token}"`) || !strings.Contains(got, `"request_id":`) {
		t.Errorf("access log lacks route pattern or request id:\n%s", got)
	}
}

// After Drain, /readyz says 503 while pages are still served.
func TestDrainTurnsReadinessOff(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	if r := f.get("/readyz"); r.status != http.StatusOK {
		t.Fatalf("readyz before drain: %v", r)
	}
	f.srv.Drain()
	if r := f.get("/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("readyz after drain: got %v, want 503", r)
	}
	if r := f.get("/events/" + slugOpen); r.status != http.StatusOK {
		t.Errorf("event page while draining: got %d, want 200", r.status)
	}
}
