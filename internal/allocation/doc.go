// Package allocation owns the workshop allocation solver of fachtag: given
// the slots, capacity-limited workshops and participants' ranked preferences
// of one conference day, it decides who attends which workshop.
//
// The package is pure computation (no database, no HTTP). It owns the
// instance format and its validation, the lexicographic objective, the exact
// min-cost-flow solver with vector costs, the heuristic for topics repeated
// across slots, the optimality certificates, a seeded instance generator and
// the "close under-filled workshops" loop.
//
// Objective, compared lexicographically, every level exact where the result
// says Optimal:
//
//  1. fill as many wanted (participant, slot) seats as possible;
//  2. place as few participants outside their lists as possible
//     (only with Options.AllowUnlisted, otherwise never);
//  3. with Options.Fair, minimise the worst rank given;
//  4. rank-maximal: most first choices, then most second choices, …;
//  5. the seeded lottery breaks the remaining ties.
//
// Lottery (level 5): the participants, ordered by id, are shuffled with a
// SplitMix64 Fisher–Yates permutation of Options.Seed; position in that order
// is the participant's ticket (0 is best). Participants of one slot with the
// same admissible edges form a group; a group's priority is the best ticket of
// its members. The last cost component charges every unit of flow
// rank×(N−best ticket) (unlisted counts as rank K+1, an empty seat as K+2), so
// groups holding better tickets get better ranks among otherwise equal
// solutions; inside a group, members take the group's seats in ticket order,
// best rank first. Result.Lottery records the ticket order.
package allocation
