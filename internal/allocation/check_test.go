package allocation

import (
	"fmt"
	"slices"
	"strconv"
)

// This file is the independent checker: it re-derives everything from the
// Instance (never from solver internals) and validates a Result.

// topicOf returns the effective topic of each workshop key.
func topicOf(inst *Instance) map[string]string {
	t := map[string]string{}
	for _, w := range inst.Workshops {
		t[w.Key] = w.Topic
		if w.Topic == "" {
			t[w.Key] = w.Key
		}
	}
	return t
}

func listRank(list []string, key string) int {
	if i := slices.Index(list, key); i >= 0 {
		return i + 1
	}
	return 0
}

// validate checks every hard rule of the contract on res.
func validate(inst *Instance, res *Result) error {
	topic := topicOf(inst)
	wsSlot := map[string]string{}
	capa := map[string]int{}
	for _, w := range inst.Workshops {
		wsSlot[w.Key], capa[w.Key] = w.Slot, w.Capacity
	}
	byID := map[string]*Participant{}
	for i := range inst.Participants {
		byID[inst.Participants[i].ID] = &inst.Participants[i]
	}
	got := map[[2]string]string{}
	filled := map[string]int{}
	profile := map[string]int{"unlisted": 0, "none": 0}
	for _, a := range res.Assignments {
		p := byID[a.Participant]
		if p == nil {
			return fmt.Errorf("unknown participant %q", a.Participant)
		}
		k := [2]string{a.Participant, a.Slot}
		if _, dup := got[k]; dup {
			return fmt.Errorf("%s has two workshops in slot %s", a.Participant, a.Slot)
		}
		got[k] = a.Workshop
		if wsSlot[a.Workshop] != a.Slot {
			return fmt.Errorf("%s: workshop %s is not in slot %s", a.Participant, a.Workshop, a.Slot)
		}
		list := p.Preferences[a.Slot]
		pin, pinned := p.Pinned[a.Slot]
		if len(list) == 0 && !pinned {
			return fmt.Errorf("%s placed in slot %s it does not want", a.Participant, a.Slot)
		}
		if pinned && pin != a.Workshop {
			return fmt.Errorf("%s: pin %s in %s not kept (got %s)", a.Participant, pin, a.Slot, a.Workshop)
		}
		r := listRank(list, a.Workshop)
		if r != a.Rank {
			return fmt.Errorf("%s: rank %d reported, list says %d", a.Participant, a.Rank, r)
		}
		if r == 0 && !pinned && !inst.Options.AllowUnlisted {
			return fmt.Errorf("%s: unlisted %s without allow_unlisted", a.Participant, a.Workshop)
		}
		filled[a.Workshop]++
		if r == 0 {
			profile["unlisted"]++
		} else {
			profile[strconv.Itoa(r)]++
		}
	}
	for w, n := range filled {
		if n > capa[w] {
			return fmt.Errorf("workshop %s over capacity: %d > %d", w, n, capa[w])
		}
	}
	for _, p := range inst.Participants {
		seen := map[string]string{}
		for _, s := range inst.Slots {
			w, ok := got[[2]string{p.ID, s}]
			if pin, pinned := p.Pinned[s]; pinned && !ok {
				return fmt.Errorf("%s: pin %s missing", p.ID, pin)
			}
			wants := len(p.Preferences[s]) > 0 || p.Pinned[s] != ""
			if wants && !ok {
				profile["none"]++
			}
			if !ok {
				continue
			}
			if prev, dup := seen[topic[w]]; dup {
				return fmt.Errorf("%s: topic %s twice (%s, %s)", p.ID, topic[w], prev, w)
			}
			seen[topic[w]] = w
		}
	}
	for k, v := range profile {
		if res.Profile[k] != v {
			return fmt.Errorf("profile[%s] = %d, recount %d", k, res.Profile[k], v)
		}
	}
	if len(res.Unassigned) != profile["none"] {
		return fmt.Errorf("unassigned lists %d seats, recount %d", len(res.Unassigned), profile["none"])
	}
	return nil
}

// checkerArc is one arc of the ungrouped slot network the checker builds.
type checkerArc struct {
	from, to string // "p:<id>", "w:<key>", "t"
	capa     int64
	cost     []int64
}

