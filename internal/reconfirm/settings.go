package reconfirm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
)

// Bounds of the settings (the table's CHECK constraints agree).
const (
	MaxSendDays = 60
	// MinWindow is the shortest time between the question and the
	// deadline: people need a day to read their mail.
	MinWindow = 24 * time.Hour
	// ReminderLead is how long before the deadline the reminder goes out;
	// with a window shorter than twice that, halfway through it.
	ReminderLead = 24 * time.Hour
	// NoticeBeforeRelease: a seat is released at the deadline only if its
	// question went out at least this long before.
	NoticeBeforeRelease = 24 * time.Hour
)

// Settings are an event's reconfirmation settings and when its steps ran.
type Settings struct {
	Enabled       bool
	SendDays      int // ask this many days before the start
	DeadlineHours int // answers are expected until this many hours before the start
	Remind        bool
	Release       bool // release unanswered seats at the deadline
	SentAt        *time.Time
	RemindedAt    *time.Time
	ReleasedAt    *time.Time
}

// Defaults are the settings of an event that has none yet: off, asking a
// week before, answers until three days before, one reminder, no release.
func Defaults() Settings {
	return Settings{SendDays: 7, DeadlineHours: 72, Remind: true}
}

// Plan is when the steps of an event happen.
type Plan struct {
	SendAt, RemindAt, DeadlineAt time.Time // RemindAt is zero without a reminder
}

// Plan computes the dates of the steps for an event starting at start.
func (s Settings) Plan(start time.Time) Plan {
	p := Plan{SendAt: start.Add(-time.Duration(s.SendDays) * 24 * time.Hour),
		DeadlineAt: start.Add(-time.Duration(s.DeadlineHours) * time.Hour)}
	if s.Remind {
		p.RemindAt = p.DeadlineAt.Add(-min(ReminderLead, p.DeadlineAt.Sub(p.SendAt)/2))
	}
	return p
}

// Input is the settings form as typed.
type Input struct {
	Enabled       bool
	SendDays      string
	DeadlineValue string
	DeadlineUnit  string // "days" or "hours"
	Remind        bool
	Release       bool
}

// Problem is one field's error: a catalogue key and its arguments.
type Problem struct {
	Key  string
	Args []any
}

// InvalidError lists the fields of an Input that cannot be saved.
type InvalidError struct{ Fields map[string]Problem }

func (e *InvalidError) Error() string {
	var names []string
	for f := range e.Fields {
		names = append(names, f)
	}
	return "invalid reconfirmation settings: " + strings.Join(names, ", ")
}

// Check turns an Input into Settings for an event starting at start, or
// says per field what is wrong. Turned off, the numbers are still checked,
// so that what is saved is always a plan that works.
func Check(in Input, start, now time.Time) (Settings, error) {
	v := &InvalidError{Fields: map[string]Problem{}}
	s := Settings{Enabled: in.Enabled, Remind: in.Remind, Release: in.Release}
	s.SendDays = number(v, "send_days", in.SendDays, 1, MaxSendDays)
	unit := 24
	if in.DeadlineUnit == "hours" {
		unit = 1
	} else if in.DeadlineUnit != "days" {
		v.Fields["deadline_unit"] = Problem{Key: "rc.err_unit"}
	}
	s.DeadlineHours = number(v, "deadline_value", in.DeadlineValue, 1, MaxSendDays*24) * unit
	if len(v.Fields) == 0 {
		p := s.Plan(start)
		switch {
		case p.DeadlineAt.Sub(p.SendAt) < MinWindow:
			v.Fields["deadline_value"] = Problem{Key: "rc.err_window"}
		case s.Enabled && !now.Before(p.DeadlineAt):
			v.Fields["deadline_value"] = Problem{Key: "rc.err_past"}
		}
	}
	if len(v.Fields) > 0 {
		return Settings{}, v
	}
	return s, nil
}

// number reads a whole number in lo…hi, or notes why not.
func number(v *InvalidError, field, raw string, lo, hi int) int {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	switch {
	case strings.TrimSpace(raw) == "":
		v.Fields[field] = Problem{Key: "rc.err_required"}
	case err != nil:
		v.Fields[field] = Problem{Key: "rc.err_number"}
	case n < lo || n > hi:
		v.Fields[field] = Problem{Key: "rc.err_range", Args: []any{lo, hi}}
	}
	return n
}

const selectSettings = `
SELECT enabled, send_days, deadline_hours, remind, release_unanswered, sent_at, reminded_at, released_at
FROM reconfirm_settings WHERE event_id = $1`

// load reads the event's settings; an event without a row has Defaults.
func load(ctx context.Context, q db.Conn, eventID int64) (Settings, error) {
	var s Settings
	err := q.QueryRow(ctx, selectSettings, eventID).Scan(&s.Enabled, &s.SendDays, &s.DeadlineHours,
		&s.Remind, &s.Release, &s.SentAt, &s.RemindedAt, &s.ReleasedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Defaults(), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("read reconfirmation settings: %w", err)
	}
	return s, nil
}

const upsertSettings = `
INSERT INTO reconfirm_settings (event_id, enabled, send_days, deadline_hours, remind, release_unanswered)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (event_id) DO UPDATE SET enabled = $2, send_days = $3, deadline_hours = $4, remind = $5,
    release_unanswered = $6, updated_at = now()`

func save(ctx context.Context, tx pgx.Tx, eventID int64, s Settings) error {
	if _, err := tx.Exec(ctx, upsertSettings, eventID, s.Enabled, s.SendDays, s.DeadlineHours, s.Remind, s.Release); err != nil {
		return fmt.Errorf("save reconfirmation settings: %w", err)
	}
	return nil
}
