package allocation

import "errors"

// mcf is a min-cost flow network whose arc costs are vectors of d int64
// components compared lexicographically. Lexicographic vectors form an
// ordered abelian group, so reduced-cost optimality and LP duality work
// exactly as with scalars, without the overflow risk of big weights.
//
// The algorithm is successive shortest paths on a pseudoflow: supply sits at
// source nodes (excess), every step runs Dijkstra on reduced costs from one
// node with excess to the single sink and pushes the bottleneck. Dijkstra
// stops as soon as the sink is settled and only the settled nodes'
// potentials change (a uniform shift of all potentials does not change
// reduced costs), so a step costs only the explored region.
type mcf struct {
	d    int
	n    int
	from []int32
	to   []int32
	rcap []int64 // residual capacity; arc a^1 is the reverse of a
	cost []int64 // d per forward arc: arc a costs cost[a/2] forward, minus it back

	// adjacency: adj[off[v]:off[v+1]] holds v's arcs; the first live[v]
	// of them have residual capacity, so Dijkstra never scans dead arcs
	// (a popular workshop has thousands of incident arcs but few with flow).
	off  []int32
	adj  []int32
	pos  []int32
	live []int32
	// adjTo and adjCost mirror to and cost by adjacency slot, so the scan
	// reads them in sequence instead of jumping to arc ids.
	adjTo   []int32
	adjCost []int64

	// nv holds per node its potential π(v) and then its Dijkstra
	// distance, d each, side by side for locality (see piOf, distOf).
	nv     []int64
	excess []int64

	// Dijkstra scratch, reused across steps; stamps avoid O(n) resets:
	// mark[v] is 2·stamp once v is reached in this run, 2·stamp+1 once
	// it is settled, anything smaller before.
	mark    []uint32
	stamp   uint32
	parent  []int32
	heap    []int32
	hpos    []int32
	settled []int32
	tmp     []int64
}

func newMCF(n, d, arcHint int) *mcf {
	return &mcf{
		d: d, n: n,
		from: make([]int32, 0, 2*arcHint), to: make([]int32, 0, 2*arcHint),
		rcap: make([]int64, 0, 2*arcHint), cost: make([]int64, 0, arcHint*d),
		excess: make([]int64, n),
	}
}

// addArc adds u→v with capacity c and cost vector cost (len d); returns the
// forward arc id (the reverse is id^1).
func (f *mcf) addArc(u, v int32, c int64, cost []int64) int32 {
	a := int32(len(f.to))
	f.from = append(f.from, u, v)
	f.to = append(f.to, v, u)
	f.rcap = append(f.rcap, c, 0)
	f.cost = append(f.cost, cost...)
	return a
}

// flow is the flow currently on forward arc a.
func (f *mcf) flow(a int32) int64 { return f.rcap[a^1] }

// finalize builds the adjacency and the initial potentials. Arcs must go
// from lower to higher node ids so that one pass in id order computes
// shortest-path potentials (every arc starts with zero flow).
func (f *mcf) finalize() error {
	m := len(f.to)
	f.off = make([]int32, f.n+1)
	for _, u := range f.from {
		f.off[u+1]++
	}
	for v := 0; v < f.n; v++ {
		f.off[v+1] += f.off[v]
	}
	f.adj = make([]int32, m)
	f.pos = make([]int32, m)
	f.adjTo = make([]int32, m)
	f.adjCost = make([]int64, m*f.d)
	f.live = make([]int32, f.n)
	fill := make([]int32, f.n)
	for a := 0; a < m; a++ {
		u := f.from[a]
		i := f.off[u] + fill[u]
		f.adj[i], f.pos[a] = int32(a), i
		f.adjTo[i] = f.to[a]
		c, dst := f.cost[a/2*f.d:(a/2+1)*f.d], f.adjCost[int(i)*f.d:int(i+1)*f.d]
		if a&1 == 0 {
			copy(dst, c)
		} else {
			for k, x := range c {
				dst[k] = -x
			}
		}
		fill[u]++
	}
	// With live all zero every arc counts as dead; touch moves the ones
	// with capacity into the live prefix.
	for a := int32(0); a < int32(m); a++ {
		f.touch(a)
	}
	return f.initPotentials()
}

