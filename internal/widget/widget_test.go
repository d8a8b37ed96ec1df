package widget_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/widget"
)

// TestSetOriginsReplacesOrChangesNothing: a valid list replaces the one
// before and is audited; a list with one bad line leaves everything as it
// was; an unknown event has no origins.
func TestSetOriginsReplacesOrChangesNothing(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO events (slug, title, starts_at, ends_at, capacity, reg_mode, status)
		VALUES ('w', 'W', now(), now() + interval '1 hour', 10, 'first_come', 'open') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	s := widget.New(pool)
	a := auth.Account{}
	check := func(what string, want ...string) {
		t.Helper()
		got, err := s.Origins(ctx, "w")
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: origins %q, %v; want %q", what, got, err, want)
		}
	}
	if _, err := s.SetOrigins(ctx, a, id, "https://a.example\nhttps://b.example/", false); err != nil {
		t.Fatal(err)
	}
	check("first save", "https://a.example", "https://b.example")
	if _, err := s.SetOrigins(ctx, a, id, "https://b.example\nhttps://c.example\nhttps://B.example", false); err != nil {
		t.Fatal(err)
	}
	check("second save", "https://b.example", "https://c.example")
	_, err := s.SetOrigins(ctx, a, id, "https://d.example\nhttp://e.example", false)
	var oe *widget.OriginsError
	if !errors.As(err, &oe) || oe.Lines[0].Line != 2 {
		t.Fatalf("bad line: got %v, want an OriginsError for line 2", err)
	}
	check("after the refused save", "https://b.example", "https://c.example")
	if _, err := s.SetOrigins(ctx, a, id, "", false); err != nil {
		t.Fatal(err)
	}
	check("emptied")
	var audits int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'event.embed_origins' AND event_id = $1`, id).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 3 {
		t.Errorf("audit entries = %d, want 3 (one per saved list)", audits)
	}
	if got, err := s.Origins(ctx, "nope"); err != nil || len(got) != 0 {
		t.Errorf("unknown event: %q, %v", got, err)
	}
}
