package event_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
)

// openFile is validFile moved so that registration is open now.
func openFile() *event.File {
	f := validFile()
	now := time.Now()
	f.MoveTo(now.AddDate(0, 0, 20), now)
	f.Status = event.StatusOpen
	for i := range f.Slots { // the tests register for one slot only
		f.Slots[i].Optional = true
	}
	return f
}

func mustImport(t *testing.T, pool *pgxpool.Pool, f *event.File) bool {
	t.Helper()
	created, err := event.Import(context.Background(), pool, f)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return created
}

func mustLoad(t *testing.T, pool *pgxpool.Pool, slug string) *event.Event {
	t.Helper()
	ev, err := event.Load(context.Background(), pool, slug)
	if err != nil {
		t.Fatalf("Load(%q): %v", slug, err)
	}
	return ev
}

// register signs n people up, each choosing choices.
func register(t *testing.T, pool *pgxpool.Pool, slug string, n int, choices map[string]string) {
	t.Helper()
	svc := booking.New(pool)
	for i := range n {
		req := booking.Request{Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d-%d@example.org", i, time.Now().UnixNano()),
			Consents: booking.Consents{Privacy: true}, Choices: choices}
		if _, _, err := svc.Register(context.Background(), slug, req); err != nil {
			t.Fatalf("Register: %v", err)
		}
	}
}

func count(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func wantProblemAt(t *testing.T, err error, path string) {
	t.Helper()
	var p *event.Problems
	if !errors.As(err, &p) {
		t.Fatalf("got error %v, want *event.Problems at %s", err, path)
	}
	for _, pr := range *p {
		if pr.Path == path {
			return
		}
	}
	t.Errorf("got problems %+v, want one at %s", *p, path)
}

func TestImportCreatesThenUpdates(t *testing.T) {
	pool, _ := dbtest.New(t)
	f := openFile()
	if !mustImport(t, pool, f) {
		t.Fatal("first import: created = false, want true")
	}
	ev := mustLoad(t, pool, f.Slug)
	if ev.Title != f.Title || len(ev.Slots) != 2 || len(ev.Workshops) != 4 {
		t.Fatalf("loaded %q with %d slots, %d workshops; want %q, 2, 4", ev.Title, len(ev.Slots), len(ev.Workshops), f.Title)
	}
	if !ev.OpenAt(time.Now()) {
		t.Error("OpenAt(now) = false, want true")
	}
	register(t, pool, f.Slug, 3, map[string]string{"r1": "A1", "r2": "C2"})

	f.Title = "Fachtag Test – neuer Titel"
	f.Workshops[0].Title = "Beratung kompakt"
	f.Workshops[0].Capacity = 3 // exactly the seats taken
	if mustImport(t, pool, f) {
		t.Error("re-import: created = true, want false")
	}
	ev = mustLoad(t, pool, f.Slug)
	if ev.Title != f.Title {
		t.Errorf("title: got %q, want %q", ev.Title, f.Title)
	}
	a1, _ := ev.Workshop("A1")
	if a1.Title != "Beratung kompakt" || a1.Capacity != 3 || a1.Taken != 3 || a1.SeatsLeft() != 0 {
		t.Errorf("A1: got title %q capacity %d taken %d, want %q 3 3", a1.Title, a1.Capacity, a1.Taken, "Beratung kompakt")
	}
	if ev.Confirmed != 3 {
		t.Errorf("event confirmed: got %d, want 3", ev.Confirmed)
	}
	if got := count(t, pool, "registrations"); got != 3 {
		t.Errorf("registrations after re-import: got %d, want 3", got)
	}
	if got := count(t, pool, "bookings"); got != 6 {
		t.Errorf("bookings after re-import: got %d, want 6", got)
	}
	if got := count(t, pool, "events"); got != 1 {
		t.Errorf("events: got %d, want 1", got)
	}
}

// snapshot is what a refused import must leave untouched.
type snapshot struct {
	title        string
	capacities   string
	workshops    int
	bookings     int
	registration int
}

func snap(t *testing.T, pool *pgxpool.Pool, slug string) snapshot {
	t.Helper()
	ev := mustLoad(t, pool, slug)
	s := snapshot{title: ev.Title, workshops: len(ev.Workshops),
		bookings: count(t, pool, "bookings"), registration: count(t, pool, "registrations")}
	for _, w := range ev.Workshops {
		s.capacities += fmt.Sprintf("%s=%d/%d/%s ", w.Key, w.Capacity, w.Taken, w.SlotKey)
	}
	return s
}

func TestImportRefusesBreakingChanges(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *event.File)
		path   string
	}{
		{"workshop capacity below seats taken", func(f *event.File) { f.Workshops[0].Capacity = 1 }, "$.workshops[0].capacity"},
		{"event capacity below confirmed", func(f *event.File) { f.Capacity = 1 }, "$.capacity"},
		{"remove a workshop with bookings", func(f *event.File) { f.Workshops = f.Workshops[1:] }, "$.workshops"},
		{"move a booked workshop to another slot", func(f *event.File) {
			f.Workshops[3].Slot = "r1" // C2, booked, topic C
		}, "$.workshops[3].slot"},
		{"remove a slot whose workshops have bookings", func(f *event.File) {
			f.Slots = f.Slots[:1]
			f.Workshops = f.Workshops[:2]
		}, "$.workshops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, _ := dbtest.New(t)
			f := openFile()
			mustImport(t, pool, f)
			register(t, pool, f.Slug, 2, map[string]string{"r1": "A1", "r2": "C2"})
			before := snap(t, pool, f.Slug)

			changed := openFile()
			changed.Title = "Darf nicht ankommen"
			tt.mutate(changed)
			_, err := event.Import(context.Background(), pool, changed)
			wantProblemAt(t, err, tt.path)
			if after := snap(t, pool, f.Slug); after != before {
				t.Errorf("refused import changed the event:\n got %+v\nwant %+v", after, before)
			}
		})
	}
}