// slotNetwork builds, from the instance alone, the flow network a SlotDual
// refers to, and the supplies (+1 per seat).
func slotNetwork(inst *Instance, slot string, threshold, levels int) ([]checkerArc, []string) {
	topic := topicOf(inst)
	K := 0
	for _, p := range inst.Participants {
		for _, l := range p.Preferences {
			K = max(K, len(l))
		}
	}
	unit := func(i int, v int64) []int64 {
		c := make([]int64, levels)
		if i < levels {
			c[i] = v
		}
		return c
	}
	pinned := map[string]int{}
	var arcs []checkerArc
	var seats []string
	for _, p := range inst.Participants {
		for _, w := range p.Pinned {
			pinned[w]++
		}
		if _, ok := p.Pinned[slot]; ok || len(p.Preferences[slot]) == 0 {
			continue
		}
		blocked := map[string]bool{}
		for s, w := range p.Pinned {
			if s != slot {
				blocked[topic[w]] = true
			}
		}
		node := "p:" + p.ID
		seats = append(seats, node)
		list := p.Preferences[slot]
		for _, w := range inst.Workshops {
			if w.Slot != slot || blocked[topic[w.Key]] {
				continue
			}
			r := listRank(list, w.Key)
			switch {
			case r > 0 && (threshold < 0 || r <= threshold):
				arcs = append(arcs, checkerArc{node, "w:" + w.Key, 1, unit(1+r, -1)})
			case r == 0 && inst.Options.AllowUnlisted:
				arcs = append(arcs, checkerArc{node, "w:" + w.Key, 1, unit(1, 1)})
			}
		}
		arcs = append(arcs, checkerArc{node, "t", 1, unit(0, 1)})
	}
	for _, w := range inst.Workshops {
		if w.Slot == slot {
			arcs = append(arcs, checkerArc{"w:" + w.Key, "t", int64(w.Capacity - pinned[w.Key]), make([]int64, levels)})
		}
	}
	_ = K
	return arcs, seats
}

func lexCmp(a, b []int64) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// dualBound evaluates D(π) = Σ u·min(0, c + π(u) − π(v)) − Σ π(seat) +
// |seats|·π(t): a lower bound on the cost of every feasible flow.
func dualBound(inst *Instance, d SlotDual) ([]int64, error) {
	arcs, seats := slotNetwork(inst, d.Slot, d.Threshold, d.Levels)
	pot := map[string][]int64{"t": d.Sink}
	for k, v := range d.Workshops {
		pot["w:"+k] = v
	}
	for g, ids := range d.Members {
		for _, id := range ids {
			pot["p:"+id] = d.Groups[g]
		}
	}
	get := func(n string) ([]int64, error) {
		v, ok := pot[n]
		if !ok || len(v) != d.Levels {
			return nil, fmt.Errorf("slot %s: no potential of length %d for %s", d.Slot, d.Levels, n)
		}
		return v, nil
	}
	out := make([]int64, d.Levels)
	red := make([]int64, d.Levels)
	for _, a := range arcs {
		pu, err := get(a.from)
		if err != nil {
			return nil, err
		}
		pv, err := get(a.to)
		if err != nil {
			return nil, err
		}
		for k := range red {
			red[k] = a.cost[k] + pu[k] - pv[k]
		}
		if lexCmp(red, make([]int64, d.Levels)) < 0 {
			for k := range out {
				out[k] += a.capa * red[k]
			}
		}
	}
	pt, err := get("t")
	if err != nil {
		return nil, err
	}
	for _, s := range seats {
		ps, err := get(s)
		if err != nil {
			return nil, err
		}
		for k := range out {
			out[k] += pt[k] - ps[k]
		}
	}
	return out, nil
}

// slotCost is the achieved cost vector of res in one slot over the flow
// seats (wanted and not pinned): [unfilled, unlisted, −n1, …].
func slotCost(inst *Instance, res *Result, slot string, levels int) []int64 {
	got := map[string]Assignment{}
	for _, a := range res.Assignments {
		if a.Slot == slot {
			got[a.Participant] = a
		}
	}
	c := make([]int64, levels)
	add := func(i int) {
		if i < levels {
			c[i]++
		}
	}
	for _, p := range inst.Participants {
		if _, ok := p.Pinned[slot]; ok || len(p.Preferences[slot]) == 0 {
			continue
		}
		a, ok := got[p.ID]
		switch {
		case !ok:
			add(0)
		case a.Rank == 0:
			add(1)
		default:
			if 1+a.Rank < levels {
				c[1+a.Rank]--
			}
		}
	}
	return c
}

