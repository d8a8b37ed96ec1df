package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/server"
)

func wantAbsent(t *testing.T, name string, r reply, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(string(r.body), s) {
			t.Errorf("%s: page holds %q", name, s)
		}
	}
}

// wishPhase turns the open event into a wish-phase event.
func wishPhase(f *event.File) { f.Registration.Mode = event.ModePreferences }

func TestWishPhasePagesExplainTheAllocation(t *testing.T) {
	f := newFixture(t, fixtureOpts{mutate: wishPhase})
	note := "Die Workshop-Plätze werden nicht nach Reihenfolge der Anmeldung vergeben: Bis zum Anmeldeschluss am "
	r := f.get("/events/" + slugOpen + "?lang=de")
	wantStatus(t, "event page", r, http.StatusOK)
	wantContains(t, "event page", r, note, "1 Plätze", "2 Plätze")
	wantAbsent(t, "event page", r, "frei")
	wantContains(t, "register form", f.get("/events/"+slugOpen+"/register?lang=de"), note)

	body := f.person(nil)
	body["preferences"] = map[string][]string{"r1": {"B1", "A1"}}
	reg := f.register(body)
	r = f.getManage("/r/" + reg.Token + "?lang=de")
	wantContains(t, "personal page", r, note, "Wünsche eingegangen")
	wantAbsent(t, "personal page", r, "Kein Workshop")
	wantContains(t, "thank-you page", f.get("/events/"+slugOpen+"/registered?lang=de"), note)
	wantContains(t, "personal page, English", f.getManage("/r/"+reg.Token+"?lang=en"),
		"Workshop places are not given out in order of registration")
}

func TestRegisterFormAsksForAWorkshop(t *testing.T) {
	f := newFixture(t, fixtureOpts{mutate: func(ev *event.File) { ev.Slots[0].Optional = false }})
	r := f.get("/events/" + slugOpen + "/register?lang=de")
	wantStatus(t, "form", r, http.StatusOK)
	wantAbsent(t, "form", r, " checked", `id="ws-none-r1"`)
	wantContains(t, "form", r, `name="slot.r1" value="A1" required`, `id="ws-none-r2"`, "Ohne Workshop in diesem Zeitraum")

	before := f.counts()
	form := registerForm("Anna Beispiel", "anna@example.org")
	form.Del("slot.r1")
	r = f.postForm("/events/"+slugOpen+"/register?lang=de", form)
	wantStatus(t, "no workshop in r1", r, http.StatusUnprocessableEntity)
	wantContains(t, "no workshop in r1", r, "Bitte wählen Sie einen Workshop.", `href="#choices-r1"`)
	if f.counts() != before {
		t.Error("refused form changed rows")
	}

	form = registerForm("Anna Beispiel", "anna@example.org")
	form.Set("slot.r2", "-") // explicitly none in the optional slot
	token := f.registerByForm(form, "de")
	reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+token))
	if len(reg.Bookings) != 1 || reg.Bookings[0].Slot != "r1" {
		t.Errorf("bookings %+v, want r1 only", reg.Bookings)
	}

	apiBody := f.person(map[string]string{"r2": "C2"})
	r = f.postJSON(regPath(slugOpen)+"?lang=en", apiBody)
	wantStatus(t, "API without r1", r, http.StatusUnprocessableEntity)
	if e := decode[errorJSON](t, r); e.Error.Fields["choices.r1"] == "" {
		t.Errorf("API error %+v, want a message for choices.r1", e)
	}
}

