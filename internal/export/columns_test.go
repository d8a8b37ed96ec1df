package export

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/roster"
)

func wishEvent() *event.Event {
	return &event.Event{Title: "Fachtag", Timezone: "UTC", Registration: event.Registration{Mode: event.ModePreferences},
		Slots:     []event.Slot{{Key: "r1", Title: "Runde 1"}},
		Workshops: []event.Workshop{{Key: "A1", SlotKey: "r1", Title: "Beratung"}},
		Questions: []event.Question{{Key: "lunch", Type: "choice", Label: event.Label{DE: "Mittagessen", EN: "Lunch"}}}}
}

// TestChooseColumns: chosen columns come in the list's order with their
// headers and cells; a key the event does not offer is named.
func TestChooseColumns(t *testing.T) {
	ev := wishEvent()
	cols, err := Choose(ev, "de", []string{"q:lunch", "wish:r1", "waitlist"})
	if err != nil {
		t.Fatal(err)
	}
	r := roster.Row{Name: "Anna", Status: registration.Waitlisted, WaitlistPosition: 4, RegisteredAt: time.Now(),
		Answers: map[string]any{"lunch": "Vegan"}, Preferences: map[string][]string{"r1": {"A1", "B1"}}}
	var headers, cells []string
	for _, c := range cols {
		headers, cells = append(headers, c.Header), append(cells, c.Cell(r))
	}
	if got, want := strings.Join(headers, "|"), "Platz auf der Warteliste|Wünsche: Runde 1|Mittagessen"; got != want {
		t.Errorf("headers: got %q, want %q", got, want)
	}
	if got, want := strings.Join(cells, "|"), "4|1. A1, 2. B1|Vegan"; got != want {
		t.Errorf("cells: got %q, want %q", got, want)
	}
	var unknown *UnknownColumnError
	if _, err := Choose(ev, "de", []string{"status", "q:gone"}); !errors.As(err, &unknown) || unknown.Key != "q:gone" {
		t.Errorf("unknown key: got %v, want an UnknownColumnError naming q:gone", err)
	}
	if got := Known(ev, "de", []string{"q:gone", "status"}); len(got) != 1 || got[0].Key != "status" {
		t.Errorf("Known keeps %v, want status only", got)
	}
	ev.Registration.Mode = event.ModeFirstCome
	if _, err := Choose(ev, "de", []string{"wish:r1"}); err == nil {
		t.Error("a first-come event offers wishes")
	}
}
