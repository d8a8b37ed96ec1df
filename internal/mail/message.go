// Package mail owns outgoing mail: the outbox rows written inside business
// transactions, the workers that claim and send them, the go-mail sender,
// the text and HTML templates and the iCalendar attachments.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/registration"
)

// Kind says which mail a row is.
type Kind string

// The mails fachtag sends to participants.
const (
	KindConfirmed  Kind = "confirmed"  // registered, event seat held
	KindWaitlisted Kind = "waitlisted" // registered, event or a workshop full
	KindReceived   Kind = "received"   // wish phase: wishes received
	KindPromoted   Kind = "promoted"   // moved up from a waiting list
	KindSwapped    Kind = "swapped"    // changed workshop
	KindCancelled  Kind = "cancelled"  // registration cancelled
	KindLink       Kind = "link"       // "send me my link again"
	KindPublished  Kind = "published"  // wish phase over: your workshops
	KindLeft       Kind = "left"       // gave up a workshop seat or waiting-list place
	KindAlready    Kind = "already"    // signed up again with a registered address: here is the link
)

// Booking is a participant's place in one slot at the time of the change.
type Booking = registration.Booking

// Change describes what moved, for promoted, swapped and left mails.
type Change struct {
	Slot string `json:"slot"`
	From string `json:"from,omitempty"`
	To   string `json:"to"`
	// Waitlisted: a swap that put the person on To's waiting list (they keep
	// From), or a left mail about a waiting-list place rather than a seat.
	Waitlisted bool `json:"waitlisted,omitempty"`
	Position   int  `json:"position,omitempty"` // place on To's waiting list
}

// Message is one mail: the outbox row's columns and its payload, which
// holds everything the worker needs besides the event itself (loaded by
// EventID when sending). Every kind of mail is a Message and goes through
// Enqueue or EnqueueAll.
type Message struct {
	Kind               Kind                `json:"kind"`
	RegistrationID     string              `json:"registration_id"`
	EventID            int64               `json:"event_id"`
	To                 string              `json:"to"`
	Name               string              `json:"name"`
	Language           string              `json:"language"`
	Token              string              `json:"token,omitempty"`       // raw personal-link token; erased once sent
	Link               string              `json:"link,omitempty"`        // account mails: the one-time link; erased once sent
	EventTitle         string              `json:"event_title,omitempty"` // invitations: the event of the team
	WebhookURL         string              `json:"webhook_url,omitempty"` // webhook mails: the disabled endpoint
	RegistrationStatus registration.Status `json:"registration_status"`
	Bookings           []Booking           `json:"bookings"`
	Change             *Change             `json:"change,omitempty"`
	// Preferences are the ranked wishes per slot (wish phase, received
	// mails); the mail lists them when present.
	Preferences map[string][]string `json:"preferences,omitempty"`
	// Outcomes say per slot which wish the published allocation gave and,
	// where not the first, why (published mails).
	Outcomes []registration.Outcome `json:"outcomes,omitempty"`
	// Reconfirm is the question's deadline (reconfirmation mails).
	Reconfirm *Reconfirm `json:"reconfirm,omitempty"`
	// Subject and Body are the organiser's own text (KindOrgMessage).
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
	// OrgMessageID is the org_messages row an organiser mail or reminder
	// belongs to (0 for none, e.g. a test send); it is a column of the
	// outbox row, not part of the payload.
	OrgMessageID int64 `json:"-"`
	// PrivacyURL and ImprintURL are the event's legal documents, filled in
	// by the worker when it sends (WorkerConfig.LegalLinks); not stored.
	PrivacyURL string `json:"-"`
	ImprintURL string `json:"-"`
}

// insertOutbox is the one statement that writes mail.
const insertOutbox = `
INSERT INTO outbox (kind, registration_id, recipient, language, payload, message_id, org_message_id)
VALUES ($1, $2, $3, $4, $5, $6, nullif($7, 0))`

// Enqueue writes m to the outbox through c, normally the transaction of
// the change it reports, so the mail exists exactly when the change commits.
func Enqueue(ctx context.Context, c db.Conn, m Message) error {
	args, err := outboxArgs(m)
	if err != nil {
		return err
	}
	if _, err := c.Exec(ctx, insertOutbox, args...); err != nil {
		return fmt.Errorf("enqueue %s mail: %w", m.Kind, err)
	}
	return nil
}

// EnqueueAll writes many mails in one round trip (an organiser message to
// a whole event); like Enqueue, it belongs inside the change's transaction.
func EnqueueAll(ctx context.Context, c db.Conn, ms []Message) error {
	b := &pgx.Batch{}
	for _, m := range ms {
		if err := Queue(b, m); err != nil {
			return err
		}
	}
	if err := c.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("enqueue %d mails: %w", len(ms), err)
	}
	return nil
}

// outboxArgs is the arguments of insertOutbox for m.
func outboxArgs(m Message) ([]any, error) {
	payload, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s mail: %w", m.Kind, err)
	}
	var regID any
	if m.RegistrationID != "" {
		regID = m.RegistrationID
	}
	return []any{string(m.Kind), regID, m.To, m.Language, payload, NewMessageID(), m.OrgMessageID}, nil
}

// NewMessageID is the local part of the row's Message-ID; the worker adds
// the sender's domain. It is fixed at enqueue time so a resend after a crash
// carries the same Message-ID and receivers can tell it is the same mail.
func NewMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
