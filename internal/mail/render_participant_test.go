package mail

import (
	"strings"
	"testing"
)

func TestNoDoubledQuotesInAnyMail(t *testing.T) {
	ev := testEvent(t)
	ev.Title = "„Wir zusammen“ Netzwerktreffen"
	ev.Workshops[0].Title = "„Ankommen“ im Betrieb"
	ev.Workshops[1].Title = "Ausbildung „plus“"
	kinds := append(append([]Kind{}, allKinds...), KindOrgMessage, KindReminder)
	for _, kind := range kinds {
		for _, lang := range languages {
			t.Run(string(kind)+"/"+lang, func(t *testing.T) {
				m := testMessage(kind, lang)
				m.Change = &Change{Slot: "r1", From: "B1", To: "A1"}
				m.Subject, m.Body = "Hinweis zu „Wir zusammen“", "Liebe Teilnehmende,\nbis bald."
				r, err := renderKind(m, ev, testLink, nil)
				if err != nil {
					t.Fatalf("render: %v", err)
				}
				for part, s := range map[string]string{"subject": r.Subject, "text": r.Text, "html": r.HTML} {
					for _, bad := range []string{"„„", "““", "“„", "”„", "Netzwerktreffen“", "Netzwerktreffen”", "Betrieb“", "Betrieb”",
						"&bdquo;&bdquo;", "Netzwerktreffen&ldquo;"} {
						if strings.Contains(s, bad) {
							t.Errorf("%s holds %q:\n%s", part, bad, s)
						}
					}
				}
				if kind != KindOrgMessage && !strings.Contains(r.Subject, "„Wir zusammen“ Netzwerktreffen") {
					t.Errorf("subject %q lacks the title as it is", r.Subject)
				}
			})
		}
	}
}

func TestSwapOntoWaitingListMail(t *testing.T) {
	tests := []struct {
		lang, subject string
		text          []string
		not           []string
	}{
		{"de", "Warteliste für Ihren Workshop-Wechsel: Stadt – Land – Flucht",
			[]string{"Der Workshop „Arbeitsmarktzugang“ ist im Zeitraum Workshop-Runde 1 (13:00–14:30 Uhr) leider voll; Sie stehen dort auf der Warteliste (Platz 2).",
				"Bis dahin behalten Sie Ihren Platz in „Ausbildung, Beruf; Zukunft“."},
			[]string{"besuchen Sie jetzt", "statt"}},
		{"en", "Waiting list for your workshop change: Stadt – Land – Flucht",
			[]string{"The workshop “Arbeitsmarktzugang” in Workshop-Runde 1 (13:00–14:30) is full, so you are on its waiting list (position 2).",
				"Until then you keep your place in “Ausbildung, Beruf; Zukunft”."},
			[]string{"you now attend", "instead of"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			m := testMessage(KindSwapped, tt.lang)
			m.Change = &Change{Slot: "r1", From: "B1", To: "A1", Waitlisted: true, Position: 2}
			r, err := Render(m, testEvent(t), testLink)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if r.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tt.subject)
			}
			for _, w := range tt.text {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, r.Text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(r.Text, w) {
					t.Errorf("text holds %q:\n%s", w, r.Text)
				}
			}
		})
	}
}

func TestLeftAndAlreadyMails(t *testing.T) {
	tests := []struct {
		name    string
		m       func() Message
		subject string
		text    string
	}{
		{"left waiting list", func() Message {
			m := testMessage(KindLeft, "de")
			m.Change = &Change{Slot: "r1", From: "B1", Waitlisted: true}
			return m
		}, "Änderung Ihrer Anmeldung: Stadt – Land – Flucht", "Sie stehen nicht mehr auf der Warteliste für „Ausbildung, Beruf; Zukunft“ (Workshop-Runde 1)."},
		{"gave up seat", func() Message {
			m := testMessage(KindLeft, "en")
			m.Change = &Change{Slot: "r1", From: "B1"}
			return m
		}, "Change to your registration: Stadt – Land – Flucht", "You have given up your place in the workshop “Ausbildung, Beruf; Zukunft” (Workshop-Runde 1)"},
		{"already registered", func() Message { return testMessage(KindAlready, "de") },
			"Sie sind bereits angemeldet: Stadt – Land – Flucht", "https://fachtag.example/r/tok123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Render(tt.m(), testEvent(t), testLink)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if r.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tt.subject)
			}
			if !strings.Contains(r.Text, tt.text) {
				t.Errorf("text lacks %q:\n%s", tt.text, r.Text)
			}
		})
	}
}

func TestLegalLinksInEveryMail(t *testing.T) {
	kinds := append(append([]Kind{}, allKinds...), KindOrgMessage, KindReminder)
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			m := testMessage(kind, "de")
			m.Subject, m.Body = "Hinweis", "Text"
			m.PrivacyURL, m.ImprintURL = "https://fachtag.example/events/stadt-land/privacy", "https://example.org/impressum"
			r, err := renderKind(m, testEvent(t), testLink, nil)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			for _, w := range []string{"Datenschutz: https://fachtag.example/events/stadt-land/privacy", "Impressum: https://example.org/impressum"} {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, r.Text)
				}
			}
			for _, w := range []string{`href="https://fachtag.example/events/stadt-land/privacy"`, `href="https://example.org/impressum"`} {
				if !strings.Contains(r.HTML, w) {
					t.Errorf("HTML lacks %q:\n%s", w, r.HTML)
				}
			}
		})
	}
}
