package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/event"
)

func TestGetEvent(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	ev := f.event(slugOpen)
	if ev.Slug != slugOpen || ev.Status != "open" || ev.Capacity != 10 || ev.SeatsLeft != 10 {
		t.Errorf("event: got slug %q status %q capacity %d seats_left %d, want %q open 10 10",
			ev.Slug, ev.Status, ev.Capacity, ev.SeatsLeft, slugOpen)
	}
	if !ev.Registration.Open || ev.Registration.Mode != "first_come" {
		t.Errorf("registration: got open=%v mode=%q, want true first_come", ev.Registration.Open, ev.Registration.Mode)
	}
	var slots []string
	for _, s := range ev.Slots {
		slots = append(slots, s.Key)
	}
	if want := []string{"r1", "r2"}; !slices.Equal(slots, want) {
		t.Errorf("slots: got %v, want %v", slots, want)
	}
	want := map[string]int{"A1": 1, "B1": 2, "A2": 2, "C2": 1}
	if len(ev.Workshops) != len(want) {
		t.Fatalf("workshops: got %d, want %d", len(ev.Workshops), len(want))
	}
	for _, w := range ev.Workshops {
		if w.SeatsLeft != want[w.Key] || w.Capacity != want[w.Key] {
			t.Errorf("workshop %s: got capacity %d seats_left %d, want %d %d", w.Key, w.Capacity, w.SeatsLeft, want[w.Key], want[w.Key])
		}
	}

	// seats_left follows bookings.
	f.register(f.person(map[string]string{"r1": "B1"}))
	ev = f.event(slugOpen)
	if got := ev.seatsLeft("B1"); got != 1 {
		t.Errorf("B1 seats_left after one booking: got %d, want 1", got)
	}
	if ev.SeatsLeft != 9 {
		t.Errorf("event seats_left after one booking: got %d, want 9", ev.SeatsLeft)
	}

	// Closed and passed events are public but not open.
	for _, slug := range []string{slugClosed, slugPassed} {
		if ev := f.event(slug); ev.Registration.Open {
			t.Errorf("%s: registration.open = true, want false", slug)
		}
	}
}

func TestGetEventNotFound(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	for _, slug := range []string{"gibt-es-nicht", slugDraft} {
		r := f.get("/api/v1/events/" + slug)
		if r.status != http.StatusNotFound {
			t.Errorf("GET %s: got %v, want 404", slug, r)
			continue
		}
		if e := decode[errorJSON](t, r); e.Error.Code != "not_found" {
			t.Errorf("GET %s: error.code %q, want not_found", slug, e.Error.Code)
		}
	}
}

func TestRegisterShape(t *testing.T) {
	const base = "https://anmeldung.example.org"
	f := newFixture(t, fixtureOpts{baseURL: base})
	r := f.postJSON(regPath(slugOpen), f.person(map[string]string{"r1": "A1", "r2": "C2"}), "Host", "evil.example")
	if r.status != http.StatusCreated {
		t.Fatalf("register: got %v, want 201", r)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "status", "token", "manage_url", "bookings"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("201 reply lacks %q: %s", k, r.body)
		}
	}
	reg := decode[registrationJSON](t, r)
	if reg.Status != "confirmed" {
		t.Errorf("status: got %q, want confirmed", reg.Status)
	}
	if len(reg.Token) < 22 { // 128 bits in base64
		t.Errorf("token %q: shorter than 128 bits", reg.Token)
	}
	if want := base + "/r/" + reg.Token; reg.ManageURL != want {
		t.Errorf("manage_url: got %q, want %q (BaseURL, never the request's Host)", reg.ManageURL, want)
	}
	if strings.Contains(reg.ManageURL, "evil.example") {
		t.Errorf("manage_url %q uses the request's Host", reg.ManageURL)
	}
	want := []bookingJSON{{Slot: "r1", Workshop: "A1", Status: "confirmed"}, {Slot: "r2", Workshop: "C2", Status: "confirmed"}}
	if !reflect.DeepEqual(reg.Bookings, want) {
		t.Errorf("bookings: got %+v, want %+v", reg.Bookings, want)
	}

	// A1 and C2 are full now: the next person is waitlisted there, FIFO.
	for i, wantPos := range []int{1, 2} {
		reg := f.register(f.person(map[string]string{"r1": "A1"}))
		if reg.Status != "confirmed" {
			t.Errorf("person %d: status %q, want confirmed (event has seats)", i, reg.Status)
		}
		b, ok := reg.booking("r1", "waitlisted")
		if !ok || b.Workshop != "A1" || b.WaitlistPosition != wantPos {
			t.Errorf("person %d: r1 booking %+v (found %v), want A1 waitlisted at %d; all %+v", i, b, ok, wantPos, reg.Bookings)
		}
	}
	if reg := f.register(f.person(nil)); len(reg.Bookings) != 0 {
		t.Errorf("no choices: got bookings %+v, want none", reg.Bookings)
	}
}

