package mail

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
)

// BenchmarkOutbox sends 5,000 queued mails through real PostgreSQL and the
// in-process SMTP sink and reports mails/s. Run it once:
//
//	deploy/with-postgres.sh go test -run '^$' -bench Outbox -benchtime 1x ./internal/mail/
//
// "crash" kills a worker mid-batch (its database connections and SMTP
// sender die at once, as in a process crash) and lets a second worker
// finish: every row must arrive, and only rows the dead worker had in
// hand may arrive twice, with the same Message-ID.
func BenchmarkOutbox(b *testing.B) {
	const n = 5000
	b.Run("throughput", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			pool, _ := dbtest.New(b)
			sink := mailtest.Start(b)
			enqueue(b, pool, importEvent(b, pool), n)
			w := newTestWorker(b, pool, sink, WorkerConfig{Concurrency: 4})
			b.StartTimer()
			t0 := time.Now()
			stop := start(w)
			waitStatus(b, pool, "sent", n, 2*time.Minute)
			elapsed := time.Since(t0)
			b.StopTimer()
			stop()
			checkAllArrived(b, pool, sink, 0)
			b.ReportMetric(float64(n)/elapsed.Seconds(), "mails/s")
		}
	})
	b.Run("crash", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			benchCrash(b, n)
		}
	})
}

func benchCrash(b *testing.B, n int) {
	pool, url := dbtest.New(b)
	sink := mailtest.Start(b)
	enqueue(b, pool, importEvent(b, pool), n)

	crash := &crashSwitch{}
	doomedPool := crash.pool(b, url)
	s, err := NewSMTPSender(SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "none"})
	if err != nil {
		b.Fatal(err)
	}
	doomed := NewWorker(doomedPool, crashSender{s, crash},
		WorkerConfig{PersonalLink: testLink, From: testFrom, Concurrency: 4,
			Lease: 2 * time.Second, PollInterval: 20 * time.Millisecond}, testLogger(b))
	b.StartTimer()
	t0 := time.Now()
	stopDoomed := start(doomed)
	sink.WaitFor(b, n/3, time.Minute)
	crash.crash()
	stopDoomed()
	atCrash := len(sink.Messages())

	stop := start(newTestWorker(b, pool, sink, WorkerConfig{Concurrency: 4}))
	waitStatus(b, pool, "sent", n, 2*time.Minute)
	elapsed := time.Since(t0)
	b.StopTimer()
	stop()
	// The dead worker held at most one claimed batch plus its sends.
	dups := checkAllArrived(b, pool, sink, doomed.batchSize()+4)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "mails/s")
	b.ReportMetric(float64(atCrash), "sent-before-crash")
	b.ReportMetric(float64(dups), "duplicates")
}

// checkAllArrived checks that every row's Message-ID reached the sink and
// that at most maxDups arrived twice; it returns the duplicates.
func checkAllArrived(tb testing.TB, pool *pgxpool.Pool, sink *mailtest.Sink, maxDups int) int {
	tb.Helper()
	seen := map[string]int{}
	for _, m := range sink.Messages() {
		seen[m.MessageID]++
	}
	dups := 0
	for _, r := range rows(tb, pool) {
		switch c := seen["<"+r.MessageID+"@fachtag.example>"]; {
		case c == 0:
			tb.Errorf("row %d (%s) never arrived", r.ID, r.MessageID)
		case c > 2:
			tb.Errorf("row %d arrived %d times", r.ID, c)
		case c == 2:
			dups++
		}
	}
	if dups > maxDups {
		tb.Errorf("%d mails arrived twice, want at most %d", dups, maxDups)
	}
	return dups
}

// crashSwitch kills a worker's database connections and SMTP sender at
// once, the way a crashed process leaves its rows: claimed, unfinished.
type crashSwitch struct {
	mu      sync.Mutex
	crashed bool
	conns   []net.Conn
}

var errCrashed = errors.New("worker crashed")

func (c *crashSwitch) pool(tb testing.TB, url string) *pgxpool.Pool {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.ConnConfig.DialFunc = c.dial
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

func (c *crashSwitch) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crashed {
		return nil, errCrashed
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err == nil {
		c.conns = append(c.conns, conn)
	}
	return conn, err
}

func (c *crashSwitch) crash() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.crashed = true
	for _, conn := range c.conns {
		_ = conn.Close()
	}
}

func (c *crashSwitch) isCrashed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.crashed
}

type crashSender struct {
	Sender
	crash *crashSwitch
}

func (s crashSender) Send(ctx context.Context, m *gomail.Msg) error {
	if s.crash.isCrashed() {
		return errCrashed
	}
	return s.Sender.Send(ctx, m)
}
