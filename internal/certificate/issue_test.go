package certificate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/certificate/certtest"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// fixture is an event that has begun, with three registrations: Jörg
// (checked in, A1 and C2), Änne (checked in, B1 only) and Paul (not
// checked in).
type fixture struct {
	pool *pgxpool.Pool
	svc  *certificate.Service
	ev   *event.Event
	reg  map[string]string // first name → registration id
}

const slug = "fachtag-zertifikat"

func eventFile() *event.File {
	day := time.Now().AddDate(0, 0, 10)
	start := time.Date(day.Year(), day.Month(), day.Day(), 7, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
	opens, closes := time.Now().Add(-time.Hour), start.Add(-time.Hour)
	return &event.File{
		Slug: slug, Title: "Fachtag Übergänge", Timezone: "Europe/Berlin", StartsAt: start, EndsAt: at(7),
		Organiser: event.Organiser{Name: "Netzwerk Teilhabe"}, Venue: event.Venue{Name: "Rathaus", Address: "Markt 1, Erfurt"},
		Capacity: 20, Languages: []string{"de", "en"}, RetentionDays: 30, Status: event.StatusOpen,
		Registration: event.Registration{Mode: event.ModeFirstCome, OpensAt: &opens, ClosesAt: &closes, MaxPreferences: 3},
		Programme:    []event.Item{{StartsAt: at(3), EndsAt: at(4), Title: "Mittagspause", Kind: "break"}},
		Slots: []event.SlotFile{
			{Key: "r1", Title: "Runde 1", StartsAt: at(1), EndsAt: at(3), Optional: true},
			{Key: "r2", Title: "Runde 2", StartsAt: at(4), EndsAt: at(6), Optional: true},
		},
		Workshops: []event.WSFile{
			{Key: "A1", Slot: "r1", Title: "Beratung im ländlichen Raum", Capacity: 5, Topic: "A"},
			{Key: "B1", Slot: "r1", Title: "Ausbildung und Betrieb", Capacity: 5, Topic: "B"},
			{Key: "C2", Slot: "r2", Title: "Kommunen als Akteure", Capacity: 5, Topic: "C"},
		},
	}
}

func setup(t testing.TB) *fixture {
	t.Helper()
	return setupOn(t, dbtest.NewChecked(t))
}

func setupOn(t testing.TB, pool *pgxpool.Pool) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := booking.ImportEvent(ctx, pool, eventFile()); err != nil {
		t.Fatalf("ImportEvent: %v", err)
	}
	f := &fixture{pool: pool, svc: certificate.New(pool), reg: map[string]string{}}
	for _, p := range []struct {
		name, email, lang string
		choices           map[string]string
	}{
		{"Jörg Weißmüller", "joerg@example.org", "de", map[string]string{"r1": "A1", "r2": "C2"}},
		{"Änne Groß", "aenne@example.org", "en", map[string]string{"r1": "B1"}},
		{"Paul Fern", "paul@example.org", "de", map[string]string{"r1": "B1"}},
	} {
		reg, _, err := booking.New(pool).Register(ctx, slug, booking.Request{Name: p.name, Email: p.email, Language: p.lang,
			Consents: booking.Consents{Privacy: true}, Choices: p.choices})
		if err != nil {
			t.Fatalf("Register %s: %v", p.name, err)
		}
		f.reg[strings.Fields(p.name)[0]] = reg.ID
	}
	f.exec(t, `UPDATE registrations SET checked_in_at = now() WHERE email IN ('joerg@example.org', 'aenne@example.org')`)
	f.begin(t, -time.Hour)
	return f
}

func (f *fixture) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// begin moves the event to start at now+d, keeping its length, and
// reloads it.
func (f *fixture) begin(t testing.TB, d time.Duration) {
	t.Helper()
	f.exec(t, `UPDATE events SET starts_at = now() + $2 * interval '1 second',
		ends_at = now() + $2 * interval '1 second' + (ends_at - starts_at) WHERE slug = $1`, slug, d.Seconds())
	ev, err := event.Load(context.Background(), f.pool, slug)
	if err != nil {
		t.Fatal(err)
	}
	f.ev = ev
}

