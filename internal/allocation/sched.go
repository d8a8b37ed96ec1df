package allocation

import (
	"encoding/binary"
	"math"
	"slices"
)

// This file holds the schedule model of instances whose topics repeat
// across slots. Participants with the same wishes and pins form a *type*;
// a type's *schedule* chooses, for every slot the type wants and is not
// pinned in, one admissible workshop or none, never one topic twice. The
// integer program over (type, schedule) counts with one row per workshop
// capacity is exact for the allocation problem, and its LP relaxation is
// as strong as relaxing only the capacities (every schedule is a feasible
// plan for one person). Schedules are not enumerated: the master LP (lp.go)
// generates them on demand by a small search per type (bestSchedule).

// Option classes, which are also the count dimensions of a column:
// classNone (an empty wanted seat), classUnlisted, and classRank(r) for a
// listed workshop of rank r ≥ 1.
const (
	classNone     = 0
	classUnlisted = 1
)

func classRank(r int) int { return 1 + r }

// schedOpt is one admissible workshop of a type in one of its free slots.
type schedOpt struct {
	w     int32 // global workshop
	topic int32
	class int32
}

// schedType is a set of interchangeable participants.
type schedType struct {
	members []int32 // participants in ticket order
	n       int
	slots   []int        // free wanted slots, increasing
	opts    [][]schedOpt // per free slot: listed by rank, then unlisted
}

// column is one (type, schedule) variable of the master LP.
type column struct {
	t   int32
	ch  []int16 // per free slot of the type: option index, −1 = none
	ws  []int32 // workshops used
	cnt []int16 // per class: how many of the schedule's seats
	lo  float64 // bounds of the current node
	up  float64
	// rootUp is the bound outside any branch: +Inf, or 0 when the column
	// uses a rank the fairness threshold excludes.
	rootUp float64
	x      float64
	st     uint8
	pos    int32 // working-basis position when st == stBasic
}

// schedModel is the typed form of a model.
type schedModel struct {
	m      *model
	types  []schedType
	typeOf []int32 // participant → type, −1 without free seats
	dims   int     // number of classes: K+2
	cols   []column
	index  map[string]int32 // column key → column id
	key    []byte
	// threshold excludes listed options of a higher rank (fairness);
	// noThreshold keeps all.
	threshold int
}

// buildSchedModel groups the participants into types. Types are numbered
// in the order of their best ticket.
func (m *model) buildSchedModel() *schedModel {
	sm := &schedModel{m: m, typeOf: make([]int32, len(m.prefs)), dims: m.maxRank + 2,
		index: map[string]int32{}, threshold: noThreshold}
	byKey := map[string]int32{}
	var key []byte
	for _, p := range m.order {
		sm.typeOf[p] = -1
		key = m.typeKey(int(p), key[:0])
		if key == nil {
			continue
		}
		t, ok := byKey[string(key)]
		if !ok {
			t = int32(len(sm.types))
			byKey[string(key)] = t
			sm.types = append(sm.types, m.newSchedType(int(p)))
		}
		sm.typeOf[p] = t
		sm.types[t].members = append(sm.types[t].members, p)
		sm.types[t].n++
	}
	return sm
}

// typeKey encodes everything that makes two participants interchangeable:
// per slot the pin or the list. It returns nil when p has no free seat.
func (m *model) typeKey(p int, key []byte) []byte {
	free := false
	for s := range m.inst.Slots {
		if w := m.pins[p][s]; w >= 0 {
			key = binary.AppendUvarint(key, uint64(w)+2)
			continue
		}
		key = binary.AppendUvarint(key, 0)
		if m.wants[p][s] {
			free = true
		}
		key = binary.AppendUvarint(key, uint64(len(m.prefs[p][s])))
		for _, w := range m.prefs[p][s] {
			key = binary.AppendUvarint(key, uint64(w))
		}
	}
	if !free {
		return nil
	}
	return key
}

