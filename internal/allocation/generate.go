package allocation

import (
	"fmt"
	"math"
)

// GenOptions configures Generate. Zero values get sensible defaults.
type GenOptions struct {
	Participants int
	Workshops    int // total over all slots
	Slots        int // default 1
	Choices      int // list length per slot, default 3
	// RepeatTopics makes about a third of the workshops in later slots
	// repeat a topic of an earlier slot (e.g. A1 in r1, A2 in r2).
	RepeatTopics bool
	// Rounds makes every slot offer the same topics (the "Runde 1, Runde
	// 2" pattern): workshop i of each slot has topic i, and a topic is
	// equally popular in every round. Workshops should be a multiple of
	// Slots.
	Rounds bool
	// CapacityFactor is total capacity per slot / participants (default
	// 1.1); below 1 makes capacities tight.
	CapacityFactor float64
	// PinRate is the share of participants with one pinned seat.
	PinRate float64
	// MinRate is the share of workshops with a minimum participant count.
	MinRate       float64
	AllowUnlisted bool
	Fair          bool
	Seed          int64
}

func (o *GenOptions) defaults() {
	if o.Slots <= 0 {
		o.Slots = 1
	}
	if o.Workshops < o.Slots {
		o.Workshops = o.Slots
	}
	if o.Choices <= 0 {
		o.Choices = 3
	}
	if o.CapacityFactor <= 0 {
		o.CapacityFactor = 1.1
	}
}

// Generate builds a seeded, realistic instance: workshop popularity is
// Zipf-like (a few hot workshops), 10% of participants skip a slot, 20%
// list fewer choices than allowed, capacities vary around the mean.
func Generate(o GenOptions) *Instance {
	o.defaults()
	rng := splitMix64(uint64(o.Seed)*0x9e3779b97f4a7c15 + 1)
	inst := &Instance{Options: Options{AllowUnlisted: o.AllowUnlisted, Fair: o.Fair, Seed: o.Seed}}
	for s := 0; s < o.Slots; s++ {
		inst.Slots = append(inst.Slots, fmt.Sprintf("r%d", s+1))
	}
	bySlot, pop := genWorkshops(inst, &o, &rng)
	for i := 0; i < o.Participants; i++ {
		p := Participant{ID: fmt.Sprintf("p%06d", i+1), Preferences: map[string][]string{}}
		for s, ws := range bySlot {
			if len(ws) == 0 || rng.below(10) == 0 {
				continue
			}
			n := min(o.Choices, len(ws))
			if n > 1 && rng.below(5) == 0 {
				n = 1 + int(rng.below(uint64(n-1)))
			}
			p.Preferences[inst.Slots[s]] = pickWeighted(&rng, ws, pop[s], n)
		}
		inst.Participants = append(inst.Participants, p)
	}
	genPins(inst, o.PinRate, &rng)
	return inst
}

// genWorkshops creates the workshops and, per slot, their keys and Zipf
// popularity weights.
func genWorkshops(inst *Instance, o *GenOptions, rng *splitMix64) ([][]string, [][]float64) {
	bySlot := make([][]string, o.Slots)
	pop := make([][]float64, o.Slots)
	perSlot := make([]int, o.Slots)
	for i := 0; i < o.Workshops; i++ {
		perSlot[i%o.Slots]++
	}
	var topics []string
	for i := 0; i < o.Workshops; i++ {
		s := i % o.Slots
		key := fmt.Sprintf("w%03d", i+1)
		topic := key
		if o.RepeatTopics && s > 0 && len(topics) > 0 && rng.below(3) == 0 {
			topic = topics[rng.below(uint64(len(topics)))]
		}
		if o.Rounds {
			topic = fmt.Sprintf("t%02d", len(bySlot[s])+1)
		}
		if s == 0 {
			topics = append(topics, topic)
		}
		mean := o.CapacityFactor * float64(o.Participants) / float64(perSlot[s])
		capacity := int(math.Round(mean * (0.5 + float64(rng.below(1000))/1000)))
		w := Workshop{Key: key, Slot: inst.Slots[s], Capacity: max(capacity, 1), Topic: topic}
		if rng.below(1000) < uint64(o.MinRate*1000) {
			w.Min = max(1, w.Capacity/3)
		}
		inst.Workshops = append(inst.Workshops, w)
		bySlot[s] = append(bySlot[s], key)
		// Zipf-like: popularity 1/rank with a random rank per slot.
		pop[s] = append(pop[s], 0)
	}
	for s := range pop {
		if o.Rounds && s > 0 && len(pop[s]) == len(pop[0]) {
			copy(pop[s], pop[0])
			continue
		}
		perm := make([]int, len(pop[s]))
		for i := range perm {
			perm[i] = i
		}
		for i := len(perm) - 1; i > 0; i-- {
			j := int(rng.below(uint64(i + 1)))
			perm[i], perm[j] = perm[j], perm[i]
		}
		for i, r := range perm {
			pop[s][i] = 1 / float64(r+1)
		}
	}
	return bySlot, pop
}

// pickWeighted draws n distinct keys, each with probability proportional
// to its weight among those left.
func pickWeighted(rng *splitMix64, keys []string, weight []float64, n int) []string {
	taken := make([]bool, len(keys))
	out := make([]string, 0, n)
	for len(out) < n {
		total := 0.0
		for i, w := range weight {
			if !taken[i] {
				total += w
			}
		}
		x := float64(rng.below(1<<53)) / (1 << 53) * total
		pick := -1
		for i, w := range weight {
			if taken[i] {
				continue
			}
			pick = i
			if x < w {
				break
			}
			x -= w
		}
		taken[pick] = true
		out = append(out, keys[pick])
	}
	return out
}

// genPins pins a share of participants to their first choice of one slot
// where that keeps capacities and topics valid.
func genPins(inst *Instance, rate float64, rng *splitMix64) {
	if rate <= 0 {
		return
	}
	left := map[string]int{}
	topic := map[string]string{}
	for _, w := range inst.Workshops {
		left[w.Key] = w.Capacity
		topic[w.Key] = w.Topic
	}
	for i := range inst.Participants {
		p := &inst.Participants[i]
		if rng.below(1000) >= uint64(rate*1000) || len(inst.Slots) == 0 {
			continue
		}
		sk := inst.Slots[rng.below(uint64(len(inst.Slots)))]
		list := p.Preferences[sk]
		if len(list) == 0 {
			continue
		}
		key := list[rng.below(uint64(len(list)))]
		if left[key] == 0 {
			continue
		}
		left[key]--
		p.Pinned = map[string]string{sk: key}
	}
}