func (f *fixture) send(t *testing.T, resend bool) (int, error) {
	t.Helper()
	return f.svc.Send(context.Background(), f.ev, resend, auth.Entry{Actor: "test", Action: "event.certificates_sent", EventID: f.ev.ID})
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// codes maps registration ids to their certificate codes.
func (f *fixture) codes(t *testing.T) map[string]string {
	t.Helper()
	rows, _ := f.pool.Query(context.Background(), `SELECT registration_id::text, code FROM certificates`)
	out := map[string]string{}
	_, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
		var id, code string
		err := r.Scan(&id, &code)
		out[id] = code
		return struct{}{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSendMailsCheckedInOnceAndResendsOnRequest(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if n, err := f.send(t, false); err != nil || n != 2 {
		t.Fatalf("first Send = %d, %v; want 2 (the checked-in people)", n, err)
	}
	first := f.codes(t)
	if len(first) != 2 || first[f.reg["Paul"]] != "" {
		t.Fatalf("certificates %v, want Jörg's and Änne's", first)
	}
	for _, c := range first {
		if norm, ok := certificate.NormalizeCode(c); !ok || norm != c {
			t.Errorf("code %q is not a normalised 12-character code", c)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM outbox WHERE kind = 'certificate'`); n != 2 {
		t.Errorf("certificate mails = %d, want 2", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'event.certificates_sent' AND (detail ->> 'mailed')::int = 2`); n != 1 {
		t.Errorf("audit entries of the send = %d, want 1", n)
	}

	if n, err := f.send(t, false); !errors.Is(err, certificate.ErrNobody) || n != 0 {
		t.Errorf("second Send = %d, %v; want ErrNobody", n, err)
	}
	f.exec(t, `UPDATE registrations SET checked_in_at = now() WHERE id = $1`, f.reg["Paul"])
	if n, err := f.send(t, false); err != nil || n != 1 {
		t.Errorf("Send after one more check-in = %d, %v; want 1", n, err)
	}
	st, err := f.svc.Status(ctx, f.ev.ID)
	if err != nil || st != (certificate.Status{CheckedIn: 3, Mailed: 3, Due: 0}) {
		t.Errorf("Status = %+v, %v; want 3 checked in, 3 mailed", st, err)
	}

	f.exec(t, `UPDATE registrations SET name = 'Jörg Weißmüller-Schmidt' WHERE id = $1`, f.reg["Jörg"])
	if n, err := f.send(t, true); err != nil || n != 3 {
		t.Fatalf("resend = %d, %v; want 3", n, err)
	}
	again := f.codes(t)
	for id, c := range first {
		if again[id] != c {
			t.Errorf("resend changed the code of %s: %s → %s", id, c, again[id])
		}
	}
	if n := f.count(t, `SELECT count(*) FROM outbox WHERE kind = 'certificate'`); n != 6 {
		t.Errorf("certificate mails after the resend = %d, want 6", n)
	}
	if n := f.count(t, `SELECT count(*) FROM certificates WHERE name = 'Jörg Weißmüller-Schmidt' AND mails = 2`); n != 1 {
		t.Error("resend did not take the corrected name")
	}
}

func TestSendRefusedBeforeTheEventAndAfterDeletion(t *testing.T) {
	f := setup(t)
	f.begin(t, time.Hour)
	if n, err := f.send(t, false); !errors.Is(err, certificate.ErrTooEarly) || n != 0 {
		t.Errorf("Send before the event = %d, %v; want ErrTooEarly", n, err)
	}
	if n := f.count(t, `SELECT count(*) FROM certificates`) + f.count(t, `SELECT count(*) FROM outbox WHERE kind = 'certificate'`); n != 0 {
		t.Errorf("a refused send left %d rows", n)
	}
	f.begin(t, -time.Hour)
	if err := booking.New(f.pool).DeleteNow(context.Background(), f.ev.ID, f.reg["Jörg"], booking.Manual{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.send(t, false); err != nil || n != 1 {
		t.Errorf("Send after Jörg was deleted = %d, %v; want 1 (Änne only)", n, err)
	}
}

func TestRegistrationPDFAndVerify(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	err := f.svc.SaveSettings(ctx, f.ev.ID, certificate.Input{Body: "{name} erhält für {event} am {date} {hours} Fortbildungspunkte.",
		Hours: "6", SignerName: "Dr. Jürgen Weiß", SignerRole: "Vorstand", Logo: pngLogo()}, auth.Entry{Actor: "test", Action: "event.certificate_settings", EventID: f.ev.ID})
	if err != nil {
		t.Fatalf("SaveSettings: %v", err)
	}
	if _, err := f.send(t, false); err != nil {
		t.Fatal(err)
	}
	code := f.codes(t)[f.reg["Jörg"]]
	pdf, err := f.svc.PDF(ctx, f.reg["Jörg"], func(c string) string { return "https://fachtag.example/v/" + c })
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	text := strings.Join(strings.Fields(certtest.Text(t, pdf)), " ")
	loc := f.ev.Location()
	date := fmt.Sprintf("Fachtag Übergänge am %d. %s %d", f.ev.StartsAt.In(loc).Day(), i18n.Month("de", f.ev.StartsAt.In(loc).Month()), f.ev.StartsAt.In(loc).Year())
	for _, want := range []string{"Jörg Weißmüller", "Beratung im ländlichen Raum", "Kommunen als Akteure",
		"Umfang: 6 Zeitstunden", "Jörg Weißmüller erhält für " + date + " 6 Fortbildungspunkte.", "Dr. Jürgen Weiß", "Vorstand",
		"Prüfcode: " + certificate.FormatCode(code), "https://fachtag.example/v/" + certificate.FormatCode(code)} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if _, err := f.svc.PDF(ctx, f.reg["Paul"], nil); !errors.Is(err, certificate.ErrNotFound) {
		t.Errorf("PDF of someone without a certificate: %v, want ErrNotFound", err)
	}

	for _, typed := range []string{code, certificate.FormatCode(code), strings.ToLower(certificate.FormatCode(code))} {
		v, err := f.svc.Verify(ctx, typed)
		if err != nil || v.Name != "Jörg Weißmüller" || v.EventTitle != "Fachtag Übergänge" || !v.Date.Equal(f.ev.StartsAt) {
			t.Errorf("Verify(%q) = %+v, %v; want Jörg at Fachtag Übergänge", typed, v, err)
		}
	}
	for _, typed := range []string{"", "ABCD-EFGH-JKMN", code + "0", "'; DROP TABLE certificates; --"} {
		if v, err := f.svc.Verify(ctx, typed); !errors.Is(err, certificate.ErrNotFound) {
			t.Errorf("Verify(%q) = %+v, %v; want ErrNotFound", typed, v, err)
		}
	}
}

func TestDefaultHoursLeavesOutBreaks(t *testing.T) {
	f := eventFile()
	ev := &event.Event{StartsAt: f.StartsAt, EndsAt: f.EndsAt, Programme: f.Programme}
	if got := certificate.DefaultHours(ev); got != 6 {
		t.Errorf("DefaultHours = %v, want 6 (7 hours minus an hour's lunch)", got)
	}
	ev.Programme = append(ev.Programme, event.Item{StartsAt: f.StartsAt.Add(-time.Hour), EndsAt: f.StartsAt.Add(30 * time.Minute), Kind: "Pause"})
	if got := certificate.DefaultHours(ev); got != 5.5 {
		t.Errorf("DefaultHours with a break from before the start = %v, want 5.5 (only the half hour inside counts)", got)
	}
}
