package reconfirm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/registration"
)

// TestTwoSchedulersExactlyOnce runs two schedulers side by side through
// every step: each person gets one question, one reminder and, at the
// deadline, one release.
func TestTwoSchedulersExactlyOnce(t *testing.T) {
	fx := newFixture(t, 40, 30)
	var people []participant
	for i := range 30 {
		people = append(people, fx.register(fmt.Sprintf("p%d@example.org", i), []string{"A1", "B1"}[i%2]))
	}
	plan := fx.configure(true, true)
	for _, at := range []time.Time{plan.SendAt, plan.RemindAt, plan.DeadlineAt} {
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for k := range 3 {
					if _, err := Tick(context.Background(), fx.pool, at.Add(time.Duration(k)*time.Second)); err != nil {
						t.Errorf("Tick: %v", err)
					}
				}
			})
		}
		wg.Wait()
	}
	for _, p := range people {
		for _, kind := range []string{"reconfirm", "reconfirm_reminder", "reconfirm_released"} {
			fx.wantMails(p, kind, 1)
		}
		fx.wantStatus(p, registration.Cancelled)
	}
	if n := fx.count(`SELECT count(*) FROM audit_log WHERE action = 'registration.release'`); n != len(people) {
		t.Errorf("release audit entries = %d, want %d", n, len(people))
	}
}

// TestNoRacesReleaseAndSwaps: participants answer "no", others swap
// workshops, while the release at the deadline runs in two schedulers.
// Every seat ends with one owner, every freed seat with the next waiting
// person, every cancelled registration with exactly one cancellation mail
// (dbtest.CheckInvariants, run when the test ends).
func TestNoRacesReleaseAndSwaps(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, 24, 10)
	var people []participant
	for i := range 30 { // 20 seats in A1 and B1, the rest on waiting lists
		people = append(people, fx.register(fmt.Sprintf("p%d@example.org", i), []string{"A1", "B1"}[i%2]))
	}
	plan := fx.configure(false, true)
	fx.tick(plan.SendAt)
	links := map[string]string{}
	for _, p := range people {
		if fx.mails(p, "reconfirm") == 1 {
			links[p.id] = fx.link(p, "reconfirm")
		}
	}
	fx.clock = plan.DeadlineAt.Add(time.Minute)
	var wg sync.WaitGroup
	for i, p := range people {
		wg.Go(func() {
			switch {
			case i%3 == 0 && links[p.id] != "":
				if _, err := fx.rc.AnswerByLink(ctx, links[p.id], false); err != nil {
					t.Errorf("answer no: %v", err)
				}
			case i%3 == 1:
				if _, err := fx.book.Swap(ctx, p.token, "r1", []string{"B1", "A1"}[i%2]); err != nil && !expected(err) {
					t.Errorf("swap: %v", err)
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			if _, err := Tick(ctx, fx.pool, plan.DeadlineAt.Add(time.Minute)); err != nil {
				t.Errorf("Tick: %v", err)
			}
		})
	}
	wg.Wait()
	fx.tick(plan.DeadlineAt.Add(2 * time.Minute))
	if n := fx.count(`SELECT count(*) FROM reconfirm_requests q JOIN registrations r ON r.id = q.registration_id
		WHERE q.answer IS NULL AND r.status = 'confirmed' AND q.asked_at <= $1`, plan.DeadlineAt.Add(-NoticeBeforeRelease)); n != 0 {
		t.Errorf("%d unanswered seats left after the release", n)
	}
	if n := fx.count(`SELECT count(*) FROM reconfirm_requests q JOIN registrations r ON r.id = q.registration_id
		WHERE q.answer IN ('no', 'released') AND r.status <> 'cancelled'`); n != 0 {
		t.Errorf("%d people answered no or were released but still hold their registration", n)
	}
}

// expected are the refusals a swap may meet in the race: the person was
// released or cancelled meanwhile, or holds no event seat.
func expected(err error) bool {
	return errors.Is(err, booking.ErrCancelled) || errors.Is(err, booking.ErrNotConfirmed)
}
