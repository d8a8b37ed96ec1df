// Package certificate owns attendance certificates: an event's settings
// (text, logo, hours, signer), issuing a certificate to every checked-in
// participant and mailing it through the outbox, the PDF itself, and the
// verification of a certificate's code.
//
// A certificate row fixes what it certifies (name, workshops, hours) when
// it is issued, so the verification page and every download say the
// same; the PDF is drawn from that row, the event and the settings when
// it is needed (a download, or the mail worker sending it), which keeps
// megabytes of PDF and logo out of the database and the outbox.
package certificate

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// Errors of the package.
var (
	// ErrNotFound: no certificate for this registration or code.
	ErrNotFound = errors.New("certificate not found")
	// ErrTooEarly: certificates go out once the event has begun.
	ErrTooEarly = errors.New("the event has not begun yet")
	// ErrNobody: nobody is due a certificate mail.
	ErrNobody = errors.New("nobody to send a certificate to")
)

// ValidationError names the fields of the settings that are wrong; the
// values are keys of package i18n's catalogue.
type ValidationError struct{ Fields map[string]string }

func (e *ValidationError) Error() string {
	var parts []string
	for f, k := range e.Fields {
		parts = append(parts, f+": "+k)
	}
	return "invalid certificate settings: " + strings.Join(parts, ", ")
}

// Service is this package on one pool, for the HTTP layer and the mail
// worker, which hold no pool of their own.
type Service struct {
	pool *pgxpool.Pool
}

// New returns the certificates of the database behind pool.
func New(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Settings reads the event's settings (defaults when none are saved).
func (s *Service) Settings(ctx context.Context, eventID int64) (Settings, error) {
	return LoadSettings(ctx, s.pool, eventID)
}

// SaveSettings validates in, stores it and writes audit in one
// transaction; a *ValidationError changes nothing.
func (s *Service) SaveSettings(ctx context.Context, eventID int64, in Input, audit auth.Entry) error {
	st, err := in.settings()
	if err != nil {
		return err
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := saveSettings(ctx, tx, eventID, st, in.RemoveLogo); err != nil {
			return err
		}
		audit.Detail = map[string]any{"logo": logoChange(in)}
		return auth.Append(ctx, tx, audit)
	})
}

// Status counts the event's certificates for the organiser's page.
func (s *Service) Status(ctx context.Context, eventID int64) (Status, error) {
	return LoadStatus(ctx, s.pool, eventID)
}

// Send issues and mails the certificates; see Send.
func (s *Service) Send(ctx context.Context, ev *event.Event, resend bool, audit auth.Entry) (int, error) {
	return Send(ctx, s.pool, ev, resend, audit)
}

// PDF draws the certificate of a registration; verify makes the address
// printed under its code.
func (s *Service) PDF(ctx context.Context, registrationID string, verify func(code string) string) ([]byte, error) {
	return RegistrationPDF(ctx, s.pool, registrationID, verify)
}

// Issued reports whether the registration holds a certificate.
func (s *Service) Issued(ctx context.Context, registrationID string) (bool, error) {
	return Issued(ctx, s.pool, registrationID)
}

// Verify looks a code up; unknown and malformed codes are ErrNotFound.
func (s *Service) Verify(ctx context.Context, code string) (Verified, error) {
	return Verify(ctx, s.pool, code)
}

// Preview draws a sample certificate of ev with its saved settings.
func (s *Service) Preview(ctx context.Context, ev *event.Event, lang string, verify func(code string) string) ([]byte, error) {
	st, err := LoadSettings(ctx, s.pool, ev.ID)
	if err != nil {
		return nil, err
	}
	return Preview(ev, st, lang, verify)
}
