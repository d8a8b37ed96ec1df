package allocrun

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/event"
)

// Report is a run with what the organiser looks at: the fill of every
// workshop and the participants with the worst outcomes.
type Report struct {
	*Run
	Fill  []Fill    `json:"fill"`
	Worst []Outcome `json:"worst"`
}

// Fill is one workshop's occupancy after the run.
type Fill struct {
	Workshop  string `json:"workshop"`
	Title     string `json:"title"`
	Slot      string `json:"slot"`
	Capacity  int    `json:"capacity"`
	Taken     int    `json:"taken"`     // seats booked before the run
	Allocated int    `json:"allocated"` // seats the run gives
	Min       int    `json:"min"`
	BelowMin  bool   `json:"below_min"`
	Closed    bool   `json:"closed"`
}

// Outcome is one participant's result. Worst is "none" when a wanted slot
// stayed empty, "unlisted" when placed outside the list, else the worst
// rank given ("1", "2", …).
type Outcome struct {
	RegistrationID string                  `json:"registration_id"`
	Name           string                  `json:"name"`
	Worst          string                  `json:"worst"`
	Assignments    []allocation.Assignment `json:"assignments"`
	Empty          []string                `json:"empty_slots"`
	score          int
}

// worstShown is how many participants Report lists.
const worstShown = 25

// Report returns the run with fill and worst outcomes.
func (s *Service) Report(ctx context.Context, slug string, id int64) (*Report, error) {
	run, err := s.Get(ctx, slug, id)
	if err != nil {
		return nil, err
	}
	ev, err := loadEvent(ctx, s.pool, slug)
	if err != nil {
		return nil, err
	}
	rep := &Report{Run: run, Fill: fill(ev, run), Worst: worst(run.Result, worstShown)}
	return rep, s.name(ctx, rep.Worst)
}

func fill(ev *event.Event, run *Run) []Fill {
	closed := map[string]bool{}
	for _, k := range run.Closed {
		closed[k] = true
	}
	out := make([]Fill, 0, len(ev.Workshops))
	for _, w := range ev.Workshops {
		f := run.Workshops[w.Key]
		out = append(out, Fill{Workshop: w.Key, Title: w.Title, Slot: w.SlotKey, Capacity: w.Capacity,
			Taken: w.Taken, Allocated: f.Filled, Min: w.MinParticipants, BelowMin: f.BelowMin, Closed: closed[w.Key]})
	}
	return out
}

// worst ranks participants by their worst seat: an empty wanted slot, then
// a seat outside the list, then the highest rank; people whose worst seat
// is a first choice are not listed.
func worst(res *allocation.Result, n int) []Outcome {
	by := map[string]*Outcome{}
	get := func(id string) *Outcome {
		if by[id] == nil {
			by[id] = &Outcome{RegistrationID: id, Assignments: []allocation.Assignment{}, Empty: []string{}}
		}
		return by[id]
	}
	for _, a := range res.Assignments {
		o := get(a.Participant)
		o.Assignments = append(o.Assignments, a)
		score := a.Rank
		if a.Rank == 0 {
			score = 1 << 20
		}
		o.score = max(o.score, score)
	}
	for _, u := range res.Unassigned {
		o := get(u.Participant)
		o.Empty = append(o.Empty, u.Slot)
		o.score = 1 << 21
	}
	var out []Outcome
	for _, o := range by {
		if o.score <= 1 {
			continue
		}
		switch {
		case o.score == 1<<21:
			o.Worst = "none"
		case o.score == 1<<20:
			o.Worst = "unlisted"
		default:
			o.Worst = strconv.Itoa(o.score)
		}
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].RegistrationID < out[j].RegistrationID
	})
	return out[:min(n, len(out))]
}

func (s *Service) name(ctx context.Context, os []Outcome) error {
	if len(os) == 0 {
		return nil
	}
	ids := make([]string, len(os))
	for i, o := range os {
		ids[i] = o.RegistrationID
	}
	rows, _ := s.pool.Query(ctx, `SELECT id::text, name FROM registrations WHERE id = ANY($1::uuid[])`, ids)
	names := map[string]string{}
	_, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
		var id, name string
		err := r.Scan(&id, &name)
		names[id] = name
		return struct{}{}, err
	})
	if err != nil {
		return fmt.Errorf("participant names: %w", err)
	}
	for i := range os {
		os[i].Name = names[os[i].RegistrationID]
	}
	return nil
}