func TestLeaveAndDropThroughPersonalLink(t *testing.T) {
	f := newFixture(t, fixtureOpts{mutate: func(ev *event.File) { ev.Slots[1].Optional = false }})
	sink := f.startMail()
	holder := f.register(f.person(map[string]string{"r1": "A1", "r2": "C2"}))
	waiting := f.register(f.person(map[string]string{"r1": "A1", "r2": "C2"}))
	manage := "/r/" + holder.Token

	r := f.getManage(manage + "?lang=de")
	wantContains(t, "holder", r, `action="/r/`+holder.Token+`/leave`, `aria-label="Workshop abgeben: Beratung im ländlichen Raum"`)
	wantAbsent(t, "holder", r, `aria-label="Workshop abgeben: Kommunen als Akteure"`) // r2 is required
	wantContains(t, "waiting", f.getManage("/r/"+waiting.Token+"?lang=de"), "Von der Warteliste streichen")

	r = f.postForm(manage+"/leave?lang=de", url.Values{"slot": {"r1"}, "workshop": {"A1"}})
	wantStatus(t, "drop", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, manage+"?done=dropped") {
		t.Errorf("drop Location %q, want %s?done=dropped…", loc, manage)
	}
	wantContains(t, "after drop", f.getManage(r.header.Get("Location")), "Sie haben den Workshop abgegeben")
	if reg := decode[registrationJSON](t, f.get("/api/v1/registrations/"+waiting.Token)); func() bool {
		b, ok := reg.booking("r1", "confirmed")
		return !ok || b.Workshop != "A1"
	}() {
		t.Errorf("waiting person after the drop: %+v, want the seat in A1", reg.Bookings)
	}

	before := f.counts()
	r = f.postForm(manage+"/leave?lang=de", url.Values{"slot": {"r2"}, "workshop": {"C2"}})
	wantStatus(t, "drop in required slot", r, http.StatusUnprocessableEntity)
	wantContains(t, "drop in required slot", r, "Sie können ihn tauschen, aber nicht abgeben")
	r = f.sendJSON(http.MethodDelete, "/api/v1/registrations/"+holder.Token+"/bookings/r2", nil)
	wantStatus(t, "API drop in required slot", r, http.StatusUnprocessableEntity)
	if f.counts() != before {
		t.Error("refused drops changed rows")
	}

	msgs := f.drainOutbox(sink)
	if got := subjects(mailsTo(msgs, holder.Email)); !hasSubject(got, "Änderung Ihrer Anmeldung: Fachtag Teilhabe") {
		t.Errorf("holder's mails %q, want the left mail", got)
	}
	if got := subjects(mailsTo(msgs, waiting.Email)); !hasSubject(got, "Sie sind nachgerückt: Fachtag Teilhabe") {
		t.Errorf("waiting person's mails %q, want the promoted mail", got)
	}
}

// hasSubject reports whether one of subjects (as subjects() writes them,
// "to: subject") is s.
func hasSubject(subjects []string, s string) bool {
	for _, x := range subjects {
		if strings.HasSuffix(x, ": "+s) {
			return true
		}
	}
	return false
}

func TestLeaveWaitingListThroughAPI(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	f.register(f.person(map[string]string{"r1": "A1"}))
	p := f.register(f.person(map[string]string{"r1": "B1"}))
	r := f.sendJSON(http.MethodPut, "/api/v1/registrations/"+p.Token+"/bookings/r1", map[string]string{"workshop": "A1"})
	wantStatus(t, "swap onto the waiting list", r, http.StatusOK)

	r = f.sendJSON(http.MethodPut, "/api/v1/registrations/"+p.Token+"/bookings/r1", map[string]string{"workshop": ""})
	wantStatus(t, "empty swap", r, http.StatusUnprocessableEntity)
	if e := decode[errorJSON](t, r); e.Error.Fields["workshop"] != "Bitte wählen Sie einen Workshop." {
		t.Errorf("empty swap: %+v, want workshop: Bitte wählen Sie einen Workshop.", e)
	}

	r = f.do(http.MethodDelete, "/api/v1/registrations/"+p.Token+"/bookings/r1", nil)
	wantStatus(t, "leave the waiting list", r, http.StatusOK)
	reg := decode[registrationJSON](t, r)
	if len(reg.Bookings) != 1 || reg.Bookings[0].Workshop != "B1" || reg.Bookings[0].Status != "confirmed" {
		t.Errorf("after leaving: %+v, want only the seat in B1", reg.Bookings)
	}
	r = f.do(http.MethodDelete, "/api/v1/registrations/"+p.Token+"/bookings/r1", nil)
	wantStatus(t, "give up the seat (optional slot)", r, http.StatusOK)
	if reg := decode[registrationJSON](t, r); len(reg.Bookings) != 0 || reg.Status != "confirmed" {
		t.Errorf("after giving up: %+v, want confirmed without bookings", reg)
	}
	r = f.do(http.MethodDelete, "/api/v1/registrations/"+p.Token+"/bookings/r1", nil)
	wantStatus(t, "nothing left", r, http.StatusUnprocessableEntity)
}

type eventTimes struct {
	StartsAt  string `json:"starts_at"`
	Programme []struct {
		StartsAt string `json:"starts_at"`
	} `json:"programme"`
	Slots []struct {
		EndsAt string `json:"ends_at"`
	} `json:"slots"`
}

