package allocrun

import (
	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// plan is a run's result indexed for the questions the organiser and the
// participants ask of it: who got what, who sits in a workshop, and why a
// first wish was not given. Every reason is a fact checked on the plan and
// the wishes; where none is certain, the outcome carries none.
type plan struct {
	ev        *event.Event
	run       *Run
	got       map[string]map[string]allocation.Assignment // participant → slot → seat
	occupants map[string][]allocation.Assignment          // workshop → seats the run gives
	closed    map[string]bool
}

func newPlan(ev *event.Event, run *Run) *plan {
	p := &plan{ev: ev, run: run, got: map[string]map[string]allocation.Assignment{},
		occupants: map[string][]allocation.Assignment{}, closed: map[string]bool{}}
	for _, a := range run.Assignments {
		if p.got[a.Participant] == nil {
			p.got[a.Participant] = map[string]allocation.Assignment{}
		}
		p.got[a.Participant][a.Slot] = a
		p.occupants[a.Workshop] = append(p.occupants[a.Workshop], a)
	}
	for _, k := range run.Closed {
		p.closed[k] = true
	}
	return p
}

// outcomes are every participant's outcomes, in the event's slot order:
// from the run alone, with reasons when inst (the run's input) is known.
func (p *plan) outcomes(inst *allocation.Instance) map[string][]registration.Outcome {
	out := map[string][]registration.Outcome{}
	empty := map[string]map[string]bool{}
	for _, u := range p.run.Unassigned {
		if empty[u.Participant] == nil {
			empty[u.Participant] = map[string]bool{}
		}
		empty[u.Participant][u.Slot] = true
	}
	wishers := map[string]allocation.Participant{}
	if inst != nil {
		for _, w := range inst.Participants {
			wishers[w.ID] = w
		}
	}
	for _, id := range p.participants(empty) {
		for _, s := range p.ev.Slots {
			a, placed := p.got[id][s.Key]
			if !placed && !empty[id][s.Key] {
				continue
			}
			o := registration.Outcome{Slot: s.Key, Workshop: a.Workshop, Rank: a.Rank}
			if w, ok := wishers[id]; ok && (!placed || a.Rank != 1) {
				p.explain(&o, w)
			}
			out[id] = append(out[id], o)
		}
	}
	return out
}

// participants are the ids of everyone the run placed or left empty.
func (p *plan) participants(empty map[string]map[string]bool) []string {
	ids := make([]string, 0, len(p.got)+len(empty))
	for id := range p.got {
		ids = append(ids, id)
	}
	for id := range empty {
		if p.got[id] == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// explain sets the reason why w did not get the first wish of o's slot.
func (p *plan) explain(o *registration.Outcome, w allocation.Participant) {
	if _, pinned := w.Pinned[o.Slot]; pinned {
		o.Reason = registration.ReasonPinned
		return
	}
	wishes := w.Preferences[o.Slot]
	if len(wishes) == 0 {
		return
	}
	first, ok := p.ev.Workshop(wishes[0])
	if !ok {
		return
	}
	o.First = first.Key
	switch other := p.sameTopic(w.ID, o.Slot, first.Topic); {
	case p.closed[first.Key]:
		o.Reason = registration.ReasonClosed
	case other != "":
		o.Reason, o.Other = registration.ReasonTopic, other
	case !p.full(first):
		o.First = "" // a free seat, and no fact that says why: say nothing
	case first.Taken == 0 && p.allFirst(first.Key):
		o.Reason = registration.ReasonFullFirst
	case p.fair() && p.anyLater(first.Key):
		o.Reason, o.Worst = registration.ReasonFullFair, p.run.Objective.WorstRank
	default:
		o.Reason = registration.ReasonFull
	}
}

// sameTopic is the workshop of topic the participant got in another slot.
func (p *plan) sameTopic(id, slot, topic string) string {
	for s, a := range p.got[id] {
		if w, ok := p.ev.Workshop(a.Workshop); ok && s != slot && w.Topic == topic {
			return w.Key
		}
	}
	return ""
}

// full: the run leaves no seat of w free.
func (p *plan) full(w event.Workshop) bool {
	return !p.closed[w.Key] && w.Taken+len(p.occupants[w.Key]) >= w.Capacity
}

// fair: a fair run in which everyone wanting a seat got one from their
// list, so that "nobody got worse than wish N" is true of everyone.
func (p *plan) fair() bool {
	res := p.run.Result
	return p.run.Options.Fair && res.Objective.WorstRank > 0 && res.Profile["none"] == 0 && res.Profile["unlisted"] == 0
}

// allFirst: every seat the run gives in the workshop is a first wish.
func (p *plan) allFirst(key string) bool {
	for _, a := range p.occupants[key] {
		if a.Rank != 1 {
			return false
		}
	}
	return true
}

// anyLater: someone got a seat in the workshop who listed it after
// their first wish.
func (p *plan) anyLater(key string) bool {
	for _, a := range p.occupants[key] {
		if a.Rank > 1 {
			return true
		}
	}
	return false
}

// FreeSeats are the seats of one workshop the run leaves empty, and why.
type FreeSeats struct {
	Workshop string `json:"workshop"`
	Title    string `json:"title"`
	Slot     string `json:"slot"`
	Free     int    `json:"free"`
	// Reason is "closed" (stays below its minimum and does not take
	// place), "no_wishes" (nobody listed it), "all_placed" (everyone who
	// listed it got it or a wish they ranked higher), "topic_or_pin" (the
	// others who listed it hold its topic in another slot or are pinned
	// elsewhere), or empty when the run's input is not known.
	Reason string `json:"reason,omitempty"`
	Wishes int    `json:"wishes"` // people who listed it (0 when the input is not known)
}

// Free-seat reasons.
const (
	FreeClosed     = "closed"
	FreeNoWishes   = "no_wishes"
	FreeAllPlaced  = "all_placed"
	FreeTopicOrPin = "topic_or_pin"
)

// freeSeats lists the workshops with free seats after the run.
func (p *plan) freeSeats(inst *allocation.Instance) []FreeSeats {
	var out []FreeSeats
	for _, w := range p.ev.Workshops {
		free := w.Capacity - w.Taken - len(p.occupants[w.Key])
		if free <= 0 {
			continue
		}
		f := FreeSeats{Workshop: w.Key, Title: w.Title, Slot: w.SlotKey, Free: free}
		switch {
		case p.closed[w.Key]:
			f.Reason = FreeClosed
		case inst != nil:
			f.Wishes, f.Reason = p.listers(inst, w)
		}
		out = append(out, f)
	}
	return out
}

// listers counts who listed w and decides why they are not all in it.
func (p *plan) listers(inst *allocation.Instance, w event.Workshop) (int, string) {
	n, blocked, unexplained := 0, false, false
	for _, q := range inst.Participants {
		rank := indexOf(q.Preferences[w.SlotKey], w.Key) + 1
		if rank == 0 {
			continue
		}
		n++
		a, placed := p.got[q.ID][w.SlotKey]
		if placed && a.Rank >= 1 && a.Rank <= rank {
			continue
		}
		_, pinned := q.Pinned[w.SlotKey]
		if !pinned && p.sameTopic(q.ID, w.SlotKey, w.Topic) == "" {
			unexplained = true
		}
		blocked = true
	}
	switch {
	case unexplained:
		return n, ""
	case n == 0:
		return 0, FreeNoWishes
	case blocked:
		return n, FreeTopicOrPin
	}
	return n, FreeAllPlaced
}

func indexOf(l []string, s string) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return -1
}
