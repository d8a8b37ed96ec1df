package retention_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/retention"
)

// person is a participant whose name and address must disappear.
type person struct{ name, email, choice string }

var people = []person{
	{"Anneliese Quastenberg", "anneliese.quastenberg@example.org", "A1"},
	{"Jörg Wunderlichkeit", "joerg.wunderlichkeit@example.net", "B1"},
	{"Mirela Tschernowitz", "mirela.tschernowitz@example.com", "A1"},
}

// fixture is a database with two events: "past" (ended, due after
// retention_days = 30) and "kept" (same dates, retention_days = 3000).
type fixture struct {
	pool *pgxpool.Pool
	due  time.Time // a moment at which "past" is due and "kept" is not
}

func eventFile(slug string, retentionDays int) *event.File {
	start := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(24 * time.Hour).Add(8 * time.Hour)
	opens := time.Now().Add(-time.Hour)
	closes := start.Add(-24 * time.Hour)
	at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
	return &event.File{
		Slug: slug, Title: "Fachtag " + slug, Timezone: "Europe/Berlin",
		StartsAt: start, EndsAt: at(9), Capacity: 100, RetentionDays: retentionDays,
		Registration: event.Registration{Mode: event.ModeFirstCome, OpensAt: &opens, ClosesAt: &closes, MaxPreferences: 3},
		Slots:        []event.SlotFile{{Key: "r1", Title: "Runde 1", StartsAt: at(2), EndsAt: at(4)}},
		Workshops: []event.WSFile{
			{Key: "A1", Slot: "r1", Title: "Workshop A1", Capacity: 10},
			{Key: "B1", Slot: "r1", Title: "Workshop B1", Capacity: 10},
		},
		Questions: []event.Question{{Key: "diet", Type: "text", Label: event.Label{DE: "Ernährung"}}},
		Status:    event.StatusOpen,
	}
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewChecked(t)
	svc := booking.New(pool)
	var ends time.Time
	for _, ef := range []*event.File{eventFile("past", 30), eventFile("kept", 3000)} {
		data, _ := json.Marshal(ef)
		f, err := event.ParseFile(data)
		if err != nil {
			t.Fatalf("ParseFile: %v", err)
		}
		if _, err := booking.ImportEvent(ctx, pool, f); err != nil {
			t.Fatalf("ImportEvent: %v", err)
		}
		ends = f.EndsAt
		for i, p := range people {
			email := p.email
			if ef.Slug == "kept" { // other people, who must stay
				p.name, email = fmt.Sprintf("Bleibende Teilnehmerin %d", i), fmt.Sprintf("bleibt%d@example.org", i)
			}
			req := booking.Request{Name: p.name, Email: email, Organisation: "Jobcenter " + p.name,
				Role: "Beraterin", Answers: map[string]any{"diet": "vegan, " + p.name},
				Consents: booking.Consents{Privacy: true}, Choices: map[string]string{"r1": p.choice}}
			if i == len(people)-1 { // entered by an organiser, who names the person in the reason
				var id int64
				mustQueryRow(t, pool, `SELECT id FROM events WHERE slug = $1`, []any{ef.Slug}, &id)
				m := booking.Manual{UserID: 0, Actor: "web", Reason: "phoned in, " + p.name + ", " + email}
				if _, err := svc.RegisterByHand(ctx, id, req, m); err != nil {
					t.Fatalf("RegisterByHand: %v", err)
				}
				continue
			}
			if i == 0 { // sent with an Idempotency-Key: its stored reply names the person
				retry := booking.Retry{Key: "k1", Hash: []byte{0}, Reply: func(*booking.Registration, string) ([]byte, error) {
					return []byte(email), nil
				}}
				if _, _, err := svc.RegisterOnce(ctx, ef.Slug, req, retry); err != nil {
					t.Fatalf("RegisterOnce(%s): %v", email, err)
				}
				continue
			}
			if _, _, err := svc.Register(ctx, ef.Slug, req); err != nil {
				t.Fatalf("Register(%s): %v", email, err)
			}
		}
	}
	mustExec(t, pool, `UPDATE registrations SET checked_in_at = now() WHERE lower(email) LIKE 'anneliese%' OR email = 'bleibt0@example.org'`)
	// Both checked-in people hold an attendance certificate that names them.
	mustExec(t, pool, `INSERT INTO certificates (registration_id, event_id, code, name, workshops, hours)
		SELECT id, event_id, 'CODE' || upper(substr(md5(id::text), 1, 8)), name, ARRAY['Workshop A1'], 6
		FROM registrations WHERE checked_in_at IS NOT NULL`)
	mustExec(t, pool, `UPDATE outbox SET last_error = '550 no such user ' || recipient WHERE recipient LIKE 'joerg%'`)
	return &fixture{pool: pool, due: ends.Add(31 * 24 * time.Hour)}
}

