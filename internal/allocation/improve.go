package allocation

import (
	"slices"
)

// Work limits of the improvement phase, in seats pushed through slot flows
// (deterministic, unlike a time limit, so a seed always gives the same
// result). The phase runs between the clash repair and the
// branch-and-bound and only ever accepts lexicographic improvements, so no
// level can get worse than the repair's.
const (
	improveWorkLimit = 180_000
	lagrangianRounds = 60
)

// topicPen is a Lagrangian multiplier: every seat of topic t given to the
// participant costs amt extra in one component of the slot cost vector.
type topicPen struct {
	t   int32
	amt int64
}

// penalties are the multipliers of the relaxed topic constraints
// Σ_s x[p, t, s] ≤ 1, per participant (sorted by topic), all in component
// dim of the cost vector.
type penalties struct {
	dim int
	by  [][]topicPen
}

// of is p's multipliers (nil without any).
func (pn *penalties) of(p int32) []topicPen {
	if pn == nil {
		return nil
	}
	return pn.by[p]
}

// improveOutcome is the best allocation the phase found and, when the
// Lagrangian dual proved more than the plain relaxation, a stronger bound.
type improveOutcome struct {
	assign [][]int32
	bound  []int64 // nil when the relaxation's bound stands
	stats  Lagrangian
	work   int
}

// improver carries the state of one improvement phase.
type improver struct {
	m         *model
	threshold int
	work      int
	best      [][]int32
	bestObj   []int64
}

// improve polishes the repaired allocation: a local search that re-solves
// one slot at a time exactly (with the topics a participant holds in the
// other slots forbidden), then subgradient rounds on the Lagrangian
// relaxation of the topic constraints. Every round re-solves the slot flows
// with the current multipliers, turns the result into a valid allocation
// (dropping the worse seat of each clash), polishes it by the local search
// and keeps the best; the dual value of every round is a valid bound.
func (m *model) improve(threshold int, start [][]int32, root []int64) (*improveOutcome, error) {
	im := &improver{m: m, threshold: threshold}
	best, err := im.localSearch(start)
	if err != nil {
		return nil, err
	}
	im.best, im.bestObj = best, m.objective(best)
	out := &improveOutcome{}
	j := firstDiff(root, im.bestObj)
	if j < 0 {
		out.assign, out.work = im.best, im.work
		return out, nil
	}
	bound, stats, err := im.lagrangian(root, j)
	if err != nil {
		return nil, err
	}
	out.assign, out.bound, out.stats, out.work = im.best, bound, stats, im.work
	return out, nil
}

// firstDiff is the first index where a and b differ, or -1.
func firstDiff(a, b []int64) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// costDim maps an objective index to the slot cost component (the
// objective has the worst rank at index 2 with Fair, the flows do not);
// -1 for the worst rank itself.
func (m *model) costDim(j int) int {
	if !m.inst.Options.Fair || j < 2 {
		return j
	}
	if j == 2 {
		return -1
	}
	return j - 1
}

// lagrangian runs subgradient rounds level by level, starting at the
// first level where the relaxation and the incumbent differ. In a phase
// the multipliers sit in the cost component of level j only, which leaves
// the earlier levels of the relaxation untouched, so a round's dual value
// bounds level j of every allocation that reaches the relaxation's earlier
// levels. A phase ends when its dual meets the incumbent, when the
// multipliers stop moving or after phaseRounds rounds; the next phase
// starts afresh one level further (there its duals still shape the
// heuristic, and bound what they can).
func (im *improver) lagrangian(root []int64, j0 int) ([]int64, Lagrangian, error) {
	stats := Lagrangian{Level: j0}
	var bound []int64
	for j := j0; j < len(root) && stats.Rounds < lagrangianRounds && im.work < improveWorkLimit; j++ {
		b, dual, err := im.lagrangianPhase(root, j, &stats)
		if err != nil {
			return nil, stats, err
		}
		if b != nil && (bound == nil || lexLess(bound, b)) {
			bound, stats.Level, stats.Dual = b, j, dual
		}
	}
	return bound, stats, nil
}

