package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/registration"
)

// The event types an endpoint may subscribe to.
const (
	RegistrationCreated   = "registration.created"
	RegistrationCancelled = "registration.cancelled"
	BookingPromoted       = "booking.promoted"
	RegistrationCheckedIn = "registration.checked_in"
	AllocationPublished   = "allocation.published"
	// TestType is sent by the "send test event" button only.
	TestType = "webhook.test"
)

// Types are the subscribable types, in the order the page lists them.
var Types = []string{RegistrationCreated, RegistrationCancelled, BookingPromoted, RegistrationCheckedIn, AllocationPublished}

// Message is one reported change: its type, the event it belongs to and
// the data of the payload (which names the event's slug itself).
type Message struct {
	Type    string
	EventID int64
	At      time.Time // zero: now
	Data    any
}

// Registration is a registration as payloads show it. It never carries
// the personal link or its token.
type Registration struct {
	ID               string                 `json:"id"`
	Name             string                 `json:"name"`
	Email            string                 `json:"email"`
	Organisation     string                 `json:"organisation"`
	Role             string                 `json:"role"`
	Language         string                 `json:"language"`
	Status           registration.Status    `json:"status"`
	WaitlistPosition int                    `json:"waitlist_position,omitempty"`
	Bookings         []registration.Booking `json:"bookings"`
}

// RegistrationData is the data of the registration.* and booking.* types.
type RegistrationData struct {
	Event        string       `json:"event"`
	Registration Registration `json:"registration"`
	// Change is what moved (booking.promoted: slot, from, to); absent
	// when the person moved up from the event's waiting list.
	Change      any        `json:"change,omitempty"`
	CheckedInAt *time.Time `json:"checked_in_at,omitempty"`
}

// payload is the body of every delivery, as Standard Webhooks suggests.
type payload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

func (m Message) body() (string, error) {
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	b, err := json.Marshal(payload{Type: m.Type, Timestamp: at.UTC().Truncate(time.Millisecond), Data: m.Data})
	if err != nil {
		return "", fmt.Errorf("encode %s webhook: %w", m.Type, err)
	}
	return string(b), nil
}

// insertDeliveries is the one statement that writes deliveries of a
// change: one per endpoint of the event that wants the type. An event
// without endpoints costs an index probe that finds nothing. A disabled
// endpoint's deliveries wait until it is enabled again (or are purged
// after WorkerConfig.KeepLog), so nothing is lost while its receiver is
// being repaired. The insert's foreign key takes FOR KEY SHARE on the
// endpoint rows, which only deleting an endpoint waits for: it adds no
// lock to the order in internal/booking/lock.go.
const insertDeliveries = `
INSERT INTO webhook_deliveries (endpoint_id, event_type, payload)
SELECT id, $2, $3 FROM webhook_endpoints
WHERE event_id = $1 AND $2 = ANY (types)`

// Queue puts the deliveries of m on b, for a caller that sends its
// transaction's statements as pipelined batches (the sign-up): no round
// trip of its own.
func Queue(b *pgx.Batch, m Message) error {
	body, err := m.body()
	if err != nil {
		return err
	}
	b.Queue(insertDeliveries, m.EventID, m.Type, body)
	return nil
}

// Enqueue writes the deliveries of m through c, the transaction of the
// change it reports.
func Enqueue(ctx context.Context, c db.Conn, m Message) error {
	body, err := m.body()
	if err != nil {
		return err
	}
	if _, err := c.Exec(ctx, insertDeliveries, m.EventID, m.Type, body); err != nil {
		return fmt.Errorf("enqueue %s webhook: %w", m.Type, err)
	}
	return nil
}
