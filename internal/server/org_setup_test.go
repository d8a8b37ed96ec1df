package server_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
)

const slugNew = "neu-2026"

// setupForm is a complete event form: two slots, four workshops, one
// programme item and one question.
func setupForm(slug string) url.Values {
	day := time.Now().AddDate(0, 0, 30).Format("2006-01-02")
	v := url.Values{
		"save": {"1"}, "slug": {slug}, "title": {"Fachtag Neu"}, "description": {"Vorträge."},
		"organiser-name": {"Netzwerk"}, "organiser-email": {"team@example.org"}, "timezone": {"Europe/Berlin"},
		"date": {day}, "starts_at": {"09:00"}, "ends_at": {"16:00"}, "venue-name": {"Rathaus"},
		"venue-address": {"Markt 1"}, "capacity": {"100"}, "languages-de": {"1"}, "registration-mode": {"first_come"},
		"registration-max_preferences": {"3"}, "retention_days": {"90"},
		"programme-rows": {"1"}, "programme-0-starts_at": {"09:00"}, "programme-0-ends_at": {"10:00"},
		"programme-0-title": {"Begrüßung"}, "programme-0-kind": {"talk"}, "programme-0-speakers": {"A. Muster, B. Beispiel"},
		"slots-rows": {"2"}, "slots-0-key": {"r1"}, "slots-0-title": {"Runde 1"}, "slots-0-starts_at": {"10:30"},
		"slots-0-ends_at": {"12:00"}, "slots-1-key": {"r2"}, "slots-1-title": {"Runde 2"}, "slots-1-starts_at": {"13:00"},
		"slots-1-ends_at": {"14:30"},
		"questions-rows":  {"1"}, "questions-0-key": {"diet"}, "questions-0-type": {"choice"},
		"questions-0-label-de": {"Essen"}, "questions-0-options": {"vegan\nvegetarisch"},
	}
	v.Set("workshops-rows", "4")
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

func TestSetupFormRoundTrip(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a, b := of.login("orgA"), of.login("orgB")
	ctx := context.Background()

	if r := of.get("/org/events/new", a...); r.status != 200 || !strings.Contains(string(r.body), `id="slug"`) {
		t.Fatalf("GET new: %v", r)
	}
	form := setupForm(slugNew)
	add := cloneValues(form)
	add.Del("save")
	add.Set("add", "workshops")
	r := of.postForm("/org/events/new", add, a...)
	if r.status != 200 || !strings.Contains(string(r.body), `id="workshops-4-key"`) || !strings.Contains(string(r.body), `value="Workshop D"`) {
		t.Fatalf("add a workshop row: got %d, want the form with a fifth row and the typed values", r.status)
	}
	if _, err := event.Load(ctx, of.pool, slugNew); err == nil {
		t.Fatal("adding a row saved the event")
	}

	r = of.postForm("/org/events/new", form, a...)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/org/events/"+slugNew+"/setup?done=created") {
		t.Fatalf("create: got %v (Location %q), want 303 to the setup page", r, r.header.Get("Location"))
	}
	ev, err := event.Load(ctx, of.pool, slugNew)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ev.Workshops), 4; got != want || len(ev.Slots) != 2 || ev.Status != event.StatusDraft {
		t.Fatalf("created event: %d workshops, %d slots, status %s; want 4, 2, draft", got, len(ev.Slots), ev.Status)
	}
	if got := ev.StartsAt.In(ev.Location()).Format("15:04"); got != "09:00" {
		t.Errorf("starts at %s in the event's zone, want 09:00", got)
	}
	if got := ev.Questions[0].Options; len(got) != 2 {
		t.Errorf("question options = %q, want two", got)
	}
	page := of.get("/org/events/"+slugNew+"/setup", a...)
	if page.status != 200 || !strings.Contains(string(page.body), `value="Workshop C"`) {
		t.Fatalf("edit page of the creator: %d", page.status)
	}

	t.Run("another organiser gets 404", func(t *testing.T) {
		for _, rq := range []struct{ method, path string }{
			{"GET", "/setup"}, {"POST", "/setup"}, {"POST", "/status"}, {"GET", "/event.json"},
			{"GET", "/messages"}, {"POST", "/messages"}, {"GET", "/dashboard"}, {"POST", "/messages/reminder"},
		} {
			var r reply
			if rq.method == "GET" {
				r = of.get("/org/events/"+slugNew+rq.path, b...)
			} else {
				r = of.postForm("/org/events/"+slugNew+rq.path, url.Values{"status": {"open"}, "confirm": {"1"}, "title": {"x"}}, b...)
			}
			if r.status != http.StatusNotFound || strings.Contains(string(r.body), "Fachtag Neu") {
				t.Errorf("orgB %s %s: got %d, want 404 without the event's data", rq.method, rq.path, r.status)
			}
		}
		if ev2, _ := event.Load(ctx, of.pool, slugNew); ev2.Status != event.StatusDraft || ev2.Title != "Fachtag Neu" {
			t.Errorf("orgB changed the event: %s %q", ev2.Status, ev2.Title)
		}
	})

	t.Run("an error is shown next to its field and changes nothing", func(t *testing.T) {
		bad := cloneValues(form)
		bad.Set("title", "Neuer Titel")
		bad.Set("workshops-2-capacity", "0")
		bad.Set("slots-1-starts_at", "13 Uhr")
		r := of.postForm("/org/events/"+slugNew+"/setup", bad, a...)
		body := string(r.body)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("got %d, want 422", r.status)
		}
		for _, want := range []string{`id="workshops-2-capacity-error"`, `id="slots-1-starts_at-error"`, `value="13 Uhr"`, `value="Neuer Titel"`} {
			if !strings.Contains(body, want) {
				t.Errorf("re-rendered form lacks %s", want)
			}
		}
		bad.Set("slots-1-starts_at", "13:00")
		r = of.postForm("/org/events/"+slugNew+"/setup", bad, a...)
		if i := strings.Index(string(r.body), `id="workshops-2-capacity-error"`); r.status != 422 || i < 0 ||
			!strings.Contains(string(r.body)[i:i+200], "größer als 0") {
			t.Errorf("validation message of $.workshops[2].capacity not beside its field (status %d)", r.status)
		}
		ev2, _ := event.Load(ctx, of.pool, slugNew)
		if w, _ := ev2.Workshop("C"); ev2.Title != "Fachtag Neu" || w.Capacity != 20 {
			t.Errorf("rejected form changed the event: title %q, C capacity %d", ev2.Title, w.Capacity)
		}
	})

	t.Run("an empty row is left out and indexes still match", func(t *testing.T) {
		f := cloneValues(form)
		f.Set("workshops-rows", "5")
		// Row 0 empty, so form row 4 is the file's row 3.
		for _, k := range []string{"key", "slot", "title", "capacity", "hosts", "room"} {
			f.Set("workshops-4-"+k, f.Get("workshops-0-"+k))
			f.Del("workshops-0-" + k)
		}
		f.Set("workshops-4-capacity", "-1")
		r := of.postForm("/org/events/"+slugNew+"/setup", f, a...)
		if r.status != 422 || !strings.Contains(string(r.body), `id="workshops-4-capacity-error"`) {
			t.Errorf("got %d; want the error beside form row 4", r.status)
		}
	})

	t.Run("edit saves", func(t *testing.T) {
		f := cloneValues(form)
		f.Set("title", "Fachtag Neu und besser")
		f.Set("workshops-3-capacity", "25")
		r := of.postForm("/org/events/"+slugNew+"/setup", f, a...)
		if r.status != http.StatusSeeOther {
			t.Fatalf("save: %v", r)
		}
		ev2, _ := event.Load(ctx, of.pool, slugNew)
		if w, _ := ev2.Workshop("D"); ev2.Title != "Fachtag Neu und besser" || w.Capacity != 25 {
			t.Errorf("after save: %q, D capacity %d", ev2.Title, w.Capacity)
		}
	})

	t.Run("remove a row", func(t *testing.T) {
		f := cloneValues(form)
		f.Del("save")
		f.Set("remove", "workshops-1")
		r := of.postForm("/org/events/"+slugNew+"/setup", f, a...)
		body := string(r.body)
		if r.status != 200 || strings.Contains(body, `value="Workshop B"`) || strings.Contains(body, `id="workshops-3-key"`) {
			t.Errorf("remove: got %d, want three rows without B", r.status)
		}
	})

	t.Run("status needs confirmation", func(t *testing.T) {
		path := "/org/events/" + slugNew + "/status"
		r := of.postForm(path, url.Values{"status": {"open"}}, a...)
		if r.status != 200 || !strings.Contains(string(r.body), `name="confirm" value="1"`) {
			t.Fatalf("unconfirmed: got %d, want the confirmation page", r.status)
		}
		if ev2, _ := event.Load(ctx, of.pool, slugNew); ev2.Status != event.StatusDraft {
			t.Fatalf("unconfirmed status change applied: %s", ev2.Status)
		}
		for _, st := range []string{"open", "closed", "archived"} {
			r := of.postForm(path, url.Values{"status": {st}, "confirm": {"1"}}, a...)
			if r.status != http.StatusSeeOther {
				t.Fatalf("%s: %v", st, r)
			}
			if ev2, _ := event.Load(ctx, of.pool, slugNew); ev2.Status != st {
				t.Errorf("status = %s, want %s", ev2.Status, st)
			}
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
		if err := f.Validate(); err != nil || len(f.Workshops) != 4 || f.Slug != slugNew {
			t.Fatalf("exported file: %v, %d workshops", err, len(f.Workshops))
		}
		changed := strings.Replace(string(r.body), "Fachtag Neu und besser", "Importiert", 1)
		if r := of.upload("/org/events/import", []byte(changed), a...); r.status != http.StatusSeeOther {
			t.Fatalf("import: %v", r)
		}
		if ev2, _ := event.Load(ctx, of.pool, slugNew); ev2.Title != "Importiert" {
			t.Errorf("title after import = %q", ev2.Title)
		}
		bad := strings.Replace(changed, `"capacity": 20`, `"capacity": -3`, 1)
		r = of.upload("/org/events/import", []byte(bad), a...)
		if r.status != 422 || !strings.Contains(string(r.body), "größer als 0") {
			t.Errorf("bad import: got %d, want 422 naming the problem", r.status)
		}
		if r := of.upload("/org/events/import", []byte(changed), b...); r.status != 404 {
			t.Errorf("orgB imports over orgA's event: got %d, want 404", r.status)
		}
	})

	t.Run("slug taken", func(t *testing.T) {
		r := of.postForm("/org/events/new", setupForm(slugOpen), a...)
		if r.status != 422 || !strings.Contains(string(r.body), `id="slug-error"`) {
			t.Errorf("taken slug: got %d, want 422 beside the slug", r.status)
		}
	})
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
