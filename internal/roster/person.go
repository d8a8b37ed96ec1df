package roster

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
)

// Person is one registration with everything the detail page shows: the
// list row, the check-in code, and the history of mails and organiser
// actions.
type Person struct {
	Row
	CheckinCode string
	Mails       []Mail
	Audit       []Entry
}

// Mail is one outbox row of the person.
type Mail struct {
	Kind      string
	Status    string // pending | sending | sent | failed
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
}

// Entry is one audit-log entry that names the person.
type Entry struct {
	Action    string
	Actor     string // the account's e-mail, or how it acted
	Reason    string
	Detail    map[string]any
	CreatedAt time.Time
}

const selectPerson = rowColumns + `
FROM registrations r WHERE r.id = $1 AND r.event_id = $2`

// Person returns the event's registration with the id and its history; a
// registration of another event is ErrNotFound.
func (s *Service) Person(ctx context.Context, eventID int64, regID string) (*Person, error) {
	return loadPerson(ctx, s.pool, eventID, regID)
}

func loadPerson(ctx context.Context, q db.Conn, eventID int64, regID string) (*Person, error) {
	if !booking.PlausibleID(regID) {
		return nil, ErrNotFound
	}
	rows, err := collect(ctx, q, selectPerson, regID, eventID)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	if err := attachBookings(ctx, q, eventID, rows); err != nil {
		return nil, err
	}
	p := Person{Row: rows[0]}
	if p.CheckinCode, err = code(ctx, q, regID); err != nil {
		return nil, err
	}
	if p.Mails, err = mails(ctx, q, regID); err != nil {
		return nil, err
	}
	p.Audit, err = entries(ctx, q, eventID, regID)
	return &p, err
}

const selectMails = `
SELECT kind, status, attempts, last_error, created_at, sent_at
FROM outbox WHERE registration_id = $1 ORDER BY created_at, id`

func mails(ctx context.Context, q db.Conn, regID string) ([]Mail, error) {
	rows, _ := q.Query(ctx, selectMails, regID)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Mail, error) {
		var m Mail
		return m, r.Scan(&m.Kind, &m.Status, &m.Attempts, &m.LastError, &m.CreatedAt, &m.SentAt)
	})
	if err != nil {
		return nil, fmt.Errorf("list mails: %w", err)
	}
	return list, nil
}

const selectEntries = `
SELECT a.action, coalesce(u.email, a.actor), a.detail, a.created_at
FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
WHERE a.detail ? 'registration_id' AND a.detail ->> 'registration_id' = $2 AND a.event_id = $1
ORDER BY a.created_at, a.id`

func entries(ctx context.Context, q db.Conn, eventID int64, regID string) ([]Entry, error) {
	rows, _ := q.Query(ctx, selectEntries, eventID, regID)
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		if err := r.Scan(&e.Action, &e.Actor, &e.Detail, &e.CreatedAt); err != nil {
			return e, err
		}
		e.Reason, _ = e.Detail["reason"].(string)
		delete(e.Detail, "reason")
		delete(e.Detail, "registration_id")
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return list, nil
}
