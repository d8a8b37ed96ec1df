package event

import "testing"

func TestProblemIn(t *testing.T) {
	p := &Problems{}
	p.add("$.capacity", "file.positive", 0)
	pr := (*p)[0]
	if got, want := pr.In("de"), "Muss größer als 0 sein, nicht 0."; got != want {
		t.Errorf("In(de) = %q, want %q", got, want)
	}
	if got, want := pr.In("en"), "must be greater than 0, got 0"; got != want {
		t.Errorf("In(en) = %q, want %q", got, want)
	}
	if pr.Message != pr.In("en") {
		t.Errorf("Message = %q, want the English text", pr.Message)
	}
}
