package roster

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/retention"
)

// Person is one registration with everything the detail page shows: the
// list row, the check-in code, the ranked wishes, the mails and the
// history of organiser actions and changes of status.
type Person struct {
	Row
	CheckinCode string
	Anonymised  bool // deleted on request or by retention
	Mails       []Mail
	History     []Entry // oldest first
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

// Entry is one line of a person's history: an audit-log entry that names
// them, or a change of status (Action "status.KIND", from the mail that
// reported it; such a change has no actor or reason).
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
	p := Person{Row: rows[0], Anonymised: retention.Anonymised(rows[0].Email)}
	if p.CheckinCode, err = code(ctx, q, regID); err != nil {
		return nil, err
	}
	if p.Mails, err = mails(ctx, q, regID); err != nil {
		return nil, err
	}
	audit, err := entries(ctx, q, eventID, regID)
	p.History = history(audit, p.Mails)
	return &p, err
}

// statusKinds are the mails that report a change of the person's status
// or seats.
var statusKinds = map[string]bool{"confirmed": true, "waitlisted": true, "received": true,
	"promoted": true, "swapped": true, "cancelled": true, "published": true}

// history merges the audit entries with the changes of status the mails
// report, by time. A change made by an organiser's action shares the
// action's transaction and so its time (both rows take now()); it is left
// out, as the action's line says it already.
func history(audit []Entry, mails []Mail) []Entry {
	acted := make(map[time.Time]bool, len(audit))
	for _, e := range audit {
		acted[e.CreatedAt] = true
	}
	out := append([]Entry(nil), audit...)
	for _, m := range mails {
		if statusKinds[m.Kind] && !acted[m.CreatedAt] {
			out = append(out, Entry{Action: "status." + m.Kind, CreatedAt: m.CreatedAt})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
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