// phaseRounds bounds the subgradient rounds of one level.
const phaseRounds = 20

func (im *improver) lagrangianPhase(root []int64, j int, stats *Lagrangian) ([]int64, int64, error) {
	m := im.m
	dim := m.costDim(j)
	if dim < 0 {
		return nil, 0, nil // the worst rank has no cost component
	}
	pn := &penalties{dim: dim, by: make([][]topicPen, len(m.prefs))}
	var bound []int64
	bestDual := root[j]
	for round := 0; round < phaseRounds && stats.Rounds < lagrangianRounds && im.work < improveWorkLimit; round++ {
		stats.Rounds++
		assign, err := im.penalisedRelaxation(pn)
		if err != nil {
			return nil, 0, err
		}
		obj := m.objective(assign)
		slack, moved := m.subgradient(assign, pn)
		if slices.Equal(obj[:j], root[:j]) {
			if dual := obj[j] + slack; dual > bestDual {
				bestDual = dual
				bound = m.levelBound(root, j, dual)
			}
		}
		if err := im.consider(assign); err != nil {
			return nil, 0, err
		}
		if bestDual >= im.bestObj[j] || !moved {
			break
		}
	}
	return bound, bestDual, nil
}

// levelBound is the bound vector proving dual at level j: the root bound
// before j, dual at j and the trivial bound after j.
func (m *model) levelBound(root []int64, j int, dual int64) []int64 {
	b := slices.Clone(root)
	b[j] = dual
	wanted := int64(0)
	for p := range m.wants {
		for _, w := range m.wants[p] {
			if w {
				wanted++
			}
		}
	}
	off := 2
	if m.inst.Options.Fair {
		off = 3
	}
	for k := j + 1; k < len(b); k++ {
		switch {
		case k < off:
			b[k] = 0 // unlisted, worst rank ≥ 0
		default:
			b[k] = -wanted
		}
	}
	return b
}

// penalisedRelaxation solves every slot with the multipliers.
func (im *improver) penalisedRelaxation(pn *penalties) ([][]int32, error) {
	assign := make([][]int32, len(im.m.inst.Slots))
	for s := range assign {
		r, err := im.m.solveSlot(slotSpec{slot: s, threshold: im.threshold, full: true, pens: pn, noCert: true})
		if err != nil {
			return nil, err
		}
		im.work += r.seats + 1
		assign[s] = r.assign
	}
	return assign, nil
}

// subgradient counts, per participant and spanning topic, the seats of the
// topic in assign, steps every multiplier by count−1 (clamped at 0) and
// returns Σ μ·(count−1) before the step (the dual value is the real cost
// plus this, minus nothing else) and whether any multiplier changed.
func (m *model) subgradient(assign [][]int32, pn *penalties) (int64, bool) {
	var slack int64
	moved := false
	count := map[int32]int64{}
	for p := range m.prefs {
		clear(count)
		for s := range m.inst.Slots {
			if w := assign[s][p]; w >= 0 && m.topicSlot[m.wsTopic[w]] < 0 {
				count[m.wsTopic[w]]++
			}
		}
		old := pn.by[p]
		var next []topicPen
		for _, tp := range old {
			c := count[tp.t]
			slack += tp.amt * (c - 1)
			if amt := max(0, tp.amt+c-1); amt > 0 {
				next = append(next, topicPen{tp.t, amt})
			}
			delete(count, tp.t)
		}
		for t, c := range count {
			if c > 1 {
				next = append(next, topicPen{t, c - 1})
			}
		}
		slices.SortFunc(next, func(a, b topicPen) int { return int(a.t) - int(b.t) })
		if !slices.Equal(next, old) {
			moved = true
		}
		pn.by[p] = next
	}
	return slack, moved
}

