package allocation

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"
)

// The exact path for topics repeated across slots: the integer program over
// (type, schedule) counts (sched.go), solved level by level. Each level of
// the objective is a branch-and-bound on the master LP (lp.go); its proven
// optimum is added as a constraint before the next level. Fairness is
// decided by tests: with ranks above r excluded, can the number of rank-r
// seats be 0 (then exclude r too) or not (then r is the smallest worst
// rank)? Bounds come from Lagrangian values of the LP duals, rounded up to
// integers, so a level is proven when no open node can beat the incumbent.

// ScheduleSearch summarises the exact search of the schedule model in the
// certificate.
type ScheduleSearch struct {
	// Types is the number of participant types (same wishes and pins),
	// Columns the number of schedules the LP generated.
	Types   int `json:"types"`
	Columns int `json:"columns"`
	// Levels lists every level solved, in order.
	Levels     []LevelSearch `json:"levels"`
	Iterations int           `json:"lp_iterations"`
	// Complete says every level was proven optimal.
	Complete bool `json:"complete"`
	// Aborted says why the search's plan was not used, if it was not.
	Aborted string `json:"aborted,omitempty"`
}

// LevelSearch is one level of the lexicographic search: Value is the best
// found (counts of free seats; rank levels count negatively), Bound what
// is proven (equal when Proven).
type LevelSearch struct {
	Level  string `json:"level"`
	Value  int64  `json:"value"`
	Bound  int64  `json:"bound"`
	Nodes  int    `json:"nodes"`
	Proven bool   `json:"proven"`
}

// schedSolver carries one exact search.
type schedSolver struct {
	m   *model
	sm  *schedModel
	ms  *master
	inc []colCount // incumbent, integer counts
	out ScheduleSearch
	// bound is the proven bound vector (objective form), trivial where
	// nothing is proven yet.
	bound []int64
	// scratch of the rounding heuristic
	cnt  []int32
	left []int
	res  []int64
}

type colCount struct {
	col int32
	n   int32
}

// schedOutcome is the result of the exact search.
type schedOutcome struct {
	assign  [][]int32
	bound   []int64
	optimal bool
	stats   *ScheduleSearch
}

// solveSchedules searches the lexicographic optimum from the incumbent
// start until proven or the deadline; it returns the best allocation and
// the bound vector it proves.
func (m *model) solveSchedules(ctx context.Context, deadline time.Time, start [][]int32) (*schedOutcome, error) {
	sm := m.buildSchedModel()
	ss := &schedSolver{m: m, sm: sm, bound: m.trivialBound()}
	ss.inc = ss.countsOf(start)
	ss.ms = newMaster(ctx, sm, deadline, ss.inc)
	proven := ss.levels12() && (!m.inst.Options.Fair || ss.fairLevels()) && ss.rankLevels()
	ss.out.Types, ss.out.Columns, ss.out.Iterations, ss.out.Complete = len(sm.types), len(sm.cols), ss.ms.iters, proven
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	assign := ss.assign()
	if proven {
		ss.bound = m.objective(assign)
	}
	return &schedOutcome{assign: assign, bound: ss.bound, optimal: proven, stats: &ss.out}, nil
}

// levels12 fills as many seats as possible, then places as few people
// outside their lists as possible.
func (ss *schedSolver) levels12() bool {
	if !ss.run(ipLevel{classNone, 1}) {
		return false
	}
	if !ss.m.inst.Options.AllowUnlisted {
		ss.bound[1] = ss.m.objective(ss.assign())[1] // unlisted pins only
		return true
	}
	return ss.run(ipLevel{classUnlisted, 1})
}

// rankLevels maximises the first choices, then the second, …
func (ss *schedSolver) rankLevels() bool {
	for r := 1; r <= ss.m.maxRank; r++ {
		lv := ipLevel{classRank(r), -1}
		if t := ss.sm.threshold; t != noThreshold && r > t {
			ss.bound[ss.m.objIndex(lv)] = 0 // excluded by fairness
			continue
		}
		if !ss.run(lv) {
			return false
		}
	}
	return true
}

// run solves one level, records its bound and fixes its optimum as a row.
func (ss *schedSolver) run(lv ipLevel) bool {
	ok, lb := ss.solveLevel(lv, levelName(lv))
	ss.fixBound(lv, lb)
	if ok {
		ss.ms.addLevel(lv, ss.value(lv))
	}
	return ok
}

