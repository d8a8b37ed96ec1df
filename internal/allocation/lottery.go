package allocation

import "sort"

// splitMix64 is a tiny, fully specified PRNG; we implement it ourselves so
// that a seed gives the same lottery on every Go version.
type splitMix64 uint64

func (s *splitMix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// below returns a uniform number in [0, n) (rejection sampling, no bias).
func (s *splitMix64) below(n uint64) uint64 {
	limit := ^uint64(0) - (^uint64(0) % n)
	for {
		if v := s.next(); v < limit {
			return v % n
		}
	}
}

// drawLottery assigns every participant a ticket: participants sorted by id
// are shuffled by Fisher–Yates with the seed. Sorting first makes the draw
// independent of the input order.
func (m *model) drawLottery() {
	n := len(m.inst.Participants)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(a, b int) bool {
		return m.inst.Participants[order[a]].ID < m.inst.Participants[order[b]].ID
	})
	rng := splitMix64(uint64(m.inst.Options.Seed))
	for i := n - 1; i > 0; i-- {
		j := int(rng.below(uint64(i + 1)))
		order[i], order[j] = order[j], order[i]
	}
	m.order = order
	m.tickets = make([]int32, n)
	for t, p := range order {
		m.tickets[p] = int32(t)
	}
}
