package webhook_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
	"github.com/fachtag/fachtag/internal/webhook"
)

// A receiver that fails for 24 hours gets the retries of the schedule,
// the last exactly 24 hours after the first; then the endpoint is
// switched off, the organiser gets a mail through the real outbox, new
// changes wait, and switching it on again sends them.
func TestDisabledAfterADayOfFailures(t *testing.T) {
	pool, svc := setup(t)
	ctx := context.Background()
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	var failing atomic.Bool
	failing.Store(true)
	r := newReceiver(t, func(int) int {
		if failing.Load() {
			return 503
		}
		return 200
	})
	id := newEndpoint(t, svc, fc, r)
	bs := booking.New(pool)
	signUp(t, bs, "fc", "a@example.org", "B1")
	c := newClock()
	w := newWorker(pool, c)
	start := c.Now()
	var at []time.Duration
	for range 20 {
		drain(t, w)
		at = append(at, c.Now().Sub(start))
		var next time.Time
		var status string
		if err := pool.QueryRow(ctx, `SELECT status, next_attempt_at FROM webhook_deliveries`).Scan(&status, &next); err != nil {
			t.Fatal(err)
		}
		if status == "failed" {
			break
		}
		c.Add(next.Sub(c.Now()))
	}
	want := []time.Duration{0, 5 * time.Second, 5*time.Minute + 5*time.Second, 35*time.Minute + 5*time.Second,
		2*time.Hour + 35*time.Minute + 5*time.Second, 7*time.Hour + 35*time.Minute + 5*time.Second,
		17*time.Hour + 35*time.Minute + 5*time.Second, 24 * time.Hour}
	if len(at) != len(want) || at[len(at)-1] != want[len(want)-1] || at[3] != want[3] {
		t.Errorf("attempts at %v, want %v", at, want)
	}
	if got := len(r.deliveries()); got != len(want) {
		t.Errorf("%d requests, want %d", got, len(want))
	}
	ep, err := svc.Get(ctx, fc, id)
	if err != nil || ep.Enabled || ep.Failed != 1 {
		t.Fatalf("endpoint %+v (%v), want disabled with one failed delivery", ep, err)
	}

	sink := mailtest.Start(t)
	mailTo(t, sink, pool)
	got := sink.WaitFor(t, 1, 10*time.Second)
	if got[0].To[0] != "orga@example.org" || !strings.Contains(got[0].Subject, "Webhook abgeschaltet") ||
		!strings.Contains(got[0].Text, r.URL) || !strings.Contains(got[0].Text, "http://fachtag.test/org/events/fc/webhooks") {
		t.Errorf("organiser mail to %v: %q\n%s", got[0].To, got[0].Subject, got[0].Text)
	}

	signUp(t, bs, "fc", "b@example.org", "B1")
	c.Add(time.Hour)
	drain(t, w)
	if n := len(r.deliveries()); n != len(want) {
		t.Errorf("a disabled endpoint got a request (%d, want %d)", n, len(want))
	}
	failing.Store(false)
	if err := svc.Enable(ctx, organiser, fc, id); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	last := r.deliveries()[len(r.deliveries())-1]
	if !strings.Contains(string(last.Body), "b@example.org") {
		t.Errorf("after enabling, the waiting delivery did not go out: last body %s", last.Body)
	}
}

