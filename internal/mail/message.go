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

	"github.com/jackc/pgx/v5/pgconn"
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
)

// Booking is a participant's place in one slot at the time of the change.
type Booking struct {
	Slot     string `json:"slot"`
	Workshop string `json:"workshop"`
	Status   string `json:"status"` // confirmed | waitlisted
	Position int    `json:"waitlist_position,omitempty"`
}

// Change describes what moved, for promoted and swapped mails.
type Change struct {
	Slot string `json:"slot"`
	From string `json:"from,omitempty"`
	To   string `json:"to"`
}

// Message is the payload of one outbox row: everything the worker needs
// besides the event itself, which it loads by EventID when sending.
type Message struct {
	Kind               Kind      `json:"kind"`
	RegistrationID     string    `json:"registration_id"`
	EventID            int64     `json:"event_id"`
	To                 string    `json:"to"`
	Name               string    `json:"name"`
	Language           string    `json:"language"`
	Token              string    `json:"token,omitempty"` // raw personal-link token; erased once sent
	Link               string    `json:"link,omitempty"`  // account mails: the one-time link; erased once sent
	RegistrationStatus string    `json:"registration_status"`
	Bookings           []Booking `json:"bookings"`
	Change             *Change   `json:"change,omitempty"`
	// Preferences are the ranked wishes per slot (wish phase, received
	// mails); the mail lists them when present.
	Preferences map[string][]string `json:"preferences,omitempty"`
}

const insertOutbox = `
INSERT INTO outbox (kind, registration_id, recipient, language, payload, message_id)
VALUES ($1, $2, $3, $4, $5, $6)`

// Execer is a transaction or a pool.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Enqueue writes m to the outbox inside tx, so the mail exists exactly when
// the change it reports commits.
func Enqueue(ctx context.Context, tx Execer, m Message) error {
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode mail: %w", err)
	}
	var regID any
	if m.RegistrationID != "" {
		regID = m.RegistrationID
	}
	if _, err := tx.Exec(ctx, insertOutbox, string(m.Kind), regID, m.To, m.Language, payload, NewMessageID()); err != nil {
		return fmt.Errorf("enqueue %s mail: %w", m.Kind, err)
	}
	return nil
}

// NewMessageID is the local part of the row's Message-ID; the worker adds
// the sender's domain. It is fixed at enqueue time so a resend after a crash
// carries the same Message-ID and receivers can tell it is the same mail.
func NewMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