func TestRegisterFullEventIsWaitlisted(t *testing.T) {
	f := newFixture(t, fixtureOpts{mutate: func(e *event.File) { e.Capacity = 1 }})
	first := f.register(f.person(map[string]string{"r1": "B1"}))
	if first.Status != "confirmed" {
		t.Fatalf("first: status %q, want confirmed", first.Status)
	}
	for i, wantPos := range []int{1, 2} {
		reg := f.register(f.person(map[string]string{"r1": "B1"}))
		if reg.Status != "waitlisted" || reg.WaitlistPosition != wantPos {
			t.Errorf("person %d: got status %q position %d, want waitlisted %d", i, reg.Status, reg.WaitlistPosition, wantPos)
		}
		if len(reg.Bookings) != 0 {
			t.Errorf("person %d: waitlisted for the event but got bookings %+v", i, reg.Bookings)
		}
	}
	if ev := f.event(slugOpen); ev.SeatsLeft != 0 || ev.seatsLeft("B1") != 1 {
		t.Errorf("got event seats_left %d, B1 %d; want 0, 1", ev.SeatsLeft, ev.seatsLeft("B1"))
	}
}

// badCase is a request that must be refused without touching the database.
type badCase struct {
	name   string
	slug   string // default slugOpen
	body   any    // map: JSON object ("language" may be added); string: raw
	status int
	code   string
	field  string // key of error.fields, "" for none
	de, en string // substrings of the field's (or else the main) message
}

