package reconfirm

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// The tests run on a real PostgreSQL with a clock of their own: the
// scheduler's steps take "now" as an argument and the Service a clock
// function, so a whole week runs without a sleep.

// fixture is an open event a month away with one slot (r1, optional) and
// workshops A1 and B1, and the services on its database.
type fixture struct {
	t     testing.TB
	pool  *pgxpool.Pool
	book  *booking.Service
	rc    *Service
	ev    *event.Event
	clock time.Time
}

func newFixture(t testing.TB, eventCapacity, workshopCapacity int) *fixture {
	t.Helper()
	pool := dbtest.NewChecked(t)
	start := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	opens, closes := time.Now().Add(-time.Hour), start.Add(-time.Hour)
	f := &event.File{Slug: "rc", Title: "Fachtag Rückmeldung", Timezone: "Europe/Berlin", StartsAt: start,
		EndsAt: start.Add(8 * time.Hour), Capacity: eventCapacity, Status: event.StatusOpen,
		Organiser:    event.Organiser{Name: "Netzwerk", Email: "orga@example.org"},
		Registration: event.Registration{Mode: event.ModeFirstCome, OpensAt: &opens, ClosesAt: &closes},
		Slots:        []event.SlotFile{{Key: "r1", Title: "Runde 1", StartsAt: start.Add(time.Hour), EndsAt: start.Add(3 * time.Hour), Optional: true}},
		Workshops: []event.WSFile{{Key: "A1", Slot: "r1", Title: "Workshop A", Capacity: workshopCapacity},
			{Key: "B1", Slot: "r1", Title: "Workshop B", Capacity: workshopCapacity}}}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := event.ParseFile(data)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if _, err := booking.ImportEvent(context.Background(), pool, parsed); err != nil {
		t.Fatalf("import: %v", err)
	}
	ev, err := event.Load(context.Background(), pool, "rc")
	if err != nil {
		t.Fatalf("load event: %v", err)
	}
	fx := &fixture{t: t, pool: pool, book: booking.New(pool), ev: ev, clock: time.Now()}
	fx.rc = NewService(pool, func() time.Time { return fx.clock })
	return fx
}

// configure saves settings: ask 7 days before, answers until 3 days before.
func (fx *fixture) configure(remind, release bool) Plan {
	fx.t.Helper()
	in := Input{Enabled: true, SendDays: "7", DeadlineValue: "3", DeadlineUnit: "days", Remind: remind, Release: release}
	s, err := fx.rc.Save(context.Background(), fx.ev, in, auth.Entry{Actor: "test", Action: "event.reconfirm", EventID: fx.ev.ID})
	if err != nil {
		fx.t.Fatalf("Save: %v", err)
	}
	return s.Plan(fx.ev.StartsAt)
}

// participant is a registration made in a test, with its personal link.
type participant struct {
	id, token string
}

func (fx *fixture) register(email string, workshop string) participant {
	fx.t.Helper()
	req := booking.Request{Name: "Person " + email, Email: email, Organisation: "Jobcenter",
		Consents: booking.Consents{Privacy: true}, Choices: map[string]string{}}
	if workshop != "" {
		req.Choices["r1"] = workshop
	}
	reg, token, err := fx.book.Register(context.Background(), "rc", req)
	if err != nil {
		fx.t.Fatalf("Register(%s): %v", email, err)
	}
	return participant{id: reg.ID, token: token}
}

// tick runs the scheduler at at and returns what it did.
func (fx *fixture) tick(at time.Time) Done {
	fx.t.Helper()
	fx.clock = at
	d, err := Tick(context.Background(), fx.pool, at)
	if err != nil {
		fx.t.Fatalf("Tick(%s): %v", at, err)
	}
	return d
}

// link is the raw answer token of p's newest mail of kind.
func (fx *fixture) link(p participant, kind string) string {
	fx.t.Helper()
	var token string
	err := fx.pool.QueryRow(context.Background(), `SELECT payload->>'token' FROM outbox
		WHERE registration_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, p.id, kind).Scan(&token)
	if err != nil {
		fx.t.Fatalf("answer link of %s (%s): %v", p.id, kind, err)
	}
	return token
}

func (fx *fixture) mails(p participant, kind string) int {
	return fx.count(`SELECT count(*) FROM outbox WHERE registration_id = $1 AND kind = $2`, p.id, kind)
}

func (fx *fixture) count(sql string, args ...any) int {
	fx.t.Helper()
	var n int
	if err := fx.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		fx.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (fx *fixture) status(p participant) registration.Status {
	fx.t.Helper()
	var s registration.Status
	if err := fx.pool.QueryRow(context.Background(), `SELECT status FROM registrations WHERE id = $1`, p.id).Scan(&s); err != nil {
		fx.t.Fatal(err)
	}
	return s
}

func (fx *fixture) wantStatus(p participant, want registration.Status) {
	fx.t.Helper()
	if got := fx.status(p); got != want {
		fx.t.Errorf("status of %s = %s, want %s", p.id, got, want)
	}
}

func (fx *fixture) wantMails(p participant, kind string, want int) {
	fx.t.Helper()
	if got := fx.mails(p, kind); got != want {
		fx.t.Errorf("%s mails to %s = %d, want %d", kind, p.id, got, want)
	}
}
