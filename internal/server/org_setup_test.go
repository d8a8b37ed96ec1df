package server_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
)

const slugNew = "neu-2026"

// newEventForm is the new-event form: the basics and the date.
func newEventForm(slug string) url.Values {
	return url.Values{
		"slug": {slug}, "title": {"Fachtag Neu"}, "description": {"Vorträge."},
		"organiser-name": {"Netzwerk"}, "organiser-email": {"team@example.org"}, "venue-name": {"Rathaus"},
		"venue-address": {"Markt 1"}, "capacity": {"100"}, "languages-de": {"1"}, "retention_days": {"90"},
		"timezone": {"Europe/Berlin"}, "date": {time.Now().AddDate(0, 0, 30).Format("2006-01-02")},
		"starts_at": {"09:00"}, "ends_at": {"16:00"},
	}
}

// workshopsForm is the workshops tab: two slots (r2 optional), four
// workshops.
func workshopsForm() url.Values {
	v := url.Values{
		"slots-rows": {"2"}, "slots-0-key": {"r1"}, "slots-0-title": {"Runde 1"}, "slots-0-starts_at": {"10:30"},
		"slots-0-ends_at": {"12:00"}, "slots-1-key": {"r2"}, "slots-1-title": {"Runde 2"}, "slots-1-starts_at": {"13:00"},
		"slots-1-ends_at": {"14:30"}, "slots-1-optional": {"1"}, "workshops-rows": {"4"},
	}
	for i, w := range []struct{ key, slot string }{{"A", "r1"}, {"B", "r1"}, {"C", "r2"}, {"D", "r2"}} {
		p := fmt.Sprintf("workshops-%d-", i)
		v.Set(p+"key", w.key)
		v.Set(p+"slot", w.slot)
		v.Set(p+"title", "Workshop "+w.key)
		v.Set(p+"capacity", "20")
		v.Set(p+"hosts", "Host "+w.key)
		v.Set(p+"room", "R"+w.key)
	}
	return v
}

