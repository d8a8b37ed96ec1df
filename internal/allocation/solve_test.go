package allocation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// genCase is one generated instance configuration of the property tests.
type genCase struct {
	name string
	opt  GenOptions
}

// propertyCases spans sizes, slots, repeated topics, pins, tight
// capacities, unlisted and fair variants.
func propertyCases(n int) []genCase {
	var cases []genCase
	for i := 0; i < n; i++ {
		o := GenOptions{
			Participants:   []int{3, 8, 20, 60, 150, 400}[i%6],
			Slots:          1 + i%3,
			Choices:        1 + i%4,
			RepeatTopics:   i%4 == 1 || i%4 == 2,
			CapacityFactor: []float64{0.6, 0.9, 1.1, 1.5}[(i/3)%4],
			PinRate:        []float64{0, 0, 0.1, 0.3}[(i/2)%4],
			MinRate:        0.3,
			AllowUnlisted:  i%5 >= 3,
			Fair:           i%7 >= 4,
			Seed:           int64(i + 1),
		}
		o.Workshops = o.Slots * (2 + i%5)
		cases = append(cases, genCase{fmt.Sprintf("%03d_p%d_s%d_k%d", i, o.Participants, o.Slots, o.Choices), o})
	}
	return cases
}

func TestSolveProperties(t *testing.T) {
	t.Parallel()
	n := 160
	if testing.Short() {
		n = 60
	}
	for _, c := range propertyCases(n) {
		inst := Generate(c.opt)
		res, err := Solve(t.Context(), inst, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := validate(inst, res); err != nil {
			t.Fatalf("%s: invalid result: %v", c.name, err)
		}
		if err := checkCertificate(inst, res); err != nil {
			t.Fatalf("%s: certificate: %v", c.name, err)
		}
		if res.Optimal && lexCmp(achievedVec(inst, res), boundVec(inst, res)) != 0 {
			t.Fatalf("%s: optimal but bound %v ≠ objective %v", c.name, boundVec(inst, res), achievedVec(inst, res))
		}
		if !inst.hasRepeatedTopics() && !res.Optimal {
			t.Fatalf("%s: decomposable instance not optimal", c.name)
		}
		again, err := Solve(t.Context(), inst, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !sameAssignments(res, again) {
			t.Fatalf("%s: same seed gave different assignments", c.name)
		}
	}
}

// TestSolveRounds: the rounds shape (every topic in every slot) is solved
// exactly by the schedule search, with a valid certificate.
func TestSolveRounds(t *testing.T) {
	t.Parallel()
	n := 12
	if testing.Short() {
		n = 4
	}
	for i := 0; i < n; i++ {
		inst := Generate(roundsCase(i))
		res, err := Solve(t.Context(), inst, Limits{Time: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(inst, res); err != nil {
			t.Fatalf("rounds %d: invalid result: %v", i, err)
		}
		if err := checkCertificate(inst, res); err != nil {
			t.Fatalf("rounds %d: certificate: %v", i, err)
		}
		if !res.Optimal || lexCmp(achievedVec(inst, res), boundVec(inst, res)) != 0 {
			t.Errorf("rounds %d: optimal %v, objective %v, bound %v", i, res.Optimal, achievedVec(inst, res), boundVec(inst, res))
		}
	}
}

// TestSolveTimeLimit: past the budget Solve still returns a valid plan
// with a bound that holds; a cancelled context is an error.
func TestSolveTimeLimit(t *testing.T) {
	t.Parallel()
	inst := Generate(GenOptions{Participants: 300, Workshops: 18, Slots: 3, Choices: 4, Rounds: true,
		CapacityFactor: 0.95, AllowUnlisted: true, Fair: true, Seed: 3})
	for _, limit := range []time.Duration{time.Nanosecond, 20 * time.Millisecond} {
		res, err := Solve(t.Context(), inst, Limits{Time: limit})
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(inst, res); err != nil {
			t.Fatalf("limit %v: invalid result: %v", limit, err)
		}
		if err := checkCertificate(inst, res); err != nil {
			t.Fatalf("limit %v: certificate: %v", limit, err)
		}
		got, bound := achievedVec(inst, res), boundVec(inst, res)
		if lexCmp(bound, got) > 0 || res.Optimal != (lexCmp(bound, got) == 0) {
			t.Errorf("limit %v: optimal %v, objective %v, bound %v", limit, res.Optimal, got, bound)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Solve(ctx, inst, Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
}

func (inst *Instance) hasRepeatedTopics() bool {
	slot := map[string]string{}
	for _, w := range inst.Workshops {
		t := w.Topic
		if t == "" {
			t = w.Key
		}
		if s, ok := slot[t]; ok && s != w.Slot {
			return true
		}
		slot[t] = w.Slot
	}
	return false
}

func sameAssignments(a, b *Result) bool {
	ja, _ := json.Marshal(a.Assignments)
	jb, _ := json.Marshal(b.Assignments)
	return string(ja) == string(jb)
}

func TestSolveSmall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		inst    string
		want    map[string]string // participant/slot → workshop
		profile map[string]int
	}{
		{
			name: "rank maximal beats greedy",
			inst: `{"slots":["r1"],"workshops":[{"key":"A","slot":"r1","capacity":1},{"key":"B","slot":"r1","capacity":1}],
				"participants":[{"id":"p1","preferences":{"r1":["A","B"]}},{"id":"p2","preferences":{"r1":["A"]}}]}`,
			want:    map[string]string{"p1/r1": "B", "p2/r1": "A"},
			profile: map[string]int{"1": 1, "2": 1, "none": 0},
		},
		{
			name: "pins are hard and take capacity",
			inst: `{"slots":["r1"],"workshops":[{"key":"A","slot":"r1","capacity":1},{"key":"B","slot":"r1","capacity":1}],
				"participants":[{"id":"p1","preferences":{"r1":["A"]}},{"id":"p2","preferences":{"r1":["B"]},"pinned":{"r1":"A"}}]}`,
			want:    map[string]string{"p2/r1": "A"},
			profile: map[string]int{"1": 0, "unlisted": 1, "none": 1},
		},
		{
			name: "unlisted fills a seat when allowed",
			inst: `{"slots":["r1"],"workshops":[{"key":"A","slot":"r1","capacity":1},{"key":"B","slot":"r1","capacity":1}],
				"participants":[{"id":"p1","preferences":{"r1":["A"]}},{"id":"p2","preferences":{"r1":["A"]}}],
				"options":{"allow_unlisted":true,"seed":3}}`,
			profile: map[string]int{"1": 1, "unlisted": 1, "none": 0},
		},
		{
			name: "fair lowers the worst rank",
			inst: `{"slots":["r1"],"workshops":[{"key":"A","slot":"r1","capacity":1},{"key":"B","slot":"r1","capacity":1},{"key":"C","slot":"r1","capacity":1}],
				"participants":[{"id":"p1","preferences":{"r1":["A","B","C"]}},{"id":"p2","preferences":{"r1":["A","B","C"]}},{"id":"p3","preferences":{"r1":["B","C","A"]}}],
				"options":{"fair":true}}`,
			profile: map[string]int{"1": 1, "2": 2, "3": 0},
		},
		{
			name: "without fair rank maximal takes the third choice",
			inst: `{"slots":["r1"],"workshops":[{"key":"A","slot":"r1","capacity":1},{"key":"B","slot":"r1","capacity":1},{"key":"C","slot":"r1","capacity":1}],
				"participants":[{"id":"p1","preferences":{"r1":["A","B","C"]}},{"id":"p2","preferences":{"r1":["A","B","C"]}},{"id":"p3","preferences":{"r1":["B","C","A"]}}]}`,
			profile: map[string]int{"1": 2, "2": 0, "3": 1},
		},
		{
			name: "repeated topic is never given twice",
			inst: `{"slots":["r1","r2"],"workshops":[{"key":"A1","slot":"r1","capacity":5,"topic":"A"},{"key":"A2","slot":"r2","capacity":5,"topic":"A"},{"key":"B2","slot":"r2","capacity":5}],
				"participants":[{"id":"p1","preferences":{"r1":["A1"],"r2":["A2","B2"]}}]}`,
			want:    map[string]string{"p1/r1": "A1", "p1/r2": "B2"},
			profile: map[string]int{"1": 1, "2": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inst Instance
			if err := json.Unmarshal([]byte(tt.inst), &inst); err != nil {
				t.Fatal(err)
			}
			res, err := Solve(t.Context(), &inst, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(&inst, res); err != nil {
				t.Fatal(err)
			}
			if err := checkCertificate(&inst, res); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, a := range res.Assignments {
				got[a.Participant+"/"+a.Slot] = a.Workshop
			}
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("%s: got %q, want %q", k, got[k], w)
				}
			}
			for k, n := range tt.profile {
				if res.Profile[k] != n {
					t.Errorf("profile[%s] = %d, want %d (%v)", k, res.Profile[k], n, res.Profile)
				}
			}
			if !res.Optimal { // small enough for the branch-and-bound
				t.Errorf("optimal = %v", res.Optimal)
			}
		})
	}
}

func TestValidationErrors(t *testing.T) {
	t.Parallel()
	base := func() *Instance {
		return &Instance{
			Slots: []string{"r1", "r2"},
			Workshops: []Workshop{
				{Key: "A1", Slot: "r1", Capacity: 1, Topic: "A"},
				{Key: "A2", Slot: "r2", Capacity: 1, Topic: "A"},
				{Key: "B2", Slot: "r2", Capacity: 1},
			},
			Participants: []Participant{
				{ID: "p0", Preferences: map[string][]string{"r1": {"A1"}}},
				{ID: "p1", Preferences: map[string][]string{"r2": {"B2"}}},
			},
		}
	}
	tests := []struct {
		name   string
		mutate func(*Instance)
		want   string
	}{
		{"unknown pinned workshop", func(i *Instance) { i.Participants[1].Pinned = map[string]string{"r1": "X9"} }, `participants[1].pinned.r1: unknown workshop "X9"`},
		{"unknown preference workshop", func(i *Instance) { i.Participants[0].Preferences["r1"] = []string{"A1", "X9"} }, `participants[0].preferences.r1[1]: unknown workshop "X9"`},
		{"unknown preference slot", func(i *Instance) { i.Participants[0].Preferences["r9"] = []string{"A1"} }, `participants[0].preferences.r9: unknown slot "r9"`},
		{"workshop of another slot", func(i *Instance) { i.Participants[0].Preferences["r1"] = []string{"B2"} }, `participants[0].preferences.r1[0]: workshop "B2" belongs to slot "r2"`},
		{"listed twice", func(i *Instance) { i.Participants[0].Preferences["r1"] = []string{"A1", "A1"} }, `participants[0].preferences.r1[1]: workshop "A1" listed twice`},
		{"duplicate participant", func(i *Instance) { i.Participants[1].ID = "p0" }, `participants[1].id: duplicate participant "p0"`},
		{"duplicate workshop", func(i *Instance) { i.Workshops[2].Key = "A1" }, `workshops[2].key: duplicate workshop "A1"`},
		{"duplicate slot", func(i *Instance) { i.Slots[1] = "r1" }, `slots[1]: duplicate slot "r1"`},
		{"negative capacity", func(i *Instance) { i.Workshops[0].Capacity = -1 }, `workshops[0].capacity: must be >= 0, got -1`},
		{"workshop in unknown slot", func(i *Instance) { i.Workshops[0].Slot = "r7" }, `workshops[0].slot: unknown slot "r7"`},
		{"pin topic conflict", func(i *Instance) { i.Participants[0].Pinned = map[string]string{"r1": "A1", "r2": "A2"} }, `participants[0].pinned.r2: workshop "A2" has the same topic as "A1"`},
		{"pins over capacity", func(i *Instance) {
			i.Participants[0].Pinned = map[string]string{"r1": "A1"}
			i.Participants[1].Pinned = map[string]string{"r1": "A1"}
		}, `participants[1].pinned.r1: workshop "A1" is over capacity: 2 pins, capacity 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := base()
			tt.mutate(inst)
			_, err := Solve(t.Context(), inst, Limits{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("error %v is not an *InputError", err)
			}
		})
	}
}

func TestLotteryDependsOnSeedOnly(t *testing.T) {
	t.Parallel()
	for _, o := range []GenOptions{
		{Participants: 200, Workshops: 6, Slots: 2, Seed: 5, CapacityFactor: 0.8},
		{Participants: 300, Workshops: 15, Slots: 3, Choices: 3, Rounds: true, AllowUnlisted: true, Seed: 5, CapacityFactor: 0.9},
	} {
		inst := Generate(o)
		a, err := Solve(t.Context(), inst, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		// Reordering participants must not change who gets what.
		rev := *inst
		rev.Participants = slices.Clone(inst.Participants)
		slices.Reverse(rev.Participants)
		b, err := Solve(t.Context(), &rev, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		key := func(r *Result) map[string]string {
			m := map[string]string{}
			for _, x := range r.Assignments {
				m[x.Participant+"/"+x.Slot] = x.Workshop
			}
			return m
		}
		ka, kb := key(a), key(b)
		for k, v := range ka {
			if kb[k] != v {
				t.Fatalf("%s: input order changed %s: %s vs %s", a.Method, k, v, kb[k])
			}
		}
		inst.Options.Seed++
		c, err := Solve(t.Context(), inst, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if sameAssignments(a, c) {
			t.Errorf("%s: a different seed gave the same assignments", a.Method)
		}
		if fmt.Sprint(a.Profile) != fmt.Sprint(c.Profile) {
			t.Errorf("%s: profile must not depend on the seed: %v vs %v", a.Method, a.Profile, c.Profile)
		}
	}
}

func TestSolveClosingUnderfilled(t *testing.T) {
	t.Parallel()
	inst := &Instance{
		Slots: []string{"r1"},
		Workshops: []Workshop{
			{Key: "A", Slot: "r1", Capacity: 3, Min: 1},
			{Key: "B", Slot: "r1", Capacity: 3, Min: 3},
			{Key: "C", Slot: "r1", Capacity: 3, Min: 3},
		},
		Participants: []Participant{
			{ID: "p1", Preferences: map[string][]string{"r1": {"B", "A"}}},
			{ID: "p2", Preferences: map[string][]string{"r1": {"B", "A"}}},
			{ID: "p3", Preferences: map[string][]string{"r1": {"C", "A"}}},
		},
	}
	cr, err := SolveClosingUnderfilled(t.Context(), inst, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// C (1 of 3) is emptier than B (2 of 3) and goes first; then B.
	if want := []string{"C", "B"}; !slices.Equal(cr.Closed, want) {
		t.Fatalf("closed %v, want %v", cr.Closed, want)
	}
	if f := cr.Result.Workshops["A"]; f.Filled != 3 || f.BelowMin {
		t.Fatalf("A: %+v", f)
	}
	if inst.Workshops[1].Capacity != 3 {
		t.Fatalf("input modified")
	}
}

func TestExampleFile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	var inst Instance
	if err := json.Unmarshal(data, &inst); err != nil {
		t.Fatal(err)
	}
	res, err := Solve(t.Context(), &inst, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(&inst, res); err != nil {
		t.Fatal(err)
	}
	if err := checkCertificate(&inst, res); err != nil {
		t.Fatal(err)
	}
	// p1 is pinned to A1 (topic A), so p1 cannot get A2; A1 runs below its
	// minimum of 2 and must be reported.
	if !res.Workshops["A1"].BelowMin || len(res.Warnings) == 0 {
		t.Errorf("A1 below minimum not reported: %+v %v", res.Workshops["A1"], res.Warnings)
	}
	if res.Profile["none"] != 0 || !res.Optimal {
		t.Errorf("profile %v optimal %v", res.Profile, res.Optimal)
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"assignments":[`, `"unassigned":[]`, `"profile":{`, `"optimal":true`, `"bound":{`, `"seed":42`, `"elapsed_ms":`} {
		if !strings.Contains(string(out), field) {
			t.Errorf("output lacks %s", field)
		}
	}
}