func mustExec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func mustQueryRow(t *testing.T, pool *pgxpool.Pool, sql string, args []any, dest ...any) {
	t.Helper()
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// figures are the aggregates that must survive anonymisation.
func figures(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	rows, _ := pool.Query(context.Background(), `
SELECT e.slug || ' confirmed=' || (SELECT s.taken FROM event_seats s WHERE s.event_id = e.id) || ' regs=' || (SELECT count(*) FROM registrations r WHERE r.event_id = e.id)
    || ' checked_in=' || (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.checked_in_at IS NOT NULL)
    || ' mails=' || (SELECT count(*) FROM outbox o JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = e.id)
    || ' ' || coalesce((SELECT string_agg(w.key || ':taken=' || w.taken || ',booked=' ||
        (SELECT count(*) FROM bookings b WHERE b.workshop_id = w.id AND b.status = 'confirmed'), ' ' ORDER BY w.key)
        FROM workshops w WHERE w.event_id = e.id), '')
FROM events e ORDER BY e.slug`)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("figures: %v", err)
	}
	return fmt.Sprint(lines)
}

// occurrences lists every column of every table that holds s, in text,
// jsonb, array or bytea form.
func occurrences(t *testing.T, pool *pgxpool.Pool, s string) []string {
	t.Helper()
	ctx := context.Background()
	rows, _ := pool.Query(ctx, `
SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'bytea')`)
	type col struct{ Table, Column, Type string }
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[col])
	if err != nil {
		t.Fatalf("list columns: %v", err)
	}
	var found []string
	for _, c := range cols {
		cond := fmt.Sprintf(`strpos(lower(%q::text), lower($1)) > 0`, c.Column)
		if c.Type == "bytea" {
			cond = fmt.Sprintf(`position(convert_to($1, 'UTF8') IN %q) > 0`, c.Column)
		}
		var n int
		mustQueryRow(t, pool, fmt.Sprintf(`SELECT count(*) FROM %q WHERE %s`, c.Table, cond), []any{s}, &n)
		if n > 0 {
			found = append(found, fmt.Sprintf("%s.%s (%d rows)", c.Table, c.Column, n))
		}
	}
	return found
}

func TestRunAnonymisesDueEventOnly(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	before := figures(t, f.pool)
	for _, p := range people { // the fixture really has the data everywhere
		if got := occurrences(t, f.pool, p.email); len(got) < 3 {
			t.Fatalf("fixture: %s found only in %v, want registrations, outbox and more", p.email, got)
		}
	}

	rep, err := retention.Run(ctx, f.pool, f.due)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rep.Events) != 1 || rep.Events[0].Slug != "past" || rep.Events[0].Registrations != 3 {
		t.Fatalf("Run report = %+v, want event past with 3 registrations", rep)
	}
	if got := rep.Events[0]; got.Tokens == 0 || got.IdempotencyKeys != 1 || got.AuditEntries != 1 || got.Mails == 0 || got.Certificates != 1 {
		t.Errorf("Run report = %+v, want tokens, 1 idempotency key, 1 audit entry, some mails, 1 certificate", got)
	}
	if got := certificateNames(t, f.pool); got != "[Bleibende Teilnehmerin 0]" {
		t.Errorf("certificates after Run: %s, want only the one of the event kept", got)
	}
	for _, p := range people {
		for _, s := range []string{p.name, p.email} {
			if got := occurrences(t, f.pool, s); len(got) > 0 {
				t.Errorf("after Run, %q still in %v", s, got)
			}
		}
	}
	for _, s := range []string{"Bleibende Teilnehmerin 2", "bleibt0@example.org"} {
		if got := occurrences(t, f.pool, s); len(got) == 0 {
			t.Errorf("event kept lost %q", s)
		}
	}
	if after := figures(t, f.pool); after != before {
		t.Errorf("figures changed:\n got  %s\n want %s", after, before)
	}
	var regs []string
	rows, _ := f.pool.Query(ctx, `SELECT name || '|' || email || '|' || checkin_code || '|' || organisation
		FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = 'past' ORDER BY r.seq`)
	if regs, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	for _, r := range regs {
		if !strings.HasPrefix(r, retention.DeletedName+"|deleted-") || !strings.HasSuffix(r, "|") {
			t.Errorf("registration %q, want %q, a placeholder address and code, no organisation", r, retention.DeletedName)
		}
	}

	again, err := retention.Run(ctx, f.pool, f.due.Add(24*time.Hour))
	if err != nil || len(again.Events) != 0 {
		t.Errorf("second Run = %+v, %v; want nothing to do", again, err)
	}
}

