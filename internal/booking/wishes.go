package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/registration"
)

// ErrNoWishPhase means the event does not take workshop wishes (its
// registration mode is first_come, or the allocation was published).
var ErrNoWishPhase = errors.New("the event does not take workshop wishes")

// A wish change follows the lock order (lock.go): the event row, then the
// registration, so that a wish change and a publication queue up instead
// of deadlocking. The trigger registrations_wish_phase_open takes the event
// row FOR SHARE for a new wish-phase sign-up.
const (
	updateWishes    = `UPDATE registrations SET preferences = $2, updated_at = now() WHERE id = $1`
	allocEventRoom  = `SELECT capacity - taken FROM event_seats WHERE event_id = $1`
	allocEventSeats = `UPDATE event_seats SET taken = taken + $2 WHERE event_id = $1 AND taken + $2 <= capacity`
	allocWorkshop   = `UPDATE workshops SET taken = taken + $2 WHERE id = $1 AND taken + $2 <= capacity`
)

// ChangeWishes replaces the ranked workshop wishes of the registration
// behind token. It is allowed only in the wish phase while registration is
// open, validates like a sign-up (at most max_preferences per slot, each
// workshop in its slot, none twice) and queues a received mail listing the
// new wishes in the same transaction. Bad input changes nothing.
func (s *Service) ChangeWishes(ctx context.Context, token string, prefs map[string][]string) (*Registration, error) {
	var reg *Registration
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		cur, ev, err := lockByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		if err := s.checkWishes(ev, cur, prefs); err != nil {
			return err
		}
		reg, err = changeWishes(ctx, tx, cur, token, prefs)
		return err
	})
	return reg, wishPhaseOver(err)
}

// wishPhaseOver names the refusal of the trigger registrations_wish_phase_open
// (migration 3): the wish phase ended while the change ran.
func wishPhaseOver(err error) error {
	if db.IsCheckViolation(err, "registrations_wish_phase_open") {
		return ErrNoWishPhase
	}
	return err
}

func (s *Service) checkWishes(ev *event.Event, reg *Registration, prefs map[string][]string) error {
	switch {
	case reg.Status == registration.Cancelled:
		return ErrCancelled
	case ev.Registration.Mode != event.ModePreferences || reg.Status != registration.Received:
		return ErrNoWishPhase
	case !ev.OpenAt(s.now()):
		return ErrClosed
	}
	v := &ValidationError{Fields: map[string]FieldError{}}
	checkPreferences(v, ev, prefs)
	return v.orNil()
}

func changeWishes(ctx context.Context, tx pgx.Tx, reg *Registration, token string, prefs map[string][]string) (*Registration, error) {
	prefs = nonNilMap(prefs)
	data, err := json.Marshal(prefs)
	if err != nil {
		return nil, fmt.Errorf("encode preferences: %w", err)
	}
	if err := execOne(ctx, tx, updateWishes, reg.ID, data); err != nil {
		return nil, err
	}
	updated := *reg
	updated.Preferences = prefs
	m := mail.Message{Kind: mail.KindReceived, RegistrationID: reg.ID, EventID: reg.EventID, To: reg.Email,
		Name: reg.Name, Language: reg.Language, Token: token, RegistrationStatus: reg.Status, Preferences: prefs}
	return &updated, mail.Enqueue(ctx, tx, m)
}

// Placement is one wish-phase registration's outcome of an allocation:
// the workshop it gets per slot (none when empty), and per wanted slot the
// rank and the reason, which are stored and mailed.
type Placement struct {
	RegistrationID string
	Workshops      map[string]string // slot key → workshop key
	Outcomes       []registration.Outcome
}

// PublishStats counts what PublishAllocation did.
type PublishStats struct {
	Confirmed  int `json:"confirmed"`  // registrations that got an event seat
	Waitlisted int `json:"waitlisted"` // registrations put on the event's waiting list
	Bookings   int `json:"bookings"`   // workshop seats taken
	Mails      int `json:"mails"`      // published mails queued
}

