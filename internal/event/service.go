package event

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
)

// Errors of saving an event and changing its status.
var (
	ErrExists    = errors.New("an event with this slug exists")
	ErrBadStatus = errors.New("unknown event status")
)

// ImportFunc writes an event file inside tx, as ImportTx does; package
// booking's ImportEventTx also refills waiting lists when capacities grow.
// It is passed in because booking sits above this package.
type ImportFunc func(ctx context.Context, tx pgx.Tx, f *File) (id int64, created bool, err error)

// Service loads events and saves them for organisers: every save and
// status change commits together with its audit entry (and, for a new
// event, its creator's membership).
type Service struct {
	pool     *pgxpool.Pool
	importTx ImportFunc
}

// NewService returns the event store of the database behind pool; nil
// importTx means ImportTx.
func NewService(pool *pgxpool.Pool, importTx ImportFunc) *Service {
	if importTx == nil {
		importTx = ImportTx
	}
	return &Service{pool: pool, importTx: importTx}
}

// Load returns the event with the slug.
func (s *Service) Load(ctx context.Context, slug string) (*Event, error) {
	return Load(ctx, s.pool, slug)
}

// LoadByID returns the event with the id.
func (s *Service) LoadByID(ctx context.Context, id int64) (*Event, error) {
	return LoadByID(ctx, s.pool, id)
}

// ListPublic lists the public events that are not over yet, soonest
// first: limit of them from offset, and how many there are in all.
func (s *Service) ListPublic(ctx context.Context, now time.Time, offset, limit int) ([]*Event, int, error) {
	return ListPublic(ctx, s.pool, now, offset, limit)
}

// Exists reports whether an event has the slug, whoever may see it.
func (s *Service) Exists(ctx context.Context, slug string) (bool, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE slug = $1)`, slug).Scan(&exists); err != nil {
		return false, fmt.Errorf("check event: %w", err)
	}
	return exists, nil
}

const lockSlug = `SELECT pg_advisory_xact_lock(hashtextextended('fachtag.event-save:' || $1, 0))`

// Save creates or updates the event of the file for the account, in one
// transaction: a transaction-level advisory lock on the slug serialises
// saves of one slug across replicas, so "does it exist?" and the import
// agree, and the creator's membership and the audit entry commit with the
// event. mustCreate refuses an existing slug (ErrExists); keepStatus keeps
// an existing event's status instead of the file's.
func (s *Service) Save(ctx context.Context, a auth.Account, f *File, mustCreate, keepStatus bool) (id int64, created bool, err error) {
	return s.save(ctx, a, f, mustCreate, keepStatus, nil)
}

// Copy creates a draft copy of the event ev under a new slug and title,
// starting on the day of day (File.CopyAs), with the account as its first
// member; the audit entry names the event it came from.
func (s *Service) Copy(ctx context.Context, a auth.Account, ev *Event, slug, title string, day time.Time) error {
	f := ev.File().CopyAs(slug, title, day)
	if err := f.Validate(); err != nil {
		return err
	}
	_, _, err := s.save(ctx, a, f, true, false, map[string]any{"copied_from": ev.Slug})
	return err
}

func (s *Service) save(ctx context.Context, a auth.Account, f *File, mustCreate, keepStatus bool, detail map[string]any) (id int64, created bool, err error) {
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
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
			return ErrExists
		}
		if _, err := auth.EventAccessIn(ctx, tx, a, f.Slug); exists && err != nil {
			return err // not visible to the account: as if missing
		}
		if exists && keepStatus {
			f.Status = status
		}
		if id, created, err = s.importTx(ctx, tx, f); err != nil {
			return err
		}
		if created {
			if err := auth.AddMember(ctx, tx, a.ID, f.Slug); err != nil {
				return err
			}
		}
		action := map[bool]string{true: "event.create", false: "event.update"}[created]
		return auth.Append(ctx, tx, a.Audit(action, id, withSlug(detail, f.Slug)))
	})
	return id, created, err
}

func withSlug(detail map[string]any, slug string) map[string]any {
	out := map[string]any{"slug": slug}
	for k, v := range detail {
		out[k] = v
	}
	return out
}

// Update saves f over the existing event slug, keeping its status. A file
// with another slug renames the event, but only while it is a draft: once
// open, its address is out in the world. A taken slug is ErrExists.
func (s *Service) Update(ctx context.Context, a auth.Account, slug string, f *File) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		for _, sl := range slices.Sorted(slices.Values([]string{slug, f.Slug})) {
			if _, err := tx.Exec(ctx, lockSlug, sl); err != nil {
				return fmt.Errorf("lock slug: %w", err)
			}
		}
		id, err := auth.EventAccessIn(ctx, tx, a, slug)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT status FROM events WHERE id = $1`, id).Scan(&f.Status); err != nil {
			return fmt.Errorf("read status: %w", err)
		}
		detail := map[string]any{}
		if f.Slug != slug {
			if err := rename(ctx, tx, id, f); err != nil {
				return err
			}
			detail["renamed_from"] = slug
		}
		if _, _, err := s.importTx(ctx, tx, f); err != nil {
			return err
		}
		return auth.Append(ctx, tx, a.Audit("event.update", id, withSlug(detail, f.Slug)))
	})
}

func rename(ctx context.Context, tx pgx.Tx, id int64, f *File) error {
	if f.Status != StatusDraft {
		return &Problems{NewProblem("$.slug", "file.slug_fixed")}
	}
	_, err := tx.Exec(ctx, `UPDATE events SET slug = $2 WHERE id = $1`, id, f.Slug)
	if db.IsUniqueViolation(err, "events_slug_key") {
		return ErrExists
	}
	if err != nil {
		return fmt.Errorf("rename event: %w", err)
	}
	return nil
}

// ValidStatus reports whether status is one an event can have.
func ValidStatus(status string) bool {
	switch status {
	case StatusDraft, StatusOpen, StatusClosed, StatusArchived:
		return true
	}
	return false
}

// SetStatus changes the event's status and records who did it, in one
// transaction.
func (s *Service) SetStatus(ctx context.Context, a auth.Account, eventID int64, status string) error {
	if !ValidStatus(status) {
		return ErrBadStatus
	}
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := SetStatus(ctx, tx, eventID, status)
		if err != nil {
			return err
		}
		return auth.Append(ctx, tx, a.Audit("event.status", eventID, map[string]any{"from": old, "to": status}))
	})
}
