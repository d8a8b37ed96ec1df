package event_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/scenarios"
)

func TestNextYear(t *testing.T) {
	for _, day := range []string{"2026-03-12", "2027-12-31", "2028-02-29", "2024-06-20"} {
		d, _ := time.Parse(time.DateOnly, day)
		got := event.NextYear(d)
		if got.Weekday() != d.Weekday() || got.Sub(d) < 360*24*time.Hour || got.Sub(d) > 370*24*time.Hour {
			t.Errorf("NextYear(%s) = %s, want the same weekday about a year later", day, got.Format(time.DateOnly))
		}
	}
}

// TestCopyAs copies every scenario a year on, across a change of summer
// time, and checks that each time moved by the same amount and nothing
// else changed.
func TestCopyAs(t *testing.T) {
	for _, name := range scenarios.Names {
		t.Run(name, func(t *testing.T) {
			f := scenarioFile(t, name)
			opens, closes := f.StartsAt.AddDate(0, 0, -40), f.StartsAt.AddDate(0, 0, -2)
			f.Registration.OpensAt, f.Registration.ClosesAt = &opens, &closes
			f.Status = event.StatusArchived
			loc, _ := time.LoadLocation(f.Timezone)
			day := event.NextYear(f.StartsAt.In(loc))

			c := f.CopyAs("copy-1", "Copy", day)
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate of the copy: %v", err)
			}
			d := c.StartsAt.Sub(f.StartsAt)
			if got, want := c.StartsAt.In(loc).Format("2006-01-02 15:04"), day.Format("2006-01-02")+f.StartsAt.In(loc).Format(" 15:04"); got != want {
				t.Errorf("copy starts %s, want %s", got, want)
			}
			if c.Slug != "copy-1" || c.Title != "Copy" || c.Status != event.StatusDraft {
				t.Errorf("copy: slug %q, title %q, status %s; want copy-1, Copy, draft", c.Slug, c.Title, c.Status)
			}
			moved := map[string]time.Duration{
				"ends_at": c.EndsAt.Sub(f.EndsAt), "opens_at": c.Registration.OpensAt.Sub(opens),
				"closes_at": c.Registration.ClosesAt.Sub(closes),
			}
			if len(f.Slots) > 0 {
				moved["slot"] = c.Slots[0].EndsAt.Sub(f.Slots[0].EndsAt)
			}
			if len(f.Programme) > 0 {
				moved["programme"] = c.Programme[len(c.Programme)-1].StartsAt.Sub(f.Programme[len(f.Programme)-1].StartsAt)
			}
			for what, got := range moved {
				if got != d {
					t.Errorf("%s moved by %v, want %v", what, got, d)
				}
			}
			if len(c.Workshops) != len(f.Workshops) || len(c.Questions) != len(f.Questions) || c.Privacy != f.Privacy {
				t.Errorf("copy has %d workshops, %d questions; want %d, %d", len(c.Workshops), len(c.Questions), len(f.Workshops), len(f.Questions))
			}
			if f.Slug == "copy-1" || f.StartsAt.Equal(c.StartsAt) || f.Status != event.StatusArchived {
				t.Error("CopyAs changed the original")
			}
		})
	}
}