func TestRegisterBadInput(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	taken := f.person(nil)
	f.register(taken)

	with := func(change func(m map[string]any)) map[string]any {
		m := f.person(map[string]string{"r1": "B1"})
		change(m)
		return m
	}
	tests := []badCase{
		{name: "malformed JSON", body: `{"name": "Anna",`, status: 400, code: "malformed", de: "kein gültiges JSON", en: "not valid JSON"},
		{name: "not an object", body: `[1, 2]`, status: 400, code: "malformed", de: "kein gültiges JSON", en: "not valid JSON"},
		{name: "trailing data", body: `{"name": "Anna"} {}`, status: 400, code: "malformed", de: "kein gültiges JSON", en: "not valid JSON"},
		{name: "empty body", body: ``, status: 400, code: "malformed", de: "kein gültiges JSON", en: "not valid JSON"},
		{name: "wrong type", body: with(func(m map[string]any) { m["name"] = 5 }), status: 400, code: "malformed", field: "name", de: "kein gültiges JSON", en: "not valid JSON"},
		{name: "wrong nested type", body: with(func(m map[string]any) { m["consents"] = map[string]any{"privacy": "ja"} }), status: 400, code: "malformed", field: "consents.privacy", de: "kein gültiges JSON", en: "not valid JSON"},
		{name: "unknown field", body: with(func(m map[string]any) { m["nmae"] = "Anna" }), status: 400, code: "malformed", field: "nmae", de: "kein gültiges JSON", en: "not valid JSON"},
		{name: "name of 100,000 characters", body: with(func(m map[string]any) { m["name"] = strings.Repeat("a", 100_000) }), status: 422, code: "invalid", field: "name", de: "höchstens 200 Zeichen", en: "at most 200 characters"},
		{name: "body of 10 MB", body: `{"name": "` + strings.Repeat("a", 10<<20) + `"}`, status: 413, code: "too_large", de: "zu groß", en: "too large"},
		{name: "slot chosen twice", body: withRaw(with(func(m map[string]any) { delete(m, "choices") }), `"choices": {"r1": "A1", "r1": "B1"}`), status: 422, code: "invalid", field: "choices.r1", de: "„r1“ steht zweimal", en: "“r1” appears twice"},
		{name: "field given twice", body: withRaw(with(func(m map[string]any) { delete(m, "choices") }), `"name": "Zweiter Name"`), status: 422, code: "invalid", field: "name", de: "„name“ steht zweimal", en: "“name” appears twice"},
		{name: "unknown workshop", body: with(func(m map[string]any) { m["choices"] = map[string]string{"r1": "Z9"} }), status: 422, code: "invalid", field: "choices.r1", de: "Unbekannter Workshop „Z9“", en: "Unknown workshop “Z9”"},
		{name: "unknown slot", body: with(func(m map[string]any) { m["choices"] = map[string]string{"r9": "A1"} }), status: 422, code: "invalid", field: "choices.r9", de: "Unbekannter Zeitraum", en: "Unknown slot"},
		{name: "workshop in the wrong slot", body: with(func(m map[string]any) { m["choices"] = map[string]string{"r1": "C2"} }), status: 422, code: "invalid", field: "choices.r1", de: "findet im Zeitraum „r2“ statt", en: "takes place in slot “r2”"},
		{name: "two workshops of one topic", body: with(func(m map[string]any) { m["choices"] = map[string]string{"r1": "A1", "r2": "A2"} }), status: 422, code: "invalid", field: "choices.r2", de: "dasselbe Thema", en: "same topic"},
		{name: "preferences in the booking phase", body: with(func(m map[string]any) { m["preferences"] = map[string][]string{"r1": {"A1"}} }), status: 422, code: "invalid", field: "preferences", de: "direkt gebucht", en: "books seats directly"},
		{name: "missing privacy consent", body: with(func(m map[string]any) { m["consents"] = map[string]any{"privacy": false} }), status: 422, code: "invalid", field: "consents.privacy", de: "Datenschutzerklärung", en: "privacy policy"},
		{name: "missing name", body: with(func(m map[string]any) { m["name"] = "  " }), status: 422, code: "invalid", field: "name", de: "Bitte ausfüllen", en: "Please fill in"},
		{name: "CRLF in name", body: with(func(m map[string]any) { m["name"] = "Anna\r\nBcc: x@example.org" }), status: 422, code: "invalid", field: "name", de: "Zeilenumbrüche", en: "line breaks"},
		{name: "HTML in name", body: with(func(m map[string]any) { m["name"] = "<b>Anna</b>" }), status: 422, code: "invalid", field: "name", de: "spitzen Klammern", en: "angle brackets"},
		{name: "name too long", body: with(func(m map[string]any) { m["name"] = strings.Repeat("a", 201) }), status: 422, code: "invalid", field: "name", de: "höchstens 200 Zeichen", en: "at most 200 characters"},
		{name: "CRLF in organisation", body: with(func(m map[string]any) { m["organisation"] = "Amt\nX" }), status: 422, code: "invalid", field: "organisation", de: "Zeilenumbrüche", en: "line breaks"},
		{name: "bad e-mail", body: with(func(m map[string]any) { m["email"] = "anna(at)example.org" }), status: 422, code: "invalid", field: "email", de: "keine gültige E-Mail-Adresse", en: "not a valid e-mail address"},
		{name: "e-mail with display name", body: with(func(m map[string]any) { m["email"] = "Anna <anna@example.org>" }), status: 422, code: "invalid", field: "email", de: "keine gültige E-Mail-Adresse", en: "not a valid e-mail address"},
		{name: "e-mail without domain dot", body: with(func(m map[string]any) { m["email"] = "anna@localhost" }), status: 422, code: "invalid", field: "email", de: "keine gültige E-Mail-Adresse", en: "not a valid e-mail address"},
		{name: "unknown answer key", body: with(func(m map[string]any) { m["answers"] = map[string]any{"shoe_size": "42"} }), status: 422, code: "invalid", field: "answers.shoe_size", de: "Unbekannte Frage", en: "Unknown question"},
		{name: "answer of wrong type", body: with(func(m map[string]any) { m["answers"] = map[string]any{"diet": true} }), status: 422, code: "invalid", field: "answers.diet", de: "Erwartet einen Text", en: "Expected text"},
		{name: "registration closed (status)", slug: slugClosed, body: with(func(map[string]any) {}), status: 410, code: "registration_closed", de: "nicht geöffnet", en: "not open"},
		{name: "registration window passed", slug: slugPassed, body: with(func(map[string]any) {}), status: 410, code: "registration_closed", de: "nicht geöffnet", en: "not open"},
		{name: "unknown event", slug: "gibt-es-nicht", body: with(func(map[string]any) {}), status: 404, code: "not_found", de: "Nicht gefunden", en: "Not found"},
		{name: "duplicate e-mail", body: with(func(m map[string]any) { m["email"] = taken["email"] }), status: 409, code: "email_registered", de: "schon jemand angemeldet", en: "already registered"},
		{name: "duplicate e-mail, other case", body: with(func(m map[string]any) { m["email"] = strings.ToUpper(taken["email"].(string)) }), status: 409, code: "email_registered", de: "schon jemand angemeldet", en: "already registered"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runBadCase(t, f, tc)
		})
	}
}

// withRaw is m as JSON with more members written out by hand, which may
// repeat a key (a map cannot).
func withRaw(m map[string]any, members string) string {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return strings.TrimSuffix(string(b), "}") + ", " + members + "}"
}