// newSchedType builds the options of p's type: listed workshops by rank,
// then (allow_unlisted) the other workshops of the slot; never a topic p is
// pinned to in another slot.
func (m *model) newSchedType(p int) schedType {
	var pinned []int32
	for _, w := range m.pins[p] {
		if w >= 0 {
			pinned = append(pinned, m.wsTopic[w])
		}
	}
	st := schedType{}
	for s := range m.inst.Slots {
		if !m.wants[p][s] || m.pins[p][s] >= 0 {
			continue
		}
		var opts []schedOpt
		for r, w := range m.prefs[p][s] {
			if !slices.Contains(pinned, m.wsTopic[w]) {
				opts = append(opts, schedOpt{w: w, topic: m.wsTopic[w], class: int32(classRank(r + 1))})
			}
		}
		if m.inst.Options.AllowUnlisted {
			for _, w := range m.slotWs[s] {
				if !slices.Contains(m.prefs[p][s], w) && !slices.Contains(pinned, m.wsTopic[w]) {
					opts = append(opts, schedOpt{w: w, topic: m.wsTopic[w], class: classUnlisted})
				}
			}
		}
		st.slots = append(st.slots, s)
		st.opts = append(st.opts, opts)
	}
	return st
}

// allowed reports whether an option passes the fairness threshold.
func (sm *schedModel) allowed(o *schedOpt) bool {
	return sm.threshold == noThreshold || o.class == classUnlisted || int(o.class)-1 <= sm.threshold
}

// colKey is the index key of a (type, choice) pair.
func (sm *schedModel) colKey(t int32, ch []int16) []byte {
	k := binary.LittleEndian.AppendUint32(sm.key[:0], uint32(t))
	for _, c := range ch {
		k = binary.LittleEndian.AppendUint16(k, uint16(c))
	}
	sm.key = k
	return k
}

// lookup returns the column of (t, ch), or −1.
func (sm *schedModel) lookup(t int32, ch []int16) int32 {
	if j, ok := sm.index[string(sm.colKey(t, ch))]; ok {
		return j
	}
	return -1
}

// column returns the id of (t, ch), creating it when new.
func (sm *schedModel) column(t int32, ch []int16) int32 {
	if j := sm.lookup(t, ch); j >= 0 {
		return j
	}
	ty := &sm.types[t]
	c := column{t: t, ch: slices.Clone(ch), cnt: make([]int16, sm.dims), up: math.Inf(1), rootUp: math.Inf(1), pos: -1}
	for i, o := range ch {
		if o < 0 {
			c.cnt[classNone]++
			continue
		}
		opt := &ty.opts[i][o]
		c.ws = append(c.ws, opt.w)
		c.cnt[opt.class]++
		if !sm.allowed(opt) {
			c.rootUp, c.up = 0, 0
		}
	}
	j := int32(len(sm.cols))
	sm.cols = append(sm.cols, c)
	sm.index[string(sm.colKey(t, ch))] = j
	return j
}

// choiceOf is the choice vector of participant p in assign (pins
// excluded), or false when a seat of assign is not an option of p's type.
func (sm *schedModel) choiceOf(assign [][]int32, p int, ch []int16) ([]int16, bool) {
	ty := &sm.types[sm.typeOf[p]]
	ch = ch[:0]
	for i, s := range ty.slots {
		w := assign[s][p]
		if w < 0 {
			ch = append(ch, -1)
			continue
		}
		k := slices.IndexFunc(ty.opts[i], func(o schedOpt) bool { return o.w == w })
		if k < 0 {
			return nil, false
		}
		ch = append(ch, int16(k))
	}
	return ch, true
}

// searcher finds a type's cheapest schedule under per-option values (the
// reduced costs of the master LP), skipping schedules a filter rejects.
type searcher struct {
	sm     *schedModel
	val    [][]float64 // per free slot, per option (last = none)
	order  [][]int16   // per free slot: options by value
	suffix []float64   // best possible value of slots i.. (for pruning)
	cur    []int16
	used   []int32 // topics taken by cur
	best   []int16
	bestV  float64
	skip   func(ch []int16) bool
	visits int
	// truncated says the last search hit searchLimit; lower is then a
	// valid lower bound of its optimum (the per-slot minima).
	truncated bool
	lower     float64
}