// PublishAllocation turns an allocation into bookings inside the caller's
// transaction (package allocrun, which has locked the event row and the
// registrations, and checked that the allocation matches the current
// wishes and seats). Placements are served in order: while the event has
// room a registration is confirmed and its workshops booked through the
// guarded counters; after that it goes on the event's waiting list with
// its allocated workshops stored as choices for the day it moves up. Every
// registration gets one published mail with a fresh personal link.
func PublishAllocation(ctx context.Context, tx pgx.Tx, ev *event.Event, placements []Placement) (PublishStats, error) {
	var st PublishStats
	var room int
	if err := tx.QueryRow(ctx, allocEventRoom, ev.ID).Scan(&room); err != nil {
		return st, fmt.Errorf("event room: %w", err)
	}
	n := min(max(room, 0), len(placements))
	admitted, queued := placements[:n], placements[n:]
	if err := takeAllocatedSeats(ctx, tx, ev, admitted); err != nil {
		return st, err
	}
	regs, err := confirmAllocated(ctx, tx, ev, admitted)
	if err != nil {
		return st, err
	}
	waiting, err := queueAllocated(ctx, tx, ev, queued)
	if err != nil {
		return st, err
	}
	regs = append(regs, waiting...)
	if err := storeOutcomes(ctx, tx, placements, regs); err != nil {
		return st, err
	}
	for _, r := range regs {
		st.Bookings += len(r.Bookings)
	}
	st.Confirmed, st.Waitlisted, st.Mails = len(admitted), len(queued), len(regs)
	return st, mailPublished(ctx, tx, regs)
}

// takeAllocatedSeats takes the event seats and, workshop by workshop in id
// order, the workshop seats of the admitted placements. A guard that finds
// no room means the caller's staleness check missed a change: it fails
// the whole publication instead of overselling.
func takeAllocatedSeats(ctx context.Context, tx pgx.Tx, ev *event.Event, admitted []Placement) error {
	count := map[int64]int{}
	for _, p := range admitted {
		for _, key := range p.Workshops {
			w, ok := ev.Workshop(key)
			if !ok {
				return fmt.Errorf("allocated workshop %q does not exist", key)
			}
			count[w.ID]++
		}
	}
	ids := make([]int64, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if err := execOne(ctx, tx, allocWorkshop, id, count[id]); err != nil {
			return fmt.Errorf("workshop %d has no room for %d: %w", id, count[id], err)
		}
	}
	if len(admitted) == 0 {
		return nil
	}
	return execOne(ctx, tx, allocEventSeats, ev.ID, len(admitted))
}

const (
	insertAllocated = `
INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
SELECT b.reg, $1, b.slot, b.ws, b.topic, 'confirmed'
FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::text[]) AS b(reg, slot, ws, topic)`
	confirmRegistrations = `
UPDATE registrations r SET status = 'confirmed', choices = c.choices::jsonb, updated_at = now()
FROM unnest($1::uuid[], $2::text[]) AS c(id, choices)
WHERE r.id = c.id AND r.status = 'received'`
	waitlistAllocated = `
UPDATE registrations SET status = 'waitlisted', choices = $2, updated_at = now(),
    seq = nextval(pg_get_serial_sequence('registrations', 'seq'))
WHERE id = $1 AND status = 'received'`
)

