package auth

import (
	"testing"
)

// The delay starts at a second, doubles every MaxFailures failures and
// stops at a minute.
func TestSlowDelays(t *testing.T) {
	d := slowDelays(5)
	if d[0] != 1 || d[5] != 2 || d[10] != 4 {
		t.Errorf("delays %v: want 1s, then 2s after 5 failures, 4s after 10", d)
	}
	for i := 1; i < len(d); i++ {
		if d[i] <= d[i-1] {
			t.Errorf("delay %d (%vs) is not longer than the one before (%vs)", i, d[i], d[i-1])
		}
	}
	if last := d[len(d)-1]; last != maxDelay.Seconds() || len(d) > 40 {
		t.Errorf("last delay %vs after %d steps, want %v within 40", last, len(d), maxDelay)
	}
}