func TestSetupTabs(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a, b := of.login("orgA"), of.login("orgB")
	ctx := context.Background()
	base := "/org/events/" + slugNew + "/setup/"
	load := func() *event.Event {
		t.Helper()
		ev, err := event.Load(ctx, of.pool, slugNew)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}

	if r := of.get("/org/events/new", a...); r.status != 200 || !strings.Contains(string(r.body), `id="slug"`) || strings.Contains(string(r.body), `id="workshops`) {
		t.Fatalf("GET new: got %d, want the basics and the date only", r.status)
	}
	r := of.postForm("/org/events/new", newEventForm(slugNew), a...)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), base+"basics?done=created") {
		t.Fatalf("create: got %v (Location %q), want 303 to the first tab", r, r.header.Get("Location"))
	}
	if ev := load(); ev.Status != event.StatusDraft || ev.Capacity != 100 {
		t.Fatalf("created event: status %s, capacity %d", ev.Status, ev.Capacity)
	}
	if r := of.get("/org/events/"+slugNew+"/setup?done=saved", a...); r.status != http.StatusSeeOther ||
		r.header.Get("Location") != base+"basics?done=saved" {
		t.Errorf("setup: got %d to %q, want 303 to the first tab", r.status, r.header.Get("Location"))
	}

	t.Run("every tab shows in the bar, the current one marked", func(t *testing.T) {
		for _, tab := range []string{"basics", "dates", "registration", "programme", "workshops", "questions", "legal"} {
			r := of.get(base+tab+"?lang=de", a...)
			current := `href="` + base + tab + `?lang=de" aria-current="page"`
			if r.status != 200 || !strings.Contains(string(r.body), `<nav class="setup-tabs"`) || !strings.Contains(string(r.body), current) {
				t.Errorf("GET %s: got %d, want the tab bar with %s", tab, r.status, current)
			}
		}
		if r := of.get(base+"webhooks", a...); r.status != http.StatusNotFound {
			t.Errorf("unknown tab: got %d, want 404", r.status)
		}
	})

	t.Run("another organiser gets 404", func(t *testing.T) {
		for _, path := range []string{"setup", "setup/basics", "setup/workshops", "copy"} {
			if r := of.get("/org/events/"+slugNew+"/"+path, b...); r.status != http.StatusNotFound {
				t.Errorf("orgB GET %s: got %d, want 404", path, r.status)
			}
		}
		for _, path := range []string{"setup/basics", "copy", "status"} {
			r := of.postForm("/org/events/"+slugNew+"/"+path, url.Values{"title": {"x"}, "slug": {"x-1"}, "date": {"2030-01-01"},
				"status": {"open"}, "confirm": {"1"}}, b...)
			if r.status != http.StatusNotFound || strings.Contains(string(r.body), "Fachtag Neu") {
				t.Errorf("orgB POST %s: got %d, want 404 without the event's data", path, r.status)
			}
		}
		if ev := load(); ev.Title != "Fachtag Neu" || ev.Status != event.StatusDraft {
			t.Errorf("orgB changed the event: %q %s", ev.Title, ev.Status)
		}
	})

	t.Run("the workshops tab saves slots and workshops, optional included", func(t *testing.T) {
		add := workshopsForm()
		add.Set("add", "workshops")
		r := of.postForm(base+"workshops", add, a...)
		if r.status != 200 || !strings.Contains(string(r.body), `id="workshops-4-key"`) || !strings.Contains(string(r.body), `value="Workshop D"`) {
			t.Fatalf("add a workshop: got %d, want a fifth row and the typed values", r.status)
		}
		if r := of.postForm(base+"workshops", workshopsForm(), a...); r.status != http.StatusSeeOther {
			t.Fatalf("save: %v", r)
		}
		ev := load()
		r1, _ := ev.Slot("r1")
		r2, _ := ev.Slot("r2")
		if len(ev.Workshops) != 4 || r1.Optional || !r2.Optional || ev.Title != "Fachtag Neu" {
			t.Fatalf("after save: %d workshops, optional r1 %v r2 %v; want 4, false, true", len(ev.Workshops), r1.Optional, r2.Optional)
		}
		page := string(of.get(base+"workshops", a...).body)
		if !strings.Contains(page, `name="slots-1-optional" value="1" checked`) || strings.Contains(page, `name="slots-0-optional" value="1" checked`) {
			t.Error("the workshops tab does not show which slot is optional")
		}
		// Saving another tab keeps what this one set.
		if r := of.postForm(base+"basics", newEventForm(slugNew), a...); r.status != http.StatusSeeOther {
			t.Fatalf("save basics: %v", r)
		}
		if r2, _ := load().Slot("r2"); !r2.Optional {
			t.Error("saving the basics cleared the optional flag")
		}
	})

	t.Run("an error names the field's label and saves nothing", func(t *testing.T) {
		bad := workshopsForm()
		bad.Set("workshops-2-capacity", "0")
		bad.Set("workshops-0-title", "Neuer Titel")
		r := of.postForm(base+"workshops", bad, a...)
		body := string(r.body)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("got %d, want 422", r.status)
		}
		for _, want := range []string{`<a href="#workshops-2-capacity">Workshop 3 – Plätze</a>: `, `id="workshops-2-capacity-error"`, `value="Neuer Titel"`} {
			if !strings.Contains(body, want) {
				t.Errorf("re-rendered tab lacks %s", want)
			}
		}
		if strings.Contains(body, ">workshops-2-capacity<") {
			t.Error("the summary shows the field id")
		}
		if w, _ := load().Workshop("A"); w.Title != "Workshop A" {
			t.Errorf("rejected tab changed the event: A is %q", w.Title)
		}
	})

	t.Run("a problem on another tab is named and linked", func(t *testing.T) {
		f := newEventForm(slugNew)
		f.Set("starts_at", "11:00") // slot r1 starts at 10:30
		r := of.postForm("/org/events/"+slugNew+"/setup/dates?lang=de", f, a...)
		body := string(r.body)
		want := `<a href="` + base + `workshops?lang=de#slots-0-starts_at">Reiter „Workshops“ – Zeitraum 1 – Beginn (Uhrzeit)</a>`
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Fatalf("got %d, want 422 with %s", r.status, want)
		}
		if ev := load(); ev.StartsAt.In(ev.Location()).Format("15:04") != "09:00" {
			t.Error("the rejected start was saved")
		}
	})

	t.Run("a new date moves the programme and the slots", func(t *testing.T) {
		before := load()
		f := newEventForm(slugNew)
		day, _ := time.Parse("2006-01-02", f.Get("date"))
		f.Set("date", day.AddDate(0, 0, 1).Format("2006-01-02"))
		if r := of.postForm(base+"dates", f, a...); r.status != http.StatusSeeOther {
			t.Fatalf("save dates: %v", r)
		}
		after := load()
		for i, s := range after.Slots {
			if d := s.StartsAt.Sub(before.Slots[i].StartsAt); d != 24*time.Hour {
				t.Errorf("slot %s moved by %v, want a day", s.Key, d)
			}
		}
		f.Set("date", day.Format("2006-01-02"))
		if r := of.postForm(base+"dates", f, a...); r.status != http.StatusSeeOther {
			t.Fatalf("save dates back: %v", r)
		}
	})

	t.Run("programme kinds are translated, speakers one per line", func(t *testing.T) {
		speakers := []string{"Beauftragte für Migration, Flüchtlinge und Integration", "B. Beispiel"}
		f := url.Values{"programme-rows": {"1"}, "programme-0-starts_at": {"09:00"}, "programme-0-ends_at": {"09:30"},
			"programme-0-title": {"Kaffee"}, "programme-0-kind": {"break"}, "programme-0-speakers": {strings.Join(speakers, "\r\n")}}
		if r := of.postForm(base+"programme", f, a...); r.status != http.StatusSeeOther {
			t.Fatalf("save programme: %v", r)
		}
		if ev := load(); len(ev.Programme) != 1 || ev.Programme[0].Kind != "break" || !slices.Equal(ev.Programme[0].Speakers, speakers) {
			t.Fatalf("programme: %+v", ev.Programme)
		}
		// Another tab leaves the programme exactly as stored.
		if r := of.postForm(base+"basics", newEventForm(slugNew), a...); r.status != http.StatusSeeOther {
			t.Fatalf("save basics: %v", r)
		}
		if got := load().Programme[0].Speakers; !slices.Equal(got, speakers) {
			t.Errorf("after saving the basics the speakers are %q, want %q", got, speakers)
		}
		for lang, want := range map[string]string{"de": `<option value="break" selected>Pause</option>`, "en": `<option value="break" selected>Break</option>`} {
			if body := string(of.get(base+"programme?lang="+lang, a...).body); !strings.Contains(body, want) {
				t.Errorf("%s: the select lacks %s", lang, want)
			}
		}
	})

	t.Run("legal texts: text or address", func(t *testing.T) {
		both := url.Values{"privacy-text": {"Wir speichern."}, "privacy-url": {"https://example.org/ds"}}
		r := of.postForm(base+"legal", both, a...)
		if r.status != 422 || !strings.Contains(string(r.body), `id="privacy-error"`) || !strings.Contains(string(r.body), `<a href="#privacy">Datenschutzhinweise</a>`) {
			t.Errorf("text and address: got %d, want 422 at the privacy notice", r.status)
		}
		ok := url.Values{"privacy-url": {"https://example.org/ds"}, "imprint-text": {"Netzwerk e. V."}}
		if r := of.postForm(base+"legal", ok, a...); r.status != http.StatusSeeOther {
			t.Fatalf("save legal: %v", r)
		}
		if ev := load(); ev.Privacy.URL != "https://example.org/ds" || ev.Imprint.Text != "Netzwerk e. V." {
			t.Errorf("legal: %+v %+v", ev.Privacy, ev.Imprint)
		}
	})

	t.Run("the slug changes only in a draft", func(t *testing.T) {
		f := newEventForm("neu-2026-b")
		r := of.postForm(base+"basics", f, a...)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/org/events/neu-2026-b/setup/basics") {
			t.Fatalf("rename: got %v to %q", r, r.header.Get("Location"))
		}
		f.Set("slug", slugOpen)
		if r := of.postForm("/org/events/neu-2026-b/setup/basics", f, a...); r.status != 422 || !strings.Contains(string(r.body), `id="slug-error"`) {
			t.Errorf("rename to a taken slug: got %d, want 422 at the slug", r.status)
		}
		f.Set("slug", slugNew)
		if r := of.postForm("/org/events/neu-2026-b/setup/basics", f, a...); r.status != http.StatusSeeOther {
			t.Fatalf("rename back: %v", r)
		}
		if r := of.postForm("/org/events/"+slugNew+"/status", url.Values{"status": {"open"}, "confirm": {"1"}}, a...); r.status != http.StatusSeeOther {
			t.Fatalf("open: %v", r)
		}
		if body := string(of.get(base+"basics", a...).body); !strings.Contains(body, `id="slug" value="`+slugNew+`" readonly`) {
			t.Error("the slug of an open event is not read-only")
		}
		f.Set("slug", "neu-2026-c")
		if r := of.postForm(base+"basics", f, a...); r.status != http.StatusSeeOther || load().Slug != slugNew {
			t.Errorf("open event: got %d, want the slug kept", r.status)
		}
	})

	t.Run("status needs confirmation", func(t *testing.T) {
		path := "/org/events/" + slugNew + "/status"
		if r := of.postForm(path, url.Values{"status": {"closed"}}, a...); r.status != 200 || !strings.Contains(string(r.body), `name="confirm" value="1"`) {
			t.Fatalf("unconfirmed: got %d, want the confirmation page", r.status)
		}
		if ev := load(); ev.Status != event.StatusOpen {
			t.Fatalf("unconfirmed status change applied: %s", ev.Status)
		}
		if r := of.postForm(path, url.Values{"status": {"gone"}, "confirm": {"1"}}, a...); r.status != 422 {
			t.Errorf("unknown status: got %d, want 422", r.status)
		}
	})

	t.Run("export and import", func(t *testing.T) {
		r := of.get("/org/events/"+slugNew+"/event.json", a...)
		if r.status != 200 || !strings.Contains(r.header.Get("Content-Disposition"), slugNew+".json") {
			t.Fatalf("export: %d %q", r.status, r.header.Get("Content-Disposition"))
		}
		f, err := event.ParseFile(r.body)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Validate(); err != nil || len(f.Workshops) != 4 || !f.Slots[1].Optional || f.Programme[0].Kind != "break" {
			t.Fatalf("exported file: %v, %d workshops", err, len(f.Workshops))
		}
		changed := strings.Replace(string(r.body), `"title": "Fachtag Neu"`, `"title": "Importiert"`, 1)
		if r := of.upload("/org/events/import", []byte(changed), a...); r.status != http.StatusSeeOther {
			t.Fatalf("import: %v", r)
		}
		if ev := load(); ev.Title != "Importiert" {
			t.Errorf("title after import = %q", ev.Title)
		}
		bad := strings.Replace(changed, `"capacity": 20`, `"capacity": -3`, 1)
		if r := of.upload("/org/events/import", []byte(bad), a...); r.status != 422 || !strings.Contains(string(r.body), "größer als 0") {
			t.Errorf("bad import: got %d, want 422 naming the problem", r.status)
		}
		if r := of.upload("/org/events/import", []byte(changed), b...); r.status != 404 {
			t.Errorf("orgB imports over orgA's event: got %d, want 404", r.status)
		}
	})

	t.Run("slug taken", func(t *testing.T) {
		r := of.postForm("/org/events/new", newEventForm(slugOpen), a...)
		if r.status != 422 || !strings.Contains(string(r.body), `id="slug-error"`) {
			t.Errorf("taken slug: got %d, want 422 beside the slug", r.status)
		}
	})
}

