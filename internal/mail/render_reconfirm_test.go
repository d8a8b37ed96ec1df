package mail

import (
	"strings"
	"testing"
	"time"
)

func testAnswerLink(token string, yes bool) string {
	if yes {
		return "https://fachtag.example/attend/" + token + "?answer=yes"
	}
	return "https://fachtag.example/attend/" + token + "?answer=no"
}

// TestRenderReconfirm: the question and the reminder carry both answer
// links and the deadline in the event's time zone, in text and HTML; the
// release notice says why and carries no link; a mail that cannot say
// its deadline or links is refused, not sent half.
func TestRenderReconfirm(t *testing.T) {
	ev := testEvent(t)
	deadline := time.Date(2025, 6, 23, 7, 0, 0, 0, time.UTC) // 09:00 in Berlin
	for _, tt := range []struct {
		kind    Kind
		lang    string
		release bool
		want    []string
	}{
		{KindReconfirm, "de", true, []string{"Kommen Sie zu", "?answer=yes", "?answer=no", "09:00 Uhr", "an die Warteliste weiter", "Ja, ich komme"}},
		{KindReconfirm, "en", false, []string{"Are you coming", "?answer=yes", "you keep your seat", "09:00"}},
		{KindReconfirmReminder, "de", false, []string{"Erinnerung", "?answer=no", "noch keine Antwort"}},
		{KindReconfirmReleased, "de", true, []string{"Ihr Platz wurde freigegeben", "keine Antwort", "an die Warteliste weitergegeben"}},
	} {
		t.Run(string(tt.kind)+"/"+tt.lang, func(t *testing.T) {
			m := testMessage(tt.kind, tt.lang)
			m.Reconfirm = &Reconfirm{Deadline: deadline, Release: tt.release}
			r, err := renderKind(m, ev, testLink, testAnswerLink)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			all := r.Subject + "\n" + r.Text
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("mail lacks %q:\n%s", w, all)
				}
			}
			if (tt.kind == KindReconfirmReleased) == strings.Contains(r.HTML, "/attend/") {
				t.Errorf("answer links in the HTML: %v, want them only in questions", !(tt.kind == KindReconfirmReleased))
			}
		})
	}
	m := testMessage(KindReconfirm, "de")
	if _, err := renderKind(m, ev, testLink, testAnswerLink); err == nil {
		t.Errorf("a question without its deadline rendered")
	}
	m.Reconfirm = &Reconfirm{Deadline: deadline}
	if _, err := renderKind(m, ev, testLink, nil); err == nil {
		t.Errorf("a question without answer links rendered")
	}
}
