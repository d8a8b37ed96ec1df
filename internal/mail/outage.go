package mail

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrUnreachable marks a send that never got to hand over the mail: the
// SMTP server could not be reached or refused the session (connect, TLS,
// login). Test with errors.Is.
var ErrUnreachable = errors.New("smtp server unreachable")

// unreachablePrefix starts the text of every ErrUnreachable, and so the
// last_error of the rows it deferred: resumeDeferred finds them by it.
const unreachablePrefix = "smtp connect: "

type unreachableError struct{ err error }

func (u unreachableError) Error() string        { return unreachablePrefix + u.err.Error() }
func (u unreachableError) Unwrap() error        { return u.err }
func (u unreachableError) Is(target error) bool { return target == ErrUnreachable }

// Prober is a Sender that can check the server without sending a mail.
type Prober interface {
	Probe(ctx context.Context) error
}

// outage is this worker's view of an unreachable SMTP server: since when,
// and when it was last probed.
type outage struct {
	mu        sync.Mutex
	since     time.Time
	lastProbe time.Time
}

func (o *outage) begin(at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		o.since, o.lastProbe = at, at
	}
}

// end reports whether an outage was going on.
func (o *outage) end() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	was := !o.since.IsZero()
	o.since = time.Time{}
	return was
}

// probeDue reports whether an outage is going on and the last probe is at
// least every ago; if so it counts as probed now.
func (o *outage) probeDue(now time.Time, every time.Duration) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() || now.Sub(o.lastProbe) < every {
		return false
	}
	o.lastProbe = now
	return true
}

// observe follows the server's state through the outcome of each send.
func (w *Worker) observe(ctx context.Context, sendErr error) {
	switch {
	case errors.Is(sendErr, ErrUnreachable):
		w.outage.begin(time.Now())
	case sendErr == nil && w.outage.end():
		w.resume(ctx)
	}
}

// probe checks an unreachable server every ErrorPause while the outage
// lasts: the deferred rows back off for up to RetryMax each, and without a
// probe the queue would wait for the first of them to come due.
func (w *Worker) probe(ctx context.Context) {
	p, ok := w.sender.(Prober)
	if !ok || !w.outage.probeDue(time.Now(), w.cfg.ErrorPause) {
		return
	}
	if err := p.Probe(ctx); err != nil {
		return
	}
	if w.outage.end() {
		w.resume(ctx)
	}
}

// resumeDeferred makes the rows that an unreachable server deferred due at
// once, whichever worker deferred them; rows that a reachable server
// deferred (a full mailbox, greylisting) keep their backoff.
const resumeDeferred = `
UPDATE outbox SET next_attempt_at = now()
WHERE status = 'pending' AND next_attempt_at > now() AND starts_with(last_error, $1)`

// resume runs when the server answers again after an outage.
func (w *Worker) resume(ctx context.Context) {
	tag, err := w.pool.Exec(ctx, resumeDeferred, unreachablePrefix)
	if err != nil {
		w.log.Error("resume deferred mails", "err", err)
		return
	}
	w.log.Info("SMTP server answers again; deferred mails are due now", "mails", tag.RowsAffected())
}
