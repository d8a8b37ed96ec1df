package mail

import (
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/registration"
)

// TestRenderPublishedOutcomes: the published mail says which wish each
// workshop is and, where not the first, the one sentence why; a wanted
// slot left empty is listed with its reason too.
func TestRenderPublishedOutcomes(t *testing.T) {
	ev := testEvent(t)
	ev.Workshops = append(ev.Workshops, ev.Workshops[0])
	ev.Workshops[3].Key, ev.Workshops[3].SlotKey, ev.Workshops[3].Title = "A2", "r2", "Arbeitsmarktzugang (Runde 2)"
	m := testMessage(KindPublished, "de")
	m.Bookings = []Booking{{Slot: "r1", Workshop: "B1", Status: "confirmed"}}
	m.Outcomes = []registration.Outcome{
		{Slot: "r1", Workshop: "B1", Rank: 2, Reason: registration.ReasonFullFirst, First: "A1"},
		{Slot: "r2", Rank: 0, Reason: registration.ReasonTopic, First: "C2", Other: "A2"},
	}
	tests := []struct {
		lang string
		want []string
	}{
		{"de", []string{
			"Workshop-Runde 1, 13:00–14:30 Uhr: Ausbildung, Beruf; Zukunft, Raum 2 – Ihr 2. Wunsch",
			"Ihr 1. Wunsch „Arbeitsmarktzugang“ war voll: Alle Plätze gingen an Personen, die ihn ebenfalls als 1. Wunsch angegeben hatten.",
			"Workshop-Runde 2, 14:45–16:00 Uhr: kein Platz in diesem Zeitraum",
			"hat dasselbe Thema wie „Arbeitsmarktzugang (Runde 2)“",
		}},
		{"en", []string{
			"Raum 2 – Your wish no. 2",
			"Your first wish “Arbeitsmarktzugang” was full: all its seats went to people who also listed it as their first wish.",
		}},
	}
	for _, tt := range tests {
		m.Language = tt.lang
		r, err := Render(m, ev, testLink)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%s text lacks %q; got:\n%s", tt.lang, w, r.Text)
			}
		}
		if !strings.Contains(r.HTML, "<small>") || strings.Contains(r.Text, "rank") {
			t.Errorf("%s HTML lacks the reason, or the text speaks of ranks:\n%s", tt.lang, r.HTML)
		}
	}
	// A swap mail says nothing about wishes: the outcome is the publication's.
	m.Kind, m.Language = KindSwapped, "de"
	m.Change = &Change{Slot: "r1", From: "A1", To: "B1"}
	m.Outcomes = nil
	if r, _ := Render(m, ev, testLink); strings.Contains(r.Text, "Wunsch") {
		t.Errorf("swap mail mentions a wish:\n%s", r.Text)
	}
}

// A workshop repeated with the same title in another round is named once.
func TestRenderTopicAgain(t *testing.T) {
	ev := testEvent(t)
	ev.Workshops = append(ev.Workshops, ev.Workshops[0])
	ev.Workshops[3].Key, ev.Workshops[3].SlotKey = "A2", "r2"
	m := testMessage(KindPublished, "de")
	m.Bookings = []Booking{{Slot: "r1", Workshop: "B1", Status: "confirmed"}, {Slot: "r2", Workshop: "A2", Status: "confirmed"}}
	m.Outcomes = []registration.Outcome{{Slot: "r1", Workshop: "B1", Rank: 2, Reason: registration.ReasonTopic, First: "A1", Other: "A2"}}
	r, err := Render(m, ev, testLink)
	if want := "Ihren 1. Wunsch „Arbeitsmarktzugang“ bekommen Sie schon in einer anderen Runde"; err != nil || !strings.Contains(r.Text, want) {
		t.Errorf("text lacks %q (%v):\n%s", want, err, r.Text)
	}
}
