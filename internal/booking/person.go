package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/retention"
)

// An organiser corrects a person's data, or deletes the person at once on
// their request. Both follow the lock order of every manual action (the
// event row, then the registration; a deletion then frees seats like a
// cancel) and commit together with their audit entry.
//
// Neither copies personal data into the audit log: a correction records
// which fields changed, not their old or new values, and a deletion
// records only that it happened. Retention scrubs the log by matching the
// current names and addresses, so an old value kept there would survive
// every later anonymisation.

// Errors of corrections and deletions.
var (
	ErrNoChange = errors.New("the correction changes nothing")
	ErrDeleted  = errors.New("the person's data has been deleted")
)

// Correction is what an organiser may correct about a person: the fields
// of the sign-up that describe them. Answers replace the answers to the
// event's current questions; answers to questions removed since stay.
type Correction struct {
	Name         string
	Email        string
	Organisation string
	Role         string
	Answers      map[string]any
}

const (
	selectAnswers = `SELECT answers FROM registrations WHERE id = $1`
	emailTaken    = `
SELECT EXISTS (SELECT 1 FROM registrations
               WHERE event_id = $1 AND id <> $2 AND lower(email) = lower($3) AND status <> 'cancelled')`
	updatePerson = `
UPDATE registrations SET name = $2, email = $3, organisation = $4, role = $5, answers = $6, updated_at = now()
WHERE id = $1`
)

// Correct changes the person's name, e-mail address, organisation, role
// and answers, validated like a sign-up, except that the organiser may
// leave a required question unanswered (as when registering by hand). An
// address another registration of the event holds is refused. The
// personal link stays valid. It returns the fields that changed.
func (s *Service) Correct(ctx context.Context, eventID int64, regID string, c Correction, m Manual) ([]string, error) {
	mv := checkManual(&m)
	var changed []string
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		cur, ev, err := lockPerson(ctx, tx, eventID, regID)
		if err != nil {
			return err
		}
		req := Request{Name: c.Name, Email: c.Email, Organisation: c.Organisation, Role: c.Role, Answers: nonNilMap(c.Answers)}
		if err := merge(mv.orNil(), checkCorrection(ctx, tx, ev, cur.ID, &req)); err != nil {
			return err
		}
		changed, err = correct(ctx, tx, ev, cur, req)
		if err != nil {
			return err
		}
		return audit(ctx, tx, m, "registration.correct", ev.ID, map[string]any{"registration_id": cur.ID, "fields": changed})
	})
	return changed, err
}

// lockPerson is lockOwn for a person whose data still exists.
func lockPerson(ctx context.Context, tx pgx.Tx, eventID int64, regID string) (*Registration, *event.Event, error) {
	cur, ev, err := lockOwn(ctx, tx, eventID, regID)
	if err == nil && retention.Anonymised(cur.Email) {
		return nil, nil, ErrDeleted
	}
	return cur, ev, err
}

// checkCorrection validates the person's fields and answers as a sign-up
// does and refuses an address in use by another registration.
func checkCorrection(ctx context.Context, tx pgx.Tx, ev *event.Event, regID string, req *Request) error {
	v := &ValidationError{Fields: map[string]FieldError{}}
	checkPerson(v, req)
	checkAnswers(v, ev, req.Answers)
	if _, bad := v.Fields["email"]; !bad {
		var taken bool
		if err := tx.QueryRow(ctx, emailTaken, ev.ID, regID, req.Email).Scan(&taken); err != nil {
			return fmt.Errorf("check e-mail: %w", err)
		}
		if taken {
			v.add("email", "err.email_taken")
		}
	}
	return optionalAnswers(v.orNil())
}

func correct(ctx context.Context, tx pgx.Tx, ev *event.Event, cur *Registration, req Request) ([]string, error) {
	var old map[string]any
	if err := tx.QueryRow(ctx, selectAnswers, cur.ID).Scan(&old); err != nil {
		return nil, fmt.Errorf("load answers: %w", err)
	}
	answers, changed := mergeAnswers(ev, old, req.Answers)
	for _, f := range []struct{ name, was, is string }{{"name", cur.Name, req.Name},
		{"email", cur.Email, req.Email}, {"organisation", cur.Organisation, req.Organisation}, {"role", cur.Role, req.Role}} {
		if f.was != f.is {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return nil, ErrNoChange
	}
	stored, _ := json.Marshal(answers)
	_, err := tx.Exec(ctx, updatePerson, cur.ID, req.Name, req.Email, req.Organisation, req.Role, stored)
	if db.IsUniqueViolation(err, "registrations_one_per_email") { // a sign-up with the address since
		return nil, &ValidationError{Fields: map[string]FieldError{"email": {Key: "err.email_taken"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("correct registration: %w", err)
	}
	return changed, nil
}

// mergeAnswers puts the new answers to the event's questions over the old
// ones and names the questions whose answer changed, in the event's order.
func mergeAnswers(ev *event.Event, old, answers map[string]any) (map[string]any, []string) {
	out := make(map[string]any, len(old)+len(answers))
	for k, a := range old {
		out[k] = a
	}
	var changed []string
	for _, q := range ev.Questions {
		if blank(old[q.Key]) != blank(answers[q.Key]) || !blank(answers[q.Key]) && fmt.Sprint(old[q.Key]) != fmt.Sprint(answers[q.Key]) {
			changed = append(changed, "answers."+q.Key)
		}
		delete(out, q.Key)
		if a, ok := answers[q.Key]; ok {
			out[q.Key] = a
		}
	}
	return out, changed
}

// blank is an answer that says nothing: none, empty or an unticked box.
func blank(a any) bool { return a == nil || a == "" || a == false }

// DeleteNow deletes a person at once on their request (GDPR art. 17): in
// one transaction it cancels the registration without mailing them,
// hands their seats to the waiting lists (whose promoted people are mailed
// as after any cancel), and anonymises the registration exactly as
// retention anonymises an event — so mails still waiting for them are
// never sent. The audit entry names the registration id only.
func (s *Service) DeleteNow(ctx context.Context, eventID int64, regID string, m Manual) error {
	return db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		cur, ev, err := lockPerson(ctx, tx, eventID, regID)
		if err != nil {
			return err
		}
		if cur.Status != registration.Cancelled {
			if _, err := release(ctx, tx, ev, cur); err != nil {
				return err
			}
		}
		if err := retention.Person(ctx, tx, ev.ID, cur.ID); err != nil {
			return fmt.Errorf("anonymise: %w", err)
		}
		return auth.Append(ctx, tx, auth.Entry{UserID: m.UserID, Actor: m.Actor, Action: "registration.delete", EventID: ev.ID,
			Detail: map[string]any{"registration_id": cur.ID, "was": cur.Status}})
	})
}
