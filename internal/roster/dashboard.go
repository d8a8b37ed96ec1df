package roster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/event"
)

// Figures are what the organiser's dashboard shows of an event.
type Figures struct {
	Days     []Day          // sign-ups per day, without gaps
	Status   map[string]int // registrations by status
	Profile  *Profile       // nil before the first allocation run
	CheckIn  CheckIns
	Waitlist int // places on any workshop waiting list
	Answers  []QuestionTotal
}

// Day is one calendar day of sign-ups in the event's time zone.
type Day struct {
	Day   time.Time
	New   int
	Total int
}

// Profile is the rank profile of the published allocation run, or of the
// newest one while none is published.
type Profile struct {
	RunID     int64
	Published bool
	Rows      []ProfileRow
}

// ProfileRow is how many seats went to one rank.
type ProfileRow struct {
	Key   string // "1", "2", …, "unlisted", "none"
	Count int
}

// CheckIns are the event's check-ins, in all and per workshop key.
type CheckIns struct {
	CheckedIn, Confirmed int
	Workshops            map[string]int
}

// Dashboard reads the figures of ev as of now.
func (s *Service) Dashboard(ctx context.Context, ev *event.Event, now time.Time) (*Figures, error) {
	var f Figures
	var err error
	if f.Days, err = s.signupDays(ctx, ev, now); err != nil {
		return nil, err
	}
	if f.Status, err = s.statusCounts(ctx, ev.ID); err != nil {
		return nil, err
	}
	if f.Profile, err = s.latestProfile(ctx, ev.ID); err != nil {
		return nil, err
	}
	if f.Answers, err = s.AnswerTotals(ctx, ev); err != nil {
		return nil, err
	}
	cs, err := counts(ctx, s.pool, ev.ID)
	if err != nil {
		return nil, err
	}
	f.CheckIn = CheckIns{CheckedIn: cs[0].CheckedIn, Confirmed: cs[0].Confirmed, Workshops: map[string]int{}}
	for _, c := range cs[1:] {
		f.CheckIn.Workshops[c.Key] = c.CheckedIn
	}
	for _, w := range ev.Workshops {
		f.Waitlist += w.Waiting
	}
	return &f, nil
}

// Sign-ups per calendar day in the event's time zone, cancelled ones
// included: the chart shows demand, not the current state.
const selectSignupDays = `
SELECT (created_at AT TIME ZONE $2)::date, count(*)
FROM registrations WHERE event_id = $1 GROUP BY 1 ORDER BY 1`

// signupDays lists every day from the first sign-up to the last one (or
// today, if earlier than the event), without gaps, with running totals.
func (s *Service) signupDays(ctx context.Context, ev *event.Event, now time.Time) ([]Day, error) {
	rows, _ := s.pool.Query(ctx, selectSignupDays, ev.ID, ev.Location().String())
	counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Day, error) {
		var d Day
		err := r.Scan(&d.Day, &d.New)
		return d, err
	})
	if err != nil || len(counts) == 0 {
		return nil, err
	}
	last := counts[len(counts)-1].Day
	if today := dateOf(now.In(ev.Location())); today.After(last) && today.Before(ev.StartsAt) && today.Sub(last) < 400*24*time.Hour {
		last = today
	}
	var out []Day
	total, i := 0, 0
	for day := counts[0].Day; !day.After(last); day = day.AddDate(0, 0, 1) {
		d := Day{Day: day}
		if i < len(counts) && counts[i].Day.Equal(day) {
			d.New = counts[i].New
			i++
		}
		total += d.New
		d.Total = total
		out = append(out, d)
	}
	return out, nil
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

const selectStatusCounts = `SELECT status, count(*) FROM registrations WHERE event_id = $1 GROUP BY status`

func (s *Service) statusCounts(ctx context.Context, eventID int64) (map[string]int, error) {
	rows, _ := s.pool.Query(ctx, selectStatusCounts, eventID)
	out := map[string]int{}
	var status string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error { out[status] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("count registrations: %w", err)
	}
	return out, nil
}

// The published run if there is one, else the newest.
const selectLatestProfile = `
SELECT id, status = 'published', coalesce(result->'profile', '{}'::jsonb) FROM allocation_runs
WHERE event_id = $1 ORDER BY status = 'published' DESC, id DESC LIMIT 1`

func (s *Service) latestProfile(ctx context.Context, eventID int64) (*Profile, error) {
	var p Profile
	var raw []byte
	err := s.pool.QueryRow(ctx, selectLatestProfile, eventID).Scan(&p.RunID, &p.Published, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read allocation profile: %w", err)
	}
	var m map[string]int
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode allocation profile: %w", err)
	}
	for k, n := range m {
		p.Rows = append(p.Rows, ProfileRow{Key: k, Count: n})
	}
	sort.Slice(p.Rows, func(i, j int) bool { return profileOrder(p.Rows[i].Key) < profileOrder(p.Rows[j].Key) })
	return &p, nil
}

// profileOrder sorts ranks numerically, then "unlisted", then "none".
func profileOrder(k string) int {
	if n, err := strconv.Atoi(k); err == nil {
		return n
	}
	if k == "unlisted" {
		return 1 << 20
	}
	return 1<<20 + 1
}
