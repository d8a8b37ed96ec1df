package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
	"github.com/fachtag/fachtag/internal/scenarios"
)

const testFrom = "Tagungsbüro <noreply@fachtag.example>"

// importEvent stores a bundled scenario and returns its id.
func importEvent(t testing.TB, pool *pgxpool.Pool) int64 {
	t.Helper()
	data, err := scenarios.Read("stadt-land-flucht-2024")
	if err != nil {
		t.Fatal(err)
	}
	f, err := event.ParseFile(data)
	if err != nil {
		t.Fatalf("parse scenario: %v", err)
	}
	ctx := context.Background()
	if _, err := event.Import(ctx, pool, f); err != nil {
		t.Fatalf("import scenario: %v", err)
	}
	ev, err := event.Load(ctx, pool, f.Slug)
	if err != nil {
		t.Fatalf("load scenario: %v", err)
	}
	return ev.ID
}

// enqueue writes n confirmed mails for eventID, ten per transaction.
func enqueue(t testing.TB, pool *pgxpool.Pool, eventID int64, n int) {
	t.Helper()
	for start := 0; start < n; start += 100 {
		err := db.Transact(context.Background(), pool, func(tx pgx.Tx) error {
			for i := start; i < min(start+100, n); i++ {
				m := Message{Kind: KindConfirmed, EventID: eventID, To: fmt.Sprintf("p%d@example.org", i),
					Name: fmt.Sprintf("Person %d", i), Language: []string{"de", "en"}[i%2],
					Token: fmt.Sprintf("token-%d", i), RegistrationStatus: "confirmed"}
				if err := Enqueue(context.Background(), tx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("enqueue: %v", err)
		}
	}
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError + 1}))
}

func newTestWorker(t testing.TB, pool *pgxpool.Pool, sink *mailtest.Sink, cfg WorkerConfig) *Worker {
	t.Helper()
	s, err := NewSMTPSender(SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cfg.PersonalLink, cfg.From = testLink, testFrom
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 20 * time.Millisecond
	}
	return NewWorker(pool, s, cfg, testLogger(t))
}

// start runs w until the returned stop is called; stop returns Run's
// error and how long Run took to return after the cancel.
func start(w *Worker) (stop func() (error, time.Duration)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	var err error
	var took time.Duration
	return func() (error, time.Duration) {
		once.Do(func() {
			t0 := time.Now()
			cancel()
			err = <-done
			took = time.Since(t0)
		})
		return err, took
	}
}

type outboxRow struct {
	ID        int64
	Status    string
	Attempts  int
	LastError string
	MessageID string
	Payload   map[string]any
	SentAt    *time.Time
}

func rows(t testing.TB, pool *pgxpool.Pool) []outboxRow {
	t.Helper()
	rs, _ := pool.Query(context.Background(),
		`SELECT id, status, attempts, last_error, message_id, payload, sent_at FROM outbox ORDER BY id`)
	out, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) (outboxRow, error) {
		var o outboxRow
		var payload []byte
		err := r.Scan(&o.ID, &o.Status, &o.Attempts, &o.LastError, &o.MessageID, &payload, &o.SentAt)
		if err == nil {
			err = json.Unmarshal(payload, &o.Payload)
		}
		return o, err
	})
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return out
}