// consider turns a relaxed allocation into a valid one (the worse seat of
// each clash is emptied), polishes it and keeps it if it is better.
func (im *improver) consider(assign [][]int32) error {
	a := make([][]int32, len(assign))
	for s := range assign {
		a[s] = slices.Clone(assign[s])
	}
	im.m.dropClashes(a)
	a, err := im.localSearch(a)
	if err != nil {
		return err
	}
	if o := im.m.objective(a); lexLess(o, im.bestObj) {
		im.best, im.bestObj = a, o
	}
	return nil
}

// dropClashes empties, for every participant holding a topic twice, the
// seat the repair rule would give up.
func (m *model) dropClashes(assign [][]int32) {
	S := len(m.inst.Slots)
	for p := range m.prefs {
		for s1 := 0; s1 < S; s1++ {
			w1 := m.workshopOf(assign, p, s1)
			if w1 < 0 {
				continue
			}
			for s2 := s1 + 1; s2 < S; s2++ {
				w2 := m.workshopOf(assign, p, s2)
				if w2 < 0 || m.wsTopic[w2] != m.wsTopic[w1] {
					continue
				}
				lose := m.clashLoser(assign, p, s1, s2, w2)
				assign[lose][p] = seatEmpty
				if lose == s1 {
					break
				}
			}
		}
	}
}

// localSearch re-solves one slot at a time exactly, every participant's
// topics held in the other slots forbidden, and accepts lexicographic
// improvements until a whole rotation brings none (or the work runs out).
// The current seats of the slot stay admissible, so a re-solve never makes
// any level worse; with Fair the threshold is the current worst rank.
func (im *improver) localSearch(assign [][]int32) ([][]int32, error) {
	m := im.m
	S := len(m.inst.Slots)
	obj := m.objective(assign)
	for s, stale := 0, 0; stale < S && im.work < improveWorkLimit; s = (s + 1) % S {
		thr := noThreshold
		if m.inst.Options.Fair {
			thr = max(int(obj[2]), m.pinWorstRank())
		}
		r, err := m.solveSlot(slotSpec{slot: s, threshold: thr, full: true, forbid: m.heldElsewhere(assign, s), noCert: true})
		if err != nil {
			return nil, err
		}
		im.work += r.seats + 1
		cand := slices.Clone(assign)
		cand[s] = r.assign
		if o := m.objective(cand); lexLess(o, obj) {
			assign, obj, stale = cand, o, 1
			continue
		}
		stale++
	}
	return assign, nil
}

// heldElsewhere lists, per seat of slot s (key p*S+s), the spanning topics
// p holds in other slots that p could get in s (listed there, or any with
// allow_unlisted); other topics would only split the flow's groups.
func (m *model) heldElsewhere(assign [][]int32, s int) map[int][]int32 {
	S := len(m.inst.Slots)
	out := map[int][]int32{}
	for p := range m.prefs {
		if !m.wants[p][s] || m.pins[p][s] >= 0 {
			continue
		}
		for s2 := range S {
			if s2 == s {
				continue
			}
			w := assign[s2][p] // pins are forbidden by the slot anyway
			if w < 0 || m.topicSlot[m.wsTopic[w]] >= 0 {
				continue
			}
			t := m.wsTopic[w]
			if m.inst.Options.AllowUnlisted || m.listsTopic(p, s, t) {
				out[p*S+s] = append(out[p*S+s], t)
			}
		}
	}
	return out
}

// listsTopic reports whether p's list for slot s has a workshop of topic t.
func (m *model) listsTopic(p, s int, t int32) bool {
	for _, w := range m.prefs[p][s] {
		if m.wsTopic[w] == t {
			return true
		}
	}
	return false
}

// lexMax is the lexicographically larger of two vectors (nil counts as
// absent).
func lexMax(a, b []int64) []int64 {
	if a == nil || b != nil && lexLess(a, b) {
		return b
	}
	return a
}
