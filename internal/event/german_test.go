package event

import (
	"strings"
	"testing"
)

// Every German message takes the same arguments as its English format.
func TestGermanMessagesMatchTheirFormats(t *testing.T) {
	for en, de := range german {
		if de == "" || strings.Count(en, "%") != strings.Count(de, "%") {
			t.Errorf("%q: German %q has other verbs", en, de)
		}
	}
}

func TestProblemIn(t *testing.T) {
	p := &Problems{}
	p.add("$.capacity", "must be greater than 0, got %d", 0)
	pr := (*p)[0]
	if got := pr.In("de"); got != "Muss größer als 0 sein, nicht 0." {
		t.Errorf("In(de) = %q", got)
	}
	if got := pr.In("en"); got != "must be greater than 0, got 0" {
		t.Errorf("In(en) = %q", got)
	}
}