// fixBound records a level's proven bound lb (in level units) in the
// bound vector.
func (ss *schedSolver) fixBound(lv ipLevel, lb int64) {
	if lb == math.MinInt64 {
		return // stopped before the level's first bound: keep the trivial one
	}
	v := ss.m.objective(ss.assign())
	i := ss.m.objIndex(lv)
	ss.bound[i] = max(ss.bound[i], v[i]-(ss.value(lv)-lb))
}

// objIndex is the position of a level in the objective vector.
func (m *model) objIndex(lv ipLevel) int {
	switch lv.dim {
	case classNone:
		return 0
	case classUnlisted:
		return 1
	}
	if m.inst.Options.Fair {
		return 3 + lv.dim - 2
	}
	return 2 + lv.dim - 2
}

func levelName(lv ipLevel) string {
	switch {
	case lv.dim == classNone:
		return "unfilled"
	case lv.dim == classUnlisted:
		return "unlisted"
	case lv.sign > 0:
		return "fair:avoid-rank" + strconv.Itoa(lv.dim-1)
	}
	return "-rank" + strconv.Itoa(lv.dim-1)
}

// trivialBound is the weakest bound vector: nothing unfilled or unlisted,
// worst rank of the pins, every wanted seat a first choice.
func (m *model) trivialBound() []int64 {
	fair := 0
	if m.inst.Options.Fair {
		fair = 1
	}
	b := make([]int64, 2+fair+m.maxRank)
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
		b[2] = int64(m.pinWorstRank())
		off = 3
	}
	for i := off; i < len(b); i++ {
		b[i] = -wanted
	}
	return b
}

// fairLevels finds the smallest worst rank: from the incumbent's worst
// free rank down, a rank r is excluded when the rank-r seats can all be
// avoided. It returns whether every test was proven.
func (ss *schedSolver) fairLevels() bool {
	bound := ss.bound
	m := ss.m
	worst := 0
	for _, cc := range ss.inc {
		c := &ss.sm.cols[cc.col]
		for d := classRank(1); d < ss.sm.dims; d++ {
			if c.cnt[d] > 0 {
				worst = max(worst, d-1)
			}
		}
	}
	pinW := m.pinWorstRank()
	// Ranks up to the pins' worst cost nothing at this level.
	ss.ms.setThreshold(max(worst, pinW))
	bound[2] = int64(pinW)
	for r := worst; r >= 1 && r > pinW; r-- {
		lv := ipLevel{classRank(r), 1}
		ok, lb := ss.solveLevel(lv, levelName(lv))
		if !ok {
			return false
		}
		if lb > 0 {
			bound[2] = int64(r)
			return true
		}
		ss.ms.setThreshold(r - 1)
	}
	return true
}

// value is the incumbent's value in level lv (free seats only).
func (ss *schedSolver) value(lv ipLevel) int64 {
	v := int64(0)
	for _, cc := range ss.inc {
		v += int64(cc.n) * int64(lv.sign) * int64(ss.sm.cols[cc.col].cnt[lv.dim])
	}
	return v
}

// countsOf turns an allocation into column counts.
func (ss *schedSolver) countsOf(assign [][]int32) []colCount {
	sm := ss.sm
	by := map[int32]int32{}
	var order []int32
	var ch []int16
	for _, p := range ss.m.order { // ticket order: independent of the input order
		t := sm.typeOf[p]
		if t < 0 {
			continue
		}
		var ok bool
		ch, ok = sm.choiceOf(assign, int(p), ch)
		if !ok {
			ch = ch[:0]
			for range sm.types[t].slots {
				ch = append(ch, -1)
			}
		}
		j := sm.column(t, ch)
		if _, seen := by[j]; !seen {
			order = append(order, j)
		}
		by[j]++
	}
	out := make([]colCount, 0, len(order))
	for _, j := range order {
		out = append(out, colCount{j, by[j]})
	}
	return out
}