func TestSetupCopy(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a := of.login("orgA")
	ctx := context.Background()
	of.register(of.person(map[string]string{"r1": "A1"}))
	src, err := event.Load(ctx, of.pool, slugOpen)
	if err != nil {
		t.Fatal(err)
	}
	loc := src.Location()
	next := src.StartsAt.In(loc).AddDate(0, 0, 364)

	page := string(of.get("/org/events/"+slugOpen+"/copy", a...).body)
	if !strings.Contains(page, `value="`+next.Format("2006-01-02")+`"`) || !strings.Contains(page, `value="`+slugOpen+"-"+next.Format("2006")+`"`) {
		t.Fatalf("the copy form does not propose the same weekday a year later and a new slug")
	}
	if r := of.postForm("/org/events/"+slugOpen+"/copy", url.Values{"title": {"Kopie"}, "slug": {slugDraft}, "date": {next.Format("2006-01-02")}}, a...); r.status != 422 ||
		!strings.Contains(string(r.body), `id="slug-error"`) {
		t.Errorf("copy to a taken slug: got %d, want 422 at the slug", r.status)
	}
	if r := of.postForm("/org/events/"+slugOpen+"/copy", url.Values{"title": {" "}, "slug": {"kopie"}, "date": {"bald"}}, a...); r.status != 422 ||
		!strings.Contains(string(r.body), `id="date-error"`) {
		t.Errorf("copy with a bad date: got %d, want 422 at the date", r.status)
	}

	r := of.postForm("/org/events/"+slugOpen+"/copy", url.Values{"title": {"Fachtag Teilhabe nächstes Jahr"}, "slug": {"teilhabe-neu"},
		"date": {next.Format("2006-01-02")}}, a...)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/org/events/teilhabe-neu/setup/basics?done=copied") {
		t.Fatalf("copy: got %v to %q, want 303 to the copy's first tab", r, r.header.Get("Location"))
	}
	cp, err := event.Load(ctx, of.pool, "teilhabe-neu")
	if err != nil {
		t.Fatal(err)
	}
	d := cp.StartsAt.Sub(src.StartsAt)
	if cp.Status != event.StatusDraft || cp.Confirmed != 0 || len(cp.Workshops) != len(src.Workshops) || cp.StartsAt.In(loc).Weekday() != src.StartsAt.In(loc).Weekday() {
		t.Fatalf("copy: status %s, %d confirmed, %d workshops, starts %v", cp.Status, cp.Confirmed, len(cp.Workshops), cp.StartsAt)
	}
	if got := cp.Registration.OpensAt.Sub(*src.Registration.OpensAt); got != d {
		t.Errorf("registration opens moved by %v, want %v", got, d)
	}
	if s, _ := cp.Slot("r2"); s.StartsAt.Sub(src.Slots[1].StartsAt) != d || !s.Optional {
		t.Errorf("slot r2 of the copy: %+v", s)
	}
	for _, w := range cp.Workshops {
		if w.Taken != 0 {
			t.Errorf("workshop %s of the copy has %d seats taken", w.Key, w.Taken)
		}
	}
	var n int
	if err := of.pool.QueryRow(ctx, `SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = 'teilhabe-neu'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("registrations of the copy: %d, %v", n, err)
	}
	var from string
	if err := of.pool.QueryRow(ctx, `SELECT detail->>'copied_from' FROM audit_log a JOIN events e ON e.id = a.event_id
		WHERE e.slug = 'teilhabe-neu' AND a.action = 'event.create'`).Scan(&from); err != nil || from != slugOpen {
		t.Errorf("audit of the copy: copied_from %q, %v", from, err)
	}
	if r := of.get("/org/events/teilhabe-neu/setup/basics?done=copied", a...); r.status != 200 || !strings.Contains(string(r.body), "Die Kopie ist angelegt") {
		t.Errorf("the copier cannot open the copy: %d", r.status)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// upload posts body as the multipart file field "file".
func (of *orgFixture) upload(path string, body []byte, header ...string) reply {
	of.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "event.json")
	if err != nil {
		of.t.Fatal(err)
	}
	_, _ = fw.Write(body)
	_ = mw.Close()
	return of.do(http.MethodPost, path, &buf, append([]string{"Content-Type", mw.FormDataContentType()}, header...)...)
}
