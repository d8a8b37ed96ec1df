package booking

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

func TestRegisterConfirmedWithSeats(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	p := mustRegister(t, s, "ft", "ana@example.org", "r1=A1", "r2=B2")

	if p.reg.Status != registration.Confirmed {
		t.Errorf("status: got %q, want %q", p.reg.Status, registration.Confirmed)
	}
	if got, want := bookingsString(p.reg.Bookings), "r1=A1:confirmed r2=B2:confirmed"; got != want {
		t.Errorf("returned bookings: got %q, want %q", got, want)
	}
	if len(p.token) != 43 {
		t.Errorf("token length: got %d, want 43 (32 random bytes, base64url)", len(p.token))
	}
	wantBookings(t, s, p, "r1=A1:confirmed r2=B2:confirmed")
	wantWorkshop(t, pool, "A1", 1, 0)
	wantWorkshop(t, pool, "B2", 1, 0)
	wantWorkshop(t, pool, "B1", 0, 0)
	if got := queryInt(t, pool, `SELECT s.taken FROM event_seats s JOIN events e ON e.id = s.event_id WHERE e.slug = 'ft'`); got != 1 {
		t.Errorf("event_seats.taken: got %d, want 1", got)
	}
	wantOutbox(t, pool, p, "confirmed", 1)
	dbtest.CheckInvariants(t, pool)
}

func TestRegisterFullWorkshopWaitlistsThatBookingOnly(t *testing.T) {
	f := eventFile("ft")
	setCapacity(t, f, "A1", 1)
	s, pool := setup(t, f)
	mustRegister(t, s, "ft", "first@example.org", "r1=A1")

	for i, email := range []string{"second@example.org", "third@example.org"} {
		p := mustRegister(t, s, "ft", email, "r1=A1", "r2=B2")
		if p.reg.Status != registration.Confirmed {
			t.Errorf("%s status: got %q, want %q (a full workshop does not waitlist the registration)",
				email, p.reg.Status, registration.Confirmed)
		}
		want := "r1=A1:waitlisted#" + string(rune('1'+i)) + " r2=B2:confirmed"
		if got := bookingsString(p.reg.Bookings); got != want {
			t.Errorf("%s returned bookings: got %q, want %q", email, got, want)
		}
		wantBookings(t, s, p, want)
		wantOutbox(t, pool, p, "confirmed", 1)
	}
	wantWorkshop(t, pool, "A1", 1, 2)
	wantWorkshop(t, pool, "B2", 2, 0)
	dbtest.CheckInvariants(t, pool)
}

func TestRegisterFullEventWaitlistsRegistration(t *testing.T) {
	f := eventFile("ft")
	f.Capacity = 2
	s, pool := setup(t, f)
	mustRegister(t, s, "ft", "a@example.org", "r1=A1")
	mustRegister(t, s, "ft", "b@example.org", "r1=A1")

	for i, email := range []string{"c@example.org", "d@example.org"} {
		p := mustRegister(t, s, "ft", email, "r1=A1", "r2=B2")
		if p.reg.Status != registration.Waitlisted {
			t.Errorf("%s status: got %q, want %q", email, p.reg.Status, registration.Waitlisted)
		}
		if p.reg.WaitlistPosition != i+1 {
			t.Errorf("%s event position: got %d, want %d", email, p.reg.WaitlistPosition, i+1)
		}
		if len(p.reg.Bookings) != 0 {
			t.Errorf("%s bookings: got %q, want none", email, bookingsString(p.reg.Bookings))
		}
		got := mustGet(t, s, p)
		if got.Status != registration.Waitlisted || got.WaitlistPosition != i+1 || len(got.Bookings) != 0 {
			t.Errorf("Get(%s): got status=%s position=%d bookings=%q, want waitlisted position=%d no bookings",
				email, got.Status, got.WaitlistPosition, bookingsString(got.Bookings), i+1)
		}
		wantOutbox(t, pool, p, "waitlisted", 1)
	}
	wantWorkshop(t, pool, "A1", 2, 0)
	wantWorkshop(t, pool, "B2", 0, 0)
	dbtest.CheckInvariants(t, pool)
}

// TestRegisterAfterSeatFreed: once a sign-up found the event full, the
// next ones lock its seat counter early (registerAtCounter); when a seat
// has come free in the meantime, a sign-up still gets it, with its
// workshops.
func TestRegisterAfterSeatFreed(t *testing.T) {
	f := eventFile("ft")
	f.Capacity = 1
	s, pool := setup(t, f)
	a := mustRegister(t, s, "ft", "a@example.org", "r1=A1")
	b := mustRegister(t, s, "ft", "b@example.org", "r1=A1")
	wantStatus(t, s, b, registration.Waitlisted)
	mustCancel(t, s, b)
	mustCancel(t, s, a) // the seat comes free, and nobody waits for it

	c := mustRegister(t, s, "ft", "c@example.org", "r1=A1")
	if c.reg.Status != registration.Confirmed || bookingsString(c.reg.Bookings) != "r1=A1:confirmed" {
		t.Errorf("after the seat came free: got %s %q, want confirmed with r1=A1", c.reg.Status, bookingsString(c.reg.Bookings))
	}
	d := mustRegister(t, s, "ft", "d@example.org", "r1=A1")
	if d.reg.Status != registration.Waitlisted || d.reg.WaitlistPosition != 1 {
		t.Errorf("full again: got %s at %d, want waitlisted at 1", d.reg.Status, d.reg.WaitlistPosition)
	}
	wantOutbox(t, pool, c, "confirmed", 1)
	wantOutbox(t, pool, d, "waitlisted", 1)
	wantWorkshop(t, pool, "A1", 1, 0)
	dbtest.CheckInvariants(t, pool)
}