// assign turns the incumbent into an allocation: inside a type, members
// take the schedules in ticket order, best schedule first.
func (ss *schedSolver) assign() [][]int32 {
	m, sm := ss.m, ss.sm
	a := make([][]int32, len(m.inst.Slots))
	for s := range a {
		a[s] = make([]int32, len(m.prefs))
		for p := range a[s] {
			a[s][p] = seatAbsent
		}
	}
	byType := make([][]colCount, len(sm.types))
	for _, cc := range ss.inc {
		if cc.n > 0 {
			t := sm.cols[cc.col].t
			byType[t] = append(byType[t], cc)
		}
	}
	K := int64(m.maxRank)
	badness := func(c *column) int64 {
		b := int64(c.cnt[classNone])*(K+2) + int64(c.cnt[classUnlisted])*(K+1)
		for d := classRank(1); d < sm.dims; d++ {
			b += int64(c.cnt[d]) * int64(d-1)
		}
		return b
	}
	for t, ccs := range byType {
		slices.SortStableFunc(ccs, func(x, y colCount) int {
			bx, by := badness(&sm.cols[x.col]), badness(&sm.cols[y.col])
			if bx != by {
				return int(bx - by)
			}
			return slices.Compare(sm.cols[x.col].ch, sm.cols[y.col].ch)
		})
		ty := &sm.types[t]
		next := 0
		for _, cc := range ccs {
			c := &sm.cols[cc.col]
			for k := int32(0); k < cc.n; k++ {
				p := ty.members[next]
				next++
				for i, s := range ty.slots {
					if o := c.ch[i]; o >= 0 {
						a[s][p] = ty.opts[i][o].w
					} else {
						a[s][p] = seatEmpty
					}
				}
			}
		}
	}
	return a
}

// bbNode is an open node: its branching bounds and its parent's bound.
type bbNode struct {
	path  []bnd
	bound float64
}

// solveLevel runs the branch-and-bound of one level from the incumbent.
// It returns whether the incumbent is proven optimal in this level and
// the proven lower bound (in level units).
func (ss *schedSolver) solveLevel(lv ipLevel, name string) (bool, int64) {
	ms := ss.ms
	ms.cur = lv
	stat := LevelSearch{Level: name}
	defer func() {
		stat.Value = ss.value(lv)
		ss.out.Levels = append(ss.out.Levels, stat)
	}()
	stack := []bbNode{{bound: math.Inf(-1)}}
	lower := int64(math.MaxInt64) // best bound of nodes given up
	for len(stack) > 0 {
		if ms.checkStop() != nil {
			break
		}
		nd := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if ceilBound(nd.bound) >= ss.value(lv) {
			continue
		}
		stat.Nodes++
		ms.setBounds(nd.path)
		switch ms.solve() {
		case lpInfeasible:
			continue
		case lpStopped:
			stack = append(stack, nd)
		case lpFailed:
			lower = min(lower, ceilBound(nd.bound))
			continue
		}
		if ms.stopErr != nil {
			break
		}
		L := ms.lagrangeBound()
		lb := ceilBound(L)
		if lb >= ss.value(lv) {
			continue
		}
		ss.tryRound(lv)
		if lb >= ss.value(lv) {
			continue
		}
		frac := ms.fractional()
		if len(frac) == 0 {
			// An integral LP optimum above the bound's rounding: the
			// rounding heuristic took it; the bound is what remains.
			lower = min(lower, lb)
			continue
		}
		stack = append(stack, ss.branch(nd, frac, L)...)
	}
	val := ss.value(lv)
	lb := min(val, lower)
	for _, nd := range stack {
		lb = min(lb, ceilBound(nd.bound))
	}
	stat.Bound = lb
	stat.Proven = lb >= val
	return stat.Proven, lb
}

func ceilBound(v float64) int64 {
	if math.IsInf(v, -1) {
		return math.MinInt64
	}
	if math.IsInf(v, 1) {
		return math.MaxInt64
	}
	return int64(math.Ceil(v - 1e-6))
}

// branch splits on the most fractional column; the child nearer the LP
// value is explored first (pushed last).
func (ss *schedSolver) branch(nd bbNode, frac []int32, L float64) []bbNode {
	cols := ss.sm.cols
	best, bestF := frac[0], 0.0
	for _, j := range frac {
		x := cols[j].x
		f := math.Min(x-math.Floor(x), math.Ceil(x)-x)
		if f > bestF {
			best, bestF = j, f
		}
	}
	c := &cols[best]
	fl := math.Floor(c.x)
	down := bbNode{path: append(slices.Clip(nd.path), bnd{best, c.lo, fl}), bound: L}
	up := bbNode{path: append(slices.Clip(nd.path), bnd{best, fl + 1, c.up}), bound: L}
	if c.x-fl >= 0.5 {
		return []bbNode{down, up}
	}
	return []bbNode{up, down}
}

