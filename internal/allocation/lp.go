package allocation

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"
)

// The master LP of the schedule model:
//
//	min  c·x
//	s.t. Σ_j a_j x_j ≤ b          (one row per workshop, one per fixed level)
//	     Σ_{j of type t} x_j = n_t (one per type)
//	     lo ≤ x ≤ up
//
// solved by a bounded primal simplex with generalized upper bounding: each
// type keeps one basic "key" column whose value follows from its type row,
// so the explicit (working) basis has only as many rows as there are
// workshops and level rows — a few dozen — however many types there are.
// Columns are generated: pricing searches every type's cheapest schedule
// under the current duals (searcher), so the LP is exact over all
// schedules without enumerating them. Phase 1 minimises the sum of bound
// violations of the basic variables (after a branching bound change the
// previous basis is reused).
//
// Floating point only steers the search: every bound the branch-and-bound
// uses is recomputed as a Lagrangian value (lagrangeBound), which is a
// valid bound for any non-positive row duals, and every integer solution
// is checked exactly.

// Column states.
const (
	stLower uint8 = iota // nonbasic at its lower bound
	stUpper              // nonbasic at its upper bound
	stBasic              // basic, in the working basis
	stKey                // basic, the key column of its type
)

const (
	feasTol = 1e-7
	optTol  = 1e-7
	pivTol  = 1e-9
	// refactorEvery bounds the product-form updates of the working basis
	// inverse between two fresh inversions.
	refactorEvery = 64
	stallLimit    = 2000
	// maxCand is the number of entering candidates a pricing pass keeps.
	maxCand = 64
)

type lpStatus int

const (
	lpOptimal lpStatus = iota
	lpInfeasible
	lpStopped // time limit or cancelled
	lpFailed  // numerical trouble; the node is given up
)

var errDeadline = errors.New("time limit reached")

// ipLevel is one objective level: minimise sign × (count of class dim).
type ipLevel struct {
	dim  int
	sign float64
}

// master is the LP state, kept across levels and branch-and-bound nodes.
type master struct {
	sm     *schedModel
	W      int // workshop rows come first
	R      int
	rhs    []float64
	levels []ipLevel // fixed levels, rows W…R−1
	cur    ipLevel   // the level being optimised

	sx   []float64 // slack values and states, per row
	sst  []uint8
	spos []int32

	key    []int32 // per type
	bpos   []int32 // working basis: column id, or −1−row for a slack
	binv   []float64
	fact   []float64 // scratch of refactor
	upd    int
	phase1 bool
	// recheck asks solve to scan the bounds (values were recomputed).
	recheck bool

	bounded []int32 // columns with lo > 0 or up < +Inf
	byType  map[int32][]int32

	pi      []float64
	cand    []int32
	candD   []float64
	candDir []float64
	pend    []pending
	scan    int // next type of the partial pricing
	// degenerate counts the pivots in a row that did not move; past
	// stallLimit the entering variable is drawn at random.
	degenerate int
	rng        splitMix64
	se         searcher
	colv       []float64 // scratch: a working column
	alpha      []float64
	tdel       []float64 // scratch per type
	ttch       []int32

	ctx      context.Context
	deadline time.Time
	iters    int
	stopErr  error
}

// newMaster starts the LP with every type's key on its most frequent
// schedule of the start solution (all-empty for types it lacks).
func newMaster(ctx context.Context, sm *schedModel, deadline time.Time, start []colCount) *master {
	m := sm.m
	ms := &master{sm: sm, W: len(m.wsCap), ctx: ctx, deadline: deadline, byType: map[int32][]int32{}}
	ms.R = ms.W
	for _, c := range m.wsCap {
		ms.rhs = append(ms.rhs, float64(c))
	}
	ms.sx = make([]float64, ms.R)
	ms.sst = make([]uint8, ms.R)
	ms.spos = make([]int32, ms.R)
	ms.se.sm = sm
	ms.tdel = make([]float64, len(sm.types))
	ms.key = make([]int32, len(sm.types))
	best := make([]int32, len(sm.types))
	for t := range ms.key {
		ms.key[t] = -1
	}
	for _, cc := range start {
		if t := sm.cols[cc.col].t; cc.n > best[t] {
			ms.key[t], best[t] = cc.col, cc.n
		}
	}
	for t := range sm.types {
		if ms.key[t] < 0 {
			ch := make([]int16, len(sm.types[t].slots))
			for i := range ch {
				ch[i] = -1
			}
			ms.key[t] = sm.column(int32(t), ch)
		}
		sm.cols[ms.key[t]].st = stKey
	}
	for i := 0; i < ms.R; i++ {
		ms.bpos = append(ms.bpos, -1-int32(i))
		ms.sst[i], ms.spos[i] = stBasic, int32(i)
	}
	ms.refactor()
	ms.recomputeX()
	return ms
}

