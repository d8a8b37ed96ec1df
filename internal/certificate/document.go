package certificate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// issued is a certificate row: what it certifies.
type issued struct {
	EventID   int64
	Code      string
	Name      string
	Workshops []string
	Hours     float64
	IssuedAt  time.Time
	Language  string
}

const selectIssued = `
SELECT c.event_id, c.code, c.name, c.workshops, c.hours::float8, c.issued_at, r.language
FROM certificates c JOIN registrations r ON r.id = c.registration_id
WHERE c.registration_id = $1`

// RegistrationPDF draws the certificate of a registration, in its
// language; ErrNotFound when it holds none.
func RegistrationPDF(ctx context.Context, q db.Conn, registrationID string, verify func(code string) string) ([]byte, error) {
	var c issued
	err := q.QueryRow(ctx, selectIssued, registrationID).
		Scan(&c.EventID, &c.Code, &c.Name, &c.Workshops, &c.Hours, &c.IssuedAt, &c.Language)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load certificate: %w", err)
	}
	ev, err := event.LoadByID(ctx, q, c.EventID)
	if err != nil {
		return nil, err
	}
	st, err := LoadSettings(ctx, q, c.EventID)
	if err != nil {
		return nil, err
	}
	return Render(document(ev, st, c, verify))
}

const issuedExists = `SELECT EXISTS (SELECT 1 FROM certificates WHERE registration_id = $1)`

// Issued reports whether the registration holds a certificate.
func Issued(ctx context.Context, q db.Conn, registrationID string) (ok bool, err error) {
	if err := q.QueryRow(ctx, issuedExists, registrationID).Scan(&ok); err != nil {
		return false, fmt.Errorf("look up certificate: %w", err)
	}
	return ok, nil
}

// SampleName and sampleCode stand in for a participant in the preview;
// the code holds letters no real code has, so it never verifies.
const (
	SampleName = "Erika Mustermann"
	sampleCode = "MUSTERMUSTER"
)

// Preview draws a sample certificate of ev with the settings st: the
// sample name, the first workshop of every slot, marked as a sample.
func Preview(ev *event.Event, st Settings, lang string, verify func(code string) string) ([]byte, error) {
	c := issued{Code: sampleCode, Name: SampleName, Hours: HoursOf(ev, st), IssuedAt: time.Now(), Language: lang}
	for _, s := range ev.Slots {
		if ws := ev.WorkshopsIn(s.Key); len(ws) > 0 {
			c.Workshops = append(c.Workshops, ws[0].Title)
		}
	}
	d := document(ev, st, c, verify)
	d.Sample = true
	return Render(d)
}

// document puts a certificate, its event and the settings together.
func document(ev *event.Event, st Settings, c issued, verify func(code string) string) Document {
	lang := i18n.Normalize(c.Language)
	loc := ev.Location()
	d := Document{Lang: lang, Name: c.Name, EventTitle: ev.Title, Date: day(lang, ev.StartsAt.In(loc)),
		Place: place(ev), Organiser: ev.Organiser.Name, Hours: c.Hours, Workshops: c.Workshops,
		SignerName: st.SignerName, SignerRole: st.SignerRole, IssuedOn: day(lang, c.IssuedAt.In(loc)),
		Code: c.Code, Logo: st.Logo, LogoType: st.LogoType}
	if verify != nil {
		d.VerifyURL = verify(FormatCode(c.Code))
	}
	d.Body = strings.NewReplacer(PlaceholderName, d.Name, PlaceholderEvent, d.EventTitle,
		PlaceholderDate, d.Date, PlaceholderHours, FormatHours(lang, d.Hours)).Replace(st.Body)
	return d
}

// day writes a date as a certificate does, without the weekday:
// "26. Juni 2024", "26 June 2024".
func day(lang string, t time.Time) string {
	return i18n.T(lang, "cert.pdf_date", t.Day(), i18n.Month(lang, t.Month()), t.Year())
}

func place(ev *event.Event) string {
	var parts []string
	for _, p := range []string{ev.Venue.Name, ev.Venue.Address} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Verified is what the verification page may show of a certificate:
// nothing beyond name, event and date.
type Verified struct {
	Name       string
	EventTitle string
	Date       time.Time // the event's start, in its time zone
}

const selectVerified = `
SELECT c.name, e.title, e.starts_at, e.timezone
FROM certificates c JOIN events e ON e.id = c.event_id
WHERE c.code = $1`

// Verify looks a code up as typed; unknown and malformed codes are both
// ErrNotFound, so a guess learns nothing.
func Verify(ctx context.Context, q db.Conn, typed string) (Verified, error) {
	code, ok := NormalizeCode(typed)
	if !ok {
		return Verified{}, ErrNotFound
	}
	var v Verified
	var tz string
	err := q.QueryRow(ctx, selectVerified, code).Scan(&v.Name, &v.EventTitle, &v.Date, &tz)
	if errors.Is(err, pgx.ErrNoRows) {
		return Verified{}, ErrNotFound
	}
	if err != nil {
		return Verified{}, fmt.Errorf("verify certificate: %w", err)
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		v.Date = v.Date.In(loc)
	}
	return v, nil
}
