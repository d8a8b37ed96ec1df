package allocrun

import (
	"context"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/event"
)

// SlotDemand is how the wishes of one slot fall on its workshops.
type SlotDemand struct {
	Slot      string           `json:"slot"`
	Title     string           `json:"title"`
	Workshops []WorkshopDemand `json:"workshops"`
}

// WorkshopDemand counts the wishes naming one workshop by their rank.
type WorkshopDemand struct {
	Workshop string `json:"workshop"`
	Title    string `json:"title"`
	Seats    int    `json:"seats"` // seats the allocation can give (capacity minus seats booked before)
	// ByRank[i] is the number of people who listed the workshop as their
	// wish i+1.
	ByRank []int `json:"by_rank"`
	Wishes int   `json:"wishes"` // people who listed it at all
	Pinned int   `json:"pinned"` // people pinned to it
}

// Demand counts the current wishes per slot, workshop and rank: what the
// organiser looks at before running the allocation.
func (s *Service) Demand(ctx context.Context, slug string) ([]SlotDemand, error) {
	in, err := s.read(ctx, slug)
	if err != nil {
		return nil, err
	}
	return demand(in.ev, in.inst), nil
}

func demand(ev *event.Event, inst *allocation.Instance) []SlotDemand {
	ranks := ev.Registration.MaxPreferences
	for _, p := range inst.Participants {
		for _, l := range p.Preferences {
			ranks = max(ranks, len(l))
		}
	}
	out := make([]SlotDemand, 0, len(ev.Slots))
	at := map[string]*WorkshopDemand{}
	for _, s := range ev.Slots {
		sd := SlotDemand{Slot: s.Key, Title: s.Title}
		for _, w := range ev.WorkshopsIn(s.Key) {
			sd.Workshops = append(sd.Workshops, WorkshopDemand{Workshop: w.Key, Title: w.Title,
				Seats: max(w.Capacity-w.Taken, 0), ByRank: make([]int, ranks)})
		}
		out = append(out, sd)
	}
	for i := range out {
		for j := range out[i].Workshops {
			at[out[i].Workshops[j].Workshop] = &out[i].Workshops[j]
		}
	}
	for _, p := range inst.Participants {
		for _, l := range p.Preferences {
			for r, k := range l {
				if d := at[k]; d != nil {
					d.ByRank[r]++
					d.Wishes++
				}
			}
		}
		for _, k := range p.Pinned {
			if d := at[k]; d != nil {
				d.Pinned++
			}
		}
	}
	return out
}