func TestRegisterClosedAndUnknown(t *testing.T) {
	past := time.Now().Add(-2 * time.Hour)
	future := time.Now().Add(2 * time.Hour)
	tests := []struct {
		name   string
		modify func(f *event.File)
		slug   string
		want   error
	}{
		{"draft is not public", func(f *event.File) { f.Status = event.StatusDraft }, "ev", ErrNotFound},
		{"closed status", func(f *event.File) { f.Status = event.StatusClosed }, "ev", ErrClosed},
		{"not yet open", func(f *event.File) { f.Registration.OpensAt = &future }, "ev", ErrClosed},
		{"window over", func(f *event.File) {
			opens := past.Add(-time.Hour)
			f.Registration.OpensAt, f.Registration.ClosesAt = &opens, &past
		}, "ev", ErrClosed},
		{"unknown event", func(*event.File) {}, "nope", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := eventFile("ev")
			tt.modify(f)
			s, pool := setup(t, f)
			before := tableCounts(t, pool)
			_, token, err := s.Register(context.Background(), tt.slug, request("x@example.org", "r1=A1"))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Register: got error %v, want %v", err, tt.want)
			}
			if token != "" {
				t.Errorf("token: got %q, want empty", token)
			}
			if after := tableCounts(t, pool); after != before {
				t.Errorf("database changed: got %s, want %s", after, before)
			}
		})
	}
}

func TestRegisterDuplicateEmail(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	first := mustRegister(t, s, "ft", "Ana.Lopez@Example.org", "r1=A1")

	for _, email := range []string{"Ana.Lopez@Example.org", "ana.lopez@example.org", "  ANA.LOPEZ@EXAMPLE.ORG "} {
		before := tableCounts(t, pool)
		_, _, err := s.Register(context.Background(), "ft", request(email, "r1=B1"))
		if !errors.Is(err, ErrDuplicate) {
			t.Errorf("Register(%q): got error %v, want ErrDuplicate", email, err)
		}
		if after := tableCounts(t, pool); after != before {
			t.Errorf("Register(%q) changed the database: got %s, want %s", email, after, before)
		}
	}

	mustCancel(t, s, first)
	again := mustRegister(t, s, "ft", "ana.lopez@example.org", "r1=B1")
	if again.reg.Status != registration.Confirmed {
		t.Errorf("registration after cancel: got status %q, want %q", again.reg.Status, registration.Confirmed)
	}
	if _, _, err := s.Register(context.Background(), "ft", request("ANA.LOPEZ@example.org")); !errors.Is(err, ErrDuplicate) {
		t.Errorf("third registration: got error %v, want ErrDuplicate", err)
	}
	dbtest.CheckInvariants(t, pool)
}

