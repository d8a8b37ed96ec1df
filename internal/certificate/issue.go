package certificate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/retention"
)

// candidate is a checked-in participant with the certificate they hold.
type candidate struct {
	RegistrationID string
	Name, Email    string
	Language       string
	Workshops      []string // titles of their confirmed workshops, in slot order
	Mailed         bool     // their certificate has been mailed at least once
}

// Everyone checked in with a confirmed registration is due a
// certificate; the workshops are the seats they held.
const selectCandidates = `
SELECT r.id::text, r.name, r.email, r.language,
       array(SELECT w.title FROM bookings b
             JOIN workshops w ON w.id = b.workshop_id JOIN slots s ON s.id = b.slot_id
             WHERE b.registration_id = r.id AND b.status = 'confirmed'
             ORDER BY s.starts_at, s.position, s.id),
       c.mailed_at IS NOT NULL
FROM registrations r LEFT JOIN certificates c ON c.registration_id = r.id
WHERE r.event_id = $1 AND r.status = 'confirmed' AND r.checked_in_at IS NOT NULL
ORDER BY r.seq`

// candidates lists them, leaving out people already anonymised (deleted
// on request keeps the check-in time for the figures, not the person).
func candidates(ctx context.Context, q db.Conn, eventID int64) ([]candidate, error) {
	rows, _ := q.Query(ctx, selectCandidates, eventID)
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (candidate, error) {
		var c candidate
		err := r.Scan(&c.RegistrationID, &c.Name, &c.Email, &c.Language, &c.Workshops, &c.Mailed)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list certificate candidates: %w", err)
	}
	out := all[:0]
	for _, c := range all {
		if !retention.Anonymised(c.Email) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Status is what the organiser's page says about an event's certificates.
type Status struct {
	CheckedIn int // checked-in participants: all who get one
	Mailed    int // of them, mailed at least once
	Due       int // of them, not mailed yet: a plain send mails these
}

// LoadStatus counts the event's certificates from the same rows Send
// uses, so the confirmation's count is the number of mails.
func LoadStatus(ctx context.Context, q db.Conn, eventID int64) (Status, error) {
	cs, err := candidates(ctx, q, eventID)
	if err != nil {
		return Status{}, err
	}
	st := Status{CheckedIn: len(cs)}
	for _, c := range cs {
		if c.Mailed {
			st.Mailed++
		}
	}
	st.Due = st.CheckedIn - st.Mailed
	return st, nil
}

// The events row is the first lock of the lock order (internal/booking,
// lock.go); it makes two organisers' sends of one event take turns, so
// nobody gets two mails from one click each.
const lockEvent = `SELECT starts_at FROM events WHERE id = $1 FOR NO KEY UPDATE`

// A certificate keeps its code for good; sending again refreshes what it
// certifies (a corrected name, say).
const upsertCertificate = `
INSERT INTO certificates (registration_id, event_id, code, name, workshops, hours, mailed_at, mails)
VALUES ($1, $2, $3, $4, $5, $6, now(), 1)
ON CONFLICT (registration_id) DO UPDATE SET
    name = EXCLUDED.name, workshops = EXCLUDED.workshops, hours = EXCLUDED.hours,
    mailed_at = now(), mails = certificates.mails + 1`

// Send issues a certificate to every checked-in participant not mailed
// yet (resend: to every one) and queues its mail, with the organiser's
// audit entry, in one transaction. It refuses before the event has begun
// (ErrTooEarly) and when nobody is due (ErrNobody). The PDF is drawn when
// the mail is sent.
func Send(ctx context.Context, pool *pgxpool.Pool, ev *event.Event, resend bool, audit auth.Entry) (n int, err error) {
	err = db.Transact(ctx, pool, func(tx pgx.Tx) error {
		n = 0
		var starts time.Time
		if err := tx.QueryRow(ctx, lockEvent, ev.ID).Scan(&starts); errors.Is(err, pgx.ErrNoRows) {
			return event.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("lock event: %w", err)
		}
		if time.Now().Before(starts) {
			return ErrTooEarly
		}
		cs, err := candidates(ctx, tx, ev.ID)
		if err != nil {
			return err
		}
		st, err := LoadSettings(ctx, tx, ev.ID)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, c := range cs {
			if c.Mailed && !resend {
				continue
			}
			b.Queue(upsertCertificate, c.RegistrationID, ev.ID, newCode(), c.Name, c.Workshops, HoursOf(ev, st))
			if err := mail.Queue(b, mail.Message{Kind: mail.KindCertificate, RegistrationID: c.RegistrationID, EventID: ev.ID,
				To: c.Email, Name: c.Name, Language: c.Language, Bookings: []mail.Booking{}}); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return ErrNobody
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("issue %d certificates: %w", n, err)
		}
		audit.Detail = map[string]any{"mailed": n, "resend": resend}
		return auth.Append(ctx, tx, audit)
	})
	return n, err
}
