package server

import "testing"

func TestRunLabel(t *testing.T) {
	label := allocFuncs("de")["runLabel"].(func(bool, int, map[string]int) string)
	for _, tc := range []struct {
		fair    bool
		worst   int
		profile map[string]int
		want    string
	}{
		{false, 3, map[string]int{"1": 5}, "Möglichst viele Erstwünsche"},
		{true, 2, map[string]int{"1": 5, "2": 1, "none": 0}, "Fair: niemand schlechter als Wunsch 2"},
		{true, 2, map[string]int{"1": 5, "none": 1}, "Fair: schlechtester vergebener Wunsch ist Wunsch 2"},
		{true, 3, map[string]int{"1": 5, "unlisted": 1}, "Fair: schlechtester vergebener Wunsch ist Wunsch 3"},
	} {
		if got := label(tc.fair, tc.worst, tc.profile); got != tc.want {
			t.Errorf("runLabel(%v, %d, %v) = %q, want %q", tc.fair, tc.worst, tc.profile, got, tc.want)
		}
	}
}