// checkCertificate verifies res.Certificate without trusting the solver: it
// recomputes every dual bound from the instance, checks it against the
// achieved costs, and checks that Bound is what the duals prove.
func checkCertificate(inst *Instance, res *Result) error {
	if res.Certificate == nil {
		return fmt.Errorf("no certificate")
	}
	K := len(res.Certificate.Dims) - 2
	sum := make([]int64, K+2)
	levels12 := map[string][]int64{}
	fairR := 0
	seenSlot := map[string]bool{}
	for _, d := range res.Certificate.Duals {
		D, err := dualBound(inst, d)
		if err != nil {
			return err
		}
		if lexCmp(D, d.Value) != 0 {
			return fmt.Errorf("slot %s %s: dual value %v, claimed %v", d.Slot, d.Purpose, D, d.Value)
		}
		achieved := slotCost(inst, res, d.Slot, d.Levels)
		switch d.Purpose {
		case PurposeOptimum, PurposeRelaxation:
			if d.Purpose == PurposeOptimum && lexCmp(D, achieved) != 0 {
				return fmt.Errorf("slot %s: optimum claimed, dual %v ≠ cost %v", d.Slot, D, achieved)
			}
			if lexCmp(D, achieved) > 0 {
				return fmt.Errorf("slot %s: weak duality violated: %v > %v", d.Slot, D, achieved)
			}
			if seenSlot[d.Slot] {
				return fmt.Errorf("slot %s: two final duals", d.Slot)
			}
			seenSlot[d.Slot] = true
			for k := range sum {
				sum[k] += D[k]
			}
		case PurposeLevels12:
			levels12[d.Slot] = D
		case PurposeBelowThreshold:
			fairR = max(fairR, d.Threshold+1)
		}
	}
	for _, p := range inst.Participants { // pins fix their ranks
		for s, w := range p.Pinned {
			fairR = max(fairR, listRank(p.Preferences[s], w))
		}
	}
	if err := checkBound(inst, res, sum, fairR); err != nil {
		return err
	}
	return checkFairDuals(inst, res, levels12, fairR)
}

// checkFairDuals: every threshold claimed too low must be, and the final
// thresholded duals must still reach the unthresholded levels 1–2.
func checkFairDuals(inst *Instance, res *Result, levels12 map[string][]int64, fairR int) error {
	for _, d := range res.Certificate.Duals {
		switch d.Purpose {
		case PurposeBelowThreshold:
			if lexCmp(d.Value[:2], levels12[d.Slot][:2]) <= 0 {
				return fmt.Errorf("slot %s: threshold %d not proven too low", d.Slot, d.Threshold)
			}
		case PurposeOptimum, PurposeRelaxation:
			if !inst.Options.Fair {
				continue
			}
			if d.Threshold != fairR {
				return fmt.Errorf("slot %s: final threshold %d ≠ proven worst rank %d", d.Slot, d.Threshold, fairR)
			}
			if l, ok := levels12[d.Slot]; !ok || lexCmp(d.Value[:2], l[:2]) != 0 {
				return fmt.Errorf("slot %s: thresholded levels 1–2 %v differ from %v", d.Slot, d.Value[:2], l)
			}
		}
	}
	return nil
}

// checkBound compares Bound with the summed duals plus the pinned seats.
func checkBound(inst *Instance, res *Result, sum []int64, fairR int) error {
	wanted := 0
	for _, p := range inst.Participants {
		for _, s := range inst.Slots {
			if len(p.Preferences[s]) > 0 || p.Pinned[s] != "" {
				wanted++
			}
		}
		for s, w := range p.Pinned {
			r := listRank(p.Preferences[s], w)
			if r == 0 {
				sum[1]++
			} else {
				sum[1+r]--
				fairR = max(fairR, r)
			}
		}
	}
	b := res.Bound
	proven := []int64{sum[0], sum[1]}
	claimed := []int64{int64(wanted - b.SeatsFilledMax), int64(b.UnlistedMin)}
	if inst.Options.Fair {
		if b.WorstRankMin == nil {
			return fmt.Errorf("fair without worst rank bound")
		}
		proven = append(proven, int64(fairR))
		claimed = append(claimed, int64(*b.WorstRankMin))
	}
	for r, n := range b.RankCountsLexMax {
		proven = append(proven, sum[2+r])
		claimed = append(claimed, -int64(n))
	}
	c := lexCmp(proven, claimed)
	if c > 0 || c < 0 && res.Certificate.Schedules == nil {
		// Only the schedule search may claim more than the duals prove.
		return fmt.Errorf("bound %v, duals prove %v", claimed, proven)
	}
	return nil
}