// addLevel fixes a solved level as the row sign·count ≤ opt.
func (ms *master) addLevel(lv ipLevel, opt int64) {
	ms.levels = append(ms.levels, lv)
	ms.rhs = append(ms.rhs, float64(opt))
	i := int32(ms.R)
	ms.R++
	ms.sx = append(ms.sx, 0)
	ms.sst = append(ms.sst, stBasic)
	ms.spos = append(ms.spos, int32(len(ms.bpos)))
	ms.bpos = append(ms.bpos, -1-i)
	ms.refactor()
	ms.recomputeX()
}

// setThreshold excludes the columns above the fairness threshold.
func (ms *master) setThreshold(r int) {
	sm := ms.sm
	sm.threshold = r
	for j := range sm.cols {
		c := &sm.cols[j]
		if c.rootUp == 0 {
			continue
		}
		for d := classRank(r + 1); d < sm.dims; d++ {
			if c.cnt[d] > 0 {
				c.rootUp, c.up = 0, 0
				break
			}
		}
	}
}

// bnd is a branching bound on one column.
type bnd struct {
	col    int32
	lo, up float64
}

// setBounds installs the bounds of a node (on top of the root bounds) and
// moves nonbasic columns to their new bounds. Columns the fairness
// threshold excludes keep up = 0 outside the bounded list: they can never
// enter, and pricing never generates them.
func (ms *master) setBounds(path []bnd) {
	cols := ms.sm.cols
	old := ms.bounded
	for _, j := range old {
		cols[j].lo, cols[j].up = 0, cols[j].rootUp
	}
	ms.bounded = nil
	clear(ms.byType)
	add := func(j int32) {
		t := cols[j].t
		if !slices.Contains(ms.byType[t], j) {
			ms.bounded = append(ms.bounded, j)
			ms.byType[t] = append(ms.byType[t], j)
		}
	}
	for _, b := range path {
		c := &cols[b.col]
		c.lo, c.up = max(c.lo, b.lo), min(c.up, b.up)
		add(b.col)
	}
	for _, list := range [][]int32{old, ms.bounded} {
		for _, j := range list {
			c := &cols[j]
			switch {
			case c.st == stLower:
				c.x = c.lo
			case c.st == stUpper && math.IsInf(c.up, 1):
				c.st, c.x = stLower, c.lo
			case c.st == stUpper:
				c.x = c.up
			}
		}
	}
	ms.recomputeX()
}

// isBounded reports whether column j has bounds other than [0, ∞).
func (ms *master) isBounded(j int32) bool {
	c := &ms.sm.cols[j]
	return c.lo > 0 || !math.IsInf(c.up, 1)
}

// addA adds s·a_c to out (the column's coupling coefficients).
func (ms *master) addA(out []float64, c *column, s float64) {
	for _, w := range c.ws {
		out[w] += s
	}
	for l, lv := range ms.levels {
		out[ms.W+l] += s * lv.sign * float64(c.cnt[lv.dim])
	}
}

func (ms *master) piA(pi []float64, c *column) float64 {
	s := 0.0
	for _, w := range c.ws {
		s += pi[w]
	}
	for l, lv := range ms.levels {
		s += pi[ms.W+l] * lv.sign * float64(c.cnt[lv.dim])
	}
	return s
}

