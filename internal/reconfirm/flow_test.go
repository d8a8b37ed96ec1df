package reconfirm

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/registration"
)

// TestWholeFlow walks one event through its week: the question, a "no"
// that promotes the event's waiting list, the late question to the
// promoted participant, the reminder, a "yes" on the personal page and the
// release at the deadline — each step exactly once however often the
// scheduler runs.
func TestWholeFlow(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, 2, 2)
	p1, p2 := fx.register("p1@example.org", "A1"), fx.register("p2@example.org", "A1")
	p3 := fx.register("p3@example.org", "A1") // on the event's waiting list
	fx.wantStatus(p3, registration.Waitlisted)
	plan := fx.configure(true, true)

	if d := fx.tick(plan.SendAt.Add(-time.Minute)); d != (Done{}) {
		t.Fatalf("before the send time: %+v, want nothing", d)
	}
	if d := fx.tick(plan.SendAt.Add(time.Minute)); d.Asked != 2 {
		t.Fatalf("at the send time asked %d, want 2", d.Asked)
	}
	if d := fx.tick(plan.SendAt.Add(2 * time.Minute)); d != (Done{}) {
		t.Fatalf("second tick: %+v, want nothing", d)
	}
	fx.wantMails(p3, "reconfirm", 0)

	// "Nein" through the mailed link: p1 is cancelled, p3 gets the seat.
	no := fx.link(p1, "reconfirm")
	st, err := fx.rc.AnswerByLink(ctx, no, false)
	if err != nil || st.Answer != No || !st.SeatGone {
		t.Fatalf("answer no = %+v, %v; want answer no, seat gone", st, err)
	}
	fx.wantStatus(p1, registration.Cancelled)
	fx.wantStatus(p3, registration.Confirmed)
	fx.wantMails(p1, "cancelled", 1)
	fx.wantMails(p3, "promoted", 1)
	// Twice is harmless; "yes" afterwards is refused kindly.
	if _, err := fx.rc.AnswerByLink(ctx, no, false); err != nil {
		t.Fatalf("second no: %v", err)
	}
	fx.wantMails(p1, "cancelled", 1)
	if _, err := fx.rc.AnswerByLink(ctx, no, true); !errors.Is(err, ErrSeatGone) {
		t.Fatalf("yes after no: %v, want ErrSeatGone", err)
	}

	// The promoted participant registered before the send time: asked now.
	if d := fx.tick(plan.SendAt.Add(time.Hour)); d.Asked != 1 {
		t.Fatalf("after the promotion asked %d, want 1", d.Asked)
	}
	fx.wantMails(p3, "reconfirm", 1)

	if d := fx.tick(plan.RemindAt.Add(time.Minute)); d.Reminded != 2 {
		t.Fatalf("at the reminder time reminded %d, want 2 (p2, p3)", d.Reminded)
	}
	if d := fx.tick(plan.RemindAt.Add(2 * time.Minute)); d != (Done{}) {
		t.Fatalf("second reminder tick: %+v, want nothing", d)
	}
	fx.wantMails(p2, "reconfirm_reminder", 1)
	fx.wantMails(p1, "reconfirm_reminder", 0)

	// "Ja" on the personal page.
	if st, err := fx.rc.AnswerByPersonalLink(ctx, p2.token, true); err != nil || st.Answer != Yes {
		t.Fatalf("yes = %+v, %v", st, err)
	}

	if d := fx.tick(plan.DeadlineAt.Add(time.Minute)); d.Released != 1 {
		t.Fatalf("at the deadline released %d, want 1 (p3)", d.Released)
	}
	if d := fx.tick(plan.DeadlineAt.Add(2 * time.Minute)); d != (Done{}) {
		t.Fatalf("second deadline tick: %+v, want nothing", d)
	}
	fx.wantStatus(p3, registration.Cancelled)
	fx.wantStatus(p2, registration.Confirmed)
	fx.wantMails(p3, "reconfirm_released", 1)
	fx.wantMails(p3, "cancelled", 0)
	if n := fx.count(`SELECT count(*) FROM audit_log WHERE action = 'registration.release' AND detail->>'registration_id' = $1`, p3.id); n != 1 {
		t.Errorf("release audit entries = %d, want 1", n)
	}
	if _, err := fx.rc.AnswerByLink(ctx, fx.link(p3, "reconfirm_reminder"), true); !errors.Is(err, ErrSeatGone) {
		t.Errorf("yes after the release: %v, want ErrSeatGone", err)
	}

	sum, err := fx.rc.Summary(ctx, fx.ev)
	if err != nil {
		t.Fatal(err)
	}
	got := [...]int{sum.Asked, sum.Reminded, sum.Yes, sum.No, sum.Open, sum.Released}
	if want := [...]int{3, 2, 1, 1, 0, 1}; got != want {
		t.Errorf("summary asked, reminded, yes, no, open, released = %v, want %v", got, want)
	}
	if sum.Settings.SentAt == nil || sum.Settings.RemindedAt == nil || sum.Settings.ReleasedAt == nil {
		t.Errorf("step dates not all recorded: %+v", sum.Settings)
	}
}