// waitStatus waits until n rows have status want and returns all rows.
func waitStatus(t testing.TB, pool *pgxpool.Pool, want string, n int, timeout time.Duration) []outboxRow {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		// Counting is cheap; reading 5,000 payloads every tick would steal
		// CPU from the worker under test.
		var got int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE status = $1`, want).Scan(&got)
		if err != nil {
			t.Fatalf("count outbox: %v", err)
		}
		if got == n {
			return rows(t, pool)
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d rows %s, want %d; by status: %v", timeout, got, want, n, statusCounts(rows(t, pool)))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func statusCounts(rs []outboxRow) map[string]int {
	c := map[string]int{}
	for _, r := range rs {
		c[r.Status]++
	}
	return c
}

func TestWorkerDeliversOnce(t *testing.T) {
	pool, _ := dbtest.New(t)
	sink := mailtest.Start(t)
	enqueue(t, pool, importEvent(t, pool), 30)
	stop := start(newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 4}))
	defer stop()

	rs := waitStatus(t, pool, "sent", 30, 10*time.Second)
	time.Sleep(100 * time.Millisecond) // a second delivery would arrive now
	if err, _ := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	byID := map[string]mailtest.Received{}
	for _, m := range sink.Messages() {
		if _, dup := byID[m.MessageID]; dup {
			t.Errorf("Message-ID %s delivered twice", m.MessageID)
		}
		byID[m.MessageID] = m
	}
	for _, r := range rs {
		m, ok := byID["<"+r.MessageID+"@fachtag.example>"]
		if !ok {
			t.Errorf("row %d: no mail with Message-ID <%s@fachtag.example>", r.ID, r.MessageID)
			continue
		}
		if r.Attempts != 1 || r.SentAt == nil {
			t.Errorf("row %d: attempts=%d sent_at=%v, want 1 and set", r.ID, r.Attempts, r.SentAt)
		}
		if tok, ok := r.Payload["token"]; ok {
			t.Errorf("row %d: payload still holds token %v", r.ID, tok)
		}
		if want := "/r/token-"; !strings.Contains(m.Text, want) {
			t.Errorf("row %d: text lacks the personal link %q", r.ID, want)
		}
		if len(m.Attachments) != 1 || m.Attachments[0].Filename != "fachtag.ics" ||
			!strings.HasPrefix(m.Attachments[0].ContentType, "text/calendar") {
			t.Errorf("row %d: attachments = %+v, want one fachtag.ics text/calendar", r.ID, m.Attachments)
		} else if _, err := parseICS(m.Attachments[0].Data); err != nil {
			t.Errorf("row %d: attached calendar: %v", r.ID, err)
		}
	}
	if len(byID) != 30 {
		t.Errorf("sink got %d distinct mails, want 30", len(byID))
	}
}

func TestWorkerOutcomes(t *testing.T) {
	tests := []struct {
		name         string
		fail         func(*mailtest.Sink)
		maxAttempts  int
		wantStatus   string
		wantAttempts int
		wantErr      string
		wantMails    int
	}{
		{"temporary then success", func(s *mailtest.Sink) { s.FailNext(2, mailtest.Temporary) }, 5, "sent", 3, "451", 1},
		{"permanent", func(s *mailtest.Sink) { s.Fail(mailtest.Permanent) }, 5, "failed", 1, "550", 0},
		{"temporary until max attempts", func(s *mailtest.Sink) { s.Fail(mailtest.Temporary) }, 3, "failed", 3, "451", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, _ := dbtest.New(t)
			sink := mailtest.Start(t)
			tt.fail(sink)
			enqueue(t, pool, importEvent(t, pool), 1)
			w := newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 2, MaxAttempts: tt.maxAttempts,
				RetryBase: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond})
			stop := start(w)
			defer stop()
			r := waitStatus(t, pool, tt.wantStatus, 1, 10*time.Second)[0]
			stop()
			if r.Attempts != tt.wantAttempts {
				t.Errorf("attempts = %d, want %d", r.Attempts, tt.wantAttempts)
			}
			if !strings.Contains(r.LastError, tt.wantErr) {
				t.Errorf("last_error = %q, want it to contain %q", r.LastError, tt.wantErr)
			}
			if _, ok := r.Payload["token"]; ok {
				t.Errorf("payload still holds the token after %s", r.Status)
			}
			if got := len(sink.Messages()); got != tt.wantMails {
				t.Errorf("sink got %d mails, want %d", got, tt.wantMails)
			}
		})
	}
}

func TestWorkerBacksOffInTheRow(t *testing.T) {
	pool, _ := dbtest.New(t)
	sink := mailtest.Start(t)
	sink.Fail(mailtest.Temporary)
	enqueue(t, pool, importEvent(t, pool), 1)
	stop := start(newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 1, RetryBase: time.Hour}))
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var status string
		var attempts int
		var wait time.Duration
		err := pool.QueryRow(context.Background(),
			`SELECT status, attempts, extract(epoch FROM next_attempt_at - now())::float8 * interval '1 second' FROM outbox`).
			Scan(&status, &attempts, &wait)
		if err != nil {
			t.Fatal(err)
		}
		if status == "pending" && attempts == 1 {
			if wait < 55*time.Minute || wait > 67*time.Minute {
				t.Errorf("next attempt in %v, want about 1h (RetryBase)", wait)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("row is %s with %d attempts, want pending after 1", status, attempts)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWorkerReclaimsExpiredLease(t *testing.T) {
	pool, _ := dbtest.New(t)
	sink := mailtest.Start(t)
	enqueue(t, pool, importEvent(t, pool), 2)
	// Row 1 was claimed by a worker that crashed; row 2 is held by a live
	// worker whose lease still runs.
	_, err := pool.Exec(context.Background(), `
UPDATE outbox SET status = 'sending', attempts = 1,
    lease_until = CASE WHEN id = (SELECT min(id) FROM outbox) THEN now() - interval '1 second'
                       ELSE now() + interval '1 hour' END`)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 2}))
	defer stop()
	rs := waitStatus(t, pool, "sent", 1, 10*time.Second)
	time.Sleep(200 * time.Millisecond) // a wrongful send of the leased row would happen now
	stop()
	rs = rows(t, pool)
	if rs[0].Status != "sent" || rs[0].Attempts != 2 {
		t.Errorf("expired row: status %s attempts %d, want sent 2", rs[0].Status, rs[0].Attempts)
	}
	if rs[1].Status != "sending" || rs[1].Attempts != 1 {
		t.Errorf("leased row: status %s attempts %d, want sending 1 (untouched)", rs[1].Status, rs[1].Attempts)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 || msgs[0].MessageID != "<"+rs[0].MessageID+"@fachtag.example>" {
		t.Errorf("sink got %d mails, want exactly the expired row's", len(msgs))
	}
}

func TestTwoWorkersNeverSendTwice(t *testing.T) {
	const n = 600
	pool, _ := dbtest.New(t)
	sink := mailtest.Start(t)
	enqueue(t, pool, importEvent(t, pool), n)
	stop1 := start(newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 4}))
	stop2 := start(newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 4}))
	defer stop1()
	defer stop2()
	// A liveness bound only: under -race on busy CPUs 600 sends can take
	// a minute; what the test checks is that none goes out twice.
	waitStatus(t, pool, "sent", n, 3*time.Minute)
	time.Sleep(200 * time.Millisecond) // a duplicate delivery would arrive now
	stop1()
	stop2()
	seen := map[string]int{}
	for _, m := range sink.Messages() {
		seen[m.MessageID]++
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("Message-ID %s delivered %d times, want 1", id, c)
		}
	}
	if len(seen) != n {
		t.Errorf("got %d distinct mails, want %d", len(seen), n)
	}
}

func TestWorkerShutdownFinishesInFlight(t *testing.T) {
	pool, _ := dbtest.New(t)
	sink := mailtest.Start(t)
	sink.Delay(400 * time.Millisecond)
	enqueue(t, pool, importEvent(t, pool), 10)
	stop := start(newTestWorker(t, pool, sink, WorkerConfig{Concurrency: 2}))
	deadline := time.Now().Add(10 * time.Second)
	for sink.InData() < 2 { // wait until two sends are inside DATA
		if time.Now().After(deadline) {
			t.Fatalf("sends inside DATA: %d after 10s, want 2", sink.InData())
		}
		time.Sleep(5 * time.Millisecond)
	}
	err, took := stop()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if took < 100*time.Millisecond {
		t.Errorf("Run returned after %v, want it to wait for the sends in flight", took)
	}
	rs := rows(t, pool)
	sent := 0
	for _, r := range rs {
		switch {
		case r.Status == "sent":
			sent++
		case r.Status == "pending" && r.Attempts == 0:
		default:
			t.Errorf("row %d: %s with %d attempts, want sent, or pending and unattempted", r.ID, r.Status, r.Attempts)
		}
	}
	if got := len(sink.Messages()); sent != 2 || got != 2 {
		t.Errorf("sent rows %d, mails %d; want the 2 in flight", sent, got)
	}
}
