package export

import (
	"reflect"
	"testing"
)

func TestNeutralise(t *testing.T) {
	in := []string{"=1+1", "+49", "-5", "@A1", "\tx", "\rx", "Jürgen", "", "a=b", "'quoted"}
	want := []string{"'=1+1", "'+49", "'-5", "'@A1", "'\tx", "'\rx", "Jürgen", "", "a=b", "'quoted"}
	if got := neutralise(in); !reflect.DeepEqual(got, want) {
		t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
	}
}

func TestSheetName(t *testing.T) {
	used := map[string]bool{}
	tests := []struct{ in, want string }{
		{"A1", "A1"},
		{"a1", "a1 (2)"}, // sheet names are unique regardless of case
		{"x[1]:y/z", "x_1__y_z"},
		{"ein-sehr-langer-workshop-schluessel-2025", "ein-sehr-langer-workshop-schlue"},
		{"ein-sehr-langer-workshop-schluessel-2026", "ein-sehr-langer-workshop-sc (2)"},
	}
	for _, tt := range tests {
		if got := sheetName(tt.in, used); got != tt.want {
			t.Errorf("sheetName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