func runBadCase(t *testing.T, f *fixture, tc badCase) {
	t.Helper()
	slug := tc.slug
	if slug == "" {
		slug = slugOpen
	}
	type variant struct {
		name   string
		body   any
		header []string
		lang   string
	}
	variants := []variant{{"default", tc.body, nil, "de"}, {"Accept-Language", tc.body, []string{"Accept-Language", "en-GB,en;q=0.9"}, "en"}}
	// A body that cannot be decoded cannot name its language.
	if m, ok := tc.body.(map[string]any); ok && tc.status != http.StatusBadRequest {
		en := make(map[string]any, len(m)+1)
		for k, v := range m {
			en[k] = v
		}
		en["language"] = "en"
		variants = append(variants, variant{"language en", en, nil, "en"})
	}
	for _, v := range variants {
		before := f.counts()
		r := f.postJSON(regPath(slug), v.body, v.header...)
		after := f.counts()
		if after != before {
			t.Errorf("%s: rows changed: before %+v, after %+v", v.name, before, after)
		}
		if r.status != tc.status {
			t.Errorf("%s: status got %d, want %d (%s)", v.name, r.status, tc.status, r.body)
			continue
		}
		e := decode[errorJSON](t, r)
		if e.Error.Code != tc.code {
			t.Errorf("%s: error.code got %q, want %q", v.name, e.Error.Code, tc.code)
		}
		msg := e.Error.Message
		if tc.field != "" {
			got, ok := e.Error.Fields[tc.field]
			if !ok {
				t.Errorf("%s: error.fields got %v, want key %q", v.name, e.Error.Fields, tc.field)
			}
			if tc.status == http.StatusUnprocessableEntity {
				msg = got
			}
		}
		want := tc.de
		if v.lang == "en" {
			want = tc.en
		}
		if !strings.Contains(msg, want) {
			t.Errorf("%s: message got %q, want it to contain %q", v.name, msg, want)
		}
	}
}

// TestRegisterDraftEventIsNotFound: a draft event does not exist publicly,
// so signing up for it must answer like an unknown event.
func TestRegisterDraftEventIsNotFound(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	before := f.counts()
	r := f.postJSON(regPath(slugDraft), f.person(nil))
	if f.counts() != before {
		t.Errorf("rows changed by a sign-up for a draft")
	}
	if r.status != http.StatusNotFound {
		t.Errorf("POST registrations for a draft event: got %v, want 404 like GET (a draft is not public)", r)
	}
}

func TestIdempotencyKey(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	body := f.person(map[string]string{"r1": "A1"})
	before := f.counts()
	first := f.postJSON(regPath(slugOpen), body, "Idempotency-Key", "k-123")
	if first.status != http.StatusCreated {
		t.Fatalf("first: got %v, want 201", first)
	}
	second := f.postJSON(regPath(slugOpen), body, "Idempotency-Key", "k-123")
	if second.status != first.status || string(second.body) != string(first.body) {
		t.Errorf("replay: got %d %s, want %d %s", second.status, second.body, first.status, first.body)
	}
	after := f.counts()
	if d := after.registrations - before.registrations; d != 1 {
		t.Errorf("registrations: got %d new, want 1", d)
	}
	if d := after.outbox - before.outbox; d != 1 {
		t.Errorf("outbox rows: got %d new, want 1", d)
	}
	if ev := f.event(slugOpen); ev.seatsLeft("A1") != 0 || ev.SeatsLeft != 9 {
		t.Errorf("seats after replay: A1 %d, event %d; want 0, 9", ev.seatsLeft("A1"), ev.SeatsLeft)
	}

	// Same key, another body.
	other := f.person(map[string]string{"r1": "B1"})
	before = f.counts()
	r := f.postJSON(regPath(slugOpen), other, "Idempotency-Key", "k-123")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("reused key: got %v, want 422", r)
	}
	if e := decode[errorJSON](t, r); e.Error.Code != "idempotency_key_reused" {
		t.Errorf("reused key: error.code %q, want idempotency_key_reused", e.Error.Code)
	}
	if f.counts() != before {
		t.Errorf("reused key changed rows")
	}

	// The same body with another key or no key is a new request: here a
	// duplicate e-mail.
	for _, h := range [][]string{{"Idempotency-Key", "k-456"}, nil} {
		r := f.postJSON(regPath(slugOpen), body, h...)
		if r.status != http.StatusConflict {
			t.Errorf("header %v: got %v, want 409", h, r)
		}
	}
	// No key: a normal sign-up.
	if r := f.postJSON(regPath(slugOpen), other); r.status != http.StatusCreated {
		t.Errorf("no key: got %v, want 201", r)
	}
	// An error is replayed too, and changes nothing.
	bad := f.person(map[string]string{"r1": "Z9"})
	r1 := f.postJSON(regPath(slugOpen), bad, "Idempotency-Key", "k-bad")
	r2 := f.postJSON(regPath(slugOpen), bad, "Idempotency-Key", "k-bad")
	if r1.status != 422 || r2.status != 422 || string(r1.body) != string(r2.body) {
		t.Errorf("replayed error: got %v then %v, want the same 422 twice", r1, r2)
	}
	if r := f.postJSON(regPath(slugOpen), body, "Idempotency-Key", strings.Repeat("k", 256)); r.status != http.StatusBadRequest {
		t.Errorf("key of 256 characters: got %v, want 400", r)
	}
}