// workCol writes the working-basis column of variable v.
func (ms *master) workCol(v int32, out []float64) {
	clear(out)
	if v < 0 {
		out[-v-1] = 1
		return
	}
	c := &ms.sm.cols[v]
	ms.addA(out, c, 1)
	ms.addA(out, &ms.sm.cols[ms.key[c.t]], -1)
}

func (ms *master) value(v int32) float64 {
	if v < 0 {
		return ms.sx[-v-1]
	}
	return ms.sm.cols[v].x
}

func (ms *master) bounds(v int32) (float64, float64) {
	if v < 0 {
		return 0, math.Inf(1)
	}
	c := &ms.sm.cols[v]
	return c.lo, c.up
}

// cost is the variable's cost in the current phase: the level objective,
// or in phase 1 the sign of its bound violation.
func (ms *master) cost(v int32) float64 {
	if ms.phase1 {
		x := ms.value(v)
		lo, up := ms.bounds(v)
		switch {
		case x < lo-feasTol:
			return -1
		case x > up+feasTol:
			return 1
		}
		return 0
	}
	if v < 0 {
		return 0
	}
	return ms.cur.sign * float64(ms.sm.cols[v].cnt[ms.cur.dim])
}

// refactor inverts the working basis afresh; a dependent column is
// replaced by a slack (its variable goes to a bound, and refactor reports
// that the values must be recomputed).
func (ms *master) refactor() bool {
	R := ms.R
	for attempt := 0; attempt <= R; attempt++ {
		ms.fact = grow(ms.fact, R*R)
		a := ms.fact
		ms.colv = grow(ms.colv, R)
		for p, v := range ms.bpos {
			ms.workCol(v, ms.colv)
			for i := 0; i < R; i++ {
				a[i*R+p] = ms.colv[i]
			}
		}
		ms.binv = grow(ms.binv, R*R)
		bad, freeRow := invert(a, R, ms.binv)
		if bad < 0 {
			ms.upd = 0
			return attempt > 0
		}
		ms.replaceBySlack(bad, freeRow)
	}
	panic("allocation: basis repair failed")
}

// replaceBySlack swaps the dependent basis column at position p for the
// slack of row r.
func (ms *master) replaceBySlack(p, r int) {
	v := ms.bpos[p]
	if v < 0 {
		ms.sst[-v-1] = stLower
		ms.sx[-v-1] = 0
	} else {
		c := &ms.sm.cols[v]
		c.st, c.x, c.pos = stLower, c.lo, -1
	}
	ms.bpos[p] = -1 - int32(r)
	ms.sst[r], ms.spos[r] = stBasic, int32(p)
}

// invert writes the inverse of the n×n matrix a (row-major, destroyed)
// into inv, or returns the position of a dependent column and a row no
// pivot used.
func invert(a []float64, n int, inv []float64) (int, int) {
	clear(inv)
	for i := 0; i < n; i++ {
		inv[i*n+i] = 1
	}
	rows := make([]int, n) // current row i holds original row rows[i]
	for i := range rows {
		rows[i] = i
	}
	for c := 0; c < n; c++ {
		piv, best := -1, 1e-9
		for r := c; r < n; r++ {
			if v := math.Abs(a[r*n+c]); v > best {
				piv, best = r, v
			}
		}
		if piv < 0 {
			return c, rows[c]
		}
		if piv != c {
			swapRows(a, n, piv, c)
			swapRows(inv, n, piv, c)
			rows[piv], rows[c] = rows[c], rows[piv]
		}
		f := 1 / a[c*n+c]
		for k := 0; k < n; k++ {
			a[c*n+k] *= f
			inv[c*n+k] *= f
		}
		for r := 0; r < n; r++ {
			if r == c {
				continue
			}
			g := a[r*n+c]
			if g == 0 {
				continue
			}
			for k := 0; k < n; k++ {
				a[r*n+k] -= g * a[c*n+k]
				inv[r*n+k] -= g * inv[c*n+k]
			}
		}
	}
	return -1, -1
}

