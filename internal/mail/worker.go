package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	netmail "net/mail"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	gomail "github.com/wneessen/go-mail"
	"golang.org/x/time/rate"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/metrics"
)

// WorkerConfig tunes an outbox worker. Zero values get the defaults noted.
type WorkerConfig struct {
	PersonalLink  func(token string) string // a participant's personal link; the web layer owns the route
	AnswerLink    AnswerLink                // the answer links of a reconfirmation mail; the web layer owns the route
	From          string                    // "Name <addr>"; its domain ends every Message-ID
	Concurrency   int                       // parallel SMTP sends; default 4
	RatePerSecond float64                   // 0 means unlimited
	Lease         time.Duration             // how long a claim is exclusive; renewed while held; default 10s
	MaxAttempts   int                       // then the row is failed; default 10
	PollInterval  time.Duration             // how often to look for due rows; default 500ms
	RetryBase     time.Duration             // first retry delay, doubling; default 30s
	RetryMax      time.Duration             // longest retry delay; default 1h
	ErrorPause    time.Duration             // pause after repeated SMTP errors, and how often an unreachable server is probed; default 10s
	Metrics       *metrics.Metrics          // sends, failures and SMTP state; nil: none
	// LegalLinks gives the absolute addresses of an event's privacy notice
	// and imprint ("" for none) that every event mail links; the web layer
	// owns the routes. nil: no links.
	LegalLinks func(ev *event.Event) (privacy, imprint string)
	// CertificatePDF draws the attendance certificate of a registration
	// for a certificate mail; the certificates package owns it. nil: such
	// mails fail.
	CertificatePDF func(ctx context.Context, registrationID string) ([]byte, error)
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
	if c.MaxAttempts < 1 {
		c.MaxAttempts = 10
	}
	def(&c.Lease, 10*time.Second)
	def(&c.PollInterval, 500*time.Millisecond)
	def(&c.RetryBase, 30*time.Second)
	def(&c.RetryMax, time.Hour)
	def(&c.ErrorPause, 10*time.Second)
	return c
}

// errorStreak consecutive temporary failures pause sending for ErrorPause:
// a server that refuses everything is not helped by more attempts.
const errorStreak = 5

// Worker sends the outbox. Any number of workers, in one process or many,
// may run on one database: rows are claimed with FOR UPDATE SKIP LOCKED and
// a lease, and attempts and retry times live in the row, so a crashed
// worker's rows are picked up again once their lease runs out. The lease is
// short (seconds) and renewed while a row is held, so a crash delays its
// mails by seconds and a slow send is never taken over; a resent mail keeps
// its Message-ID, so the receiver can drop the duplicate.
type Worker struct {
	pool    *pgxpool.Pool
	sender  Sender
	cfg     WorkerConfig
	log     *slog.Logger
	from    *netmail.Address
	fromErr error
	limiter *rate.Limiter
	events  eventCache
	pause   breaker
	held    heldRows
	outage  outage
}

// NewWorker prepares a worker; Run starts it. An invalid From is reported
// by Run.
func NewWorker(pool *pgxpool.Pool, s Sender, cfg WorkerConfig, log *slog.Logger) *Worker {
	cfg = cfg.withDefaults()
	w := &Worker{pool: pool, sender: s, cfg: cfg, log: log.With("component", "mail-worker"),
		limiter: rate.NewLimiter(rate.Inf, 1), pause: breaker{pause: cfg.ErrorPause}}
	if cfg.RatePerSecond > 0 {
		w.limiter = rate.NewLimiter(rate.Limit(cfg.RatePerSecond), 1)
	}
	w.from, w.fromErr = netmail.ParseAddress(cfg.From)
	if w.fromErr != nil {
		w.fromErr = fmt.Errorf("mail from %q: %w", cfg.From, w.fromErr)
	}
	return w
}

// job is one claimed outbox row.
type job struct {
	id        int64
	kind      string
	recipient string
	language  string
	payload   []byte
	messageID string
	attempts  int // after this claim; also the fencing token of the lease
}

// Run claims and sends due mails until ctx is cancelled. It then stops
// claiming, hands back claimed rows it has not started, lets sends in
// flight finish and returns nil.
func (w *Worker) Run(ctx context.Context) error {
	if w.fromErr != nil {
		return w.fromErr
	}
	jobs := make(chan job) // unbuffered: claimed rows wait in one place only
	var wg sync.WaitGroup
	for range w.cfg.Concurrency {
		wg.Go(func() {
			for j := range jobs {
				w.handle(ctx, j)
			}
		})
	}
	renewDone := make(chan struct{})
	renewCtx, stopRenew := context.WithCancel(context.WithoutCancel(ctx))
	go func() { w.renewLoop(renewCtx); close(renewDone) }()
	w.claimLoop(ctx, jobs)
	close(jobs)
	wg.Wait()
	stopRenew()
	<-renewDone
	return nil
}

