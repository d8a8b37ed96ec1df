package allocation

// Result is the solver output (the JSON contract of `fachtag allocate`).
type Result struct {
	Assignments []Assignment `json:"assignments"`
	Unassigned  []Seat       `json:"unassigned"`
	// Profile counts placements by rank ("1", "2", …), "unlisted" and
	// "none" (wanted seats left empty).
	Profile map[string]int `json:"profile"`
	// Optimal says every objective level 1–4 is proven optimal: Bound
	// equals Objective.
	Optimal bool `json:"optimal"`
	// Bound is a certified lexicographic bound: no valid allocation has a
	// lexicographically better objective.
	Bound     Bound     `json:"bound"`
	Objective Objective `json:"objective"`
	Seed      int64     `json:"seed"`
	ElapsedMS int64     `json:"elapsed_ms"`
	// Method is "flow" (exact per-slot min-cost flows), "flow+repair"
	// (topics repeat across slots: relaxation plus clash repair, optimal
	// by the relaxation's bound) or "flow+repair+schedules" (the exact
	// schedule search ran).
	Method    string                  `json:"method"`
	Workshops map[string]WorkshopFill `json:"workshops"`
	Warnings  []string                `json:"warnings,omitempty"`
	Lottery   Lottery                 `json:"lottery"`
	// Certificate holds the dual potentials that prove Bound.
	Certificate *Certificate `json:"certificate,omitempty"`
}

// Assignment places a participant in a workshop; Rank is 1-based, 0 means
// outside the participant's list (unlisted or an unlisted pin).
type Assignment struct {
	Participant string `json:"participant"`
	Slot        string `json:"slot"`
	Workshop    string `json:"workshop"`
	Rank        int    `json:"rank"`
}

// Seat is a wanted (participant, slot) seat left empty.
type Seat struct {
	Participant string `json:"participant"`
	Slot        string `json:"slot"`
}

// WorkshopFill reports a workshop's occupancy.
type WorkshopFill struct {
	Filled   int  `json:"filled"`
	Capacity int  `json:"capacity"`
	Min      int  `json:"min,omitempty"`
	BelowMin bool `json:"below_min"`
}

// Objective is the achieved value of each objective level.
type Objective struct {
	SeatsWanted int `json:"seats_wanted"`
	SeatsFilled int `json:"seats_filled"`
	Unlisted    int `json:"unlisted"`
	// WorstRank is the largest listed rank given (pins included); 0 when
	// nobody got a listed workshop.
	WorstRank int `json:"worst_rank"`
	// RankCounts[i] is the number of placements with rank i+1.
	RankCounts []int `json:"rank_counts"`
}

// Bound is what is proven about the optimum, level by level; it is a
// lexicographic bound (each field is exact for the optimum given that the
// levels before it reach their bound).
type Bound struct {
	SeatsFilledMax int `json:"seats_filled_max"`
	UnlistedMin    int `json:"unlisted_min"`
	// WorstRankMin is only set with Options.Fair.
	WorstRankMin *int `json:"worst_rank_min,omitempty"`
	// RankCountsLexMax bounds (n1, n2, …) lexicographically from above.
	RankCountsLexMax []int `json:"rank_counts_lexmax"`
}

// Lottery records the seeded tie-break.
type Lottery struct {
	Method string `json:"method"`
	Seed   int64  `json:"seed"`
	// Order lists participant ids by ticket, best first.
	Order []string `json:"order"`
}

// Certificate proves Bound: per slot, dual potentials of min-cost flow
// problems whose dual value D(π) is a lower bound on every feasible flow's
// cost vector (weak duality, lexicographic order).
type Certificate struct {
	// Dims names the cost components of the duals with Levels = len(Dims);
	// shorter duals use a prefix.
	Dims  []string   `json:"dims"`
	Duals []SlotDual `json:"duals"`
	// Schedules is set when topics repeat across slots and the
	// relaxation's clashes were resolved by the exact schedule search; it
	// then proves a Bound at least as strong as the duals'.
	Schedules *ScheduleSearch `json:"schedules,omitempty"`
}

// Purposes of a SlotDual.
const (
	// PurposeOptimum: the slot's flow is optimal, D(π) equals its cost.
	PurposeOptimum = "optimum"
	// PurposeRelaxation: D(π) bounds the slot ignoring topics repeated in
	// other slots (topics pinned elsewhere are still excluded).
	PurposeRelaxation = "relaxation"
	// PurposeLevels12: D(π) is the optimum of [unfilled, unlisted] without
	// a fairness threshold.
	PurposeLevels12 = "levels12"
	// PurposeBelowThreshold: with listed edges of rank > Threshold removed,
	// D(π) is worse than the levels12 optimum, so the fair threshold
	// cannot be lower than Threshold+1.
	PurposeBelowThreshold = "below_threshold"
)

// SlotDual is one slot flow problem's dual solution. The network: each
// wanted, unpinned seat (participant) has supply 1 and arcs to its
// admissible workshops (listed with rank ≤ Threshold unless Threshold is
// −1, plus unlisted ones with allow_unlisted; never a topic pinned in
// another slot) and an empty-seat arc to the sink; each workshop has an arc
// to the sink with capacity minus pins. Costs: [unfilled, unlisted,
// −rank1, …, −rankK] truncated to Levels.
type SlotDual struct {
	Slot      string             `json:"slot"`
	Purpose   string             `json:"purpose"`
	Threshold int                `json:"threshold"`
	Levels    int                `json:"levels"`
	Value     []int64            `json:"value"`
	Sink      []int64            `json:"sink"`
	Workshops map[string][]int64 `json:"workshops"`
	// Groups[i] is the potential shared by the participants Members[i].
	Groups  [][]int64  `json:"groups"`
	Members [][]string `json:"members"`
}
