// Package messages owns the mails organisers send to participants: a
// message to everyone of an event, to one workshop or to a workshop's
// waiting list (preview, test send, send), and the automatic reminder a
// configurable number of days before the event. A message may also go to
// the people an organiser ticked in the registration list; each of them
// then gets an audit entry of their own. Every mail is an outbox
// row written in the transaction that records the message, and points back
// at it (outbox.org_message_id), so a participant's history can list it.
package messages

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/registration"
)

// Audience kinds.
const (
	AudienceAll      = "all"      // every confirmed registration (and every wish in the wish phase)
	AudienceWorkshop = "workshop" // confirmed seats of one workshop
	AudienceWaitlist = "waitlist" // the waiting list of one workshop
	AudienceSelected = "selected" // registrations the organiser picked (Audience.People)
	audienceReminder = "confirmed"
)

// Limits of a message.
const (
	maxSubject = 200
	maxBody    = 20000
	maxReason  = 500 // as a manual action's
)

// ErrNoRecipients: the audience is empty, there is nobody to send to.
var ErrNoRecipients = errors.New("the audience has no recipients")

// ValidationError names the fields of a draft that are wrong; the values
// are keys of package i18n's catalog.
type ValidationError struct{ Fields map[string]string }

func (e *ValidationError) Error() string {
	var parts []string
	for f, k := range e.Fields {
		parts = append(parts, f+": "+k)
	}
	return "invalid message: " + strings.Join(parts, ", ")
}

// Audience is who a message goes to. Workshop is the workshop key for
// AudienceWorkshop and AudienceWaitlist; People are the registration ids
// of AudienceSelected.
type Audience struct {
	Kind     string
	Workshop string
	People   []string
}

// ParseAudience reads "all", "selected", "workshop:KEY" or "waitlist:KEY";
// the people of "selected" come with the draft.
func ParseAudience(s string) (Audience, bool) {
	if s == AudienceAll || s == AudienceSelected {
		return Audience{Kind: s}, true
	}
	kind, key, ok := strings.Cut(s, ":")
	if !ok || key == "" || (kind != AudienceWorkshop && kind != AudienceWaitlist) {
		return Audience{}, false
	}
	return Audience{Kind: kind, Workshop: key}, true
}

func (a Audience) String() string {
	if a.Kind == AudienceAll || a.Kind == AudienceSelected || a.Kind == "" {
		return a.Kind
	}
	return a.Kind + ":" + a.Workshop
}

// Draft is a message as the organiser wrote it; People are the
// registration ids of the audience "selected", Reason why they were
// picked (required for them, in each one's audit entry).
type Draft struct {
	Audience string
	Subject  string
	Body     string
	People   []string
	Reason   string
}

// Check validates the draft against the event and returns its audience.
func (d Draft) Check(ev *event.Event) (Audience, error) {
	fields := map[string]string{}
	a, ok := ParseAudience(d.Audience)
	if ok && (a.Kind == AudienceWorkshop || a.Kind == AudienceWaitlist) {
		if _, found := ev.Workshop(a.Workshop); !found {
			ok = false
		}
	}
	if a.Kind == AudienceSelected {
		a.People = booking.UniqueIDs(d.People)
		if n := len(a.People); n == 0 || n > booking.MaxBulk {
			ok = false
		}
		switch r := strings.TrimSpace(d.Reason); {
		case r == "":
			fields["reason"] = "err.required"
		case utf8.RuneCountInString(r) > maxReason:
			fields["reason"] = "msg.err_too_long"
		}
	}
	if !ok {
		fields["audience"] = "msg.err_audience"
	}
	switch s := strings.TrimSpace(d.Subject); {
	case s == "":
		fields["subject"] = "err.required"
	case utf8.RuneCountInString(s) > maxSubject:
		fields["subject"] = "msg.err_too_long"
	}
	switch b := strings.TrimSpace(d.Body); {
	case b == "":
		fields["body"] = "err.required"
	case utf8.RuneCountInString(b) > maxBody:
		fields["body"] = "msg.err_too_long"
	}
	if len(fields) > 0 {
		return Audience{}, &ValidationError{Fields: fields}
	}
	return a, nil
}

// Recipient is one person a message goes to.
type Recipient struct {
	RegistrationID string
	Name           string
	Email          string
	Language       string
	Status         registration.Status // of the registration
}

// recipientsWhere selects the registrations of an audience: $1 event id,
// $2 workshop key, $3 audience kind, $4 the people picked. Cancelled
// registrations never get mail.
const recipientsWhere = `
FROM registrations r
WHERE r.event_id = $1 AND r.status <> 'cancelled' AND (
    ($3::text = 'all' AND r.status IN ('confirmed', 'received'))
 OR ($3::text = 'selected' AND r.id = ANY($4::uuid[]))
 OR ($3::text = 'confirmed' AND r.status = 'confirmed')
 OR ($3::text IN ('workshop', 'waitlist') AND EXISTS (
        SELECT 1 FROM bookings b JOIN workshops w ON w.id = b.workshop_id
        WHERE b.registration_id = r.id AND w.event_id = $1 AND w.key = $2::text
          AND b.status = CASE $3::text WHEN 'workshop' THEN 'confirmed' ELSE 'waitlisted' END)))`

const selectRecipients = `SELECT r.id::text, r.name, r.email, r.language, r.status` + recipientsWhere + ` ORDER BY r.seq`

// Recipients lists the audience in sign-up order.
func Recipients(ctx context.Context, q db.Conn, eventID int64, a Audience) ([]Recipient, error) {
	rows, _ := q.Query(ctx, selectRecipients, eventID, a.Workshop, a.Kind, booking.UniqueIDs(a.People))
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Recipient, error) {
		var rc Recipient
		err := r.Scan(&rc.RegistrationID, &rc.Name, &rc.Email, &rc.Language, &rc.Status)
		return rc, err
	})
	if err != nil {
		return nil, fmt.Errorf("list recipients: %w", err)
	}
	return rs, nil
}