// TestNoReleaseUnlessChosen: without the organiser's choice an unanswered
// seat stays taken after the deadline.
func TestNoReleaseUnlessChosen(t *testing.T) {
	fx := newFixture(t, 10, 10)
	p := fx.register("p@example.org", "A1")
	plan := fx.configure(false, false)
	if d := fx.tick(plan.SendAt); d.Asked != 1 || d.Reminded != 0 {
		t.Fatalf("send: %+v, want one question", d)
	}
	if d := fx.tick(plan.DeadlineAt.Add(time.Hour)); d != (Done{}) {
		t.Fatalf("after the deadline: %+v, want nothing", d)
	}
	fx.wantStatus(p, registration.Confirmed)
	fx.wantMails(p, "reconfirm_reminder", 0)
	fx.wantMails(p, "reconfirm_released", 0)
	sum, err := fx.rc.Summary(context.Background(), fx.ev)
	if err != nil || sum.Open != 1 || sum.Released != 0 || len(sum.Unanswered) != 1 || sum.Unanswered[0].RegistrationID != p.id {
		t.Fatalf("summary = %+v, %v; want one open, named", sum, err)
	}
}

// TestLateSignUpNotAsked: a sign-up after the send time counts as
// confirmed; a participant asked shortly before the deadline keeps the seat.
func TestLateSignUpNotAsked(t *testing.T) {
	fx := newFixture(t, 10, 10)
	early := fx.register("early@example.org", "A1")
	late := fx.register("late@example.org", "B1")
	plan := fx.configure(true, true)
	if _, err := fx.pool.Exec(context.Background(), `UPDATE registrations SET created_at = $2 WHERE id = $1`,
		late.id, plan.SendAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The scheduler first runs only 12 hours before the deadline.
	fx.tick(plan.DeadlineAt.Add(-12 * time.Hour))
	fx.wantMails(early, "reconfirm", 1)
	fx.wantMails(late, "reconfirm", 0)
	if d := fx.tick(plan.DeadlineAt); d.Released != 0 {
		t.Fatalf("released %d people asked 12 hours before the deadline, want 0", d.Released)
	}
	fx.wantStatus(early, registration.Confirmed)
	sum, err := fx.rc.Summary(context.Background(), fx.ev)
	if err != nil || sum.NotAsked != 1 || sum.Open != 1 {
		t.Fatalf("summary = %+v, %v; want one not asked, one open", sum, err)
	}
}

// TestNotAskedCannotAnswer: the personal page of someone never asked
// answers nothing, and an unknown link is not found.
func TestNotAskedCannotAnswer(t *testing.T) {
	fx := newFixture(t, 10, 10)
	p := fx.register("p@example.org", "A1")
	if _, err := fx.rc.AnswerByPersonalLink(context.Background(), p.token, false); !errors.Is(err, ErrNotAsked) {
		t.Fatalf("answer without a question: %v, want ErrNotAsked", err)
	}
	if _, err := fx.rc.Question(context.Background(), p.token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("personal link as answer link: %v, want ErrNotFound", err)
	}
	fx.wantStatus(p, registration.Confirmed)
}

// TestDeletedPersonLinkGone: deleting a person on request takes the
// answer links with the personal links.
func TestDeletedPersonLinkGone(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, 10, 10)
	p := fx.register("p@example.org", "A1")
	plan := fx.configure(true, false)
	fx.tick(plan.SendAt)
	link := fx.link(p, "reconfirm")
	if err := fx.book.DeleteNow(ctx, fx.ev.ID, p.id, booking.Manual{Actor: "test"}); err != nil {
		t.Fatalf("DeleteNow: %v", err)
	}
	if _, err := fx.rc.Question(ctx, link); !errors.Is(err, ErrNotFound) {
		t.Fatalf("answer link after the deletion: %v, want ErrNotFound", err)
	}
}
