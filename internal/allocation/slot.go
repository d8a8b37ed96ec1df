package allocation

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// noThreshold disables the fairness threshold of a slot solve.
const noThreshold = -1

// slotSpec says which variant of one slot's flow problem to solve.
type slotSpec struct {
	slot int
	// threshold removes listed edges with rank > threshold (fairness);
	// unlisted edges stay. noThreshold keeps everything.
	threshold int
	// full selects the complete cost vector (levels 1, 2, 4 and lottery);
	// otherwise only [unfilled, unlisted] (enough to test a threshold).
	full bool
	// forbid holds extra topics forbidden per seat (key p*S+s), used by the
	// repeated-topic repair; topics pinned in other slots are always
	// forbidden.
	forbid map[int][]int32
	// noCert skips the certificate (the repair's re-solves need none).
	noCert bool
}

// gEdge is one admissible workshop of a group; rank 0 = unlisted.
type gEdge struct {
	w    int32 // local workshop index in the slot
	rank int32
}

type slotGroup struct {
	members []int32 // participants in ticket order
	edges   []gEdge // listed by rank, then unlisted by workshop order
	arc0    int32   // first forward arc; edges then the empty-seat arc
	prio    int64   // N − best ticket
}

// slotNet is one slot's flow network: groups → workshops → sink, plus an
// "empty seat" arc from every group straight to the sink.
type slotNet struct {
	m    *model
	spec slotSpec
	d    int
	// keep lists the cost components the flow carries; the unlisted one
	// is left out when no arc can be unlisted, since it is zero
	// everywhere (costs, potentials, distances).
	keep   []int
	ws     []int32 // local → global workshop
	groups []slotGroup
	seats  int
	wsArc0 int32
	f      *mcf
}

// Values of slotResult.assign besides workshop ids.
const (
	seatEmpty  = -1 // wanted seat left empty
	seatAbsent = -2 // no flow seat (not wanted, or pinned)
)

// slotResult is the solved slot: assignment per participant (global
// workshop, seatEmpty or seatAbsent), the achieved cost over levels 1, 2, 4
// and the dual certificate.
type slotResult struct {
	seats  int // flow seats, the work measure of the branch-and-bound
	assign []int32
	cost   []int64 // [unfilled, unlisted, -n1..-nK] (or first 2 when !full)
	dual   SlotDual
}

// costDims is the vector length of a spec: [unfilled, unlisted, rank1..K,
// lottery] or [unfilled, unlisted].
func (m *model) costDims(full bool) int {
	if full {
		return m.maxRank + 3
	}
	return 2
}

// forbiddenTopics lists the topics participant p may not get in slot s:
// topics pinned in other slots plus the repair's extra forbids.
func (m *model) forbiddenTopics(p, s int, extra map[int][]int32, buf []int32) []int32 {
	buf = buf[:0]
	for s2, w := range m.pins[p] {
		if s2 != s && w >= 0 {
			buf = append(buf, m.wsTopic[w])
		}
	}
	buf = append(buf, extra[p*len(m.inst.Slots)+s]...)
	slices.Sort(buf)
	return slices.Compact(buf)
}

