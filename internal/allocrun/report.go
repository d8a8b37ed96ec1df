package allocrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// Report is a run with what the organiser looks at: the fill of every
// workshop, the participants with the worst outcomes, everyone's outcome
// with its reason, the free seats and why, and what a publication would
// send.
type Report struct {
	*Run
	Fill      []Fill      `json:"fill"`
	Worst     []Outcome   `json:"worst"`
	People    []Person    `json:"people"`
	FreeSeats []FreeSeats `json:"free_seats"`
	// Stale says the wishes, pins or seats changed since this draft, which
	// is still in the wish phase: it can no longer be published (run
	// again), and its reasons are not shown.
	Stale bool `json:"stale"`
	// Publish is what publishing this draft does now (nil when it cannot).
	Publish *PublishPreview `json:"publish,omitempty"`
}

// PublishPreview counts what Publish would do with the same data it uses.
type PublishPreview struct {
	Mails      int `json:"mails"`      // one per participant of the wish phase
	Confirmed  int `json:"confirmed"`  // get an event seat
	Waitlisted int `json:"waitlisted"` // go on the event's waiting list
}

// Person is one participant's result per slot, with the rank and, where
// it is not the first wish, the reason.
type Person struct {
	RegistrationID string                 `json:"registration_id"`
	Name           string                 `json:"name"`
	Outcomes       []registration.Outcome `json:"outcomes"`
	score          int
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

// Report returns the run with fill, outcomes, free seats and, for a
// draft that can still be published, what publishing it would do.
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
	var inst *allocation.Instance
	if run.Status == StatusDraft {
		in, err := unchangedInput(ctx, s.pool, ev, run.fingerprint)
		switch {
		case errors.Is(err, ErrStaleRun):
			// After another run's publication a draft is simply over.
			rep.Stale = ev.Registration.Mode == event.ModePreferences
		case err != nil:
			return nil, err
		default:
			inst = in.inst
			rep.Publish = preview(ev, run, in.inst)
		}
	}
	p := newPlan(ev, run)
	rep.FreeSeats = p.freeSeats(inst)
	rep.People = people(p.outcomes(inst))
	return rep, s.name(ctx, rep)
}

// preview counts a publication the way Publish and booking.PublishAllocation
// do it: every participant gets a mail, the placed ones first take the
// event's seats left.
func preview(ev *event.Event, run *Run, inst *allocation.Instance) *PublishPreview {
	n := len(placements(run.Result, inst))
	c := min(ev.SeatsLeft(), n)
	return &PublishPreview{Mails: n, Confirmed: c, Waitlisted: n - c}
}

// people are the participants with their outcomes (sortPeople orders them).
func people(outs map[string][]registration.Outcome) []Person {
	out := make([]Person, 0, len(outs))
	for id, os := range outs {
		p := Person{RegistrationID: id, Outcomes: os}
		for _, o := range os {
			p.score = max(p.score, seatScore(o.Rank, o.Workshop != ""))
		}
		out = append(out, p)
	}
	return out
}

// sortPeople puts the worst outcomes first, then sorts by name.
func sortPeople(ps []Person) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].score != ps[j].score {
			return ps[i].score > ps[j].score
		}
		if ps[i].Name != ps[j].Name {
			return ps[i].Name < ps[j].Name
		}
		return ps[i].RegistrationID < ps[j].RegistrationID
	})
}

// seatScore orders seats from best to worst: rank 1, 2, …, then a seat
// outside the list, then no seat.
func seatScore(rank int, placed bool) int {
	switch {
	case !placed:
		return 1 << 21
	case rank == 0:
		return 1 << 20
	}
	return rank
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
		o.score = max(o.score, seatScore(a.Rank, true))
	}
	for _, u := range res.Unassigned {
		o := get(u.Participant)
		o.Empty = append(o.Empty, u.Slot)
		o.score = seatScore(0, false)
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

const selectPeople = `SELECT id::text, name, allocation_outcomes FROM registrations WHERE id = ANY($1::uuid[])`

// name fills in the names of the report's people and, for a published
// run, the outcomes stored at publication: those the participants were
// told.
func (s *Service) name(ctx context.Context, rep *Report) error {
	ids := make([]string, 0, len(rep.People))
	for _, p := range rep.People {
		ids = append(ids, p.RegistrationID)
	}
	type stored struct {
		name     string
		outcomes []registration.Outcome
	}
	rows, _ := s.pool.Query(ctx, selectPeople, ids)
	by := map[string]stored{}
	_, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
		var id string
		var st stored
		var raw []byte
		if err := r.Scan(&id, &st.name, &raw); err != nil {
			return struct{}{}, err
		}
		by[id] = st
		if raw == nil {
			return struct{}{}, nil
		}
		err := json.Unmarshal(raw, &st.outcomes)
		by[id] = st
		return struct{}{}, err
	})
	if err != nil {
		return fmt.Errorf("participant names: %w", err)
	}
	for i := range rep.Worst {
		rep.Worst[i].Name = by[rep.Worst[i].RegistrationID].name
	}
	for i, p := range rep.People {
		st := by[p.RegistrationID]
		rep.People[i].Name = st.name
		if rep.Status == StatusPublished && st.outcomes != nil {
			rep.People[i].Outcomes = st.outcomes
		}
	}
	sortPeople(rep.People)
	return nil
}