func (w *Worker) claimLoop(ctx context.Context, jobs chan<- job) {
	batch := w.batchSize()
	for ctx.Err() == nil {
		if w.pause.wait(ctx) != nil {
			return
		}
		w.probe(ctx)
		claimed, err := w.claim(ctx, batch)
		if err != nil && ctx.Err() == nil {
			w.log.Error("claim outbox rows", "err", err)
		}
		w.dispatch(ctx, jobs, claimed)
		if len(claimed) >= batch {
			continue // more are probably due
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.cfg.PollInterval):
		}
	}
}

// dispatch hands claimed rows to the senders; once ctx is done the rest
// go back to the table for the next worker.
func (w *Worker) dispatch(ctx context.Context, jobs chan<- job, claimed []job) {
	for i, j := range claimed {
		select {
		case jobs <- j:
		case <-ctx.Done():
			for _, r := range claimed[i:] {
				w.release(r)
			}
			return
		}
	}
}

// batchSize keeps a claimed batch small enough to be sent well within
// its lease even under the rate limit.
func (w *Worker) batchSize() int {
	n := min(max(2*w.cfg.Concurrency, 10), 100)
	if w.cfg.RatePerSecond > 0 {
		n = min(n, max(1, int(w.cfg.RatePerSecond*w.cfg.Lease.Seconds()/4)))
	}
	return n
}

// Rows whose lease ran out belong to a crashed or stuck worker and are
// claimed again like due ones. attempts counts claims, so a row that kills
// its worker every time still ends up failed.
const claimOutbox = `
WITH expired AS (
    SELECT id FROM outbox
    WHERE status = 'sending' AND lease_until < now()
    ORDER BY lease_until LIMIT $1
    FOR UPDATE SKIP LOCKED
), due AS (
    SELECT id FROM outbox
    WHERE status = 'pending' AND next_attempt_at <= now()
    ORDER BY next_attempt_at, id LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE outbox o
SET status = 'sending', attempts = o.attempts + 1,
    lease_until = now() + $2 * interval '1 millisecond'
WHERE o.id IN (SELECT id FROM expired UNION ALL SELECT id FROM due)
RETURNING o.id, o.kind, o.recipient, o.language, o.payload, o.message_id, o.attempts`

func (w *Worker) claim(ctx context.Context, limit int) ([]job, error) {
	rows, _ := w.pool.Query(ctx, claimOutbox, limit, w.cfg.Lease.Milliseconds())
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (job, error) {
		var j job
		err := r.Scan(&j.id, &j.kind, &j.recipient, &j.language, &j.payload, &j.messageID, &j.attempts)
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	for _, j := range jobs {
		w.held.add(j)
	}
	return jobs, nil
}

// handle sends one claimed row and records the outcome. Once started, a
// send and its bookkeeping run to the end even if ctx is cancelled.
func (w *Worker) handle(ctx context.Context, j job) {
	if ctx.Err() != nil || w.limiter.Wait(ctx) != nil || w.pause.wait(ctx) != nil {
		w.release(j)
		return
	}
	run := context.WithoutCancel(ctx)
	if j.attempts > w.cfg.MaxAttempts {
		w.settle(run, j, Permanent(fmt.Errorf("gave up after %d claims without a result", j.attempts-1)))
		return
	}
	msg, err := w.compose(run, j)
	if err == nil {
		err = w.sender.Send(run, msg)
		w.pause.record(err, w.log)
		w.observe(run, err)
	}
	w.settle(run, j, err)
}

func (w *Worker) compose(ctx context.Context, j job) (*gomail.Msg, error) {
	var m Message
	if err := json.Unmarshal(j.payload, &m); err != nil {
		return nil, Permanent(fmt.Errorf("decode payload: %w", err))
	}
	m.Kind, m.To, m.Language = Kind(j.kind), j.recipient, j.language
	if isAccountMail(m.Kind) {
		r, err := RenderAccount(m)
		if err != nil {
			return nil, Permanent(err)
		}
		return Compose(w.from, m.To, m.Name, j.messageID, r)
	}
	ev, err := w.events.get(ctx, w.pool, m.EventID)
	if errors.Is(err, event.ErrNotFound) {
		return nil, Permanent(fmt.Errorf("event %d: %w", m.EventID, err))
	}
	if err != nil {
		return nil, err
	}
	if w.cfg.LegalLinks != nil {
		m.PrivacyURL, m.ImprintURL = w.cfg.LegalLinks(ev)
	}
	r, err := renderKind(m, ev, w.cfg.PersonalLink, w.cfg.AnswerLink)
	if err != nil {
		return nil, Permanent(err)
	}
	if m.Kind == KindCertificate {
		if err := w.attachCertificate(ctx, m, &r); err != nil {
			return nil, err
		}
	}
	return Compose(w.from, m.To, m.Name, j.messageID, r)
}

// settle writes the outcome of one attempt to the row.
func (w *Worker) settle(ctx context.Context, j job, sendErr error) {
	defer w.held.remove(j)
	log := w.log.With("outbox_id", j.id, "kind", j.kind, "message_id", j.messageID, "attempt", j.attempts)
	var err error
	switch {
	case sendErr == nil:
		err = w.markSent(ctx, j)
		w.cfg.Metrics.MailSent(j.kind)
		log.Info("mail sent")
	case errors.Is(sendErr, ErrPermanent) || j.attempts >= w.cfg.MaxAttempts:
		err = w.markFailed(ctx, j, sendErr)
		w.cfg.Metrics.MailFailed(j.kind, !errors.Is(sendErr, ErrPermanent), time.Now())
		log.Error("mail failed for good", "err", sendErr)
	default:
		delay := w.backoff(j.attempts)
		err = w.markRetry(ctx, j, sendErr, delay)
		w.cfg.Metrics.MailFailed(j.kind, true, time.Now())
		log.Warn("mail deferred", "err", sendErr, "retry_in", delay)
	}
	if errors.Is(err, errLeaseLost) {
		log.Warn("lease ran out during the send; another worker took the row over")
	} else if err != nil {
		log.Error("record mail outcome", "err", err)
	}
}

// backoff doubles from RetryBase up to RetryMax, with 10% jitter so that
// a burst of failures does not come back as one burst.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.cfg.RetryBase
	for i := 1; i < attempts && d < w.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, w.cfg.RetryMax)
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

