package checkin

import (
	"context"
	"encoding/json"
	"testing"
	"time"

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
		StartsAt: start, EndsAt: start.Add(8 * time.Hour), Capacity: 2 * n,
		Registration: event.Registration{Mode: event.ModeFirstCome, MaxPreferences: 3},
		Slots:        []event.SlotFile{{Key: "r1", Title: "Runde", StartsAt: start.Add(time.Hour), EndsAt: start.Add(2 * time.Hour)}},
		Workshops: []event.WSFile{{Key: "W1", Slot: "r1", Title: "Eins", Capacity: n},
			{Key: "W2", Slot: "r1", Title: "Zwei", Capacity: n}},
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
		rows, total, err := List(ctx, pool, id, c.f)
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
		rows, _, err := List(ctx, pool, id, Filter{Sort: "organisation", Limit: 500, Offset: off})
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
	f := Filter{Query: "träger 4", Sort: "name", Workshop: "W1"}
	for b.Loop() {
		if _, _, err := List(ctx, pool, id, f); err != nil {
			b.Fatal(err)
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
