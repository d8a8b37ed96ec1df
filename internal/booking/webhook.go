package booking

import (
	"context"
	"fmt"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/webhook"
)

// hook is the webhook message of type that reports reg's current state;
// change, when not nil, says what a promotion moved. It never carries the
// personal link.
func hook(typ string, reg *Registration, change *mail.Change) webhook.Message {
	data := webhook.RegistrationData{Event: reg.EventSlug, Registration: webhook.Registration{ID: reg.ID,
		Name: reg.Name, Email: reg.Email, Organisation: reg.Organisation, Role: reg.Role, Language: reg.Language,
		Status: reg.Status, WaitlistPosition: reg.WaitlistPosition,
		Bookings: append([]Booking{}, reg.Bookings...)}}
	if change != nil {
		data.Change = change
	}
	return webhook.Message{Type: typ, EventID: reg.EventID, Data: data}
}

// enqueueHook writes the webhook deliveries of a change to reg in tx.
func enqueueHook(ctx context.Context, tx db.Conn, typ string, reg *Registration, change *mail.Change) error {
	return webhook.Enqueue(ctx, tx, hook(typ, reg, change))
}

const checkedInAt = `SELECT checked_in_at FROM registrations WHERE id = $1`

// ReportCheckIn writes the registration.checked_in deliveries of a
// registration just checked in, in the check-in's transaction (package
// roster), so that the payload has the one shape booking gives it.
func ReportCheckIn(ctx context.Context, tx db.Conn, regID string) error {
	reg, err := loadRegistration(ctx, tx, regID, false)
	if err != nil {
		return err
	}
	m := hook(webhook.RegistrationCheckedIn, reg, nil)
	data := m.Data.(webhook.RegistrationData)
	if err := tx.QueryRow(ctx, checkedInAt, regID).Scan(&data.CheckedInAt); err != nil {
		return fmt.Errorf("check-in time: %w", err)
	}
	m.Data = data
	return webhook.Enqueue(ctx, tx, m)
}