func TestGetRegistration(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	created := f.postJSON(regPath(slugOpen), f.person(map[string]string{"r1": "B1", "r2": "C2"}))
	if created.status != http.StatusCreated {
		t.Fatalf("register: %v", created)
	}
	reg := decode[registrationJSON](t, created)
	r := f.get("/api/v1/registrations/" + reg.Token)
	if r.status != http.StatusOK {
		t.Fatalf("GET: got %v, want 200", r)
	}
	if got := decode[registrationJSON](t, r); !reflect.DeepEqual(got, reg) {
		t.Errorf("GET: got %+v, want the 201 reply %+v", got, reg)
	}
	var a, b map[string]any
	_ = json.Unmarshal(created.body, &a)
	_ = json.Unmarshal(r.body, &b)
	if !slices.Equal(sortedKeys(a), sortedKeys(b)) {
		t.Errorf("GET keys %v, want those of the 201 reply %v", sortedKeys(b), sortedKeys(a))
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", cc)
	}
	for _, token := range []string{"abc", strings.Repeat("A", 43), reg.Token[:42] + "x"} {
		r := f.get("/api/v1/registrations/" + token)
		if r.status != http.StatusNotFound {
			t.Errorf("token %q: got %v, want 404", token, r)
			continue
		}
		if e := decode[errorJSON](t, r); e.Error.Code != "not_found" {
			t.Errorf("token %q: error.code %q, want not_found", token, e.Error.Code)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestCancelPromotesWaitingList(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	holder := f.register(f.person(map[string]string{"r1": "A1"}))
	waiting := f.register(f.person(map[string]string{"r1": "A1", "r2": "C2"}))
	if b, ok := waiting.booking("r1", "waitlisted"); !ok || b.WaitlistPosition != 1 {
		t.Fatalf("waiting: bookings %+v, want A1 waitlisted at 1", waiting.Bookings)
	}
	r := f.do(http.MethodDelete, "/api/v1/registrations/"+holder.Token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("DELETE: got %v, want 200", r)
	}
	if got := decode[registrationJSON](t, r); got.Status != "cancelled" || len(got.Bookings) != 0 {
		t.Errorf("DELETE reply: status %q bookings %+v, want cancelled and none", got.Status, got.Bookings)
	}
	// Promoted before DELETE returned: no waiting here.
	promoted := decode[registrationJSON](t, f.get("/api/v1/registrations/"+waiting.Token))
	want := []bookingJSON{{Slot: "r1", Workshop: "A1", Status: "confirmed"}, {Slot: "r2", Workshop: "C2", Status: "confirmed"}}
	if !reflect.DeepEqual(promoted.Bookings, want) {
		t.Errorf("promoted: bookings %+v, want %+v", promoted.Bookings, want)
	}
	if got := decode[registrationJSON](t, f.get("/api/v1/registrations/"+holder.Token)); got.Status != "cancelled" {
		t.Errorf("canceller: status %q, want cancelled", got.Status)
	}
	if ev := f.event(slugOpen); ev.seatsLeft("A1") != 0 || ev.SeatsLeft != 9 {
		t.Errorf("after promotion: A1 seats_left %d event %d, want 0 9", ev.seatsLeft("A1"), ev.SeatsLeft)
	}
	// Cancelling again is harmless.
	before := f.counts()
	if r := f.do(http.MethodDelete, "/api/v1/registrations/"+holder.Token, nil); r.status != http.StatusOK {
		t.Errorf("second DELETE: got %v, want 200", r)
	}
	if f.counts() != before {
		t.Errorf("second DELETE changed rows")
	}
	if r := f.do(http.MethodDelete, "/api/v1/registrations/"+strings.Repeat("x", 43), nil); r.status != http.StatusNotFound {
		t.Errorf("DELETE unknown token: got %v, want 404", r)
	}
	// The freed e-mail address may sign up again.
	again := f.person(nil)
	again["email"] = holder.Email
	if r := f.postJSON(regPath(slugOpen), again); r.status != http.StatusCreated {
		t.Errorf("re-register after cancel: got %v, want 201", r)
	}
}

func TestCancelPromotesEventWaitingList(t *testing.T) {
	f := newFixture(t, fixtureOpts{mutate: func(e *event.File) { e.Capacity = 1 }})
	holder := f.register(f.person(map[string]string{"r1": "A1"}))
	waiting := f.register(f.person(map[string]string{"r1": "A1"}))
	if waiting.Status != "waitlisted" {
		t.Fatalf("waiting: status %q, want waitlisted", waiting.Status)
	}
	if r := f.do(http.MethodDelete, "/api/v1/registrations/"+holder.Token, nil); r.status != http.StatusOK {
		t.Fatalf("DELETE: %v", r)
	}
	got := decode[registrationJSON](t, f.get("/api/v1/registrations/"+waiting.Token))
	want := []bookingJSON{{Slot: "r1", Workshop: "A1", Status: "confirmed"}}
	if got.Status != "confirmed" || !reflect.DeepEqual(got.Bookings, want) {
		t.Errorf("promoted: status %q bookings %+v, want confirmed %+v", got.Status, got.Bookings, want)
	}
}

func swapPath(token, slot string) string {
	return "/api/v1/registrations/" + token + "/bookings/" + slot
}

func TestSwap(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	me := f.register(f.person(map[string]string{"r1": "B1", "r2": "A2"}))

	// Topic clash: A1 has topic A like my A2.
	before := f.counts()
	r := f.sendJSON(http.MethodPut, swapPath(me.Token, "r1"), map[string]string{"workshop": "A1"})
	wantError(t, "topic clash", r, 422, "invalid", "workshop", "dasselbe Thema")
	if f.counts() != before {
		t.Errorf("topic clash changed rows")
	}

	// To a free workshop: C2 instead of A2.
	r = f.sendJSON(http.MethodPut, swapPath(me.Token, "r2"), map[string]string{"workshop": "C2"})
	if r.status != http.StatusOK {
		t.Fatalf("swap to C2: got %v, want 200", r)
	}
	got := decode[registrationJSON](t, r)
	want := []bookingJSON{{Slot: "r1", Workshop: "B1", Status: "confirmed"}, {Slot: "r2", Workshop: "C2", Status: "confirmed"}}
	if !reflect.DeepEqual(got.Bookings, want) {
		t.Errorf("after swap to C2: %+v, want %+v", got.Bookings, want)
	}
	if ev := f.event(slugOpen); ev.seatsLeft("A2") != 2 || ev.seatsLeft("C2") != 0 {
		t.Errorf("seats after swap: A2 %d C2 %d, want 2 0", ev.seatsLeft("A2"), ev.seatsLeft("C2"))
	}

	// Now A1 is allowed (no topic A left); fill it first, then swap: waiting list, seat kept.
	f.register(f.person(map[string]string{"r1": "A1"}))
	r = f.sendJSON(http.MethodPut, swapPath(me.Token, "r1"), map[string]string{"workshop": "A1"})
	if r.status != http.StatusOK {
		t.Fatalf("swap to full A1: got %v, want 200", r)
	}
	got = decode[registrationJSON](t, r)
	if b, ok := got.booking("r1", "confirmed"); !ok || b.Workshop != "B1" {
		t.Errorf("swap to full: seat in r1 %+v (found %v), want B1 kept; all %+v", b, ok, got.Bookings)
	}
	if b, ok := got.booking("r1", "waitlisted"); !ok || b.Workshop != "A1" || b.WaitlistPosition != 1 {
		t.Errorf("swap to full: queue in r1 %+v (found %v), want A1 at 1; all %+v", b, ok, got.Bookings)
	}

	for _, tc := range []struct {
		name, slot, body string
		status           int
		code, field      string
	}{
		{"unknown workshop", "r1", `{"workshop": "Z9"}`, 422, "invalid", "workshop"},
		{"workshop of another slot", "r1", `{"workshop": "C2"}`, 422, "invalid", "workshop"},
		{"unknown slot", "r9", `{"workshop": "A1"}`, 422, "invalid", "slot"},
		{"malformed", "r1", `{"workshop": `, 400, "malformed", ""},
		{"unknown field", "r1", `{"workshop": "A1", "x": 1}`, 400, "malformed", "x"},
	} {
		before := f.counts()
		r := f.sendJSON(http.MethodPut, swapPath(me.Token, tc.slot), tc.body)
		wantError(t, tc.name, r, tc.status, tc.code, tc.field, "")
		if f.counts() != before {
			t.Errorf("%s: rows changed", tc.name)
		}
	}
	r = f.sendJSON(http.MethodPut, swapPath(strings.Repeat("x", 43), "r1"), `{"workshop": "B1"}`)
	wantError(t, "unknown token", r, 404, "not_found", "", "")
}

// wantError checks an API error reply; msg, if set, is a substring of the
// field's message.
func wantError(t *testing.T, name string, r reply, status int, code, field, msg string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: got %v, want %d", name, r, status)
		return
	}
	e := decode[errorJSON](t, r)
	if e.Error.Code != code {
		t.Errorf("%s: error.code %q, want %q", name, e.Error.Code, code)
	}
	if field == "" {
		return
	}
	got, ok := e.Error.Fields[field]
	if !ok {
		t.Errorf("%s: error.fields %v, want key %q", name, e.Error.Fields, field)
	}
	if !strings.Contains(got, msg) {
		t.Errorf("%s: fields[%s] = %q, want it to contain %q", name, field, got, msg)
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t, fixtureOpts{rateLimit: 3})
	for i := range 3 {
		if r := f.postJSON(regPath(slugOpen), f.person(nil)); r.status != http.StatusCreated {
			t.Fatalf("POST %d: got %v, want 201", i+1, r)
		}
	}
	before := f.counts()
	r := f.postJSON(regPath(slugOpen), f.person(nil))
	wantError(t, "4th POST", r, http.StatusTooManyRequests, "rate_limited", "", "")
	if ra := r.header.Get("Retry-After"); ra == "" {
		t.Error("429 without Retry-After")
	}
	if f.counts() != before {
		t.Errorf("rate-limited POST changed rows")
	}
	// Reading is not limited.
	if r := f.get("/api/v1/events/" + slugOpen); r.status != http.StatusOK {
		t.Errorf("GET after the limit: got %v, want 200", r)
	}
}

// Two replicas on one database share the limit: three POSTs in all, not
// three each.
func TestRateLimitAcrossReplicas(t *testing.T) {
	f := newFixture(t, fixtureOpts{rateLimit: 3})
	g := serve(t, f.pool, fixtureOpts{rateLimit: 3})
	for i, srv := range []*fixture{f, g, f} {
		if r := srv.postJSON(regPath(slugOpen), f.person(nil)); r.status != http.StatusCreated {
			t.Fatalf("POST %d: got %v, want 201", i+1, r)
		}
	}
	for name, srv := range map[string]*fixture{"first": f, "second": g} {
		r := srv.postJSON(regPath(slugOpen), f.person(nil))
		wantError(t, name+" replica after the limit", r, http.StatusTooManyRequests, "rate_limited", "", "")
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 || ra > 20 {
			t.Errorf("%s: Retry-After %q, want 1..20 seconds (a token every 20s)", name, r.header.Get("Retry-After"))
		}
	}
}

func TestRateLimitOffByDefault(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	for i := range 10 {
		if r := f.postJSON(regPath(slugOpen), f.person(nil)); r.status != http.StatusCreated {
			t.Fatalf("POST %d with limit 0: got %v, want 201", i+1, r)
		}
	}
}

func TestCrossOriginProtection(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	form := "name=Anna&email=anna%40example.org&privacy=yes&slot.r1=B1"
	for _, tc := range []struct {
		name   string
		path   string
		ctype  string
		body   string
		header []string
	}{
		{"form, Sec-Fetch-Site cross-site", "/events/" + slugOpen + "/register", "application/x-www-form-urlencoded", form, []string{"Sec-Fetch-Site", "cross-site"}},
		{"form, foreign Origin", "/events/" + slugOpen + "/register", "application/x-www-form-urlencoded", form, []string{"Origin", "https://evil.example"}},
		{"API, Sec-Fetch-Site cross-site", regPath(slugOpen), "application/json", `{"name":"Anna","email":"anna@example.org","consents":{"privacy":true}}`, []string{"Sec-Fetch-Site", "cross-site"}},
	} {
		before := f.counts()
		r := f.do(http.MethodPost, tc.path, strings.NewReader(tc.body), append([]string{"Content-Type", tc.ctype}, tc.header...)...)
		if f.counts() != before {
			t.Errorf("%s: rows changed", tc.name)
		}
		if strings.HasPrefix(tc.path, "/api/") {
			wantError(t, tc.name, r, http.StatusForbidden, "cross_origin", "", "")
			if e := decode[errorJSON](t, r); !strings.Contains(e.Error.Message, "anderen Website") {
				t.Errorf("%s: message %q, want it to say the request came from another website", tc.name, e.Error.Message)
			}
			continue
		}
		wantStatus(t, tc.name, r, http.StatusForbidden)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q, want the HTML error page", tc.name, ct)
		}
		wantContains(t, tc.name, r, "von einer anderen Website", "<html")
	}
	// Same origin is fine.
	r := f.do(http.MethodPost, "/events/"+slugOpen+"/register", strings.NewReader(form),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin", "Origin", f.url)
	if r.status != http.StatusSeeOther {
		t.Errorf("same-origin form: got %v, want 303", r)
	}
}

func TestOpenAPI(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	r := f.get("/api/v1/openapi.json")
	if r.status != http.StatusOK {
		t.Fatalf("GET openapi.json: %v", r)
	}
	var spec struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &spec); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Errorf("openapi: got %q, want 3.x", spec.OpenAPI)
	}
	// The public API of the contract (ARCHITECTURE.md, "Contracts") that api.go serves.
	want := map[string][]string{
		"/api/v1/events/{slug}":                         {"get"},
		"/api/v1/events/{slug}/registrations":           {"post"},
		"/api/v1/registrations/{token}":                 {"get", "delete"},
		"/api/v1/registrations/{token}/bookings/{slot}": {"put"},
	}
	for path, methods := range want {
		item, ok := spec.Paths[path]
		if !ok {
			t.Errorf("path %s missing; have %v", path, keysOf(spec.Paths))
			continue
		}
		for _, m := range methods {
			op, ok := item[m]
			if !ok {
				t.Errorf("%s: method %s missing", path, m)
				continue
			}
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s: no responses", m, path)
			}
		}
	}
	for _, name := range []string{"EventJSON", "RegistrationJSON"} {
		s, ok := spec.Components.Schemas[name]
		if !ok {
			t.Errorf("components.schemas.%s missing; have %v", name, keysOf(spec.Components.Schemas))
			continue
		}
		if s["type"] != "object" {
			t.Errorf("%s: type %v, want object", name, s["type"])
		}
	}
	props, _ := spec.Components.Schemas["RegistrationJSON"]["properties"].(map[string]any)
	for _, k := range []string{"id", "status", "token", "manage_url", "bookings"} {
		if _, ok := props[k]; !ok {
			t.Errorf("RegistrationJSON lacks property %q", k)
		}
	}
	// Every $ref points at a schema that exists.
	for _, ref := range refsIn(string(r.body)) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if _, ok := spec.Components.Schemas[name]; !ok {
			t.Errorf("dangling $ref %s", ref)
		}
	}
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func refsIn(doc string) []string {
	var refs []string
	const marker = `"$ref":"`
	for {
		i := strings.Index(doc, marker)
		if i < 0 {
			return refs
		}
		doc = doc[i+len(marker):]
		j := strings.IndexByte(doc, '"')
		refs = append(refs, doc[:j])
		doc = doc[j:]
	}
}