func TestImportRemovesUnbookedWorkshop(t *testing.T) {
	pool, _ := dbtest.New(t)
	f := openFile()
	mustImport(t, pool, f)
	register(t, pool, f.Slug, 1, map[string]string{"r1": "A1"})
	f.Workshops = append(f.Workshops[:1:1], f.Workshops[2:]...) // drop B1, unbooked
	mustImport(t, pool, f)
	ev := mustLoad(t, pool, f.Slug)
	if _, ok := ev.Workshop("B1"); ok {
		t.Error("B1 still there after it was removed from the file")
	}
	if len(ev.Workshops) != 3 {
		t.Errorf("workshops: got %d, want 3", len(ev.Workshops))
	}
}

// TestImportMovesWorkshopOutOfRemovedSlot: a file that moves an unbooked
// workshop to another slot and drops its old slot must leave only the
// file's slots.
func TestImportMovesWorkshopOutOfRemovedSlot(t *testing.T) {
	pool, _ := dbtest.New(t)
	f := openFile()
	mustImport(t, pool, f)
	f.Slots = f.Slots[:1]
	f.Workshops = []event.WSFile{f.Workshops[0], f.Workshops[1], f.Workshops[3]}
	f.Workshops[2].Slot = "r1" // C2 moves from r2 to r1
	mustImport(t, pool, f)
	ev := mustLoad(t, pool, f.Slug)
	c2, _ := ev.Workshop("C2")
	if c2.SlotKey != "r1" {
		t.Errorf("C2 slot: got %q, want r1", c2.SlotKey)
	}
	if len(ev.Slots) != 1 {
		var keys []string
		for _, s := range ev.Slots {
			keys = append(keys, s.Key)
		}
		t.Errorf("slot r2 removed from the file survives the import: slots %v", keys)
	}
}

func TestImportDraftThenOpen(t *testing.T) {
	pool, _ := dbtest.New(t)
	f := openFile()
	f.Status = event.StatusDraft
	mustImport(t, pool, f)
	if mustLoad(t, pool, f.Slug).OpenAt(time.Now()) {
		t.Error("draft event: OpenAt = true, want false")
	}
	f.Status = event.StatusOpen
	mustImport(t, pool, f)
	if !mustLoad(t, pool, f.Slug).OpenAt(time.Now()) {
		t.Error("opened event: OpenAt = false, want true")
	}
}

func TestImportInvalidFileStoresNothing(t *testing.T) {
	pool, _ := dbtest.New(t)
	f := openFile()
	f.Workshops[0].Slot = "r9"
	_, err := event.Import(context.Background(), pool, f)
	wantProblemAt(t, err, "$.workshops[0].slot")
	if n := count(t, pool, "events"); n != 0 {
		t.Errorf("events after a refused import: got %d, want 0", n)
	}
	if _, err := event.Load(context.Background(), pool, f.Slug); !errors.Is(err, event.ErrNotFound) {
		t.Errorf("Load: got %v, want ErrNotFound", err)
	}
}
