package allocation

import (
	"slices"
	"time"
)

// maxRepairRounds bounds the clash-repair loop; every round only adds
// forbidden (participant, slot, topic) triples, so it converges anyway, and
// whatever clash is left after the limit is resolved by emptying seats.
// The repair only gives the exact search its first incumbent (and the
// answer when the time runs out before the search improves on it).
const maxRepairRounds = 3

// repair resolves topic clashes: a participant holding topic T in several
// slots keeps it where it ranks best and gets T forbidden in the others;
// the affected slots are re-solved exactly, and this repeats until no clash
// is left. Each slot stays an exact flow given the forbids, so the result is
// optimal whenever the forbids happen to be the right ones.
//
// Past the deadline (zero: none) the remaining clashes are emptied at once.
func (m *model) repair(start []*slotResult, threshold int, deadline time.Time) ([][]int32, error) {
	S := len(m.inst.Slots)
	assign := make([][]int32, S)
	for s, r := range start {
		assign[s] = slices.Clone(r.assign)
	}
	forbid := map[int][]int32{}
	for round := 0; round < maxRepairRounds && (deadline.IsZero() || time.Now().Before(deadline)); round++ {
		dirty := m.forbidClashes(assign, forbid)
		if len(dirty) == 0 {
			return assign, nil
		}
		for _, s := range dirty {
			r, err := m.solveSlot(slotSpec{slot: s, threshold: threshold, full: true, forbid: forbid, noCert: true})
			if err != nil {
				return nil, err
			}
			assign[s] = r.assign
		}
	}
	m.emptyClashes(assign)
	return assign, nil
}

// forbidClashes adds forbids for every clash and returns the slots to
// re-solve, in increasing order.
func (m *model) forbidClashes(assign [][]int32, forbid map[int][]int32) []int {
	S := len(m.inst.Slots)
	dirty := make([]bool, S)
	at := make([]int, m.numTopics) // topic → slot+1 where p holds it
	for p := range m.prefs {
		for s := 0; s < S; s++ {
			w := m.workshopOf(assign, p, s)
			if w < 0 {
				continue
			}
			t := m.wsTopic[w]
			prev := at[t] - 1
			if prev < 0 {
				at[t] = s + 1
				continue
			}
			lose := m.clashLoser(assign, p, prev, s, w)
			forbid[p*S+lose] = append(forbid[p*S+lose], t)
			dirty[lose] = true
			if lose == prev {
				at[t] = s + 1
			}
		}
		for s := 0; s < S; s++ { // reset only what p touched
			if w := m.workshopOf(assign, p, s); w >= 0 {
				at[m.wsTopic[w]] = 0
			}
		}
	}
	var out []int
	for s, d := range dirty {
		if d {
			out = append(out, s)
		}
	}
	return out
}

// clashLoser picks which of two slots gives up topic w's: never a pinned
// seat, otherwise the one with the worse rank (unlisted is worst), ties
// lose the later slot.
func (m *model) clashLoser(assign [][]int32, p, prev, s int, w int32) int {
	if m.pins[p][prev] >= 0 {
		return s
	}
	if m.pins[p][s] >= 0 {
		return prev
	}
	key := func(slot int, ws int32) int {
		if r := m.rankOf(p, slot, ws); r > 0 {
			return r
		}
		return m.maxRank + 1
	}
	if key(s, w) < key(prev, m.workshopOf(assign, p, prev)) {
		return prev
	}
	return s
}

// emptyClashes is the safety net after maxRepairRounds: it empties later
// seats that repeat a topic, which always yields a valid allocation.
func (m *model) emptyClashes(assign [][]int32) {
	for p := range m.prefs {
		seen := map[int32]bool{}
		for s := range m.inst.Slots {
			w := m.workshopOf(assign, p, s)
			if w < 0 {
				continue
			}
			if seen[m.wsTopic[w]] && m.pins[p][s] < 0 {
				assign[s][p] = seatEmpty
				continue
			}
			seen[m.wsTopic[w]] = true
		}
	}
}
