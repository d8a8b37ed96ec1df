package booking

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/registration"
)

// TestDeleteNowUnderLoad deletes people while others sign up and cancel
// for the same full workshop and full event: every deleted person is
// anonymised with no link and no mail left to send, each freed seat went
// to a waiting person, and the invariants hold.
func TestDeleteNowUnderLoad(t *testing.T) {
	f := eventFile("delete")
	f.Capacity = 6
	setCapacity(t, f, "A1", 2)
	s, pool := setup(t, f)
	id := eventID(t, pool, "delete")
	var people []participant
	for i := range 12 { // 2 in A1, 4 waiting for it, 6 on the event's waiting list
		people = append(people, mustRegister(t, s, "delete", fmt.Sprintf("p%02d@example.org", i), "r1=A1"))
	}
	ctx := context.Background()
	runConcurrently(t, 12, func(i int) error {
		p := people[i]
		switch i % 3 {
		case 0:
			return s.DeleteNow(ctx, id, p.reg.ID, byHand)
		case 1:
			_, _, err := s.Register(ctx, "delete", request(fmt.Sprintf("new%02d@example.org", i), "r1=A1"))
			return err
		}
		_, err := s.Cancel(ctx, p.token)
		return err
	})
	for i := 0; i < 12; i += 3 {
		regID := people[i].reg.ID
		if n := queryInt(t, pool, `SELECT count(*) FROM registrations WHERE id = $1 AND status = $2 AND email = 'deleted-' || id || '@invalid'`,
			regID, registration.Cancelled); n != 1 {
			t.Errorf("%s is not cancelled and anonymised", people[i].reg.Email)
		}
		if n := queryInt(t, pool, `SELECT count(*) FROM tokens WHERE registration_id = $1`, regID); n != 0 {
			t.Errorf("%s keeps %d links", people[i].reg.Email, n)
		}
		if n := queryInt(t, pool, `SELECT count(*) FROM outbox WHERE registration_id = $1 AND status IN ('pending', 'sending')`, regID); n != 0 {
			t.Errorf("%s has %d mails still to send", people[i].reg.Email, n)
		}
	}
	if taken, confirmed, _ := workshopCounts(t, pool, "A1"); taken != 2 || confirmed != 2 {
		t.Errorf("A1: taken %d, confirmed %d; want both 2 (freed seats passed on)", taken, confirmed)
	}
	if n := auditCount(t, pool, "registration.delete", people[0].reg.ID); n != 1 {
		t.Errorf("delete audit entries: got %d, want 1", n)
	}
	dbtest.CheckInvariants(t, pool)
}

// TestCorrectAndDeleteRefusals: a deleted person can be neither corrected
// nor deleted again, a correction that changes nothing is refused, and
// another event's organiser cannot reach the person by id.
func TestCorrectAndDeleteRefusals(t *testing.T) {
	s, pool := setup(t, eventFile("fix"))
	importEvent(t, pool, eventFile("other"))
	id, other := eventID(t, pool, "fix"), eventID(t, pool, "other")
	p := mustRegister(t, s, "fix", "anna@example.org", "r1=A1")
	ctx := context.Background()
	same := Correction{Name: p.reg.Name, Email: p.reg.Email, Organisation: p.reg.Organisation}
	if _, err := s.Correct(ctx, id, p.reg.ID, same, byHand); !errors.Is(err, ErrNoChange) {
		t.Errorf("unchanged correction: got %v, want ErrNoChange", err)
	}
	if _, err := s.Correct(ctx, other, p.reg.ID, same, byHand); !errors.Is(err, ErrNotFound) {
		t.Errorf("correction through another event: got %v, want ErrNotFound", err)
	}
	if err := s.DeleteNow(ctx, other, p.reg.ID, byHand); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete through another event: got %v, want ErrNotFound", err)
	}
	if err := s.DeleteNow(ctx, id, p.reg.ID, byHand); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteNow(ctx, id, p.reg.ID, byHand); !errors.Is(err, ErrDeleted) {
		t.Errorf("second delete: got %v, want ErrDeleted", err)
	}
	if _, err := s.Correct(ctx, id, p.reg.ID, Correction{Name: "Anna", Email: "anna@example.org"}, byHand); !errors.Is(err, ErrDeleted) {
		t.Errorf("correction after delete: got %v, want ErrDeleted", err)
	}
}
