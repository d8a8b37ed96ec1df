package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db"
)

// WorkerConfig tunes a delivery worker. Zero values get the defaults noted.
type WorkerConfig struct {
	Policy       Policy        // where requests may go
	Concurrency  int           // parallel requests; default 4
	Timeout      time.Duration // per request, connect to last byte; default 10s
	PollInterval time.Duration // how often to look for due deliveries; default 1s
	// Retries are the waits after the 1st, 2nd, … failed attempt; the
	// last repeats. Default 5s, 5m, 30m, 2h, 5h, 10h.
	Retries []time.Duration
	// GiveUpAfter is how long after its first attempt a delivery is
	// retried; default 24h. The last retry is made at that moment.
	GiveUpAfter time.Duration
	// KeepLog is how long finished deliveries and their attempts stay in
	// the log, and how long a delivery waits for a disabled endpoint (its
	// payload holds personal data); default 30 days.
	KeepLog time.Duration
	// Now is the clock that schedules attempts; default time.Now. Leases
	// run on the database's clock.
	Now func() time.Time
	// PageURL is the absolute address of an event's webhooks page, for
	// the mail that says an endpoint was disabled.
	PageURL func(slug string) string
}

func (c WorkerConfig) withDefaults() WorkerConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Concurrency < 1 {
		c.Concurrency = 4
	}
	def(&c.Timeout, 10*time.Second)
	def(&c.PollInterval, time.Second)
	def(&c.GiveUpAfter, 24*time.Hour)
	def(&c.KeepLog, 30*24*time.Hour)
	if len(c.Retries) == 0 {
		c.Retries = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PageURL == nil {
		c.PageURL = func(string) string { return "" }
	}
	return c
}

// Worker sends due deliveries. Any number of workers, in one process or
// many, may run on one database: a delivery is claimed with FOR UPDATE
// SKIP LOCKED and a lease longer than one request can take, and every
// outcome update is fenced by the attempt count, so two workers never send
// one delivery at once and a crashed worker's claims come back when their
// lease runs out.
type Worker struct {
	pool   *pgxpool.Pool
	cfg    WorkerConfig
	client *http.Client
	log    *slog.Logger
	purged time.Time
}

// NewWorker prepares a worker; Run starts it.
func NewWorker(pool *pgxpool.Pool, cfg WorkerConfig, log *slog.Logger) *Worker {
	cfg = cfg.withDefaults()
	return &Worker{pool: pool, cfg: cfg, client: cfg.Policy.Client(cfg.Timeout), log: log.With("component", "webhook-worker")}
}

// lease outlasts the longest request by a margin, so it never needs renewing.
func (w *Worker) lease() time.Duration { return w.cfg.Timeout + 20*time.Second }

// Run claims and sends due deliveries until ctx is cancelled; then it
// lets the requests in flight finish, records them and returns nil.
func (w *Worker) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("webhook deliveries", "err", err)
		}
		if n >= w.cfg.Concurrency {
			continue // more are probably due
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.cfg.PollInterval):
		}
	}
	return nil
}

// RunOnce claims one batch of due deliveries, sends them in parallel and
// records the outcomes; it returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.purge(ctx)
	jobs, err := w.claim(ctx)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { w.handle(context.WithoutCancel(ctx), j) })
	}
	wg.Wait()
	return len(jobs), nil
}

// job is one claimed delivery with its endpoint.
type job struct {
	id, endpointID, eventID int64
	msgID, typ, payload     string
	attempts                int // after this claim; also the fencing token of the lease
	firstAttempt            time.Time
	url, secret             string
	oldSecret               string // "" unless a rotation is less than RotationOverlap ago
}

// Deliveries whose lease ran out belong to a crashed worker and are
// claimed again like due ones; those of disabled endpoints wait.
const claimDeliveries = `
WITH expired AS (
    SELECT id FROM webhook_deliveries
    WHERE status = 'sending' AND lease_until < now()
    ORDER BY lease_until LIMIT $1
    FOR UPDATE SKIP LOCKED
), due AS (
    SELECT d.id FROM webhook_deliveries d
    WHERE d.status = 'pending' AND d.next_attempt_at <= $3
      AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.enabled)
    ORDER BY d.next_attempt_at, d.id LIMIT $1
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d
SET status = 'sending', attempts = d.attempts + 1, lease_until = now() + $2 * interval '1 millisecond',
    first_attempt_at = coalesce(d.first_attempt_at, $3)
FROM webhook_endpoints e
WHERE d.id IN (SELECT id FROM expired UNION ALL SELECT id FROM due) AND e.id = d.endpoint_id
RETURNING d.id, e.id, e.event_id, d.msg_id, d.event_type, d.payload, d.attempts, d.first_attempt_at, e.url, e.secret,
    CASE WHEN e.old_secret_until > now() THEN e.old_secret ELSE '' END`

