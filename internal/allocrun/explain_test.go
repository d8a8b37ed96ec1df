package allocrun

import (
	"fmt"
	"testing"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// TestExplain decides each reason on a hand-made plan, and gives none
// where no fact explains the outcome.
func TestExplain(t *testing.T) {
	ev := &event.Event{
		Slots: []event.Slot{{Key: "r1"}, {Key: "r2"}},
		Workshops: []event.Workshop{
			{Key: "A", SlotKey: "r1", Capacity: 1, Topic: "A"},
			{Key: "B", SlotKey: "r1", Capacity: 4, Topic: "B"},
			{Key: "C", SlotKey: "r1", Capacity: 2, Topic: "C"},
			{Key: "D", SlotKey: "r1", Capacity: 5, Topic: "D"},
			{Key: "E", SlotKey: "r1", Capacity: 1, Topic: "E"},
			{Key: "A2", SlotKey: "r2", Capacity: 2, Topic: "A"},
		},
	}
	r1 := func(l ...string) map[string][]string { return map[string][]string{"r1": l} }
	inst := &allocation.Instance{Participants: []allocation.Participant{
		{ID: "x", Preferences: r1("A", "B")},
		{ID: "y", Preferences: r1("A")},
		{ID: "z", Preferences: r1("C", "B")},
		{ID: "w", Preferences: r1("A"), Pinned: map[string]string{"r1": "B"}},
		{ID: "v", Preferences: r1("D")},
		{ID: "u", Preferences: map[string][]string{"r1": {"A", "B"}, "r2": {"A2"}}},
	}}
	run := &Run{Closed: []string{"C"}, Result: &allocation.Result{
		Assignments: []allocation.Assignment{
			{Participant: "x", Slot: "r1", Workshop: "B", Rank: 2},
			{Participant: "y", Slot: "r1", Workshop: "A", Rank: 1},
			{Participant: "z", Slot: "r1", Workshop: "B", Rank: 2},
			{Participant: "w", Slot: "r1", Workshop: "B", Rank: 0},
			{Participant: "u", Slot: "r1", Workshop: "B", Rank: 2},
			{Participant: "u", Slot: "r2", Workshop: "A2", Rank: 1},
		},
		Unassigned: []allocation.Seat{{Participant: "v", Slot: "r1"}},
	}}
	p := newPlan(ev, run)
	outs := p.outcomes(inst)
	want := map[string]string{
		"x": "[{r1 B 2 full_first A  0}]",
		"y": "[{r1 A 1    0}]",
		"z": "[{r1 B 2 closed C  0}]",
		"w": "[{r1 B 0 pinned   0}]",
		"v": "[{r1  0    0}]", // D had free seats: nothing is certain
		"u": "[{r1 B 2 topic A A2 0} {r2 A2 1    0}]",
	}
	for id, w := range want {
		if got := fmt.Sprint(outs[id]); got != w {
			t.Errorf("%s: outcomes %s, want %s", id, got, w)
		}
	}
	free := map[string]string{}
	for _, f := range p.freeSeats(inst) {
		free[f.Workshop] = fmt.Sprintf("%d %s %d", f.Free, f.Reason, f.Wishes)
	}
	wantFree := map[string]string{"C": "2 closed 0", "D": "5  1", "E": "1 no_wishes 0", "A2": "1 all_placed 1"}
	if fmt.Sprint(free) != fmt.Sprint(wantFree) {
		t.Errorf("free seats %v, want %v", free, wantFree)
	}
	// Without the input only the facts of the run itself remain.
	if got := fmt.Sprint(p.outcomes(nil)["x"]); got != "[{r1 B 2    0}]" {
		t.Errorf("outcomes without input: %s", got)
	}

	// A fair run where everyone got a listed seat: A went to someone who
	// listed it second.
	fair := &Run{Options: Options{Fair: true}, Result: &allocation.Result{
		Assignments: []allocation.Assignment{
			{Participant: "x", Slot: "r1", Workshop: "A", Rank: 1},
			{Participant: "y", Slot: "r1", Workshop: "B", Rank: 2},
		},
		Objective: allocation.Objective{WorstRank: 2}, Profile: map[string]int{"1": 1, "2": 1},
	}}
	ev.Workshops[0].Capacity = 1
	fairInst := &allocation.Instance{Participants: []allocation.Participant{
		{ID: "x", Preferences: r1("B", "A")}, {ID: "y", Preferences: r1("A", "B")},
	}}
	fair.Assignments[0].Rank = 2
	if got := fmt.Sprint(newPlan(ev, fair).outcomes(fairInst)["y"]); got != "[{r1 B 2 full_fair A  2}]" {
		t.Errorf("fair outcome %s, want full_fair with worst 2", got)
	}
	// Someone without a seat makes "nobody worse than wish 2" untrue.
	fair.Profile["none"] = 1
	if got := fmt.Sprint(newPlan(ev, fair).outcomes(fairInst)["y"]); got != "[{r1 B 2 full A  0}]" {
		t.Errorf("fair outcome with an empty seat %s, want plain full", got)
	}
	for _, lang := range []string{"de", "en"} {
		o := registration.Outcome{Slot: "r1", Workshop: "B", Rank: 2, Reason: registration.ReasonFullFair, First: "A", Worst: 2}
		if o.Why(lang, func(k string) string { return k }) == "" || o.Wish(lang) == "" {
			t.Errorf("%s: no text for %+v", lang, o)
		}
	}
}
