package migrations_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/migrations"
)

// TestNewestMigrationsDownAndUp migrates an empty database to the newest
// version, writes an event with a confirmed and a waiting registration,
// migrates down step by step to the version before the seat counter moved
// (9) and up again, and checks after each step that the seat counters and
// the rows survived.
func TestNewestMigrationsDownAndUp(t *testing.T) {
	url := dbtest.Empty(t)
	m := newMigrate(t, url)
	if err := m.Up(); err != nil {
		t.Fatalf("up: %v", err)
	}
	newest, _, _ := m.Version()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	seed(t, conn)
	want := snapshot(t, conn, newest)
	// Versions may have gaps while branches that took numbers are merged.
	for v := newest; v > 9; {
		if err := m.Steps(-1); err != nil {
			t.Fatalf("down from %d: %v", v, err)
		}
		v, _, _ = m.Version()
		if got := snapshot(t, conn, v); got != want {
			t.Errorf("at %d after down: got %q, want %q", v, got, want)
		}
	}
	if err := m.Up(); err != nil {
		t.Fatalf("up again to %d: %v", newest, err)
	}
	if got := snapshot(t, conn, newest); got != want {
		t.Errorf("after up again: got %q, want %q", got, want)
	}
	mustFail(t, conn, "a registration for a missing event", `
INSERT INTO registrations (event_id, name, email, consent_privacy, status)
VALUES (999, 'X', 'x@example.org', now(), 'confirmed')`, "registrations_event_id_fkey")
	mustFail(t, conn, "a booking in another slot than its workshop's", `
INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
SELECT r.id, r.event_id, (SELECT id FROM slots WHERE key = 'r2'), w.id, w.topic, 'confirmed'
FROM registrations r, workshops w WHERE r.email = 'c@example.org' AND w.key = 'A1'`, "bookings_workshop_fkey")
	mustExec(t, conn, `DELETE FROM events`)
	if got := snapshot(t, conn, newest); got != "registrations=0 bookings=0" {
		t.Errorf("after deleting the event: got %q, want every row gone", got)
	}
}

func newMigrate(t *testing.T, url string) *migrate.Migrate {
	t.Helper()
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, "pgx5://"+strings.TrimPrefix(url, "postgres://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// seed writes one event (capacity 2) with one confirmed registration
// holding A1, one registration waiting for A1 and one cancelled.
func seed(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	for _, sql := range []string{
		`INSERT INTO events (slug, title, starts_at, ends_at, capacity, reg_mode, status)
		 VALUES ('m', 'M', now(), now() + interval '1 hour', 2, 'first_come', 'open')`,
		`INSERT INTO slots (event_id, key, starts_at, ends_at) SELECT id, k, now(), now() FROM events, (VALUES ('r1'), ('r2')) v(k)`,
		`INSERT INTO workshops (event_id, slot_id, key, title, capacity, topic, taken)
		 SELECT e.id, s.id, 'A1', 'A1', 1, 'A', 1 FROM events e JOIN slots s ON s.key = 'r1'`,
		`INSERT INTO registrations (event_id, name, email, consent_privacy, status)
		 SELECT id, n, n || '@example.org', now(), 'confirmed' FROM events, (VALUES ('a'), ('b')) v(n)`,
		`UPDATE event_seats SET taken = 2`,
		`INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
		 SELECT r.id, r.event_id, w.slot_id, w.id, w.topic, CASE r.name WHEN 'a' THEN 'confirmed' ELSE 'waitlisted' END
		 FROM registrations r, workshops w`,
		`INSERT INTO registrations (event_id, name, email, consent_privacy, status)
		 SELECT id, 'c', 'c@example.org', now(), 'cancelled' FROM events`,
	} {
		mustExec(t, conn, sql)
	}
}

// snapshot renders the counts that a migration must keep at the schema
// version: the event's seat counter is events.confirmed before 10.
func snapshot(t *testing.T, conn *pgx.Conn, version uint) string {
	t.Helper()
	taken := "(SELECT taken FROM event_seats WHERE event_id = e.id)"
	if version < 10 {
		taken = "e.confirmed"
	}
	var s string
	err := conn.QueryRow(context.Background(), `
SELECT coalesce((SELECT string_agg(format('%s capacity=%s taken=%s ', e.slug, e.capacity, `+taken+`), '') FROM events e), '')
    || format('registrations=%s bookings=%s', (SELECT count(*) FROM registrations), (SELECT count(*) FROM bookings))`).Scan(&s)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return s
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func mustFail(t *testing.T, conn *pgx.Conn, what, sql, constraint string) {
	t.Helper()
	_, err := conn.Exec(context.Background(), sql)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23503" || pgErr.ConstraintName != constraint {
		t.Errorf("%s: got %v, want a violation of %s", what, err, constraint)
	}
}