func TestRunNotDueAndDryRun(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	early := f.due.Add(-2 * 24 * time.Hour) // ended 29 days ago: not yet due
	if rep, err := retention.Run(ctx, f.pool, early); err != nil || len(rep.Events) != 0 {
		t.Fatalf("Run before due = %+v, %v; want nothing", rep, err)
	}
	rep, err := retention.DryRun(ctx, f.pool, f.due)
	if err != nil || len(rep.Events) != 1 || rep.Events[0].Registrations != 3 {
		t.Fatalf("DryRun = %+v, %v; want event past with 3 registrations", rep, err)
	}
	for _, p := range people {
		if got := occurrences(t, f.pool, p.name); len(got) == 0 {
			t.Errorf("after Run before due and DryRun, %q is gone", p.name)
		}
	}
}

func TestConcurrentRunsAnonymiseOnce(t *testing.T) {
	f := setup(t)
	const runners = 4
	var wg sync.WaitGroup
	reports := make([]retention.Report, runners)
	errs := make([]error, runners)
	for i := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = retention.Run(context.Background(), f.pool, f.due)
		}()
	}
	wg.Wait()
	total := 0
	for i := range runners {
		if errs[i] != nil {
			t.Errorf("runner %d: %v", i, errs[i])
		}
		total += len(reports[i].Events)
	}
	if total != 1 {
		t.Errorf("events anonymised by %d concurrent runs = %d, want 1", runners, total)
	}
	var n int
	mustQueryRow(t, f.pool, `SELECT count(*) FROM events WHERE anonymised_at IS NOT NULL`, nil, &n)
	if n != 1 {
		t.Errorf("anonymised events = %d, want 1", n)
	}
	if got := occurrences(t, f.pool, people[0].name); len(got) > 0 {
		t.Errorf("after concurrent runs, %q still in %v", people[0].name, got)
	}
}

// Stale sessions, throttles and reset links go; fresh ones stay.
func TestSweep(t *testing.T) {
	pool := dbtest.NewChecked(t)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `
INSERT INTO users (email, role, password_hash) VALUES ('o@example.org', 'organiser', 'x');
INSERT INTO sessions (hash, user_id, last_seen_at, expires_at)
SELECT '\x01', id, now() - interval '3 days', now() - interval '2 days' FROM users;
INSERT INTO sessions (hash, user_id, expires_at) SELECT '\x02', id, now() + interval '1 hour' FROM users;
INSERT INTO login_throttle (client, failures, window_start) VALUES ('old', 3, now() - interval '2 days'), ('new', 1, now());
INSERT INTO password_resets (hash, user_id, expires_at) SELECT '\x03', id, now() - interval '2 days' FROM users;
INSERT INTO login_pairs (user_id, client, failures, window_start, succeeded_at)
SELECT id, c, 1, now() - interval '2 days', s FROM users,
       (VALUES ('stale', NULL::timestamptz), ('familiar', now() - interval '3 days'), ('fresh-fail', NULL)) v(c, s);
UPDATE login_pairs SET window_start = now() WHERE client = 'fresh-fail';
INSERT INTO rate_limits (scope, key, tokens, updated_at) VALUES ('post', 'idle', 0, now() - interval '1 hour'), ('post', 'busy', 0, now());`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := retention.Sweep(ctx, pool, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"sessions": 1, "login_throttle": 1, "password_resets": 1, "login_pairs": 1, "rate_limits": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: swept %d, want %d", k, got[k], v)
		}
	}
}

// certificateNames lists the names on the attendance certificates held.
func certificateNames(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	rows, _ := pool.Query(context.Background(), `SELECT name FROM certificates ORDER BY name`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(names)
}

// A person deleted on request (booking.DeleteNow, through Person) loses
// their certificate and its code at once; other people keep theirs.
func TestDeleteNowRemovesCertificate(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	var eventID int64
	var regID string
	mustQueryRow(t, f.pool, `SELECT event_id, id::text FROM registrations WHERE email = $1`, []any{people[0].email}, &eventID, &regID)
	if err := booking.New(f.pool).DeleteNow(ctx, eventID, regID, booking.Manual{Actor: "web"}); err != nil {
		t.Fatalf("DeleteNow: %v", err)
	}
	if got := certificateNames(t, f.pool); got != "[Bleibende Teilnehmerin 0]" {
		t.Errorf("certificates after DeleteNow: %s, want only the other person's", got)
	}
	if got := occurrences(t, f.pool, people[0].name); len(got) > 0 {
		t.Errorf("after DeleteNow, %q still in %v", people[0].name, got)
	}
}