var errLeaseLost = errors.New("outbox lease lost")

// Every outcome update is fenced by attempts: if the lease ran out and
// another worker claimed the row, attempts moved on and this update
// touches nothing.
const markSent = `
UPDATE outbox SET status = 'sent', sent_at = now(), lease_until = NULL,
    payload = payload - 'token' - 'link'
WHERE id = $1 AND status = 'sending' AND attempts = $2`

func (w *Worker) markSent(ctx context.Context, j job) error {
	return w.exec(ctx, markSent, j.id, j.attempts)
}

// A failed row keeps no raw token either: nothing will ever mail it.
const markFailed = `
UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = $3,
    payload = payload - 'token' - 'link'
WHERE id = $1 AND status = 'sending' AND attempts = $2`

func (w *Worker) markFailed(ctx context.Context, j job, cause error) error {
	return w.exec(ctx, markFailed, j.id, j.attempts, cause.Error())
}

const markRetry = `
UPDATE outbox SET status = 'pending', lease_until = NULL, last_error = $3,
    next_attempt_at = now() + $4 * interval '1 millisecond',
    deferred_since = coalesce(deferred_since, now())
WHERE id = $1 AND status = 'sending' AND attempts = $2`

func (w *Worker) markRetry(ctx context.Context, j job, cause error, delay time.Duration) error {
	return w.exec(ctx, markRetry, j.id, j.attempts, cause.Error(), delay.Milliseconds())
}

// releaseOutbox hands back a row claimed but never attempted, so it does
// not wait for its lease nor count as an attempt.
const releaseOutbox = `
UPDATE outbox SET status = 'pending', lease_until = NULL, attempts = attempts - 1
WHERE id = $1 AND status = 'sending' AND attempts = $2`

func (w *Worker) release(j job) {
	defer w.held.remove(j)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.exec(ctx, releaseOutbox, j.id, j.attempts); err != nil && !errors.Is(err, errLeaseLost) {
		w.log.Error("release outbox row", "outbox_id", j.id, "err", err)
	}
}

func (w *Worker) exec(ctx context.Context, sql string, args ...any) error {
	tag, err := w.pool.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("update outbox row: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return errLeaseLost
	}
	return nil
}

// breaker pauses sending after errorStreak temporary failures in a row.
type breaker struct {
	pause  time.Duration
	mu     sync.Mutex
	streak int
	until  time.Time
}

func (b *breaker) record(err error, log *slog.Logger) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil || errors.Is(err, ErrPermanent) {
		b.streak = 0 // the server answered; it is not the server's fault
		return
	}
	b.streak++
	if b.streak >= errorStreak {
		b.streak = 0
		b.until = time.Now().Add(b.pause)
		log.Warn("pausing after repeated SMTP errors", "pause", b.pause, "last_err", err)
	}
}

func (b *breaker) wait(ctx context.Context) error {
	b.mu.Lock()
	d := time.Until(b.until)
	b.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// eventCache keeps loaded events for a few seconds: a batch of mails
// usually concerns one event, and titles and rooms rarely change.
type eventCache struct {
	mu     sync.Mutex
	events map[int64]cachedEvent
}

type cachedEvent struct {
	ev     *event.Event
	loaded time.Time
}

const eventCacheTTL = 10 * time.Second

func (c *eventCache) get(ctx context.Context, q db.Conn, id int64) (*event.Event, error) {
	c.mu.Lock()
	ce, ok := c.events[id]
	c.mu.Unlock()
	if ok && time.Since(ce.loaded) < eventCacheTTL {
		return ce.ev, nil
	}
	ev, err := event.LoadByID(ctx, q, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.events == nil {
		c.events = make(map[int64]cachedEvent)
	}
	c.events[id] = cachedEvent{ev: ev, loaded: time.Now()}
	c.mu.Unlock()
	return ev, nil
}