func (f *mcf) initPotentials() error {
	d := f.d
	f.nv = make([]int64, f.n*2*d)
	has := make([]bool, f.n)
	cand := make([]int64, d)
	for a := 0; a < len(f.to); a += 2 {
		u, v := f.from[a], f.to[a]
		if u >= v {
			return errors.New("allocation: arcs must go from lower to higher node ids")
		}
	}
	// Nodes in id order: potential = shortest distance from any node
	// without incoming arcs (potential 0).
	for v := 0; v < f.n; v++ {
		for i := f.off[v]; i < f.off[v+1]; i++ {
			a := f.adj[i]
			if a&1 == 0 {
				continue
			}
			u := f.to[a] // reverse arc v→u: the forward arc is u→v
			addInto(cand, f.piOf(u), f.cost[int(a/2)*d:int(a/2)*d+d])
			pv := f.piOf(int32(v))
			if !has[v] || lexLess(cand, pv) {
				copy(pv, cand)
				has[v] = true
			}
		}
	}
	f.mark = make([]uint32, f.n)
	f.parent = make([]int32, f.n)
	f.hpos = make([]int32, f.n)
	f.tmp = make([]int64, 2*d)
	return nil
}

// piOf is node v's potential, distOf its distance in the last Dijkstra.
func (f *mcf) piOf(v int32) []int64 {
	i := 2 * int(v) * f.d
	return f.nv[i : i+f.d : i+f.d]
}

func (f *mcf) distOf(v int32) []int64 {
	i := (2*int(v) + 1) * f.d
	return f.nv[i : i+f.d : i+f.d]
}

// touch keeps arc a's membership in its tail's live prefix in sync with its
// residual capacity.
func (f *mcf) touch(a int32) {
	u := f.from[a]
	p := f.pos[a]
	b := f.off[u] + f.live[u] // first dead slot
	switch {
	case f.rcap[a] > 0 && p >= b:
		f.swapAdj(p, b)
		f.live[u]++
	case f.rcap[a] == 0 && p < b:
		f.swapAdj(p, b-1)
		f.live[u]--
	}
}

func (f *mcf) swapAdj(i, j int32) {
	if i == j {
		return
	}
	ai, aj := f.adj[i], f.adj[j]
	f.adj[i], f.adj[j] = aj, ai
	f.pos[aj], f.pos[ai] = i, j
	f.adjTo[i], f.adjTo[j] = f.adjTo[j], f.adjTo[i]
	d := f.d
	ci, cj := f.adjCost[int(i)*d:int(i)*d+d], f.adjCost[int(j)*d:int(j)*d+d]
	for k := range ci {
		ci[k], cj[k] = cj[k], ci[k]
	}
}