// searchLimit bounds one search; the best found is returned and the
// search marked truncated (only types with many slots and many topic
// clashes get near it).
const searchLimit = 4096

// bestSchedule returns the cheapest schedule of type t whose value, the
// sum of optValue over its choices, is below limit and which skip does not
// reject; ok is false when there is none.
func (se *searcher) bestSchedule(t int32, optValue func(o *schedOpt) float64, noneValue float64, limit float64, skip func([]int16) bool) ([]int16, float64, bool) {
	ty := &se.sm.types[t]
	S := len(ty.slots)
	se.val = growRows(se.val, S)
	// Fast path: the per-slot minima bound every schedule from below and
	// are the answer unless two of them share a topic or skip rejects.
	se.cur = append(se.cur[:0], make([]int16, S)...)
	se.used = se.used[:0]
	sum, clash := 0.0, false
	for i := 0; i < S; i++ {
		opts := ty.opts[i]
		v := append(se.val[i][:0], make([]float64, len(opts)+1)...)
		best, bi := noneValue, int16(-1)
		for k := range opts {
			if se.sm.allowed(&opts[k]) {
				v[k] = optValue(&opts[k])
				if v[k] < best {
					best, bi = v[k], int16(k)
				}
			} else {
				v[k] = math.Inf(1)
			}
		}
		v[len(opts)] = noneValue
		se.val[i] = v
		sum += best
		se.cur[i] = bi
		if bi >= 0 {
			if slices.Contains(se.used, opts[bi].topic) {
				clash = true
			}
			se.used = append(se.used, opts[bi].topic)
		}
	}
	se.truncated, se.lower = false, sum
	if sum >= limit-1e-12 {
		return nil, 0, false
	}
	if !clash && (skip == nil || !skip(se.cur)) {
		se.best = append(se.best[:0], se.cur...)
		return se.best, sum, true
	}
	se.order = growRows16(se.order, S)
	se.suffix = append(se.suffix[:0], make([]float64, S+1)...)
	for i := S - 1; i >= 0; i-- {
		v := se.val[i]
		ord := se.order[i][:0]
		for k := range v {
			if !math.IsInf(v[k], 1) {
				ord = append(ord, int16(k))
			}
		}
		slices.SortStableFunc(ord, func(a, b int16) int {
			switch {
			case v[a] < v[b]:
				return -1
			case v[a] > v[b]:
				return 1
			}
			return 0
		})
		se.order[i] = ord
		se.suffix[i] = se.suffix[i+1] + v[ord[0]]
	}
	se.used = se.used[:0]
	se.best = se.best[:0]
	se.bestV = limit
	se.skip = skip
	se.visits = 0
	se.dfs(ty, 0, 0)
	if len(se.best) == 0 {
		return nil, 0, false
	}
	return se.best, se.bestV, true
}

func (se *searcher) dfs(ty *schedType, i int, acc float64) {
	if i == len(ty.slots) {
		if se.skip != nil && se.skip(se.cur) {
			return
		}
		se.best = append(se.best[:0], se.cur...)
		se.bestV = acc
		return
	}
	none := int16(len(ty.opts[i]))
	for _, k := range se.order[i] {
		v := acc + se.val[i][k] + se.suffix[i+1]
		if v >= se.bestV-1e-12 {
			return // options are sorted: the rest is no better
		}
		if se.visits > searchLimit {
			se.truncated = true
			return
		}
		se.visits++
		if k == none {
			se.cur[i] = -1
			se.dfs(ty, i+1, acc+se.val[i][k])
			continue
		}
		tp := ty.opts[i][k].topic
		if slices.Contains(se.used, tp) {
			continue
		}
		se.cur[i] = k
		se.used = append(se.used, tp)
		se.dfs(ty, i+1, acc+se.val[i][k])
		se.used = se.used[:len(se.used)-1]
	}
}

func growRows(rows [][]float64, n int) [][]float64 {
	for len(rows) < n {
		rows = append(rows, nil)
	}
	return rows
}

func growRows16(rows [][]int16, n int) [][]int16 {
	for len(rows) < n {
		rows = append(rows, nil)
	}
	return rows
}