// confirmAllocated writes the bookings and confirms the registrations of
// the admitted placements, each in one statement.
func confirmAllocated(ctx context.Context, tx pgx.Tx, ev *event.Event, admitted []Placement) ([]*Registration, error) {
	var regIDs, topics, choiceIDs, choices []string
	var slotIDs, wsIDs []int64
	for _, p := range admitted {
		for _, key := range p.Workshops {
			w, _ := ev.Workshop(key)
			regIDs, slotIDs, wsIDs, topics = append(regIDs, p.RegistrationID), append(slotIDs, w.SlotID), append(wsIDs, w.ID), append(topics, w.Topic)
		}
		c, _ := json.Marshal(nonNilMap(p.Workshops))
		choiceIDs, choices = append(choiceIDs, p.RegistrationID), append(choices, string(c))
	}
	if len(regIDs) > 0 {
		if err := exec(ctx, tx, insertAllocated, ev.ID, regIDs, slotIDs, wsIDs, topics); err != nil {
			return nil, err
		}
	}
	tag, err := tx.Exec(ctx, confirmRegistrations, choiceIDs, choices)
	if err != nil {
		return nil, fmt.Errorf("confirm registrations: %w", err)
	}
	if int(tag.RowsAffected()) != len(admitted) {
		return nil, fmt.Errorf("confirmed %d registrations, want %d", tag.RowsAffected(), len(admitted))
	}
	return loadPublished(ctx, tx, ev, admitted, registration.Confirmed)
}

// queueAllocated puts the rest on the event's waiting list one by one, so
// that their places follow the placement order.
func queueAllocated(ctx context.Context, tx pgx.Tx, ev *event.Event, queued []Placement) ([]*Registration, error) {
	for _, p := range queued {
		c, _ := json.Marshal(nonNilMap(p.Workshops))
		if err := execOne(ctx, tx, waitlistAllocated, p.RegistrationID, c); err != nil {
			return nil, err
		}
	}
	return loadPublished(ctx, tx, ev, queued, registration.Waitlisted)
}

const selectPublished = `SELECT id::text, name, email, language FROM registrations WHERE id = ANY($1::uuid[])`

// loadPublished reads what the published mails need.
func loadPublished(ctx context.Context, tx pgx.Tx, ev *event.Event, ps []Placement, status registration.Status) ([]*Registration, error) {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.RegistrationID
	}
	rows, _ := tx.Query(ctx, selectPublished, ids)
	byID := map[string]*Registration{}
	_, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (struct{}, error) {
		r := &Registration{EventID: ev.ID, EventSlug: ev.Slug, Status: status}
		err := row.Scan(&r.ID, &r.Name, &r.Email, &r.Language)
		byID[r.ID] = r
		return struct{}{}, err
	})
	if err != nil {
		return nil, fmt.Errorf("load registrations: %w", err)
	}
	out := make([]*Registration, 0, len(ps))
	for _, p := range ps {
		r, ok := byID[p.RegistrationID]
		if !ok {
			return nil, fmt.Errorf("registration %s vanished", p.RegistrationID)
		}
		if status == registration.Confirmed {
			for slot, key := range p.Workshops {
				r.Bookings = append(r.Bookings, Booking{Slot: slot, Workshop: key, Status: registration.Confirmed})
			}
			sortBookings(ev, r.Bookings)
		}
		out = append(out, r)
	}
	return out, nil
}

const updateOutcomes = `
UPDATE registrations r SET allocation_outcomes = o.outcomes::jsonb
FROM unnest($1::uuid[], $2::text[]) AS o(id, outcomes) WHERE r.id = o.id`

// storeOutcomes keeps every placement's outcomes on its registration and
// hands them to its published mail (regs are in placement order).
func storeOutcomes(ctx context.Context, tx pgx.Tx, ps []Placement, regs []*Registration) error {
	ids, outcomes := make([]string, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		data, err := json.Marshal(append([]registration.Outcome{}, p.Outcomes...))
		if err != nil {
			return fmt.Errorf("encode outcomes: %w", err)
		}
		ids[i], outcomes[i] = p.RegistrationID, string(data)
		regs[i].Outcomes = p.Outcomes
	}
	if len(ids) == 0 {
		return nil
	}
	return exec(ctx, tx, updateOutcomes, ids, outcomes)
}

// mailPublished queues one published mail per registration, each with a
// fresh personal link: the old one is known only to its owner.
func mailPublished(ctx context.Context, tx pgx.Tx, regs []*Registration) error {
	for _, r := range regs {
		token, err := issueToken(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if err := enqueue(ctx, tx, r, mail.KindPublished, token, nil); err != nil {
			return err
		}
	}
	return nil
}
