package allocation

import (
	"maps"
	"slices"
)

// bnbWorkLimit bounds the branch-and-bound by the number of seats pushed
// through slot flows (deterministic, unlike a time limit, so a seed always
// gives the same result). Small instances are searched exhaustively; large
// ones keep the repair heuristic's allocation and get a tighter bound.
const bnbWorkLimit = 200_000

// bbNode is one node of the search: a set of forbids and the exact
// relaxation (per-slot flows) under them.
type bbNode struct {
	forbid    map[int][]int32
	slots     []*slotResult
	r         []int // per-slot fair thresholds (Fair only)
	threshold int
	assign    [][]int32
	bound     []int64
}

type bbOutcome struct {
	assign   [][]int32
	bound    []int64
	complete bool
	stats    BranchAndBound
}

// branchAndBound searches the topic clashes of the relaxation depth-first,
// starting from the relaxation root and the repair heuristic's incumbent.
func (m *model) branchAndBound(relax []*slotResult, rootBound []int64, incumbent [][]int32) (*bbOutcome, error) {
	root := &bbNode{forbid: map[int][]int32{}, slots: relax, bound: rootBound}
	work := 0
	if m.inst.Options.Fair {
		root.r = make([]int, len(relax))
		for s := range relax {
			r, _, err := m.fairThreshold(s, nil)
			if err != nil {
				return nil, err
			}
			root.r[s] = r
		}
		root.threshold = m.nodeThreshold(root.r)
	}
	root.assign = assignOf(relax)
	out := &bbOutcome{assign: incumbent}
	incObj := m.objective(incumbent)
	stack := []*bbNode{root}
	for len(stack) > 0 && work < bnbWorkLimit {
		node := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out.stats.Nodes++
		if !lexLess(node.bound, incObj) {
			continue
		}
		p, t, keep, lose, found := m.firstClash(node.assign)
		if !found { // feasible and better: new incumbent
			out.assign, incObj = node.assign, node.bound
			continue
		}
		// Push the less promising child first so the heuristic's choice
		// (keep the topic where it ranks better) is explored first.
		for _, s := range []int{keep, lose} {
			child, w, err := m.bbChild(node, p, t, s)
			if err != nil {
				return nil, err
			}
			work += w
			if lexLess(child.bound, incObj) {
				stack = append(stack, child)
			}
		}
	}
	out.bound = slices.Clone(incObj)
	for _, n := range stack {
		if lexLess(n.bound, out.bound) {
			out.bound = slices.Clone(n.bound)
		}
	}
	out.complete = len(stack) == 0
	out.stats.Complete, out.stats.Open = out.complete, len(stack)
	return out, nil
}

func assignOf(slots []*slotResult) [][]int32 {
	a := make([][]int32, len(slots))
	for s, r := range slots {
		a[s] = r.assign
	}
	return a
}

func (m *model) nodeThreshold(r []int) int {
	t := m.pinWorstRank()
	for _, x := range r {
		t = max(t, x)
	}
	return t
}

// firstClash finds the first participant holding a topic twice and says in
// which slot the repair heuristic would keep it.
func (m *model) firstClash(assign [][]int32) (p int, t int32, keep, lose int, ok bool) {
	S := len(m.inst.Slots)
	for p := range m.prefs {
		for s1 := 0; s1 < S; s1++ {
			w1 := m.workshopOf(assign, p, s1)
			if w1 < 0 {
				continue
			}
			for s2 := s1 + 1; s2 < S; s2++ {
				w2 := m.workshopOf(assign, p, s2)
				if w2 >= 0 && m.wsTopic[w2] == m.wsTopic[w1] {
					lose := m.clashLoser(assign, p, s1, s2, w2)
					keep := s1 + s2 - lose
					return p, m.wsTopic[w1], keep, lose, true
				}
			}
		}
	}
	return 0, 0, 0, 0, false
}

// bbChild forbids topic t for participant p in slot s and re-solves what
// changes; it returns the child and the work spent.
func (m *model) bbChild(parent *bbNode, p int, t int32, s int) (*bbNode, int, error) {
	S := len(m.inst.Slots)
	child := &bbNode{forbid: maps.Clone(parent.forbid), slots: slices.Clone(parent.slots), threshold: noThreshold}
	k := p*S + s
	child.forbid[k] = append(slices.Clone(child.forbid[k]), t)
	work := 0
	resolve := []int{s}
	if m.inst.Options.Fair {
		child.r = slices.Clone(parent.r)
		r, _, err := m.fairThreshold(s, child.forbid)
		if err != nil {
			return nil, 0, err
		}
		work += 4 * parent.slots[s].seats
		child.r[s] = r
		child.threshold = m.nodeThreshold(child.r)
		if child.threshold != parent.threshold {
			resolve = resolve[:0]
			for x := 0; x < S; x++ {
				resolve = append(resolve, x)
			}
		}
	}
	for _, x := range resolve {
		res, err := m.solveSlot(slotSpec{slot: x, threshold: child.threshold, full: true, forbid: child.forbid, noCert: true})
		if err != nil {
			return nil, 0, err
		}
		work += res.seats + 1
		child.slots[x] = res
	}
	child.assign = assignOf(child.slots)
	child.bound = m.objective(child.assign)
	return child, work, nil
}