// TestServiceUpdateAndCopy renames a draft, refuses to rename an open
// event or to take a slug in use, and copies an event as a draft with its
// creator as member, each audited.
func TestServiceUpdateAndCopy(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	au := auth.New(pool, auth.Options{Params: auth.Params{Memory: 64, Time: 1, Threads: 1}})
	u, _, err := au.CreateUser(ctx, "orga@example.org", auth.RoleOrganiser, "")
	if err != nil {
		t.Fatal(err)
	}
	a := auth.Account{ID: u.ID, Email: u.Email, Role: auth.RoleOrganiser}
	svc := event.NewService(pool, nil)
	f := openFile()
	f.Status = event.StatusDraft
	if _, _, err := svc.Save(ctx, a, f, true, false); err != nil {
		t.Fatal(err)
	}
	other := openFile()
	other.Slug = "other"
	if _, _, err := svc.Save(ctx, a, other, true, false); err != nil {
		t.Fatal(err)
	}

	g := mustLoad(t, pool, f.Slug).File()
	g.Slug = "renamed"
	if err := svc.Update(ctx, a, f.Slug, g); err != nil {
		t.Fatalf("rename a draft: %v", err)
	}
	g.Slug = "other"
	if err := svc.Update(ctx, a, "renamed", g); !errors.Is(err, event.ErrExists) {
		t.Errorf("rename onto a slug in use: got %v, want ErrExists", err)
	}
	if err := svc.SetStatus(ctx, a, mustLoad(t, pool, "renamed").ID, event.StatusOpen); err != nil {
		t.Fatal(err)
	}
	g.Slug = "renamed-again"
	var p *event.Problems
	if err := svc.Update(ctx, a, "renamed", g); !errors.As(err, &p) || (*p)[0].Path != "$.slug" {
		t.Errorf("rename an open event: got %v, want a problem at $.slug", err)
	}

	src := mustLoad(t, pool, "renamed")
	day := event.NextYear(src.StartsAt)
	if err := svc.Copy(ctx, a, src, "renamed", "Copy", day); !errors.Is(err, event.ErrExists) {
		t.Errorf("copy onto its own slug: got %v, want ErrExists", err)
	}
	if err := svc.Copy(ctx, a, src, "next", "Copy", day); err != nil {
		t.Fatalf("copy: %v", err)
	}
	cp := mustLoad(t, pool, "next")
	loc := src.Location()
	if got, want := cp.StartsAt.In(loc).Format("2006-01-02 15:04"), day.In(loc).Format("2006-01-02")+src.StartsAt.In(loc).Format(" 15:04"); cp.Status != event.StatusDraft ||
		got != want || len(cp.Workshops) != len(src.Workshops) {
		t.Errorf("copy: status %s, starts %s (want %s), %d workshops", cp.Status, got, want, len(cp.Workshops))
	}
	if _, err := auth.EventAccessIn(ctx, pool, a, "next"); err != nil {
		t.Errorf("the copier is no member of the copy: %v", err)
	}
	var actions []string
	rows, _ := pool.Query(ctx, `SELECT action || coalesce(':' || (detail->>'renamed_from'), '') || coalesce(':' || (detail->>'copied_from'), '')
		FROM audit_log WHERE action LIKE 'event.%' ORDER BY id`)
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		actions = append(actions, s)
	}
	want := []string{"event.create", "event.create", "event.update:" + f.Slug, "event.status", "event.create:renamed"}
	if fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Errorf("audit: got %q, want %q", actions, want)
	}
}

// TestReschedule moves an event to another day and zone: the programme
// and the slots keep their times of day and their day within the event;
// the registration window stays.
func TestReschedule(t *testing.T) {
	f := scenarioFile(t, "stadt-land-flucht-2024")
	opens := f.StartsAt.AddDate(0, 0, -30)
	f.Registration.OpensAt = &opens
	berlin, _ := time.LoadLocation("Europe/Berlin")
	london, _ := time.LoadLocation("Europe/London")
	clock := func(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") }
	wantSlot := clock(f.Slots[0].StartsAt, berlin)
	f.Slots[0].EndsAt = f.Slots[0].EndsAt.AddDate(0, 0, 1) // a slot into the second day

	start := time.Date(2027, 1, 14, 10, 0, 0, 0, london)
	f.Reschedule("Europe/London", start, start.Add(8*time.Hour))
	if f.Timezone != "Europe/London" || !f.StartsAt.Equal(start) {
		t.Fatalf("event: %s %v", f.Timezone, f.StartsAt)
	}
	s := f.Slots[0]
	if got := s.StartsAt.In(london).Format("2006-01-02 15:04"); got != "2027-01-14 "+wantSlot {
		t.Errorf("slot starts %s, want 2027-01-14 %s (London)", got, wantSlot)
	}
	if got := s.EndsAt.In(london).Format("2006-01-02"); got != "2027-01-15" {
		t.Errorf("slot ends on %s, want the second day 2027-01-15", got)
	}
	if got := f.Programme[0].StartsAt.In(london).Format("2006-01-02"); got != "2027-01-14" {
		t.Errorf("programme starts on %s, want 2027-01-14", got)
	}
	if !f.Registration.OpensAt.Equal(opens) {
		t.Errorf("registration opens %v, want it unchanged %v", f.Registration.OpensAt, opens)
	}
}
