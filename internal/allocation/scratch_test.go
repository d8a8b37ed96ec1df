package allocation

import (
	"fmt"
	"os"
	"syscall"
	"strconv"
	"testing"
	"time"
)

func TestScratchRounds(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SCRATCH_N"))
	if n == 0 {
		t.Skip()
	}
	bin := os.Getenv("SCRATCH_MIP")
	for i := 0; i < n; i++ {
		o := roundsCase(i)
		inst := Generate(o)
		c0 := cpuTime()
		res, err := Solve(t.Context(), inst, Limits{Time: scratchLimit()})
		if err != nil {
			t.Fatal(err)
		}
		el := cpuTime() - c0
		if err := validate(inst, res); err != nil {
			t.Fatal(err)
		}
		got, bound := achievedVec(inst, res), boundVec(inst, res)
		line := fmt.Sprintf("%2d p%d s%d w%d k%d u%v f%v: %v opt=%v got=%v bound=%v", i, o.Participants, o.Slots, o.Workshops, o.Choices, o.AllowUnlisted, o.Fair, el.Round(time.Millisecond), res.Optimal, got, bound)
		if res.Certificate.Schedules != nil {
			line += fmt.Sprintf(" types=%d cols=%d it=%d", res.Certificate.Schedules.Types, res.Certificate.Schedules.Columns, res.Certificate.Schedules.Iterations)
			for _, l := range res.Certificate.Schedules.Levels {
				line += fmt.Sprintf(" [%s %d/%d n%d]", l.Level, l.Value, l.Bound, l.Nodes)
			}
		}
		if bin != "" {
			st := time.Now()
			mip, err := solveLexMIP(inst, bin, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			line += fmt.Sprintf(" MIP=%v (%v)", mip, time.Since(st).Round(time.Millisecond))
			if lexCmp(got, mip) != 0 && res.Optimal {
				line += " MISMATCH"
			}
			if lexCmp(bound, mip) > 0 {
				line += " BADBOUND"
			}
		}
		t.Log(line)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func scratchLimit() time.Duration {
	d, err := time.ParseDuration(os.Getenv("SCRATCH_LIMIT"))
	if err != nil {
		return 10 * time.Second
	}
	return d
}
