package loadtest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/db/dbtest"
)

// TestRunSmall runs the benchmark machinery at toy size so that it keeps
// working: every sign-up succeeds, half wait, nothing is oversold and
// pgbench reports a rate.
func TestRunSmall(t *testing.T) {
	_, url := dbtest.New(t)
	rep, err := Run(context.Background(), Options{DatabaseURL: url, Clients: 20, Signups: 400, Workshops: 4, PgbenchTime: time.Second})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rep.Oversold() {
		t.Errorf("oversold: %v", rep.Violations)
	}
	if rep.Confirmed != 200 || rep.Waitlisted != 200 {
		t.Errorf("seats: got %d confirmed, %d waitlisted; want 200 and 200", rep.Confirmed, rep.Waitlisted)
	}
	if rep.PgbenchTPS <= 0 {
		t.Errorf("pgbench rate: got %v", rep.PgbenchTPS)
	}
	var out bytes.Buffer
	rep.Print(&out)
	if !strings.Contains(out.String(), "oversell check: OK") {
		t.Errorf("report:\n%s", out.String())
	}
}
