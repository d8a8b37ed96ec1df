package allocation

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// solution is an allocation in index form plus what is proven about it.
type solution struct {
	assign  [][]int32 // slot → participant → workshop, seatEmpty or seatAbsent (pins excluded)
	bound   []int64   // objective vector bound (see objective)
	optimal bool
	duals   []SlotDual
	method  string
	// schedules is set when the exact schedule search ran.
	schedules *ScheduleSearch
}

// Limits bound one solve.
type Limits struct {
	// Time is the budget of the exact search for repeated topics; past it
	// Solve returns the best allocation found with its proven bound and
	// Optimal false. Zero means no limit.
	Time time.Duration
}

// Solve validates the instance and computes the allocation. A cancelled
// ctx ends the search with ctx's error; the time limit ends it with the
// best allocation found.
func Solve(ctx context.Context, inst *Instance, lim Limits) (*Result, error) {
	start := time.Now()
	m, err := compile(inst)
	if err != nil {
		return nil, err
	}
	var deadline time.Time
	if lim.Time > 0 {
		deadline = start.Add(lim.Time)
	}
	sol, err := m.solve(ctx, deadline)
	if err != nil {
		return nil, err
	}
	res := m.result(sol)
	res.ElapsedMS = time.Since(start).Milliseconds()
	return res, nil
}