func (w *Worker) claim(ctx context.Context) ([]job, error) {
	rows, _ := w.pool.Query(ctx, claimDeliveries, w.cfg.Concurrency, w.lease().Milliseconds(), w.cfg.Now())
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (job, error) {
		var j job
		err := r.Scan(&j.id, &j.endpointID, &j.eventID, &j.msgID, &j.typ, &j.payload, &j.attempts, &j.firstAttempt, &j.url, &j.secret, &j.oldSecret)
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return jobs, nil
}

// outcome is what one attempt got.
type outcome struct {
	started  time.Time
	duration time.Duration
	status   int // HTTP status; 0 for none
	err      string
	response string
}

func (o outcome) ok() bool { return o.status >= 200 && o.status < 300 }

// Response bodies are read up to readLimit (then the connection is
// dropped) and kept up to keepLimit bytes for the log.
const (
	readLimit = 64 << 10
	keepLimit = 1000
)

// handle makes one attempt and records it.
func (w *Worker) handle(ctx context.Context, j job) {
	o := w.attempt(ctx, j)
	log := w.log.With("delivery", j.msgID, "type", j.typ, "attempt", j.attempts, "status", o.status)
	if err := w.settle(ctx, j, o); errors.Is(err, errLeaseLost) {
		log.Warn("lease ran out during the request; another worker took the delivery over")
		return
	} else if err != nil {
		log.Error("record webhook attempt", "err", err)
		return
	}
	if !o.ok() {
		log.Warn("webhook delivery failed", "err", o.err)
	}
}

func (w *Worker) attempt(ctx context.Context, j job) outcome {
	o := outcome{started: w.cfg.Now()}
	start := time.Now()
	defer func() { o.duration = time.Since(start) }()
	ts := o.started.Unix()
	sig, err := signatures(j, ts)
	if err != nil {
		o.err = err.Error()
		return o
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, strings.NewReader(j.payload))
	if err != nil {
		o.err = err.Error()
		return o
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "fachtag-webhooks/1")
	req.Header.Set("webhook-id", j.msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.client.Do(req)
	if err != nil {
		o.err = err.Error()
		o.duration = time.Since(start)
		return o
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, readLimit))
	o.status, o.response = resp.StatusCode, cut(string(body), keepLimit)
	if !o.ok() {
		o.err = resp.Status
	}
	o.duration = time.Since(start)
	return o
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// next says when a failed delivery is tried again, or that it is given
// up (ok false): the waits of Retries, the last one repeating, and a last
// try exactly GiveUpAfter after the first.
func (w *Worker) next(j job, now time.Time) (time.Time, bool) {
	end := j.firstAttempt.Add(w.cfg.GiveUpAfter)
	if !now.Before(end) {
		return time.Time{}, false
	}
	wait := w.cfg.Retries[min(j.attempts, len(w.cfg.Retries))-1]
	if at := now.Add(wait); at.Before(end) {
		return at, true
	}
	return end, true
}

var errLeaseLost = errors.New("webhook lease lost")

// Every outcome update is fenced by attempts: when the lease ran out and
// another worker claimed the delivery, attempts moved on and nothing here
// is written.
const (
	insertAttempt = `
INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, response)
SELECT id, attempts, $3, $4, nullif($5, 0), $6, $7 FROM webhook_deliveries
WHERE id = $1 AND status = 'sending' AND attempts = $2`
	// A finished delivery keeps no payload: its personal data served
	// their purpose, and the log shows attempts, not bodies.
	markDelivered = `
UPDATE webhook_deliveries SET status = 'delivered', lease_until = NULL, finished_at = $3, payload = ''
WHERE id = $1 AND status = 'sending' AND attempts = $2`
	markSuccess = `UPDATE webhook_endpoints SET last_success_at = greatest(last_success_at, $2) WHERE id = $1`
	markRetry   = `
UPDATE webhook_deliveries SET status = 'pending', lease_until = NULL, next_attempt_at = $3
WHERE id = $1 AND status = 'sending' AND attempts = $2`
	markFailed = `
UPDATE webhook_deliveries SET status = 'failed', lease_until = NULL, finished_at = $3, payload = ''
WHERE id = $1 AND status = 'sending' AND attempts = $2`
)

// settle records the attempt and the delivery's new state in one
// transaction; a delivery given up on may disable its endpoint.
func (w *Worker) settle(ctx context.Context, j job, o outcome) error {
	now := w.cfg.Now()
	return db.Transact(ctx, w.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, insertAttempt, j.id, j.attempts, o.started, o.duration.Milliseconds(), o.status, cut(o.err, keepLimit), o.response)
		if err != nil {
			return fmt.Errorf("insert attempt: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return errLeaseLost
		}
		if o.ok() {
			if err := exec(ctx, tx, markDelivered, j.id, j.attempts, now); err != nil {
				return err
			}
			return exec(ctx, tx, markSuccess, j.endpointID, o.started)
		}
		if at, retry := w.next(j, now); retry {
			return exec(ctx, tx, markRetry, j.id, j.attempts, at)
		}
		if err := exec(ctx, tx, markFailed, j.id, j.attempts, now); err != nil {
			return err
		}
		return w.maybeDisable(ctx, tx, j, now)
	})
}

func exec(ctx context.Context, tx pgx.Tx, sql string, args ...any) error {
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("record webhook outcome: %w", err)
	}
	return nil
}

// purgeLog deletes finished deliveries and those that waited too long
// for a disabled endpoint; the attempts go with them.
const purgeLog = `
DELETE FROM webhook_deliveries
WHERE finished_at < $1 OR (status = 'pending' AND created_at < $1)`

// purge deletes deliveries past KeepLog, at most once an hour.
func (w *Worker) purge(ctx context.Context) {
	now := w.cfg.Now()
	if now.Sub(w.purged) < time.Hour {
		return
	}
	w.purged = now
	if _, err := w.pool.Exec(ctx, purgeLog, now.Add(-w.cfg.KeepLog)); err != nil && ctx.Err() == nil {
		w.log.Error("purge webhook log", "err", err)
	}
}
