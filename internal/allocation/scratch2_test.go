package allocation

import (
	"os"
	"testing"
	"time"
)

func TestScratchProps(t *testing.T) {
	if os.Getenv("SCRATCH_P") == "" {
		t.Skip()
	}
	for _, c := range propertyCases(160) {
		inst := Generate(c.opt)
		st := time.Now()
		res, err := Solve(t.Context(), inst, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if el := time.Since(st); el > 100*time.Millisecond {
			s := res.Certificate.Schedules
			t.Logf("%s %v %v opt=%v types=%d cols=%d it=%d %+v", c.name, el, res.Method, res.Optimal, s.Types, s.Columns, s.Iterations, s.Levels)
		}
	}
}
