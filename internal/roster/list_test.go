package roster

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
)

// bigEvent imports an event with two workshops and n registrations, every
// third one checked in, half of them booked into W1.
func bigEvent(t testing.TB, n int) (*pgxpool.Pool, int64) {
	t.Helper()
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	start := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Hour)
	raw, _ := json.Marshal(&event.File{Slug: "gross", Title: "Groß", Timezone: "Europe/Berlin",
		StartsAt: start, EndsAt: start.Add(8 * time.Hour), Capacity: 2*n + 2,
		Registration: event.Registration{Mode: event.ModeFirstCome, MaxPreferences: 3},
		Slots:        []event.SlotFile{{Key: "r1", Title: "Runde", StartsAt: start.Add(time.Hour), EndsAt: start.Add(2 * time.Hour)}},
		Workshops: []event.WSFile{{Key: "W1", Slot: "r1", Title: "Eins", Capacity: n + 1},
			{Key: "W2", Slot: "r1", Title: "Zwei", Capacity: n + 1}},
		Status: event.StatusOpen})
	f, err := event.ParseFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := event.Import(ctx, pool, f); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := pool.QueryRow(ctx, `SELECT id FROM events WHERE slug = 'gross'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `
INSERT INTO registrations (event_id, name, email, organisation, consent_privacy, status, checked_in_at)
SELECT $1, 'Person ' || i, 'p' || i || '@example.org', 'Träger ' || (i % 97), now(), 'confirmed',
       CASE WHEN i % 3 = 0 THEN now() END
FROM generate_series(1, $2) i`, id, n)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `
INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
SELECT r.id, r.event_id, w.slot_id, w.id, w.topic, 'confirmed'
FROM registrations r JOIN workshops w ON w.key = CASE WHEN r.seq % 2 = 0 THEN 'W1' ELSE 'W2' END
WHERE r.event_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE registrations; ANALYZE bookings`); err != nil {
		t.Fatal(err)
	}
	return pool, id
}

// TestListAtScale checks counts and order on 5,000 registrations and
// reports how long each list query takes.
func TestListAtScale(t *testing.T) {
	pool, id := bigEvent(t, 5000)
	ctx := context.Background()
	cases := []struct {
		name  string
		f     Filter
		total int
		first string
	}{
		{"all by sign-up", Filter{}, 5000, "Person 1"},
		{"by name desc, page 3", Filter{Sort: "name", Desc: true, Offset: 100}, 5000, ""},
		{"search", Filter{Query: "son 4999"}, 1, "Person 4999"},
		{"organisation search + sort", Filter{Query: "träger 5", Sort: "organisation"}, 0, ""},
		{"workshop + checked in", Filter{Workshop: "W1", CheckedIn: "yes"}, 833, ""},
		{"checked in, sorted", Filter{CheckedIn: "no", Sort: "checked_in", Offset: 3000}, 3334, ""},
	}
	for _, c := range cases {
		begin := time.Now()
		rows, total, err := New(pool).List(ctx, id, &c.f)
		took := time.Since(begin)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.total > 0 && total != c.total {
			t.Errorf("%s: total %d, want %d", c.name, total, c.total)
		}
		if c.first != "" && (len(rows) == 0 || rows[0].Name != c.first) {
			t.Errorf("%s: first row %v, want %s", c.name, rows, c.first)
		}
		t.Logf("%-28s total=%-5d rows=%-3d %v", c.name, total, len(rows), took)
	}
	// Pages of one ordering never overlap and cover everything.
	seen := map[string]bool{}
	for off := 0; off < 5000; off += 500 {
		rows, _, err := New(pool).List(ctx, id, &Filter{Sort: "organisation", Limit: 500, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if seen[r.ID] {
				t.Fatalf("row %s on two pages", r.ID)
			}
			seen[r.ID] = true
		}
	}
	if len(seen) != 5000 {
		t.Errorf("pages cover %d rows, want 5000", len(seen))
	}
}

func BenchmarkList5000(b *testing.B) {
	pool, id := bigEvent(b, 5000)
	ctx := context.Background()
	s := New(pool)
	for b.Loop() {
		f := Filter{Query: "träger 4", Sort: "name", Workshop: "W1"}
		if _, _, err := s.List(ctx, id, &f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListAll5000 is the page size "all" of a large event: every
// registration with its bookings, by name.
func BenchmarkListAll5000(b *testing.B) {
	pool, id := bigEvent(b, 5000)
	ctx := context.Background()
	s := New(pool)
	for b.Loop() {
		f := Filter{Sort: "name", All: true}
		if rows, _, err := s.List(ctx, id, &f); err != nil || len(rows) != 5000 {
			b.Fatalf("got %d rows, %v; want 5000", len(rows), err)
		}
	}
}

func TestNormaliseCode(t *testing.T) {
	for in, want := range map[string]string{
		"ab12-cd34-ef56-7890-1234": "AB12CD34EF5678901234",
		" ab12cd34ef5678901234 ":   "AB12CD34EF5678901234",
		"FT:AB12CD34EF5678901234":  "AB12CD34EF5678901234",
		"Anna Beispiel":            "",
		"ZZ12CD34EF5678901234":     "",
		"AB12CD34EF567890123":      "",
	} {
		got, ok := NormaliseCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormaliseCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// smallEvent imports an event with one workshop and the people, all
// confirmed, in the order given.
func smallEvent(t *testing.T, people [][3]string) (*Service, *pgxpool.Pool, int64) {
	t.Helper()
	pool, id := bigEvent(t, 0)
	for _, p := range people {
		_, err := pool.Exec(context.Background(), `
INSERT INTO registrations (event_id, name, email, organisation, consent_privacy, status)
VALUES ($1, $2, $3, $4, now(), 'confirmed')`, id, p[0], p[1], p[2])
		if err != nil {
			t.Fatal(err)
		}
	}
	return New(pool), pool, id
}

// TestSearch: every word of the query must appear in name, e-mail or
// organisation, in any case and any order; LIKE's wildcards are literal.
func TestSearch(t *testing.T) {
	s, _, id := smallEvent(t, [][3]string{
		{"Anna Müller", "anna@beispiel.de", "Caritas Köln"},
		{"Bernd Schmidt", "b.schmidt@diakonie.org", "Diakonie"},
		{"Chris_Weber", "chris@caritas.org", "100% Integration"},
	})
	cases := []struct {
		q    string
		want []string
	}{
		{"", []string{"Anna Müller", "Bernd Schmidt", "Chris_Weber"}},
		{"müller anna@", []string{"Anna Müller"}},
		{"MÜLLER", []string{"Anna Müller"}},
		{"anna müller", []string{"Anna Müller"}},
		{"org caritas", []string{"Chris_Weber"}},
		{"caritas", []string{"Anna Müller", "Chris_Weber"}},
		{"  köln   caritas ", []string{"Anna Müller"}},
		{"diakonie schmidt", []string{"Bernd Schmidt"}},
		{"a_m", nil}, // _ is not a wildcard
		{"s_weber", []string{"Chris_Weber"}},
		{"100%", []string{"Chris_Weber"}},
		{"%", []string{"Chris_Weber"}}, // % is not a wildcard
		{"anna bernd", nil},
	}
	for _, c := range cases {
		rows, total, err := s.List(context.Background(), id, &Filter{Query: c.q})
		if err != nil {
			t.Fatalf("q=%q: %v", c.q, err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Name)
		}
		if !slices.Equal(got, c.want) || total != len(c.want) {
			t.Errorf("q=%q: got %q (total %d), want %q", c.q, got, total, c.want)
		}
	}
}

// TestFilterErrors: a bad filter value is an error naming its field, and
// changes nothing about defaults of the good ones.
func TestFilterErrors(t *testing.T) {
	s, _, id := smallEvent(t, nil)
	cases := []struct {
		f     Filter
		field string
	}{
		{Filter{Limit: -1}, "limit"},
		{Filter{Offset: -1}, "offset"},
		{Filter{Status: "gone"}, "status"},
		{Filter{CheckedIn: "maybe"}, "checked_in"},
		{Filter{Sort: "email; DROP TABLE registrations"}, "sort"},
	}
	for _, c := range cases {
		_, _, err := s.List(context.Background(), id, &c.f)
		var ferr *FilterError
		if !errors.As(err, &ferr) || ferr.Field != c.field {
			t.Errorf("%+v: got %v, want a FilterError for %s", c.f, err, c.field)
		}
	}
	for _, c := range []struct{ in, want int }{{0, DefaultLimit}, {7, 7}, {MaxLimit + 1, MaxLimit}} {
		f := Filter{Limit: c.in}
		if _, _, err := s.List(context.Background(), id, &f); err != nil || f.Limit != c.want {
			t.Errorf("limit %d: got %d, %v; want %d", c.in, f.Limit, err, c.want)
		}
	}
}

// TestSearchUsesTrigramIndex: on a large event the search's query shape
// is answered from registrations_search_trgm_idx.
func TestSearchUsesTrigramIndex(t *testing.T) {
	pool, id := bigEvent(t, 5000)
	ctx := context.Background()
	// VACUUM moves the rows from GIN's pending list into the index, as
	// autovacuum does on a live database; before, the planner prices the
	// index as a scan of the whole list.
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE registrations`); err != nil {
		t.Fatal(err)
	}
	f := Filter{Query: "müller p4999@"}
	where, args := f.where(id)
	var plan strings.Builder
	rows, _ := pool.Query(ctx, "EXPLAIN SELECT r.id"+where, args...)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		plan.WriteString(l + "\n")
	}
	if !strings.Contains(plan.String(), "registrations_search_trgm_idx") {
		t.Errorf("plan does not use the trigram index:\n%s", plan.String())
	}
}