// buildSlot groups the slot's seats by identical admissible edges and
// builds the network. Seats are visited in ticket order, so group ids are
// in priority order and members end up sorted by ticket.
func (m *model) buildSlot(spec slotSpec) (*slotNet, error) {
	s := spec.slot
	net := &slotNet{m: m, spec: spec, d: m.costDims(spec.full), ws: m.slotWs[s]}
	for k := range net.d {
		if k != 1 || m.inst.Options.AllowUnlisted {
			net.keep = append(net.keep, k)
		}
	}
	local := make([]int32, len(m.wsCap)) // global → local workshop
	for j, w := range net.ws {
		local[w] = int32(j)
	}
	keyIdx := map[string]int32{}
	var key []byte
	var forb []int32
	var listed []gEdge
	for _, p := range m.order {
		if !m.wants[p][s] || m.pins[p][s] >= 0 {
			continue
		}
		forb = m.forbiddenTopics(int(p), s, spec.forbid, forb)
		listed = listed[:0]
		key = key[:0]
		for r, w := range m.prefs[p][s] {
			if _, bad := slices.BinarySearch(forb, m.wsTopic[w]); bad {
				continue
			}
			if spec.threshold != noThreshold && r+1 > spec.threshold {
				if !m.inst.Options.AllowUnlisted {
					break
				}
				// Above the threshold: no edge, but not "unlisted" either,
				// so it still distinguishes groups.
				key = binary.AppendUvarint(key, uint64(local[w]))
				key = binary.AppendUvarint(key, 0)
				continue
			}
			listed = append(listed, gEdge{w: local[w], rank: int32(r + 1)})
			key = binary.AppendUvarint(key, uint64(local[w]))
			key = binary.AppendUvarint(key, uint64(r+1))
		}
		if m.inst.Options.AllowUnlisted && len(forb) > 0 {
			// Topics forbidden here shape the unlisted edges. The marker
			// cannot be confused with the pairs above, which always
			// come in twos of complete varints.
			key = binary.AppendUvarint(key, 1<<40)
			for _, t := range forb {
				key = binary.AppendUvarint(key, uint64(t))
			}
		}
		g, ok := keyIdx[string(key)]
		if !ok {
			g = int32(len(net.groups))
			keyIdx[string(key)] = g
			net.groups = append(net.groups, slotGroup{
				edges: m.groupEdges(p, s, listed, forb, local),
				prio:  int64(len(m.order)) - int64(m.tickets[p]),
			})
		}
		net.groups[g].members = append(net.groups[g].members, p)
		net.seats++
	}
	if err := net.buildFlow(); err != nil {
		return nil, fmt.Errorf("slot %q: %w", m.inst.Slots[s], err)
	}
	return net, nil
}

// groupEdges completes a group's listed edges with the unlisted ones.
func (m *model) groupEdges(p int32, s int, listed []gEdge, forb []int32, local []int32) []gEdge {
	edges := slices.Clone(listed)
	if !m.inst.Options.AllowUnlisted {
		return edges
	}
	for _, w := range m.slotWs[s] {
		if slices.Contains(m.prefs[p][s], w) {
			continue
		}
		if _, bad := slices.BinarySearch(forb, m.wsTopic[w]); bad {
			continue
		}
		edges = append(edges, gEdge{w: local[w], rank: 0})
	}
	return edges
}

// edgeCost writes the cost vector of one unit on a group edge. The
// components: [unfilled, unlisted, -rank1 … -rankK, lottery].
func (net *slotNet) edgeCost(dst []int64, g *slotGroup, rank int32, empty bool) {
	clear(dst)
	K := int64(net.m.maxRank)
	lot := int64(rank)
	switch {
	case empty:
		dst[0] = 1
		lot = K + 2
	case rank == 0:
		dst[1] = 1
		lot = K + 1
	case net.spec.full:
		dst[1+rank] = -1
	}
	if net.spec.full {
		dst[len(dst)-1] = lot * g.prio
	}
}

func (net *slotNet) buildFlow() error {
	G, W := int32(len(net.groups)), int32(len(net.ws))
	sink := G + W
	arcs := int(W)
	for i := range net.groups {
		arcs += len(net.groups[i].edges) + 1
	}
	f := newMCF(int(sink)+1, len(net.keep), arcs)
	full, c := make([]int64, net.d), make([]int64, len(net.keep))
	cost := func(g *slotGroup, rank int32, empty bool) []int64 {
		net.edgeCost(full, g, rank, empty)
		for i, k := range net.keep {
			c[i] = full[k]
		}
		return c
	}
	for gi := range net.groups {
		g := &net.groups[gi]
		size := int64(len(g.members))
		f.excess[gi] = size
		g.arc0 = int32(len(f.to))
		for _, e := range g.edges {
			f.addArc(int32(gi), G+e.w, size, cost(g, e.rank, false))
		}
		f.addArc(int32(gi), sink, size, cost(g, 0, true))
	}
	clear(c)
	net.wsArc0 = int32(len(f.to))
	for j, w := range net.ws {
		f.addArc(G+int32(j), sink, net.m.wsCap[w], c)
	}
	net.f = f
	return f.finalize()
}