func TestHealth(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	for _, path := range []string{"/healthz", "/readyz"} {
		if r := f.get(path); r.status != http.StatusOK {
			t.Errorf("GET %s: got %v, want 200", path, r)
		}
	}
	r := f.get("/api/v1/nichts")
	wantError(t, "unknown API path", r, 404, "not_found", "", "")
}

func TestRegisterUnknownLanguage(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	body := f.person(nil)
	body["language"] = "fr"
	before := f.counts()
	r := f.postJSON(regPath(slugOpen), body)
	wantError(t, "language fr", r, 422, "invalid", "language", "„de“ oder „en“")
	if f.counts() != before {
		t.Error("rows changed")
	}
}

// A body that does not say it is JSON is refused before it is read as
// JSON: text/plain and forms are what another site's page can send
// without asking.
func TestRegisterRefusesBodiesNotDeclaredJSON(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	body, err := json.Marshal(f.person(map[string]string{"r1": "B1"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		before := f.counts()
		r := f.do(http.MethodPost, regPath(slugOpen), bytes.NewReader(body), "Content-Type", ct)
		if r.status != http.StatusUnsupportedMediaType || !bytes.Contains(r.body, []byte(`"unsupported_media_type"`)) {
			t.Errorf("Content-Type %q: got %v, want 415 unsupported_media_type", ct, r)
		}
		if after := f.counts(); after != before {
			t.Errorf("Content-Type %q: rows changed: %+v → %+v", ct, before, after)
		}
	}
	r := f.do(http.MethodPost, regPath(slugOpen), bytes.NewReader(body), "Content-Type", "application/json; charset=utf-8")
	if r.status != http.StatusCreated {
		t.Errorf("application/json with charset: got %v, want 201", r)
	}
}
