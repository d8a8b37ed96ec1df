package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestScrapeShowsEveryInstrument(t *testing.T) {
	m := New()
	m.Request("/api/v1/events/{slug}/registrations", "POST", 201, 12*time.Millisecond)
	m.SignUp("confirmed")
	m.MailSent("confirmed")
	m.AllocationRun(40 * time.Millisecond)
	m.WatchPool(func() PoolStat { return PoolStat{Total: 4, Idle: 3, Acquired: 1, Max: 20, AcquireCount: 9} })
	m.WatchOutbox(func(context.Context) (OutboxState, error) {
		return OutboxState{Pending: 7, OldestUnsent: 90 * time.Second}, nil
	})
	m.WatchSignUpGate(func() int { return 3 })
	got := scrape(t, m)
	for _, want := range []string{
		`fachtag_http_requests_total{method="POST",route="/api/v1/events/{slug}/registrations",status="201"} 1`,
		`fachtag_http_request_duration_seconds_bucket{method="POST",route="/api/v1/events/{slug}/registrations",le="0.025"} 1`,
		`fachtag_signups_total{outcome="confirmed"} 1`,
		`fachtag_mail_sent_total{kind="confirmed"} 1`,
		`fachtag_smtp_up 1`,
		`fachtag_allocation_run_seconds_count 1`,
		`fachtag_db_pool_max_connections 20`,
		`fachtag_outbox_pending 7`,
		`fachtag_outbox_oldest_unsent_seconds 90`,
		`fachtag_signup_gate_waiting 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}

func TestSMTPOutageKeepsItsStart(t *testing.T) {
	m := New()
	start := time.Unix(1_800_000_000, 0)
	m.MailFailed("confirmed", true, start)
	m.MailFailed("promoted", true, start.Add(time.Minute))
	m.MailFailed("link", false, start.Add(2*time.Minute))
	got := scrape(t, m)
	for _, want := range []string{"fachtag_smtp_up 0", "fachtag_smtp_down_since_seconds 1.8e+09", `fachtag_mail_failures_total{kind="promoted"} 1`} {
		if !strings.Contains(got, want) {
			t.Errorf("after two failures the scrape lacks %q", want)
		}
	}
	m.MailSent("confirmed")
	if got := scrape(t, m); !strings.Contains(got, "fachtag_smtp_up 1") || !strings.Contains(got, "fachtag_smtp_down_since_seconds 0") {
		t.Errorf("a successful send did not end the outage:\n%s", got)
	}
}

func TestOutboxUnreadableIsNotZero(t *testing.T) {
	m := New()
	m.WatchOutbox(func(context.Context) (OutboxState, error) { return OutboxState{}, errors.New("database down") })
	got := scrape(t, m)
	if !strings.Contains(got, "fachtag_outbox_scrape_ok 0") || strings.Contains(got, "fachtag_outbox_pending") {
		t.Errorf("an unreadable outbox must say scrape_ok 0 and report no depth:\n%s", got)
	}
}

func TestNilMetricsIsANoOp(t *testing.T) {
	var m *Metrics
	m.Request("/", "GET", 200, time.Millisecond)
	m.SignUp("rejected")
	m.MailSent("link")
	m.MailFailed("link", true, time.Now())
	m.AllocationRun(time.Second)
	m.WatchPool(func() PoolStat { return PoolStat{} })
	m.WatchOutbox(func(context.Context) (OutboxState, error) { return OutboxState{}, nil })
}
