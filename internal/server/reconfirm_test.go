package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/reconfirm"
)

// The reconfirmation end to end: the organiser's form, the scheduler at
// a moved clock, the mails through a real SMTP server, the answer page
// behind the mailed link, the personal page and the dashboard.

func reconfirmForm(sendDays, deadline, unit string, release bool) url.Values {
	f := url.Values{"enabled": {"yes"}, "send_days": {sendDays}, "deadline_value": {deadline},
		"deadline_unit": {unit}, "remind": {"yes"}}
	if release {
		f.Set("release", "yes")
	}
	return f
}

func TestReconfirmSettingsValidate(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	path := "/org/events/" + slugOpen + "/reconfirm"
	for _, tt := range []struct {
		name       string
		form       url.Values
		field, msg string
	}{
		{"deadline before the question", reconfirmForm("3", "4", "days", false), "deadline_value", "mindestens einen Tag nach dem Versand"},
		{"no number", reconfirmForm("sieben", "3", "days", false), "send_days", "ganze Zahl"},
		{"too many days", reconfirmForm("61", "3", "days", false), "send_days", "von 1 bis 60"},
		{"bad unit", reconfirmForm("7", "3", "weeks", false), "deadline_unit", "Tage oder Stunden"},
		{"deadline passed", reconfirmForm("30", "20", "days", false), "deadline_value", "schon vorbei"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := of.postForm(path, tt.form, cookie...)
			body := string(r.body)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+tt.field+`-error"`) || !strings.Contains(body, tt.msg) {
				t.Fatalf("got %d, want 422 with %q next to %s:\n%s", r.status, tt.msg, tt.field, body)
			}
		})
	}
	if n := len(of.column(`SELECT event_id::text FROM reconfirm_settings`)); n != 0 {
		t.Fatalf("%d settings rows saved by invalid forms, want 0", n)
	}
	if r := of.postForm(path, reconfirmForm("7", "36", "hours", true), cookie...); r.status != http.StatusSeeOther {
		t.Fatalf("valid form: got %v, want 303", r)
	}
	var start time.Time
	if err := of.pool.QueryRow(context.Background(), `SELECT starts_at FROM events WHERE slug = $1`, slugOpen).Scan(&start); err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	deadline := start.Add(-36 * time.Hour).In(berlin).Format("15:04 Uhr") // the plan in the event's time zone
	page := string(of.get(path+"?done=saved", cookie...).body)
	for _, want := range []string{`value="36"`, "Europe/Berlin", deadline, "gehen am", "Die Einstellungen sind gespeichert"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
}

var answerLink = regexp.MustCompile(`/attend/[A-Za-z0-9_-]{43}\?answer=(yes|no)`)

func TestReconfirmFlowThroughMail(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	sink := of.startMail()
	p1 := of.register(of.person(map[string]string{"r1": "A1"}))
	p2 := of.register(of.person(map[string]string{"r1": "A1"})) // waits for A1
	if r := of.postForm("/org/events/"+slugOpen+"/reconfirm", reconfirmForm("7", "3", "days", true), cookie...); r.status != http.StatusSeeOther {
		t.Fatalf("save settings: %v", r)
	}
	var start time.Time
	if err := of.pool.QueryRow(context.Background(), `SELECT starts_at FROM events WHERE slug = $1`, slugOpen).Scan(&start); err != nil {
		t.Fatal(err)
	}
	if d, err := reconfirm.Tick(context.Background(), of.pool, start.Add(-7*24*time.Hour)); err != nil || d.Asked != 2 {
		t.Fatalf("Tick at the send time = %+v, %v; want 2 asked", d, err)
	}
	mails := mailsTo(of.drainOutbox(sink), p1.Email)
	question := mails[len(mails)-1]
	if !strings.Contains(question.Subject, "Kommen Sie") {
		t.Fatalf("last mail to p1 is %q, want the question", question.Subject)
	}
	links := answerLink.FindAllString(question.Text, -1)
	if len(links) != 2 || !strings.HasSuffix(links[1], "answer=no") {
		t.Fatalf("answer links in the mail: %v\n%s", links, question.Text)
	}
	no := links[1]

	// A mail scanner fetches the link: the page opens, nothing changes.
	before := of.reconfirmState()
	page := of.get(no)
	if page.status != http.StatusOK || !regexp.MustCompile(`value="no" checked`).Match(page.body) {
		t.Fatalf("GET answer link: %d, want 200 with no preselected:\n%s", page.status, page.body)
	}
	if after := of.reconfirmState(); after != before {
		t.Fatalf("GET changed the state:\n%s\nwas\n%s", after, before)
	}

	token := strings.TrimPrefix(strings.Split(no, "?")[0], "/attend/")
	if r := of.postForm("/attend/"+token, url.Values{"answer": {"maybe"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.body), "Bitte wählen Sie Ja oder Nein") {
		t.Fatalf("answer maybe: %v, want 422", r)
	}
	if r := of.postForm("/attend/"+token, url.Values{"answer": {"no"}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer no: %v, want 303", r)
	}
	if r := of.postForm("/attend/"+token, url.Values{"answer": {"no"}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer no twice: %v, want 303", r)
	}
	if r := of.postForm("/attend/"+token, url.Values{"answer": {"yes"}}); r.status != http.StatusConflict ||
		!strings.Contains(string(r.body), "schon weitergegeben") {
		t.Fatalf("yes after no: %v, want 409 saying the seat is gone", r)
	}
	all := of.drainOutbox(sink)
	if got := strings.Join(subjects(mailsTo(all, p1.Email)), " | "); strings.Count(got, "storniert") != 1 {
		t.Errorf("mails to p1: %s; want one cancellation", got)
	}
	if n := len(of.column(`SELECT id::text FROM outbox WHERE registration_id = $1 AND kind = 'promoted'`, p2.ID)); n != 1 {
		t.Errorf("promoted mails to p2 = %d, want 1", n)
	}

	// p2 answers on the personal page.
	manage := string(of.get("/r/" + p2.Token).body)
	if !strings.Contains(manage, `action="/r/`+p2.Token+`/reconfirm`) {
		t.Fatalf("personal page lacks the question:\n%s", manage)
	}
	if r := of.postForm("/r/"+p2.Token+"/reconfirm", url.Values{"answer": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer yes on the personal page: %v", r)
	}
	dash := string(of.get("/org/events/"+slugOpen+"/dashboard", cookie...).body)
	if strings.Contains(dash, `id="reconfirm-unanswered"`) {
		t.Errorf("dashboard lists unanswered people, want none")
	}
	for _, want := range []string{"<dt>Kommen</dt><dd>1</dd>", "<dt>Abgesagt</dt><dd>1</dd>", "<dt>Noch keine Antwort</dt><dd>0</dd>", "verschickt am"} {
		if !strings.Contains(dash, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	person := string(of.get("/org/events/"+slugOpen+"/lists/people/"+p2.ID, cookie...).body)
	if !strings.Contains(person, "Ja (geantwortet am") {
		t.Errorf("person page lacks the answer")
	}
}

// reconfirmState is what an answer could change: statuses, answers, mails.
func (of *orgFixture) reconfirmState() string {
	of.t.Helper()
	return strings.Join(of.column(`SELECT r.id || ' ' || r.status || ' ' || coalesce(q.answer, '-') || ' ' ||
		(SELECT count(*) FROM outbox o WHERE o.registration_id = r.id)
		FROM registrations r LEFT JOIN reconfirm_requests q ON q.registration_id = r.id ORDER BY r.id`), "\n")
}