// solve runs the flow and turns it into a slotResult.
func (net *slotNet) solve() (*slotResult, error) {
	G := int32(len(net.groups))
	sources := make([]int32, G)
	supply := make([]int64, net.f.n)
	for g := range sources {
		sources[g] = int32(g)
		supply[g] = net.f.excess[g]
	}
	sink := G + int32(len(net.ws))
	if err := net.f.run(sources, sink); err != nil {
		return nil, fmt.Errorf("slot %q: %w", net.m.inst.Slots[net.spec.slot], err)
	}
	res := &slotResult{seats: net.seats, assign: make([]int32, len(net.m.prefs))}
	for i := range res.assign {
		res.assign[i] = seatAbsent
	}
	levels := net.m.costDims(net.spec.full)
	if net.spec.full {
		levels-- // the lottery is not part of the certified objective
	}
	res.cost = make([]int64, levels)
	for gi := range net.groups {
		net.disaggregate(&net.groups[gi], res)
	}
	if !net.spec.noCert {
		res.dual = net.certificate(levels, supply, sink)
	}
	return res, nil
}

// disaggregate hands the group's seats to its members in ticket order, best
// rank first (the within-group part of the lottery).
func (net *slotNet) disaggregate(g *slotGroup, res *slotResult) {
	next := 0
	for i, e := range g.edges {
		n := int(net.f.flow(g.arc0 + int32(2*i)))
		for ; n > 0; n-- {
			res.assign[g.members[next]] = net.ws[e.w]
			next++
		}
		cnt := int64(net.f.flow(g.arc0 + int32(2*i)))
		if e.rank == 0 {
			res.cost[1] += cnt
		} else if net.spec.full {
			res.cost[1+e.rank] -= cnt
		}
	}
	for ; next < len(g.members); next++ {
		res.assign[g.members[next]] = seatEmpty
		res.cost[0]++
	}
}

// certificate exports the potentials (first `levels` components) in a form
// an independent checker can evaluate on the ungrouped graph.
func (net *slotNet) certificate(levels int, supply []int64, sink int32) SlotDual {
	f := net.f
	G := len(net.groups)
	// The flow's first cl components are the first `levels` ones of
	// keep; expand puts them back in place, zero where left out.
	cl := 0
	for cl < len(net.keep) && net.keep[cl] < levels {
		cl++
	}
	expand := func(dst, compact []int64) []int64 {
		for i, k := range net.keep[:cl] {
			dst[k] = compact[i]
		}
		return dst
	}
	vec := func(v int) []int64 { return expand(make([]int64, levels), f.piOf(int32(v))) }
	sd := SlotDual{
		Slot:      net.m.inst.Slots[net.spec.slot],
		Threshold: net.spec.threshold,
		Levels:    levels,
		Value:     expand(make([]int64, levels), f.dualValue(cl, supply, sink)),
		Sink:      vec(int(sink)),
		Workshops: make(map[string][]int64, len(net.ws)),
		Groups:    make([][]int64, G),
		Members:   make([][]string, G),
	}
	for j, w := range net.ws {
		sd.Workshops[net.m.inst.Workshops[w].Key] = vec(G + j)
	}
	// One backing array each for the groups' potentials and member ids.
	pis := make([]int64, G*levels)
	ids := make([]string, net.seats)
	for gi := range net.groups {
		lo, hi := gi*levels, (gi+1)*levels
		sd.Groups[gi] = pis[lo:hi:hi]
		expand(sd.Groups[gi], f.piOf(int32(gi)))
		members := net.groups[gi].members
		n := len(members)
		sd.Members[gi] = ids[:n:n]
		for k, p := range members {
			sd.Members[gi][k] = net.m.inst.Participants[p].ID
		}
		ids = ids[n:]
	}
	return sd
}

// solveSlot builds and solves one slot variant.
func (m *model) solveSlot(spec slotSpec) (*slotResult, error) {
	net, err := m.buildSlot(spec)
	if err != nil {
		return nil, err
	}
	return net.solve()
}
