package allocation

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ClosingResult is the outcome of SolveClosingUnderfilled.
type ClosingResult struct {
	Result *Result `json:"result"`
	// Closed lists the closed workshops in the order they were closed.
	Closed []string `json:"closed"`
}

// SolveClosingUnderfilled solves, then repeatedly closes the emptiest
// workshop that runs (has participants) below its minimum (capacity set to 0) and re-solves,
// until no open workshop is under its minimum. Workshops with pinned
// participants are never closed (pins are hard); they stay as warnings.
// The caller's instance is not modified. The time limit is for the whole
// loop: every re-solve gets what the earlier ones left.
func SolveClosingUnderfilled(ctx context.Context, inst *Instance, lim Limits) (*ClosingResult, error) {
	var deadline time.Time
	if lim.Time > 0 {
		deadline = time.Now().Add(lim.Time)
	}
	cur := *inst
	cur.Workshops = slices.Clone(inst.Workshops)
	pinned := map[string]bool{}
	for _, p := range inst.Participants {
		for _, w := range p.Pinned {
			pinned[w] = true
		}
	}
	closed := map[string]bool{}
	out := &ClosingResult{Closed: []string{}}
	for {
		step := Limits{}
		if !deadline.IsZero() {
			// At least a millisecond, so a late re-solve still answers.
			step.Time = max(time.Until(deadline), time.Millisecond)
		}
		res, err := Solve(ctx, &cur, step)
		if err != nil {
			return nil, fmt.Errorf("after closing %v: %w", out.Closed, err)
		}
		i := emptiestUnderfilled(&cur, res, closed, pinned)
		if i < 0 {
			for _, k := range out.Closed {
				res.Warnings = append(res.Warnings, fmt.Sprintf("workshop %q closed: below its minimum", k))
			}
			out.Result = res
			return out, nil
		}
		key := cur.Workshops[i].Key
		cur.Workshops[i].Capacity = 0
		closed[key] = true
		out.Closed = append(out.Closed, key)
	}
}

// emptiestUnderfilled picks the open, unpinned workshop below its minimum
// with the fewest participants (ties: lowest fill ratio, then input order);
// −1 if there is none.
func emptiestUnderfilled(inst *Instance, res *Result, closed, pinned map[string]bool) int {
	best := -1
	for i, w := range inst.Workshops {
		f := res.Workshops[w.Key]
		// An empty workshop does not run at all; closing it would only
		// remove an option that later closings may need.
		if !f.BelowMin || f.Filled == 0 || closed[w.Key] || pinned[w.Key] {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := res.Workshops[inst.Workshops[best].Key]
		if f.Filled < b.Filled || f.Filled == b.Filled && f.Filled*inst.Workshops[best].Min < b.Filled*w.Min {
			best = i
		}
	}
	return best
}