func TestRegisterValidation(t *testing.T) {
	f := eventFile("ft")
	f.Questions = []event.Question{
		{Key: "badge", Type: "text", Label: event.Label{DE: "Namensschild"}, Required: true},
		{Key: "diet", Type: "choice", Label: event.Label{DE: "Essen"}, Options: []string{"none", "vegetarian", "vegan"}},
	}
	addWorkshop(f, "C1", "r1", 10, "")
	s, pool := setup(t, f)

	valid := func() Request {
		r := request("valid@example.org", "r1=A1", "r2=B2")
		r.Answers = map[string]any{"badge": "Ana", "diet": "vegan"}
		return r
	}
	// One registration exists, so "unchanged" also covers the counters.
	seed := valid()
	seed.Email = "seed@example.org"
	if _, _, err := s.Register(context.Background(), "ft", seed); err != nil {
		t.Fatalf("seed registration: %v", err)
	}

	tests := []struct {
		name      string
		modify    func(r *Request)
		wantField string
		wantKey   string
	}{
		{"empty name", func(r *Request) { r.Name = "   " }, "name", "err.required"},
		{"CRLF in name", func(r *Request) { r.Name = "Ana\r\nBcc: victim@example.org" }, "name", "err.line_break"},
		{"script in name", func(r *Request) { r.Name = "<script>alert(1)</script>" }, "name", "err.angle_brackets"},
		{"bad e-mail", func(r *Request) { r.Email = "ana@" }, "email", "err.email"},
		{"e-mail without domain dot", func(r *Request) { r.Email = "ana@localhost" }, "email", "err.email"},
		{"e-mail with display name", func(r *Request) { r.Email = "Ana <ana@example.org>" }, "email", "err.email"},
		{"missing privacy consent", func(r *Request) { r.Consents.Privacy = false }, "consents.privacy", "err.privacy"},
		{"unknown slot", func(r *Request) { r.Choices["r9"] = "A1" }, "choices.r9", "err.unknown_slot"},
		{"unknown workshop", func(r *Request) { r.Choices["r1"] = "Z9" }, "choices.r1", "err.unknown_workshop"},
		{"workshop in the wrong slot", func(r *Request) { r.Choices["r1"] = "B2"; delete(r.Choices, "r2") }, "choices.r1", "err.wrong_slot"},
		{"two workshops of one topic", func(r *Request) { r.Choices["r2"] = "A2" }, "choices.r2", "err.topic_twice"},
		{"unknown answer key", func(r *Request) { r.Answers["shoe_size"] = "42" }, "answers.shoe_size", "err.unknown_question"},
		{"required question missing", func(r *Request) { delete(r.Answers, "badge") }, "answers.badge", "err.required"},
		{"required question blank", func(r *Request) { r.Answers["badge"] = "  " }, "answers.badge", "err.required"},
		{"choice not in options", func(r *Request) { r.Answers["diet"] = "meat" }, "answers.diet", "err.invalid_option"},
		{"text answer not a string", func(r *Request) { r.Answers["badge"] = 42.0 }, "answers.badge", "err.not_text"},
		{"preferences sent to a first_come event", func(r *Request) {
			r.Preferences = map[string][]string{"r1": {"A1", "B1"}}
		}, "preferences", "err.mode_preferences"},
		{"unknown language", func(r *Request) { r.Language = "fr" }, "language", "err.language"},
		{"organisation with line break", func(r *Request) { r.Organisation = "Jobcenter\nX" }, "organisation", "err.line_break"},
		{"name too long", func(r *Request) { r.Name = strings.Repeat("a", 201) }, "name", "err.too_long"},
		{"NUL in name", func(r *Request) { r.Name = "Ana\x00" }, "name", "err.line_break"},
		{"bidi override in name", func(r *Request) { r.Name = "Ana \u202egro.elpmaxe" }, "name", "err.line_break"},
		{"name of zero-width characters only", func(r *Request) { r.Name = "\u200b\u200d\ufeff" }, "name", "err.required"},
		{"NUL in a text answer", func(r *Request) { r.Answers["badge"] = "Ana\x00" }, "answers.badge", "err.control_char"},
		{"bidi override in a text answer", func(r *Request) { r.Answers["badge"] = "Ana\u2066x" }, "answers.badge", "err.control_char"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.modify(&r)
			before := tableCounts(t, pool)
			reg, token, err := s.Register(context.Background(), "ft", r)
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("Register: got (%v, %q, %v), want a *ValidationError", reg, token, err)
			}
			fe, ok := v.Fields[tt.wantField]
			if !ok {
				t.Fatalf("ValidationError.Fields: got %v, want an entry for %q", v.Fields, tt.wantField)
			}
			if fe.Key != tt.wantKey {
				t.Errorf("Fields[%q].Key: got %q, want %q", tt.wantField, fe.Key, tt.wantKey)
			}
			if len(v.Fields) != 1 {
				t.Errorf("ValidationError.Fields: got %v, want only %q", v.Fields, tt.wantField)
			}
			if after := tableCounts(t, pool); after != before {
				t.Errorf("database changed: got %s, want %s", after, before)
			}
		})
	}

	// The unmodified request is valid: the table above fails for the
	// reason it names, not for another.
	if _, _, err := s.Register(context.Background(), "ft", valid()); err != nil {
		t.Errorf("valid request: got %v, want nil", err)
	}
	// A name copied from Arabic text keeps its direction mark, and a
	// multi-line answer its line breaks.
	rtl := valid()
	rtl.Email, rtl.Name, rtl.Answers["badge"] = "sara@example.org", "سارة\u200f Haddad", "Sara\nHaddad"
	if _, _, err := s.Register(context.Background(), "ft", rtl); err != nil {
		t.Errorf("name with a direction mark: got %v, want nil", err)
	}
	dbtest.CheckInvariants(t, pool)
}

func TestRegisterValidationListsEveryField(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	r := Request{Name: "", Email: "nope", Choices: map[string]string{"r1": "Z"}}
	before := tableCounts(t, pool)
	_, _, err := s.Register(context.Background(), "ft", r)
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("Register: got %v, want a *ValidationError", err)
	}
	want := map[string]string{"name": "err.required", "email": "err.email",
		"consents.privacy": "err.privacy", "choices.r1": "err.unknown_workshop"}
	for field, key := range want {
		if got := v.Fields[field].Key; got != key {
			t.Errorf("Fields[%q].Key: got %q, want %q", field, got, key)
		}
	}
	if len(v.Fields) != len(want) {
		t.Errorf("Fields: got %v, want exactly %v", v.Fields, want)
	}
	if after := tableCounts(t, pool); after != before {
		t.Errorf("database changed: got %s, want %s", after, before)
	}
}
