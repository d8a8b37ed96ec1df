// Package retention owns the end of a participant's data: retention_days
// after an event ends, its registrations are anonymised and every copy of
// their personal data (tokens, mails, idempotency replies, audit details,
// check-in codes, attendance certificates and their codes) is removed,
// while the figures organisers report on — how many registered, per
// workshop, checked in, the allocation profile — stay. Each event is
// anonymised once, in one transaction.
package retention

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db"
)

// DeletedName replaces a participant's name.
const DeletedName = "Gelöschte Person"

// Event is what anonymising one event changed (or, in a dry run, would
// change): numbers of rows.
type Event struct {
	ID              int64
	Slug            string
	EndsAt          time.Time
	Registrations   int64
	Tokens          int64
	Mails           int64
	IdempotencyKeys int64
	Certificates    int64
	AuditEntries    int64
}

// Report lists the events anonymised by one run.
type Report struct {
	DryRun bool
	Events []Event
}

const selectDue = `
SELECT id FROM events
WHERE anonymised_at IS NULL AND ends_at + retention_days * interval '1 day' <= $1
ORDER BY ends_at, id`

// Run anonymises every event whose retention period has passed at now.
// Any number of processes may run it at once: each event is claimed with
// a row lock that the others skip, and marked when done.
func Run(ctx context.Context, pool *pgxpool.Pool, now time.Time) (Report, error) {
	return run(ctx, pool, now, false)
}

// DryRun reports what Run would do at now and changes nothing: it does
// the same work and rolls every transaction back.
func DryRun(ctx context.Context, pool *pgxpool.Pool, now time.Time) (Report, error) {
	return run(ctx, pool, now, true)
}

// errDryRun makes db.Transact roll a dry run back.
var errDryRun = errors.New("dry run")

func run(ctx context.Context, pool *pgxpool.Pool, now time.Time, dryRun bool) (Report, error) {
	rep := Report{DryRun: dryRun, Events: []Event{}}
	rows, _ := pool.Query(ctx, selectDue, now)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return rep, fmt.Errorf("find events due for anonymisation: %w", err)
	}
	for _, id := range ids {
		var ev *Event
		err := db.Transact(ctx, pool, func(tx pgx.Tx) error {
			var err error
			if ev, err = anonymise(ctx, tx, id, now); err != nil || ev == nil {
				return err
			}
			if dryRun {
				return errDryRun
			}
			return nil
		})
		if err != nil && !errors.Is(err, errDryRun) {
			return rep, fmt.Errorf("anonymise event %d: %w", id, err)
		}
		if ev != nil {
			rep.Events = append(rep.Events, *ev)
		}
	}
	return rep, nil
}

// The due condition is checked again under the lock: another process may
// have anonymised the event since the list was read. SKIP LOCKED lets a
// second process pass over an event the first is working on.
const claimEvent = `
SELECT id, slug, ends_at FROM events
WHERE id = $1 AND anonymised_at IS NULL AND ends_at + retention_days * interval '1 day' <= $2
FOR NO KEY UPDATE SKIP LOCKED`

const markEvent = `UPDATE events SET anonymised_at = $2 WHERE id = $1`

// anonymise does the work for one event inside tx; it returns nil when
// the event is not (or no longer) due or is locked by another process.
func anonymise(ctx context.Context, tx pgx.Tx, eventID int64, now time.Time) (*Event, error) {
	ev := &Event{}
	err := tx.QueryRow(ctx, claimEvent, eventID, now).Scan(&ev.ID, &ev.Slug, &ev.EndsAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	if err := erase(ctx, tx, ev, eventID, nil); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, markEvent, eventID, now); err != nil {
		return nil, fmt.Errorf("mark anonymised: %w", err)
	}
	return ev, nil
}

// erase runs the statements of sql.go for the event's registrations, or
// for the one registration regID when it is not nil, and counts into ev
// when that is not nil.
func erase(ctx context.Context, tx pgx.Tx, ev *Event, eventID int64, regID *string) error {
	if ev == nil {
		ev = &Event{}
	}
	// The audit details are matched against the names and addresses, so
	// they go before the registrations lose them.
	steps := []struct {
		what  string
		sql   string
		count *int64
	}{
		{"audit details", scrubAudit, &ev.AuditEntries},
		{"mails", blankOutbox, &ev.Mails},
		{"tokens", deleteTokens, &ev.Tokens},
		{"idempotency keys", deleteIdempotencyKeys, &ev.IdempotencyKeys},
		{"certificates", deleteCertificates, &ev.Certificates},
		{"registrations", anonymiseRegistrations, &ev.Registrations},
		{"preferences", clearPreferences, nil},
	}
	for _, s := range steps {
		tag, err := tx.Exec(ctx, s.sql, eventID, regID)
		if err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		if s.count != nil {
			*s.count = tag.RowsAffected()
		}
	}
	return nil
}

// Person anonymises one registration of the event at once, exactly as
// Run anonymises a whole event: a person's request to be deleted (GDPR
// art. 17) does not wait for the retention period. It runs in the
// caller's transaction, which holds the registration's row (and frees its
// seats first); a mail still waiting for the person is given up.
func Person(ctx context.Context, tx pgx.Tx, eventID int64, regID string) error {
	return erase(ctx, tx, nil, eventID, &regID)
}

// Anonymised reports whether email is the placeholder an anonymised
// registration holds instead of its address.
func Anonymised(email string) bool {
	return strings.HasPrefix(email, "deleted-") && strings.HasSuffix(email, "@invalid")
}