// message is the mail of an organiser message to rc; orgMessageID is
// its org_messages row (0 for a preview or a test send).
func message(eventID int64, rc Recipient, d Draft, orgMessageID int64) mail.Message {
	return mail.Message{Kind: mail.KindOrgMessage, RegistrationID: rc.RegistrationID, EventID: eventID,
		To: rc.Email, Name: rc.Name, Language: rc.Language, RegistrationStatus: rc.Status,
		Bookings: []mail.Booking{}, OrgMessageID: orgMessageID,
		Subject: strings.TrimSpace(d.Subject), Body: strings.TrimSpace(d.Body)}
}

// Preview renders the mail exactly as rc would get it.
func Preview(ev *event.Event, d Draft, rc Recipient) (mail.Rendered, error) {
	return mail.RenderOrg(message(ev.ID, rc, d, 0), ev, nil)
}

// SendTest queues the mail rc would get, with "[Test]" before the
// subject, to the organiser's own address only.
func SendTest(ctx context.Context, c db.Conn, ev *event.Event, d Draft, rc Recipient, to string) error {
	d.Subject = "[Test] " + strings.TrimSpace(d.Subject)
	m := message(ev.ID, rc, d, 0)
	m.RegistrationID, m.To = "", to
	return mail.Enqueue(ctx, c, m)
}

const insertMessage = `
INSERT INTO org_messages (event_id, user_id, kind, audience, workshop_id, subject, body)
VALUES ($1, $2, 'message', $3, (SELECT id FROM workshops WHERE event_id = $1 AND key = $4), $5, $6)
RETURNING id`

const setRecipients = `UPDATE org_messages SET recipients = $2 WHERE id = $1`

// queuedMails writes the mails of org_messages row id and records their number.
func queuedMails(ctx context.Context, tx pgx.Tx, id int64, ms []mail.Message) error {
	if err := mail.EnqueueAll(ctx, tx, ms); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, setRecipients, id, len(ms))
	return err
}

// Send records the message, queues one mail per recipient and writes the
// sender's audit entry (its Detail gets the message id, audience and
// recipient count), all in one transaction; it refuses an empty audience.
func Send(ctx context.Context, pool *pgxpool.Pool, ev *event.Event, audit auth.Entry, d Draft) (id int64, n int, err error) {
	userID := audit.UserID
	a, err := d.Check(ev)
	if err != nil {
		return 0, 0, err
	}
	subject, body := strings.TrimSpace(d.Subject), strings.TrimSpace(d.Body)
	err = db.Transact(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, insertMessage, ev.ID, userID, a.Kind, a.Workshop, subject, body).Scan(&id); err != nil {
			return fmt.Errorf("save message: %w", err)
		}
		rcpts, err := Recipients(ctx, tx, ev.ID, a)
		if err != nil {
			return err
		}
		if n = len(rcpts); n == 0 {
			return ErrNoRecipients
		}
		ms := make([]mail.Message, n)
		for i, rc := range rcpts {
			ms[i] = message(ev.ID, rc, d, id)
			if strings.Contains(body, mail.PlaceholderLink) {
				// Personal links are stored hashed, so each mail that shows
				// one carries a fresh one.
				if ms[i].Token, err = booking.IssueLink(ctx, tx, rc.RegistrationID); err != nil {
					return err
				}
			}
		}
		if err := queuedMails(ctx, tx, id, ms); err != nil {
			return err
		}
		if err := auditPicked(ctx, tx, a, audit, id, rcpts, strings.TrimSpace(d.Reason)); err != nil {
			return err
		}
		audit.Detail = map[string]any{"message_id": id, "audience": d.Audience, "recipients": n}
		return auth.Append(ctx, tx, audit)
	})
	return id, n, err
}

// auditPicked gives each person of a picked audience an audit entry, so
// their history says who wrote to them.
func auditPicked(ctx context.Context, tx pgx.Tx, a Audience, sender auth.Entry, id int64, rcpts []Recipient, reason string) error {
	if a.Kind != AudienceSelected {
		return nil
	}
	for _, rc := range rcpts {
		e := sender
		e.Action = "registration.message"
		e.Detail = map[string]any{"registration_id": rc.RegistrationID, "message_id": id, "reason": reason}
		if err := auth.Append(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// Sent is a message in the event's history with the state of its mails.
type Sent struct {
	ID         int64
	Kind       string
	Audience   string
	Workshop   string
	Subject    string
	Recipients int
	Delivered  int
	Failed     int
	CreatedAt  time.Time
}

const selectSent = `
SELECT m.id, m.kind, m.audience, coalesce(w.key, ''), m.subject, m.recipients,
       (SELECT count(*) FROM outbox o WHERE o.org_message_id = m.id AND o.status = 'sent'),
       (SELECT count(*) FROM outbox o WHERE o.org_message_id = m.id AND o.status = 'failed'),
       m.created_at
FROM org_messages m LEFT JOIN workshops w ON w.id = m.workshop_id
WHERE m.event_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT 100`

// List returns the event's messages and reminder, newest first.
func List(ctx context.Context, q db.Conn, eventID int64) ([]Sent, error) {
	rows, _ := q.Query(ctx, selectSent, eventID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Sent, error) {
		var s Sent
		err := r.Scan(&s.ID, &s.Kind, &s.Audience, &s.Workshop, &s.Subject, &s.Recipients, &s.Delivered, &s.Failed, &s.CreatedAt)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return out, nil
}