// mailTo sends the outbox through a real SMTP connection to sink.
func mailTo(t *testing.T, sink *mailtest.Sink, pool *pgxpool.Pool) {
	t.Helper()
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sender.Close() })
	w := mail.NewWorker(pool, sender, mail.WorkerConfig{From: "fachtag <f@fachtag.test>", PollInterval: 10 * time.Millisecond},
		slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// Bad input names its field and saves nothing; a secret is made per
// endpoint, and rotating it makes a new one.
func TestEndpointInput(t *testing.T) {
	pool, _ := setup(t)
	svc := webhook.NewService(pool, webhook.NewPolicy(nil, nil))
	ctx := context.Background()
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	tests := []struct {
		url    string
		types  []string
		fields string
	}{
		{"", nil, "types url"},
		{"http://crm.example.org/h", []string{webhook.RegistrationCreated}, "url"},
		{"https://127.0.0.1/h", []string{webhook.RegistrationCreated}, "url"},
		{"https://crm.example.org/h", []string{"registration.deleted"}, "types"},
		{"https://crm.example.org/h", []string{webhook.RegistrationCreated, "x"}, "types"},
	}
	for _, tt := range tests {
		_, _, err := svc.Create(ctx, organiser, fc, tt.url, tt.types)
		var verr *webhook.ValidationError
		if !errors.As(err, &verr) {
			t.Errorf("Create(%q, %v) = %v, want a ValidationError", tt.url, tt.types, err)
			continue
		}
		var fields []string
		for f := range verr.Fields {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		if strings.Join(fields, " ") != tt.fields {
			t.Errorf("Create(%q, %v): fields %v, want %s", tt.url, tt.types, fields, tt.fields)
		}
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM webhook_endpoints`); n != 0 {
		t.Fatalf("%d endpoints saved from bad input", n)
	}
	id, secret, err := svc.Create(ctx, organiser, fc, " https://crm.example.org/h ", []string{webhook.RegistrationCreated})
	if err != nil || !strings.HasPrefix(secret, "whsec_") || len(secret) < 6+40 {
		t.Fatalf("Create = %d, %q, %v", id, secret, err)
	}
	rotated, err := svc.Rotate(ctx, organiser, fc, id)
	if err != nil || rotated == secret || !strings.HasPrefix(rotated, "whsec_") {
		t.Errorf("Rotate = %q, %v", rotated, err)
	}
	other := importEvent(t, pool, eventFile("other", event.ModeFirstCome))
	if _, err := svc.Rotate(ctx, organiser, other, id); !errors.Is(err, webhook.ErrNotFound) {
		t.Errorf("Rotate from another event: %v, want ErrNotFound", err)
	}
	if err := svc.Delete(ctx, organiser, fc, id); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM audit_log WHERE action LIKE 'webhook.%'`); n != 3 {
		t.Errorf("%d audit entries, want 3 (create, rotate, delete)", n)
	}
}

// After a rotation deliveries carry signatures with the new and, for a
// day, the old secret: a receiver still on the old one accepts them until
// the overlap ends, one on the new one at once.
func TestRotationOverlap(t *testing.T) {
	pool, svc := setup(t)
	ctx := context.Background()
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	r := newReceiver(t, nil)
	id := newEndpoint(t, svc, fc, r)
	old := r.secret.Load().(string)
	fresh, err := svc.Rotate(ctx, organiser, fc, id)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	w := newWorker(pool, c)
	send := func(secret string) delivery {
		t.Helper()
		r.secret.Store(secret)
		m := webhook.Message{Type: webhook.RegistrationCreated, EventID: fc, Data: map[string]string{"event": "fc"}}
		if err := webhook.Enqueue(ctx, pool, m); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Minute) // past the new row's next_attempt_at
		drain(t, w)
		got := r.deliveries()
		return got[len(got)-1]
	}
	if d := send(old); d.Verified != nil || len(strings.Fields(d.Signature)) != 2 {
		t.Errorf("during the overlap: old secret %v, signature %q", d.Verified, d.Signature)
	}
	if d := send(fresh); d.Verified != nil {
		t.Errorf("new secret refused: %v", d.Verified)
	}
	if _, err := pool.Exec(ctx, `UPDATE webhook_endpoints SET old_secret_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if d := send(old); d.Verified == nil || len(strings.Fields(d.Signature)) != 1 {
		t.Errorf("after the overlap the old secret still verifies (signature %q)", d.Signature)
	}
}