func swapRows(a []float64, n, i, j int) {
	for k := 0; k < n; k++ {
		a[i*n+k], a[j*n+k] = a[j*n+k], a[i*n+k]
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// recomputeX derives the basic values from the nonbasic ones.
func (ms *master) recomputeX() {
	ms.recheck = true
	R := ms.R
	sm := ms.sm
	cols := sm.cols
	rhs := slices.Clone(ms.rhs)
	for t, k := range ms.key {
		ms.addA(rhs, &cols[k], -float64(sm.types[t].n))
	}
	for _, j := range ms.bounded {
		c := &cols[j]
		if (c.st == stLower || c.st == stUpper) && c.x != 0 {
			ms.addA(rhs, c, -c.x)
			ms.addA(rhs, &cols[ms.key[c.t]], c.x)
		}
	}
	for p, v := range ms.bpos {
		x := 0.0
		for i := 0; i < R; i++ {
			x += ms.binv[p*R+i] * rhs[i]
		}
		if v < 0 {
			ms.sx[-v-1] = x
		} else {
			cols[v].x = x
		}
	}
	for i := range ms.sst {
		if ms.sst[i] != stBasic {
			ms.sx[i] = 0
		}
	}
	for t, k := range ms.key {
		cols[k].x = float64(sm.types[t].n)
	}
	for _, v := range ms.bpos {
		if v >= 0 {
			cols[ms.key[cols[v].t]].x -= cols[v].x
		}
	}
	for _, j := range ms.bounded {
		c := &cols[j]
		if c.st == stLower || c.st == stUpper {
			cols[ms.key[c.t]].x -= c.x
		}
	}
}

// infeasible reports whether some basic variable violates its bounds.
func (ms *master) infeasible() bool {
	for _, k := range ms.key {
		c := &ms.sm.cols[k]
		if c.x < c.lo-feasTol || c.x > c.up+feasTol {
			return true
		}
	}
	for _, v := range ms.bpos {
		x := ms.value(v)
		lo, up := ms.bounds(v)
		if x < lo-feasTol || x > up+feasTol {
			return true
		}
	}
	return false
}

// computePi solves π·B_w = c̄_B.
func (ms *master) computePi() {
	R := ms.R
	ms.pi = grow(ms.pi, R)
	clear(ms.pi)
	for p, v := range ms.bpos {
		cb := ms.cost(v)
		if v >= 0 {
			cb -= ms.cost(ms.key[ms.sm.cols[v].t])
		}
		if cb == 0 {
			continue
		}
		row := ms.binv[p*R : p*R+R]
		for i, b := range row {
			ms.pi[i] += cb * b
		}
	}
}

// typeDual is v_t = c_key − π·a_key.
func (ms *master) typeDual(t int32) float64 {
	k := ms.key[t]
	return ms.cost(k) - ms.piA(ms.pi, &ms.sm.cols[k])
}

// reduced is the reduced cost of a nonbasic variable.
func (ms *master) reduced(v int32) float64 {
	if v < 0 {
		return -ms.pi[-v-1]
	}
	c := &ms.sm.cols[v]
	return ms.cost(v) - ms.typeDual(c.t) - ms.piA(ms.pi, c)
}

// eligible returns the direction v can improve in, or 0.
func (ms *master) eligible(v int32, d float64) float64 {
	var st uint8
	var lo, up float64
	if v < 0 {
		st, lo, up = ms.sst[-v-1], 0, math.Inf(1)
	} else {
		c := &ms.sm.cols[v]
		st, lo, up = c.st, c.lo, c.up
	}
	switch {
	case st == stLower && d < -optTol && up > lo:
		return 1
	case st == stUpper && d > optTol:
		return -1
	}
	return 0
}

// price picks the entering variable: the best of the candidate list, or
// after a fresh pricing pass. After a long run of degenerate pivots it
// picks a random eligible candidate instead, which breaks cycles.
func (ms *master) price() (int32, float64, bool) {
	for pass := 0; pass < 2; pass++ {
		best, bestD, bestDir := int32(0), 0.0, 0.0
		k := 0
		for _, v := range ms.cand {
			d := ms.reduced(v)
			dir := ms.eligible(v, d)
			if dir == 0 {
				continue
			}
			ms.cand[k] = v
			ms.candDir = append(ms.candDir[:k], dir)
			k++
			if math.Abs(d) > bestD {
				best, bestD, bestDir = v, math.Abs(d), dir
			}
		}
		ms.cand = ms.cand[:k]
		if bestDir != 0 && ms.degenerate > stallLimit {
			i := int(ms.rng.below(uint64(k)))
			return ms.cand[i], ms.candDir[i], true
		}
		if bestDir != 0 {
			return best, bestDir, true
		}
		if pass == 0 {
			ms.fullPass()
		}
	}
	return 0, 0, false
}

// classValues are the per-class parts of schedule values under duals pi
// and the cost of the phase.
func (ms *master) classValues(pi []float64, phase1 bool) []float64 {
	vals := make([]float64, ms.sm.dims)
	if !phase1 {
		vals[ms.cur.dim] += ms.cur.sign
	}
	for l, lv := range ms.levels {
		vals[lv.dim] -= pi[ms.W+l] * lv.sign
	}
	return vals
}

// fullPass searches every type's cheapest schedule and refills the
// candidate list with those of most negative reduced cost; columns are
// created only for the candidates kept.
func (ms *master) fullPass() {
	sm := ms.sm
	ms.cand, ms.candD = ms.cand[:0], ms.candD[:0]
	ms.pend = ms.pend[:0]
	cv := ms.classValues(ms.pi, ms.phase1)
	pi := ms.pi
	optValue := func(o *schedOpt) float64 { return cv[o.class] - pi[o.w] }
	// Partial pricing: scan the types round-robin from where the last
	// pass stopped, until enough candidates are found (a pass that finds
	// none has scanned every type, which proves optimality).
	T := len(sm.types)
	for n := 0; n < T; n++ {
		if len(ms.pend)+len(ms.cand) >= maxCand/2 && n >= min(T, maxCand) {
			break
		}
		tt := int32(ms.scan)
		ms.scan = (ms.scan + 1) % T
		vt := ms.typeDual(tt)
		ch, val, ok := ms.se.bestSchedule(tt, optValue, cv[classNone], vt-optTol, ms.skipBounded(tt))
		if !ok {
			continue
		}
		if j := sm.lookup(tt, ch); j >= 0 {
			if sm.cols[j].st == stLower {
				ms.addCand(j, val-vt)
			}
			continue
		}
		ms.addPending(tt, ch, val-vt)
	}
	for _, pd := range ms.pend {
		ms.cand = append(ms.cand, sm.column(pd.t, pd.ch))
		ms.candD = append(ms.candD, pd.d)
	}
	for _, j := range ms.bounded {
		d := ms.reduced(j)
		if ms.eligible(j, d) != 0 {
			ms.addCand(j, d)
		}
	}
	for i, st := range ms.sst {
		if st == stLower && ms.pi[i] > optTol {
			ms.addCand(-1-int32(i), -ms.pi[i])
		}
	}
}

// pending is a new schedule of negative reduced cost d, not yet a column.
type pending struct {
	t  int32
	ch []int16
	d  float64
}

// addPending keeps the maxCand new schedules of most negative d.
func (ms *master) addPending(t int32, ch []int16, d float64) {
	if len(ms.pend) < maxCand {
		ms.pend = append(ms.pend, pending{t, slices.Clone(ch), math.Abs(d)})
		return
	}
	worst := 0
	for i := range ms.pend {
		if ms.pend[i].d < ms.pend[worst].d {
			worst = i
		}
	}
	if math.Abs(d) > ms.pend[worst].d {
		ms.pend[worst] = pending{t, slices.Clone(ch), math.Abs(d)}
	}
}

func (ms *master) skipBounded(t int32) func([]int16) bool {
	if len(ms.byType[t]) == 0 {
		return nil
	}
	return func(ch []int16) bool {
		j := ms.sm.lookup(t, ch)
		return j >= 0 && ms.isBounded(j)
	}
}

// addCand keeps the maxCand candidates of largest |d|.
func (ms *master) addCand(v int32, d float64) {
	if len(ms.cand) < maxCand {
		ms.cand = append(ms.cand, v)
		ms.candD = append(ms.candD, math.Abs(d))
		return
	}
	worst := 0
	for i, x := range ms.candD {
		if x < ms.candD[worst] {
			worst = i
		}
	}
	if math.Abs(d) > ms.candD[worst] {
		ms.cand[worst], ms.candD[worst] = v, math.Abs(d)
	}
}

// solve runs the simplex from the current basis. An LP that needs more
// than maxIters pivots is given up as failed (a safeguard: the search then
// counts the node as unresolved).
func (ms *master) solve() lpStatus {
	ms.cand = ms.cand[:0]
	maxIters := 100*(len(ms.sm.types)+ms.R) + 10000
	for it := 0; ; it++ {
		if it > maxIters {
			return lpFailed
		}
		ms.iters++
		if ms.iters%64 == 0 {
			if err := ms.checkStop(); err != nil {
				return lpStopped
			}
		}
		if ms.upd >= refactorEvery {
			ms.refactor()
			ms.recomputeX()
		}
		// Phase 2 keeps every basic variable within its bounds; only
		// phase 1 and changed values need the scan.
		if ms.phase1 || ms.recheck {
			was := ms.phase1
			ms.phase1, ms.recheck = ms.infeasible(), false
			if was != ms.phase1 {
				ms.cand = ms.cand[:0]
			}
		}
		ms.computePi()
		q, dir, ok := ms.price()
		if !ok {
			if ms.phase1 {
				return lpInfeasible
			}
			return lpOptimal
		}
		if !ms.step(q, dir) {
			return lpFailed
		}
	}
}

func (ms *master) checkStop() error {
	if ms.stopErr != nil {
		return ms.stopErr
	}
	if err := ms.ctx.Err(); err != nil {
		ms.stopErr = err
	} else if !ms.deadline.IsZero() && time.Now().After(ms.deadline) {
		ms.stopErr = errDeadline
	}
	return ms.stopErr
}

// stepLimit is how far a basic variable at x may move at rate r before it
// reaches a bound (or, when infeasible, becomes feasible); the bound it
// stops at is returned too.
func stepLimit(x, lo, up, r float64) (float64, float64) {
	if r > 0 {
		switch {
		case x < lo-feasTol:
			return (lo - x) / r, lo
		case math.IsInf(up, 1) || x > up+feasTol:
			return math.Inf(1), 0
		}
		return max(0, (up-x)/r), up
	}
	switch {
	case x > up+feasTol:
		return (x - up) / -r, up
	case x < lo-feasTol:
		return math.Inf(1), 0
	}
	return max(0, (x-lo)/-r), lo
}

// What blocks a step: the entering variable's own bound (a bound flip), a
// working basis position, or the key of a type.
const (
	leaveFlip = iota
	leavePos
	leaveKeyOf
)

// blocker is the outcome of the ratio test.
type blocker struct {
	theta float64 // step length
	kind  int
	who   int32   // position or type
	bound float64 // the bound the leaving variable stops at
	rate  float64 // |rate| of the leaving variable (ties: the largest)
}

// step moves entering variable q in direction dir by the ratio test and
// updates the basis. It returns false on an unbounded ray or a key without
// a successor (numerical trouble: neither happens in exact arithmetic).
func (ms *master) step(q int32, dir float64) bool {
	ms.ftran(q)
	defer ms.untouch()
	b := ms.ratioTest(q, dir)
	if math.IsInf(b.theta, 1) || b.kind == leaveKeyOf && !ms.canReplaceKey(b.who, q) {
		return false
	}
	if b.theta < 1e-12 {
		ms.degenerate++
	} else {
		ms.degenerate = 0
	}
	ms.move(q, dir, b.theta)
	switch b.kind {
	case leaveFlip:
		c := &ms.sm.cols[q] // slacks have no upper bound, so q is a column
		if dir > 0 {
			c.st, c.x = stUpper, c.up
		} else {
			c.st, c.x = stLower, c.lo
		}
	case leavePos:
		ms.leaveBasis(ms.bpos[b.who], b.bound)
		ms.enterAt(q, int(b.who))
		ms.updateInverse(int(b.who))
	default:
		ms.leaveKey(b.who, q, b.bound)
	}
	return true
}

// ftran computes α = B_w⁻¹·(working column of q) and the key rates
// δ_t = −[t = t_q] + Σ α over t's basic columns (per unit of q).
func (ms *master) ftran(q int32) {
	R := ms.R
	cols := ms.sm.cols
	ms.colv = grow(ms.colv, R)
	ms.alpha = grow(ms.alpha, R)
	ms.workCol(q, ms.colv)
	for p := 0; p < R; p++ {
		s := 0.0
		row := ms.binv[p*R : p*R+R]
		for i, b := range row {
			s += b * ms.colv[i]
		}
		ms.alpha[p] = s
	}
	if q >= 0 {
		ms.touch(cols[q].t, -1)
	}
	for p, v := range ms.bpos {
		if v >= 0 && ms.alpha[p] != 0 {
			ms.touch(cols[v].t, ms.alpha[p])
		}
	}
}

// ratioTest finds how far q can move in direction dir.
func (ms *master) ratioTest(q int32, dir float64) blocker {
	b := blocker{theta: math.Inf(1), kind: leaveFlip}
	if lo, up := ms.bounds(q); !math.IsInf(up, 1) {
		b.theta = up - lo
	}
	consider := func(kind int, who int32, x, lo, up, r float64) {
		if math.Abs(r) <= pivTol {
			return
		}
		lim, bound := stepLimit(x, lo, up, r)
		if lim < b.theta-1e-12 || lim <= b.theta+1e-12 && math.Abs(r) > b.rate {
			b = blocker{theta: lim, kind: kind, who: who, bound: bound, rate: math.Abs(r)}
		}
	}
	for p, v := range ms.bpos {
		lo, up := ms.bounds(v)
		consider(leavePos, int32(p), ms.value(v), lo, up, -dir*ms.alpha[p])
	}
	for _, t := range ms.ttch {
		c := &ms.sm.cols[ms.key[t]]
		consider(leaveKeyOf, t, c.x, c.lo, c.up, dir*ms.tdel[t])
	}
	return b
}

// move changes q by dir·theta and the basic variables with it.
func (ms *master) move(q int32, dir, theta float64) {
	cols := ms.sm.cols
	if q < 0 {
		ms.sx[-q-1] += dir * theta
	} else {
		cols[q].x += dir * theta
	}
	for p, v := range ms.bpos {
		if ms.alpha[p] == 0 {
			continue
		}
		if v < 0 {
			ms.sx[-v-1] -= dir * theta * ms.alpha[p]
		} else {
			cols[v].x -= dir * theta * ms.alpha[p]
		}
	}
	for _, t := range ms.ttch {
		cols[ms.key[t]].x += dir * theta * ms.tdel[t]
	}
}

func (ms *master) touch(t int32, a float64) {
	if ms.tdel[t] == 0 && !slices.Contains(ms.ttch, t) {
		ms.ttch = append(ms.ttch, t)
	}
	ms.tdel[t] += a
}

func (ms *master) untouch() {
	for _, t := range ms.ttch {
		ms.tdel[t] = 0
	}
	ms.ttch = ms.ttch[:0]
}

// leaveBasis makes basic variable v nonbasic at bound b.
func (ms *master) leaveBasis(v int32, b float64) {
	if v < 0 {
		ms.sst[-v-1], ms.sx[-v-1] = stLower, 0
		return
	}
	c := &ms.sm.cols[v]
	c.x, c.pos = b, -1
	if b == c.lo {
		c.st = stLower
	} else {
		c.st = stUpper
	}
}

func (ms *master) enterAt(q int32, p int) {
	ms.bpos[p] = q
	if q < 0 {
		ms.sst[-q-1], ms.spos[-q-1] = stBasic, int32(p)
		return
	}
	c := &ms.sm.cols[q]
	c.st, c.pos = stBasic, int32(p)
}

// updateInverse replaces column p of the working basis (product form).
func (ms *master) updateInverse(p int) {
	R := ms.R
	piv := ms.alpha[p]
	rowP := ms.binv[p*R : p*R+R]
	for i := range rowP {
		rowP[i] /= piv
	}
	for i := 0; i < R; i++ {
		a := ms.alpha[i]
		if i == p || a == 0 {
			continue
		}
		row := ms.binv[i*R : i*R+R]
		for k, b := range rowP {
			row[k] -= a * b
		}
	}
	ms.upd++
	if math.Abs(piv) < 1e-6 {
		ms.upd = refactorEvery
	}
}

// basicOf returns the working-basis position of a basic column of type t,
// or −1.
func (ms *master) basicOf(t int32) int {
	for p, v := range ms.bpos {
		if v >= 0 && ms.sm.cols[v].t == t {
			return p
		}
	}
	return -1
}

// canReplaceKey reports whether the key of type t can leave for q: some
// column of t must stay basic.
func (ms *master) canReplaceKey(t, q int32) bool {
	return q >= 0 && ms.sm.cols[q].t == t || ms.basicOf(t) >= 0
}

// leaveKey handles the key column of type t leaving the basis for q.
func (ms *master) leaveKey(t int32, q int32, b float64) {
	cols := ms.sm.cols
	other := ms.basicOf(t)
	ms.leaveBasis(ms.key[t], b)
	if q >= 0 && cols[q].t == t {
		// q is the new key; the working columns of t's basics change.
		ms.key[t] = q
		cols[q].st, cols[q].pos = stKey, -1
		if other < 0 {
			return // no basic column of t: the working basis is unchanged
		}
	} else {
		// Another basic column of t becomes the key, q takes its place.
		nk := ms.bpos[other]
		ms.key[t] = nk
		cols[nk].st, cols[nk].pos = stKey, -1
		ms.enterAt(q, other)
	}
	// The values are already right; only a repaired basis moves them.
	if ms.refactor() {
		ms.recomputeX()
	}
}

// fractional lists the basic columns with a fractional value.
func (ms *master) fractional() []int32 {
	var out []int32
	check := func(j int32) {
		x := ms.sm.cols[j].x
		if math.Abs(x-math.Round(x)) > 1e-6 {
			out = append(out, j)
		}
	}
	for _, k := range ms.key {
		check(k)
	}
	for _, v := range ms.bpos {
		if v >= 0 {
			check(v)
		}
	}
	return out
}

// lagrangeBound is L(π') = Σ_t min over type t's schedules within the node
// bounds of Σ (c_j − π'·a_j) x_j + π'·b with π' = min(π, 0): a lower bound
// on every integer (and fractional) solution of the node. It is +Inf when
// the node bounds alone are infeasible.
func (ms *master) lagrangeBound() float64 {
	sm := ms.sm
	pc := make([]float64, ms.R)
	total := 0.0
	for i, p := range ms.pi {
		pc[i] = min(p, 0)
		total += pc[i] * ms.rhs[i]
	}
	cv := ms.classValues(pc, false)
	optValue := func(o *schedOpt) float64 { return cv[o.class] - pc[o.w] }
	colValue := func(c *column) float64 {
		return ms.cur.sign*float64(c.cnt[ms.cur.dim]) - ms.piA(pc, c)
	}
	type item struct{ v, room float64 }
	var items []item
	for t := range sm.types {
		tt := int32(t)
		rem := float64(sm.types[t].n)
		items = items[:0]
		for _, j := range ms.byType[tt] {
			c := &sm.cols[j]
			v := colValue(c)
			total += c.lo * v
			rem -= c.lo
			if c.up > c.lo {
				items = append(items, item{v, c.up - c.lo})
			}
		}
		if rem < -1e-9 {
			return math.Inf(1)
		}
		_, free, ok := ms.se.bestSchedule(tt, optValue, cv[classNone], math.Inf(1), ms.skipBounded(tt))
		switch {
		case ms.se.truncated:
			free = ms.se.lower // still a bound, if a weaker one
		case !ok:
			free = math.Inf(1)
		}
		slices.SortFunc(items, func(a, b item) int {
			switch {
			case a.v < b.v:
				return -1
			case a.v > b.v:
				return 1
			}
			return 0
		})
		for _, it := range items {
			if rem <= 0 || it.v >= free {
				break
			}
			take := min(rem, it.room)
			total += take * it.v
			rem -= take
		}
		if rem > 1e-9 {
			if math.IsInf(free, 1) {
				return math.Inf(1)
			}
			total += rem * free
		}
	}
	return total
}
