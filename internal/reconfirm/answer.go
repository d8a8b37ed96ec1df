package reconfirm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// Errors callers map to responses.
var (
	ErrNotFound = errors.New("no such reconfirmation link")
	ErrNotAsked = errors.New("this registration was not asked")
	ErrSeatGone = errors.New("the seat was given up or released")
	ErrStarted  = errors.New("the event has started")
)

// Answer is a person's answer to the question.
type Answer string

// The answers; an open question has none.
const (
	Open     Answer = ""
	Yes      Answer = "yes"
	No       Answer = "no"
	Released Answer = "released" // no answer by the deadline: the seat went to the waiting list
)

// State is one person's question as the answer page shows it.
type State struct {
	RegistrationID string
	Name           string
	Language       string
	Answer         Answer
	AnsweredAt     *time.Time
	SeatGone       bool // cancelled or released: "yes" is no longer possible
	Deadline       time.Time
	Release        bool // unanswered seats are released at the deadline
	Event          *event.Event
}

// Open reports whether the person may still answer at now.
func (st *State) Open(now time.Time) bool { return !st.SeatGone && now.Before(st.Event.StartsAt) }

const selectState = `
SELECT q.registration_id::text, r.name, r.language, coalesce(q.answer, ''), q.answered_at,
       r.status = 'cancelled', r.event_id
FROM reconfirm_requests q JOIN registrations r ON r.id = q.registration_id
WHERE q.registration_id = $1`

// state reads registration regID's question; ErrNotAsked when it has none.
func state(ctx context.Context, q db.Conn, regID string) (*State, error) {
	var st State
	var eventID int64
	err := q.QueryRow(ctx, selectState, regID).Scan(&st.RegistrationID, &st.Name, &st.Language, &st.Answer,
		&st.AnsweredAt, &st.SeatGone, &eventID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotAsked
	}
	if err != nil {
		return nil, fmt.Errorf("read question: %w", err)
	}
	if st.Event, err = event.LoadByID(ctx, q, eventID); err != nil {
		return nil, err
	}
	s, err := load(ctx, q, eventID)
	if err != nil {
		return nil, err
	}
	st.Deadline, st.Release = s.Plan(st.Event.StartsAt).DeadlineAt, s.Release
	st.SeatGone = st.SeatGone || st.Answer == No || st.Answer == Released
	return &st, nil
}

const tokenRegistration = `SELECT registration_id::text FROM reconfirm_tokens WHERE hash = $1`

// linkRegistration resolves an answer link; malformed and unknown tokens
// are both ErrNotFound, so a guess learns nothing.
func linkRegistration(ctx context.Context, q db.Conn, token string) (string, error) {
	if len(token) != 43 {
		return "", ErrNotFound
	}
	var id string
	err := q.QueryRow(ctx, tokenRegistration, booking.HashToken(token)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("resolve answer link: %w", err)
	}
	return id, nil
}

const setAnswer = `UPDATE reconfirm_requests SET answer = $2, answered_at = $3 WHERE registration_id = $1`

// answer records yes or no for registration regID. "No" cancels the
// registration through the waiting lists with the usual cancellation
// mail; answering the same twice changes nothing; "yes" after the seat is
// gone is ErrSeatGone.
func answer(ctx context.Context, tx pgx.Tx, regID string, yes bool, now time.Time) error {
	reg, ev, err := booking.LockRegistration(ctx, tx, regID)
	if errors.Is(err, booking.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	st, err := state(ctx, tx, regID)
	if err != nil {
		return err
	}
	switch {
	case st.SeatGone && yes:
		return ErrSeatGone
	case st.SeatGone || (yes && st.Answer == Yes):
		return nil
	case !now.Before(ev.StartsAt):
		return ErrStarted
	case yes:
		return exec(ctx, tx, setAnswer, regID, Yes, now)
	}
	if err := exec(ctx, tx, setAnswer, regID, No, now); err != nil {
		return err
	}
	if reg.Status == registration.Cancelled {
		return nil
	}
	_, err = booking.CancelLocked(ctx, tx, ev, reg)
	return err
}

func exec(ctx context.Context, tx pgx.Tx, sql string, args ...any) error {
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("record answer: %w", err)
	}
	return nil
}
