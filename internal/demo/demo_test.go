package demo_test

import (
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/demo"
	"github.com/fachtag/fachtag/internal/event"
)

// TestLoad loads the demo twice: every event is open and in the future,
// the evening has no workshops, the wish-phase event holds the same wishes
// after the second run as after the first.
func TestLoad(t *testing.T) {
	pool := dbtest.NewChecked(t)
	now := time.Now()
	var wishes []int
	for range 2 {
		files, err := demo.Load(t.Context(), pool, now)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		modes := map[string]int{}
		for _, f := range files {
			if f.Status != event.StatusOpen || !f.StartsAt.After(now) || !f.Registration.ClosesAt.After(now) {
				t.Errorf("%s: status %s, starts %v, closes %v; want open, in the future", f.Slug, f.Status, f.StartsAt, f.Registration.ClosesAt)
			}
			modes[f.Registration.Mode]++
			if len(f.Workshops) == 0 {
				modes["none"]++
			}
		}
		if len(files) != len(demo.Events) || modes[event.ModePreferences] != 1 || modes["none"] != 1 {
			t.Errorf("got %d events, modes %v; want %d with one wish phase and one without workshops", len(files), modes, len(demo.Events))
		}
		var n int
		err = pool.QueryRow(t.Context(), `SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id
			WHERE e.reg_mode = 'preferences' AND r.status = 'received' AND r.preferences <> '{}'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		wishes = append(wishes, n)
	}
	if wishes[0] != 24 || wishes[1] != 24 {
		t.Errorf("people with wishes after each run: %v, want 24 both times", wishes)
	}
}