// tryRound builds an integer solution from the LP: every column's value
// rounded down, then the remaining members of each type placed on the
// fractional columns where capacity allows, then on the best schedule that
// still fits. It becomes the incumbent when it keeps every fixed level and
// improves the current one.
func (ss *schedSolver) tryRound(lv ipLevel) {
	sm, ms := ss.sm, ss.ms
	cols := sm.cols
	if cap(ss.cnt) < len(cols) {
		ss.cnt = make([]int32, len(cols)+len(cols)/2)
	}
	ss.cnt = ss.cnt[:len(cols)]
	clear(ss.cnt)
	ss.left = ss.left[:0]
	for t := range sm.types {
		ss.left = append(ss.left, sm.types[t].n)
	}
	ss.res = append(ss.res[:0], ss.m.wsCap...)
	var used []int32
	type fr struct {
		j int32
		f float64
	}
	var fracs []fr
	take := func(j int32) {
		for int(j) >= len(ss.cnt) { // fillLeft may create columns
			ss.cnt = append(ss.cnt, 0)
		}
		c := &sm.cols[j]
		if ss.cnt[j] == 0 {
			used = append(used, j)
		}
		ss.cnt[j]++
		ss.left[c.t]--
		for _, w := range c.ws {
			ss.res[w]--
		}
	}
	visit := func(j int32) {
		c := &cols[j]
		if c.x <= 1e-6 {
			return
		}
		fl := math.Floor(c.x + 1e-6)
		for k := 0; k < int(fl); k++ {
			take(j)
		}
		if f := c.x - fl; f > 1e-6 {
			fracs = append(fracs, fr{j, f})
		}
	}
	for _, k := range ms.key {
		visit(k)
	}
	for _, v := range ms.bpos {
		if v >= 0 {
			visit(v)
		}
	}
	for _, j := range ms.bounded {
		if cols[j].st == stLower || cols[j].st == stUpper {
			visit(j)
		}
	}
	slices.SortStableFunc(fracs, func(a, b fr) int {
		switch {
		case a.f > b.f:
			return -1
		case a.f < b.f:
			return 1
		}
		return 0
	})
	for _, f := range fracs {
		if ss.left[cols[f.j].t] > 0 && ss.fits(f.j) && cols[f.j].rootUp > 0 {
			take(f.j)
		}
	}
	ss.fillLeft(take)
	cols = sm.cols
	for _, r := range ss.res {
		if r < 0 {
			return
		}
	}
	for _, l := range ss.left {
		if l != 0 {
			return
		}
	}
	// Check the fixed levels and compare.
	for l, fixed := range ms.levels {
		s := 0.0
		for _, j := range used {
			s += float64(ss.cnt[j]) * fixed.sign * float64(cols[j].cnt[fixed.dim])
		}
		if s > ms.rhs[ms.W+l]+1e-9 {
			return
		}
	}
	val := int64(0)
	for _, j := range used {
		val += int64(ss.cnt[j]) * int64(lv.sign) * int64(cols[j].cnt[lv.dim])
	}
	if val >= ss.value(lv) {
		return
	}
	ss.inc = ss.inc[:0]
	for _, j := range used {
		ss.inc = append(ss.inc, colCount{j, ss.cnt[j]})
	}
}

func (ss *schedSolver) fits(j int32) bool {
	for _, w := range ss.sm.cols[j].ws {
		if ss.res[w] <= 0 {
			return false
		}
	}
	return true
}

// fillLeft places the remaining members on the best schedule that fits:
// fewest empty seats, then fewest unlisted, then best ranks.
func (ss *schedSolver) fillLeft(take func(int32)) {
	sm := ss.sm
	K := float64(sm.m.maxRank)
	weight := func(class int32) float64 {
		switch class {
		case classNone:
			return 1e6
		case classUnlisted:
			return 1e3
		}
		return float64(class-1) / (K + 1)
	}
	optValue := func(o *schedOpt) float64 {
		if ss.res[o.w] <= 0 {
			return math.Inf(1)
		}
		return weight(o.class)
	}
	for t := range sm.types {
		for ss.left[t] > 0 {
			ch, _, ok := ss.ms.se.bestSchedule(int32(t), optValue, weight(classNone), math.Inf(1), nil)
			if !ok {
				return
			}
			take(sm.column(int32(t), ch))
		}
	}
}