func (m *model) solve(ctx context.Context, deadline time.Time) (*solution, error) {
	relax, threshold, duals, err := m.solveRelaxation(nil)
	if err != nil {
		return nil, err
	}
	sol := &solution{assign: make([][]int32, len(relax)), duals: duals, method: "flow"}
	for s, r := range relax {
		sol.assign[s] = r.assign
	}
	sol.bound = m.objective(sol.assign)
	if m.decomposable() || !m.hasClash(sol.assign) {
		// The relaxation's optimum is feasible, hence optimal.
		sol.optimal = true
		if m.decomposable() {
			for i := range sol.duals {
				if sol.duals[i].Purpose == PurposeRelaxation {
					sol.duals[i].Purpose = PurposeOptimum
				}
			}
		}
		return sol, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sol.method = "flow+repair"
	best, err := m.repair(relax, threshold, deadline)
	if err != nil {
		return nil, err
	}
	sol.assign = best
	if slices.Equal(m.objective(best), sol.bound) {
		sol.optimal = true
		return sol, nil
	}
	out, err := m.searchSchedules(ctx, deadline, best)
	if err != nil {
		return nil, err
	}
	sol.method = "flow+repair+schedules"
	sol.schedules = out.stats
	if !m.feasible(out.assign) {
		// Never expected; the repair's plan is valid by construction.
		out.stats.Complete, out.stats.Aborted = false, "internal error: infeasible plan discarded"
		return sol, nil
	}
	if lexLess(m.objective(out.assign), m.objective(best)) || out.optimal {
		sol.assign = out.assign
	}
	// Both bounds are valid: the relaxation's per-slot flows and the
	// schedule search's levels.
	sol.bound = lexMax(sol.bound, out.bound)
	sol.optimal = slices.Equal(m.objective(sol.assign), sol.bound)
	return sol, nil
}

// searchSchedules runs the schedule search; an internal error in it (a
// bug, never bad input: compile has validated the instance) ends the
// search with the repair's plan and the relaxation's bound instead of
// failing the whole allocation.
func (m *model) searchSchedules(ctx context.Context, deadline time.Time, start [][]int32) (out *schedOutcome, err error) {
	defer func() {
		if r := recover(); r != nil {
			out = &schedOutcome{assign: start, bound: m.trivialBound(),
				stats: &ScheduleSearch{Aborted: fmt.Sprint("internal error: ", r)}}
			err = nil
		}
	}()
	return m.solveSchedules(ctx, deadline, start)
}

// feasible checks an allocation against the hard rules: capacities,
// topics, admissible seats.
func (m *model) feasible(assign [][]int32) bool {
	used := make([]int64, len(m.wsCap))
	for s := range assign {
		for p, w := range assign[s] {
			if w < 0 {
				continue
			}
			if !m.wants[p][s] || m.pins[p][s] >= 0 || m.wsSlot[w] != s {
				return false
			}
			if m.rankOf(p, s, w) == 0 && !m.inst.Options.AllowUnlisted {
				return false
			}
			used[w]++
		}
	}
	for w, n := range used {
		if n > m.wsCap[w] {
			return false
		}
	}
	return !m.hasClash(assign)
}

// lexMax is the lexicographically larger of two vectors.
func lexMax(a, b []int64) []int64 {
	if lexLess(a, b) {
		return b
	}
	return a
}

// solveRelaxation solves every slot independently (exact when topics do not
// span slots, a relaxation otherwise). With Fair it first finds, per slot,
// the smallest rank threshold that keeps levels 1–2 optimal, and solves
// all slots with the largest of them (and of the pins' ranks). It returns
// the slot results, the threshold used and the certificates.
func (m *model) solveRelaxation(forbid map[int][]int32) ([]*slotResult, int, []SlotDual, error) {
	S := len(m.inst.Slots)
	threshold := noThreshold
	var duals []SlotDual
	if m.inst.Options.Fair {
		threshold = m.pinWorstRank()
		for s := 0; s < S; s++ {
			r, ds, err := m.fairThreshold(s, forbid)
			if err != nil {
				return nil, 0, nil, err
			}
			threshold = max(threshold, r)
			duals = append(duals, ds...)
		}
	}
	res := make([]*slotResult, S)
	for s := 0; s < S; s++ {
		r, err := m.solveSlot(slotSpec{slot: s, threshold: threshold, full: true, forbid: forbid})
		if err != nil {
			return nil, 0, nil, err
		}
		r.dual.Purpose = PurposeRelaxation
		res[s] = r
		duals = append(duals, r.dual)
	}
	return res, threshold, duals, nil
}

// fairThreshold binary-searches the smallest rank threshold r of slot s
// whose [unfilled, unlisted] optimum equals the unthresholded one (the cost
// is monotone in r). It returns the certificates of both facts.
func (m *model) fairThreshold(s int, forbid map[int][]int32) (int, []SlotDual, error) {
	solve := func(t int) (*slotResult, error) {
		return m.solveSlot(slotSpec{slot: s, threshold: t, full: false, forbid: forbid, noCert: forbid != nil})
	}
	base, err := solve(noThreshold)
	if err != nil {
		return 0, nil, err
	}
	base.dual.Purpose = PurposeLevels12
	duals := []SlotDual{base.dual}
	lo, hi := 0, m.maxRank
	var below *slotResult
	for lo < hi {
		mid := (lo + hi) / 2
		r, err := solve(mid)
		if err != nil {
			return 0, nil, err
		}
		if slices.Equal(r.cost, base.cost) {
			hi = mid
		} else {
			lo = mid + 1
			below = r
		}
	}
	if lo > 0 {
		if below == nil || below.dual.Threshold != lo-1 {
			if below, err = solve(lo - 1); err != nil {
				return 0, nil, err
			}
		}
		below.dual.Purpose = PurposeBelowThreshold
		duals = append(duals, below.dual)
	}
	return lo, duals, nil
}

// pinWorstRank is the worst listed rank among pins.
func (m *model) pinWorstRank() int {
	worst := 0
	for p := range m.pins {
		for s, w := range m.pins[p] {
			if w >= 0 {
				worst = max(worst, m.rankOf(p, s, w))
			}
		}
	}
	return worst
}

// workshopOf is p's workshop in slot s including pins, or a negative seat
// state.
func (m *model) workshopOf(assign [][]int32, p, s int) int32 {
	if w := m.pins[p][s]; w >= 0 {
		return w
	}
	return assign[s][p]
}

// objective is the comparable objective vector of an allocation:
// [unfilled, unlisted, worst rank (Fair only), −n1, …, −nK]; smaller is
// better lexicographically.
func (m *model) objective(assign [][]int32) []int64 {
	fair := 0
	if m.inst.Options.Fair {
		fair = 1
	}
	v := make([]int64, 2+fair+m.maxRank)
	worst := 0
	for p := range m.prefs {
		for s := range m.inst.Slots {
			if !m.wants[p][s] {
				continue
			}
			w := m.workshopOf(assign, p, s)
			if w < 0 {
				v[0]++
				continue
			}
			r := m.rankOf(p, s, w)
			if r == 0 {
				v[1]++
				continue
			}
			worst = max(worst, r)
			v[1+fair+r]--
		}
	}
	if fair == 1 {
		v[2] = int64(worst)
	}
	return v
}

// hasClash reports whether some participant holds one topic twice.
func (m *model) hasClash(assign [][]int32) bool {
	seen := make([]int32, m.numTopics)
	for i := range seen {
		seen[i] = -1
	}
	for p := range m.prefs {
		for s := range m.inst.Slots {
			w := m.workshopOf(assign, p, s)
			if w < 0 {
				continue
			}
			t := m.wsTopic[w]
			if seen[t] == int32(p) {
				return true
			}
			seen[t] = int32(p)
		}
	}
	return false
}

// result converts a solution into the output contract.
func (m *model) result(sol *solution) *Result {
	inst := m.inst
	res := &Result{
		// Empty lists, not null, in the JSON.
		Assignments: []Assignment{},
		Unassigned:  []Seat{},
		Profile:     map[string]int{"unlisted": 0, "none": 0},
		Optimal:     sol.optimal,
		Seed:        inst.Options.Seed,
		Method:      sol.method,
		Workshops:   make(map[string]WorkshopFill, len(inst.Workshops)),
		Objective:   Objective{RankCounts: make([]int, m.maxRank)},
		Lottery: Lottery{
			Method: "splitmix64-fisher-yates over ids sorted; group priority = best ticket; members by ticket",
			Seed:   inst.Options.Seed,
			Order:  make([]string, len(m.order)),
		},
		Certificate: &Certificate{Dims: m.dimNames(), Duals: sol.duals, Schedules: sol.schedules},
	}
	for t, p := range m.order {
		res.Lottery.Order[t] = inst.Participants[p].ID
	}
	filled := make([]int, len(inst.Workshops))
	for p := range m.prefs {
		for s, sk := range inst.Slots {
			if !m.wants[p][s] {
				continue
			}
			res.Objective.SeatsWanted++
			id := inst.Participants[p].ID
			w := m.workshopOf(sol.assign, p, s)
			if w < 0 {
				res.Unassigned = append(res.Unassigned, Seat{Participant: id, Slot: sk})
				continue
			}
			r := m.rankOf(p, s, w)
			filled[w]++
			res.Objective.SeatsFilled++
			res.Assignments = append(res.Assignments, Assignment{Participant: id, Slot: sk, Workshop: inst.Workshops[w].Key, Rank: r})
			if r == 0 {
				res.Objective.Unlisted++
				continue
			}
			res.Objective.RankCounts[r-1]++
			res.Objective.WorstRank = max(res.Objective.WorstRank, r)
		}
	}
	res.Profile["none"] = len(res.Unassigned)
	res.Profile["unlisted"] = res.Objective.Unlisted
	for r, n := range res.Objective.RankCounts {
		res.Profile[strconv.Itoa(r+1)] = n
	}
	m.fillWorkshops(res, filled)
	res.Bound = m.boundOf(sol.bound)
	return res
}

func (m *model) fillWorkshops(res *Result, filled []int) {
	for w, ws := range m.inst.Workshops {
		below := ws.Min > 0 && filled[w] < ws.Min
		res.Workshops[ws.Key] = WorkshopFill{Filled: filled[w], Capacity: ws.Capacity, Min: ws.Min, BelowMin: below}
		if below {
			res.Warnings = append(res.Warnings, fmt.Sprintf("workshop %q has %d participants, below its minimum of %d", ws.Key, filled[w], ws.Min))
		}
	}
}

// boundOf turns an objective vector bound into the output form.
func (m *model) boundOf(v []int64) Bound {
	wanted := 0
	for p := range m.wants {
		for _, w := range m.wants[p] {
			if w {
				wanted++
			}
		}
	}
	b := Bound{SeatsFilledMax: wanted - int(v[0]), UnlistedMin: int(v[1]), RankCountsLexMax: make([]int, m.maxRank)}
	off := 2
	if m.inst.Options.Fair {
		wr := int(v[2])
		b.WorstRankMin = &wr
		off = 3
	}
	for r := range b.RankCountsLexMax {
		b.RankCountsLexMax[r] = int(-v[off+r])
	}
	return b
}

func (m *model) dimNames() []string {
	names := []string{"unfilled", "unlisted"}
	for r := 1; r <= m.maxRank; r++ {
		names = append(names, "-rank"+strconv.Itoa(r))
	}
	return names
}
