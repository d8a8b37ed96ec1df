package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// errEventExists: POST /api/v1/events with a slug that is taken.
var errEventExists = errors.New("an event with this slug exists")

// maxEventFileBytes bounds an event file: a congress with twenty
// workshops and long descriptions is some tens of kilobytes.
const maxEventFileBytes = 1 << 20

// saveResult is what creating or updating an event reports.
type saveResult struct {
	created bool
	id      int64
}

// readEventFile reads and validates an event file from the body. slug,
// when set, is the URL's: an empty file slug takes it, another is refused.
func readEventFile(w http.ResponseWriter, r *http.Request, slug string) (*event.File, bool, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxEventFileBytes)
	body, err := readAll(r)
	if err != nil {
		return nil, false, err
	}
	f, err := event.ParseFile(body)
	if err != nil {
		return nil, false, err
	}
	if slug != "" && f.Slug == "" {
		f.Slug = slug
	}
	if slug != "" && f.Slug != slug {
		return nil, false, &event.Problems{event.NewProblem("$.slug", "file.slug_url", slug)}
	}
	if err := f.Validate(); err != nil {
		return nil, false, err
	}
	return f, hasStatus(body), nil
}

// hasStatus reports whether the file names a status: an update without
// one keeps the event's status instead of falling back to draft.
func hasStatus(body []byte) bool {
	var probe struct {
		Status *string `json:"status"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Status != nil
}

// saveEvent creates or updates the event of the file for the account, in
// one transaction on one connection: a transaction-level advisory lock on
// the slug serialises saves of one slug across replicas, so "does it
// exist?" and the import agree, and the creator's membership and the audit
// entry commit with the event. mustCreate refuses an existing slug (POST).
func (s *Server) saveEvent(ctx context.Context, a auth.Account, f *event.File, mustCreate, keepStatus bool) (saveResult, error) {
	var res saveResult
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockSlug, f.Slug); err != nil {
			return fmt.Errorf("lock slug: %w", err)
		}
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM events WHERE slug = $1`, f.Slug).Scan(&status)
		exists := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("check event: %w", err)
		}
		if exists && mustCreate {
			return errEventExists
		}
		if _, err := auth.EventAccessIn(ctx, tx, a, f.Slug); exists && err != nil {
			return err // not visible to the account: 404, as if missing
		}
		if exists && keepStatus {
			f.Status = status
		}
		id, created, err := booking.ImportEventTx(ctx, tx, f)
		if err != nil {
			return err
		}
		res.id, res.created = id, created
		if created {
			if err := auth.AddMember(ctx, tx, a.ID, f.Slug); err != nil {
				return err
			}
		}
		action := map[bool]string{true: "event.create", false: "event.update"}[created]
		return auth.Append(ctx, tx, auth.Entry{UserID: a.ID, Actor: actor(a), Action: action, EventID: id,
			Detail: map[string]any{"slug": f.Slug}})
	})
	return res, err
}

const lockSlug = `SELECT pg_advisory_xact_lock(hashtextextended('fachtag.event-save:' || $1, 0))`

func actor(a auth.Account) string {
	if a.TokenID != 0 {
		return fmt.Sprintf("api:token:%d", a.TokenID)
	}
	return "web"
}

var eventStatuses = map[string]bool{event.StatusDraft: true, event.StatusOpen: true, event.StatusClosed: true, event.StatusArchived: true}

// setStatus changes the event's status and records who did it.
func (s *Server) setStatus(ctx context.Context, a auth.Account, eventID int64, status string) error {
	if !eventStatuses[status] {
		return &booking.ValidationError{Fields: map[string]booking.FieldError{"status": {Key: "org.bad_status"}}}
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := event.SetStatus(ctx, tx, eventID, status)
		if err != nil {
			return err
		}
		return auth.Append(ctx, tx, auth.Entry{UserID: a.ID, Actor: actor(a), Action: "event.status", EventID: eventID,
			Detail: map[string]any{"from": old, "to": status}})
	})
}
