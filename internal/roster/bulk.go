package roster

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/registration"
)

// Pick returns the event's registrations among ids, by name: whom a bulk
// action is about to change. Ids of other events are left out.
func (s *Service) Pick(ctx context.Context, eventID int64, ids []string) ([]Row, error) {
	return collect(ctx, s.pool, rowColumns+`
FROM registrations r WHERE r.event_id = $1 AND r.id = ANY($2::uuid[])
ORDER BY lower(r.name), r.seq`, eventID, booking.UniqueIDs(ids))
}

const lockForCheckIn = `
SELECT id, name, status, checked_in_at FROM registrations
WHERE event_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR NO KEY UPDATE`

// BulkCheckIn checks the confirmed registrations among ids in, in one
// transaction with one audit entry each (with the reason); people not
// confirmed or checked in already are skipped.
func (s *Service) BulkCheckIn(ctx context.Context, a auth.Account, eventID int64, ids []string, reason string) (*booking.BulkResult, error) {
	m := booking.Manual{Reason: reason}
	if err := booking.CheckBulk(ids, &m); err != nil {
		return nil, err
	}
	ids = booking.UniqueIDs(ids)
	var res *booking.BulkResult
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		res = &booking.BulkResult{}
		found, err := lockedForCheckIn(ctx, tx, eventID, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := checkInOne(ctx, tx, a, eventID, found[id], id, m.Reason, res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.SortByName()
	return res, nil
}

type checkInState struct {
	name   string
	status registration.Status
	at     *time.Time
}

func lockedForCheckIn(ctx context.Context, tx pgx.Tx, eventID int64, ids []string) (map[string]checkInState, error) {
	rows, _ := tx.Query(ctx, lockForCheckIn, eventID, ids)
	found := map[string]checkInState{}
	var id string
	var st checkInState
	_, err := pgx.ForEachRow(rows, []any{&id, &st.name, &st.status, &st.at}, func() error {
		found[id] = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lock registrations: %w", err)
	}
	return found, nil
}

func checkInOne(ctx context.Context, tx pgx.Tx, a auth.Account, eventID int64, st checkInState, id, reason string, res *booking.BulkResult) error {
	item := booking.BulkItem{ID: id, Name: st.name}
	switch {
	case st.name == "" && st.status == "":
		item.Key = "bulk.skip_not_found"
	case st.status != registration.Confirmed:
		item.Key = "bulk.skip_not_confirmed"
	case st.at != nil:
		item.Key = "bulk.skip_checked_in"
	}
	if item.Key != "" {
		res.Skipped = append(res.Skipped, item)
		return nil
	}
	var before *time.Time
	if err := tx.QueryRow(ctx, setIn, id, eventID, a.ID).Scan(&before); err != nil {
		return fmt.Errorf("check in: %w", err)
	}
	res.Done = append(res.Done, item)
	return auth.Append(ctx, tx, a.Audit("checkin.in", eventID,
		map[string]any{"registration_id": id, "reason": reason, "bulk": true}))
}