func lexLess(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func lexSign(a []int64) int {
	for _, x := range a {
		if x != 0 {
			if x < 0 {
				return -1
			}
			return 1
		}
	}
	return 0
}

func addInto(dst, a, b []int64) {
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// run pushes the excess of every source node, in the given order, to sink.
func (f *mcf) run(sources []int32, sink int32) error {
	for _, s := range sources {
		for f.excess[s] > 0 {
			if err := f.step(s, sink); err != nil {
				return err
			}
		}
	}
	return nil
}

// step runs one Dijkstra from src and augments along the shortest path.
func (f *mcf) step(src, sink int32) error {
	if !f.dijkstra(src, sink) {
		return errors.New("allocation: sink unreachable (internal error)")
	}
	dt := f.distOf(sink)
	for _, v := range f.settled {
		pv := f.piOf(v)
		dv := f.distOf(v)
		for k := range pv {
			pv[k] += dv[k] - dt[k]
		}
	}
	amount := f.excess[src]
	for v := sink; v != src; v = f.from[f.parent[v]] {
		amount = min(amount, f.rcap[f.parent[v]])
	}
	for v := sink; v != src; v = f.from[f.parent[v]] {
		a := f.parent[v]
		f.rcap[a] -= amount
		f.rcap[a^1] += amount
		f.touch(a)
		f.touch(a ^ 1)
	}
	f.excess[src] -= amount
	return nil
}

func (f *mcf) dijkstra(src, sink int32) bool {
	if f.stamp == 1<<31-1 {
		clear(f.mark) // before 2·stamp+1 overflows
		f.stamp = 0
	}
	f.stamp++
	reached := 2 * f.stamp
	settled := reached + 1
	d := f.d
	f.heap = f.heap[:0]
	f.settled = f.settled[:0]
	clear(f.distOf(src))
	f.mark[src] = reached
	f.heapPush(src)
	cand, base := f.tmp[:d], f.tmp[d:2*d]
	base = base[:len(cand)]
	mark, adjTo, adjCost := f.mark, f.adjTo, f.adjCost
	for len(f.heap) > 0 {
		u := f.heapPop()
		mark[u] = settled
		f.settled = append(f.settled, u)
		if u == sink {
			return true
		}
		// base = dist(u) + π(u), so a scanned arc adds c − π(v).
		addInto(base, f.distOf(u), f.piOf(u))
		for i, end := f.off[u], f.off[u]+f.live[u]; i < end; i++ {
			v := adjTo[i]
			mv := mark[v]
			if mv == settled {
				continue
			}
			c := adjCost[int(i)*d : int(i)*d+d]
			pv := f.piOf(v)
			c, pv = c[:len(cand)], pv[:len(cand)]
			for k := range cand {
				cand[k] = base[k] + c[k] - pv[k]
			}
			dv := f.distOf(v)
			if mv != reached {
				mark[v] = reached
				copy(dv, cand)
				f.parent[v] = f.adj[i]
				f.heapPush(v)
			} else if lexLess(cand, dv) {
				copy(dv, cand)
				f.parent[v] = f.adj[i]
				f.heapUp(int(f.hpos[v]))
			}
		}
	}
	return false
}

func (f *mcf) less(u, v int32) bool {
	d := f.d
	i, j := (2*int(u)+1)*d, (2*int(v)+1)*d
	a, b := f.nv[i:i+d], f.nv[j:j+d]
	b = b[:len(a)]
	for k := range a {
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return false
}

func (f *mcf) heapPush(v int32) {
	f.heap = append(f.heap, v)
	f.hpos[v] = int32(len(f.heap) - 1)
	f.heapUp(len(f.heap) - 1)
}

func (f *mcf) heapPop() int32 {
	h := f.heap
	top := h[0]
	last := h[len(h)-1]
	f.heap = h[:len(h)-1]
	if len(f.heap) > 0 {
		f.heap[0] = last
		f.hpos[last] = 0
		f.heapDown(0)
	}
	return top
}

// heapUp and heapDown move a hole instead of swapping; the decisions, and
// so the order among equal keys, are those of the textbook binary heap.
func (f *mcf) heapUp(i int) {
	h := f.heap
	v := h[i]
	for i > 0 {
		p := (i - 1) / 2
		if !f.less(v, h[p]) {
			break
		}
		h[i] = h[p]
		f.hpos[h[i]] = int32(i)
		i = p
	}
	h[i] = v
	f.hpos[v] = int32(i)
}

func (f *mcf) heapDown(i int) {
	h := f.heap
	n := len(h)
	v := h[i]
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && f.less(h[r], h[l]) {
			c = r
		}
		if !f.less(h[c], v) {
			break
		}
		h[i] = h[c]
		f.hpos[h[i]] = int32(i)
		i = c
	}
	h[i] = v
	f.hpos[v] = int32(i)
}

// dualValue is the weak-duality lower bound D(π) = Σ_a u_a·min(0, c^π_a)
// − Σ_v π(v)·b(v) over the first dims components, where u_a is the arc's
// total capacity and b the original supplies (supply[v], sink −Σ supply).
// It equals the flow cost exactly when the flow is optimal.
func (f *mcf) dualValue(dims int, supply []int64, sink int32) []int64 {
	d := f.d
	out := make([]int64, dims)
	red := make([]int64, dims)
	for a := 0; a < len(f.to); a += 2 {
		u, v := int(f.from[a]), int(f.to[a])
		c := f.cost[a/2*d:]
		for k := 0; k < dims; k++ {
			red[k] = c[k] + f.nv[2*u*d+k] - f.nv[2*v*d+k]
		}
		if lexSign(red) < 0 {
			capa := f.rcap[a] + f.rcap[a^1]
			for k := range out {
				out[k] += capa * red[k]
			}
		}
	}
	var total int64
	for v, b := range supply {
		total += b
		for k := range out {
			out[k] -= f.nv[2*v*d+k] * b
		}
	}
	for k := range out {
		out[k] += f.nv[2*int(sink)*d+k] * total
	}
	return out
}