func TestAPITimesCarryTheOffsetOfTheirDate(t *testing.T) {
	for _, tt := range []struct {
		month time.Month
		want  string
	}{{time.January, "+01:00"}, {time.July, "+02:00"}} {
		t.Run(tt.month.String(), func(t *testing.T) {
			f := newFixture(t, fixtureOpts{mutate: func(ev *event.File) {
				// The file's times carry another offset (as a demo event
				// moved from June to January would).
				summer := time.FixedZone("", 2*3600)
				year := time.Now().Year() + 1
				at := func(h int) time.Time { return time.Date(year, tt.month, 15, h, 0, 0, 0, time.UTC).In(summer) }
				ev.StartsAt, ev.EndsAt = at(8), at(15)
				ev.Programme[0].StartsAt, ev.Programme[0].EndsAt = at(8), at(9)
				ev.Slots[0].StartsAt, ev.Slots[0].EndsAt = at(9), at(10)
				ev.Slots[1].StartsAt, ev.Slots[1].EndsAt = at(11), at(12)
			}})
			got := decode[eventTimes](t, f.get("/api/v1/events/"+slugOpen))
			for name, s := range map[string]string{"starts_at": got.StartsAt, "programme[0].starts_at": got.Programme[0].StartsAt,
				"slots[1].ends_at": got.Slots[1].EndsAt} {
				if !strings.HasSuffix(s, tt.want) {
					t.Errorf("%s = %s, want the offset %s", name, s, tt.want)
				}
			}
		})
	}
}

func TestLegalPagesAndLinks(t *testing.T) {
	f := newFixture(t, fixtureOpts{
		mutate: func(ev *event.File) {
			ev.Title = "„Wir zusammen“ Netzwerktreffen"
			ev.Privacy.Text = "Wir verarbeiten Ihre Daten.\n\nVerantwortlich: Netzwerk Teilhabe"
		},
		opts: func(o *server.Options) {
			o.Imprint = event.Legal{URL: "https://example.org/impressum"}
			o.Privacy = event.Legal{Text: "Datenschutz der Installation"}
		},
	})
	ev := "/events/" + slugOpen
	for _, path := range []string{ev, ev + "/register", ev + "/link", ev + "/registered", ev + "/privacy"} {
		r := f.get(path + "?lang=de")
		wantStatus(t, path, r, http.StatusOK)
		wantContains(t, path, r, `<a href="`+ev+`/privacy">Datenschutz</a>`, `<a href="https://example.org/impressum">Impressum</a>`)
		wantAbsent(t, path, r, "„„", "&bdquo;&bdquo;")
	}
	wantContains(t, "consent", f.get(ev+"/register?lang=de"),
		`(<a href="`+ev+`/privacy" target="_blank" rel="noopener">Datenschutzerklärung</a>)`)
	r := f.get(ev + "/privacy?lang=de")
	wantContains(t, "privacy page", r, "<h1>Datenschutz</h1>", "<p>Wir verarbeiten Ihre Daten.</p>", "Verantwortlich: Netzwerk Teilhabe")
	r = f.get(ev + "/imprint")
	if r.status != http.StatusFound || r.header.Get("Location") != "https://example.org/impressum" {
		t.Errorf("imprint of the event: %d to %q, want 302 to the installation's address", r.status, r.header.Get("Location"))
	}

	// Outside an event: the installation's documents.
	home := f.get("/?lang=de")
	wantContains(t, "home", home, `<a href="/privacy">Datenschutz</a>`)
	wantContains(t, "site privacy", f.get("/privacy"), "Datenschutz der Installation")
	wantStatus(t, "draft event", f.get("/events/"+slugDraft+"/privacy"), http.StatusNotFound)

	sink := f.startMail()
	p := f.register(f.person(map[string]string{"r1": "B1"}))
	msgs := mailsTo(f.drainOutbox(sink), p.Email)
	if len(msgs) != 1 {
		t.Fatalf("got %d mails, want 1", len(msgs))
	}
	for _, w := range []string{"Datenschutz: " + f.url + ev + "/privacy", "Impressum: https://example.org/impressum"} {
		if !strings.Contains(msgs[0].Text, w) {
			t.Errorf("mail text lacks %q:\n%s", w, msgs[0].Text)
		}
	}
	if !strings.Contains(msgs[0].Subject, "„Wir zusammen“ Netzwerktreffen") || strings.Contains(msgs[0].Subject, "„„") {
		t.Errorf("subject %q, want the title once quoted", msgs[0].Subject)
	}
}

func TestLegalPagesWithoutDocuments(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	wantStatus(t, "no privacy", f.get("/events/"+slugOpen+"/privacy"), http.StatusNotFound)
	wantStatus(t, "no imprint", f.get("/imprint"), http.StatusNotFound)
	r := f.get("/events/" + slugOpen + "/register?lang=de")
	wantContains(t, "form without notice", r, "Ich bin einverstanden, dass meine Angaben")
	wantAbsent(t, "form without notice", r, `class="legal"`)
}
