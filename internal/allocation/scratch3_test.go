package allocation

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func TestScratchBig(t *testing.T) {
	if os.Getenv("SCRATCH_B") == "" {
		t.Skip()
	}
	for i, o := range []GenOptions{
		{Participants: 2000, Slots: 3, Workshops: 30, Choices: 3, Rounds: true, CapacityFactor: 1.0, Seed: 1},
		{Participants: 2000, Slots: 3, Workshops: 30, Choices: 3, Rounds: true, CapacityFactor: 0.95, AllowUnlisted: true, Seed: 2},
		{Participants: 2000, Slots: 3, Workshops: 30, Choices: 4, Rounds: true, CapacityFactor: 1.0, AllowUnlisted: true, Fair: true, Seed: 3},
		{Participants: 400, Slots: 3, Workshops: 18, Choices: 3, Rounds: true, CapacityFactor: 1.0, AllowUnlisted: true, Seed: 4},
		{Participants: 400, Slots: 3, Workshops: 18, Choices: 4, Rounds: true, CapacityFactor: 0.95, AllowUnlisted: true, Fair: true, Seed: 5},
	} {
		inst := Generate(o)
		st := time.Now()
		c0 := cpuTime()
		res, err := Solve(t.Context(), inst, Limits{Time: scratchLimit()})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Certificate.Schedules
		line := fmt.Sprintf("%d cpu=%v wall=%v opt=%v %v bound %v", i, cpuTime()-c0, time.Since(st), res.Optimal, achievedVec(inst, res), boundVec(inst, res))
		if s != nil {
			line += fmt.Sprintf(" types=%d cols=%d it=%d %+v", s.Types, s.Columns, s.Iterations, s.Levels)
		}
		t.Log(line)
	}
}

func TestScratchRepeat(t *testing.T) {
	if os.Getenv("SCRATCH_REP") == "" {
		t.Skip()
	}
	inst := Generate(GenOptions{Participants: 10000, Workshops: 50, Slots: 3, Choices: 3, RepeatTopics: true, Seed: 1})
	c0 := cpuTime()
	res, err := Solve(t.Context(), inst, Limits{Time: scratchLimit()})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Certificate.Schedules
	t.Logf("cpu=%v opt=%v %v bound %v types=%d cols=%d it=%d %+v", cpuTime()-c0, res.Optimal, achievedVec(inst, res), boundVec(inst, res), s.Types, s.Columns, s.Iterations, s.Levels)
}
