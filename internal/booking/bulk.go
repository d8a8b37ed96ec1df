package booking

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// Bulk actions are the manual actions applied to many registrations at
// once, from the organiser's list: move to a workshop, cancel. Each
// person is one transaction, exactly as the single manual action (lock
// order of lock.go: the event row, the registration, the workshops, the
// seat counter), with their audit entry, their mail and the promotions
// they cause. So a bulk action of hundreds holds the event's row for one
// person at a time, and participants' own swaps and cancels go on in
// between. A person the action does not fit is skipped and reported
// (their transaction rolled back), never forced: a move never raises a
// capacity.

// MaxBulk is how many registrations one bulk action may name: the
// largest list page.
const MaxBulk = 500

// BulkItem is one person of a bulk action; Key (an i18n key, with Args)
// says why they were skipped.
type BulkItem struct {
	ID   string
	Name string
	Key  string
	Args []any
}

// BulkResult lists whom the action changed and whom it skipped.
type BulkResult struct {
	Done    []BulkItem
	Skipped []BulkItem
}

// SortByName orders both lists by name, as a page shows them.
func (b *BulkResult) SortByName() {
	for _, items := range [][]BulkItem{b.Done, b.Skipped} {
		sort.SliceStable(items, func(i, j int) bool { return strings.ToLower(items[i].Name) < strings.ToLower(items[j].Name) })
	}
}

// skip records a person left out; an error that is not about the person
// (a failed statement) stops the whole action.
func (b *BulkResult) skip(id, name string, err error) error {
	item := BulkItem{ID: id, Name: name}
	var v *ValidationError
	switch {
	case errors.Is(err, ErrNotFound):
		item.Key = "bulk.skip_not_found"
	case errors.Is(err, ErrCancelled):
		item.Key = "bulk.skip_cancelled"
	case errors.Is(err, ErrNotConfirmed):
		item.Key = "bulk.skip_not_confirmed"
	case errors.Is(err, ErrFull):
		item.Key = "bulk.skip_full"
	case errors.As(err, &v) && len(v.Fields) > 0:
		for _, f := range v.Fields {
			item.Key, item.Args = f.Key, f.Args
		}
	default:
		return err
	}
	b.Skipped = append(b.Skipped, item)
	return nil
}

// CheckBulk validates what every bulk action needs, for bulk actions of
// other packages (check-in); it trims the reason.
func CheckBulk(ids []string, m *Manual) error { return checkBulk(ids, m).orNil() }

// checkBulk validates what every bulk action needs: a reason and at
// least one, at most MaxBulk, registrations.
func checkBulk(ids []string, m *Manual) *ValidationError {
	v := checkManual(m)
	switch {
	case len(ids) == 0:
		v.add("ids", "bulk.err_none")
	case len(ids) > MaxBulk:
		v.add("ids", "bulk.err_too_many", MaxBulk)
	}
	return v
}

// bulk runs act for every registration of ids, each in its own
// transaction after lockOwn. act's error skips the person (or stops the
// action, when it is not about the person: the people done so far stay
// done).
func (s *Service) bulk(ctx context.Context, eventID int64, ids []string,
	act func(tx pgx.Tx, ev *event.Event, reg *Registration) error) (*BulkResult, error) {
	res := &BulkResult{}
	for _, id := range UniqueIDs(ids) {
		var name string
		err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
			reg, ev, err := lockOwn(ctx, tx, eventID, id)
			if err != nil {
				return err
			}
			name = reg.Name
			return act(tx, ev, reg)
		})
		if err == nil {
			res.Done = append(res.Done, BulkItem{ID: id, Name: name})
		} else if err := res.skip(id, name, err); err != nil {
			return nil, err
		}
	}
	res.SortByName()
	return res, nil
}

// UniqueIDs sorts ids and drops duplicates and strings that cannot be
// registration ids (they would fail the uuid cast of a whole statement).
func UniqueIDs(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if PlausibleID(id) && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// BulkCancel cancels the registrations like CancelByHand, each person
// mailed, their seats handed to the waiting lists. Registrations already
// cancelled are skipped.
func (s *Service) BulkCancel(ctx context.Context, eventID int64, ids []string, m Manual) (*BulkResult, error) {
	if err := checkBulk(ids, &m).orNil(); err != nil {
		return nil, err
	}
	m.Bulk = true
	return s.bulk(ctx, eventID, ids, func(tx pgx.Tx, ev *event.Event, reg *Registration) error {
		if reg.Status == registration.Cancelled {
			return ErrCancelled
		}
		if _, err := cancel(ctx, tx, ev, reg); err != nil {
			return err
		}
		return audit(ctx, tx, m, "registration.cancel", ev.ID,
			map[string]any{"registration_id": reg.ID, "was": reg.Status})
	})
}

// BulkMove moves the confirmed registrations into workshop key like
// MoveByHand without override: when the workshop is full, the rest are
// skipped as full; so are people not confirmed, already there or holding
// the topic in another slot. Each person moved is mailed a fresh link.
func (s *Service) BulkMove(ctx context.Context, eventID int64, ids []string, key string, m Manual) (*BulkResult, error) {
	v := checkBulk(ids, &m)
	ev, err := event.LoadByID(ctx, s.pool, eventID)
	if errors.Is(err, event.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	w, ok := ev.Workshop(key)
	switch {
	case key == "":
		v.add("workshop", "err.required")
	case !ok:
		v.add("workshop", "err.unknown_workshop", key)
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	m.Override, m.Bulk = false, true
	return s.bulk(ctx, eventID, ids, func(tx pgx.Tx, ev *event.Event, reg *Registration) error {
		if err := checkMove(ev, reg, w.SlotKey, key); err != nil {
			return err
		}
		_, err := moveByHand(ctx, tx, ev, reg, w.SlotKey, key, m)
		return err
	})
}
