package roster

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

// QuestionTotal is what the active registrations (all but the cancelled)
// answered to one of the event's questions: for a choice the count per
// offered option, for a checkbox the count of ticks (one option, ""), for
// a text every answer that is not empty, with whose it is.
type QuestionTotal struct {
	Question event.Question
	Options  []OptionCount
	Texts    []TextAnswer
}

// OptionCount is how many chose an option, by the status of their
// registration.
type OptionCount struct {
	Option                       string
	Confirmed, Waiting, Received int
}

// TextAnswer is one person's answer to a text question.
type TextAnswer struct {
	RegistrationID string
	Name           string
	Status         registration.Status
	Text           string
}

// Counted answers: a checkbox as "true"/"false", a choice as its option.
const selectAnswerCounts = `
SELECT a.key, a.value, r.status, count(*)
FROM registrations r CROSS JOIN LATERAL jsonb_each_text(r.answers) a
WHERE r.event_id = $1 AND r.status <> 'cancelled' AND a.key = ANY($2::text[])
GROUP BY 1, 2, 3`

const selectTextAnswers = `
SELECT a.key, r.id, r.name, r.status, a.value
FROM registrations r CROSS JOIN LATERAL jsonb_each_text(r.answers) a
WHERE r.event_id = $1 AND r.status <> 'cancelled' AND a.key = ANY($2::text[]) AND btrim(a.value) <> ''
ORDER BY lower(r.name), r.seq`

// AnswerTotals sums up the answers to every question of ev, in the
// event's order of questions and options.
func (s *Service) AnswerTotals(ctx context.Context, ev *event.Event) ([]QuestionTotal, error) {
	out := make([]QuestionTotal, len(ev.Questions))
	at := map[string]*QuestionTotal{}
	var counted, texts []string
	for i, q := range ev.Questions {
		out[i] = QuestionTotal{Question: q}
		at[q.Key] = &out[i]
		switch q.Type {
		case "choice":
			counted = append(counted, q.Key)
			for _, o := range q.Options {
				out[i].Options = append(out[i].Options, OptionCount{Option: o})
			}
		case "checkbox":
			counted = append(counted, q.Key)
			out[i].Options = []OptionCount{{}}
		default:
			texts = append(texts, q.Key)
		}
	}
	if err := s.countAnswers(ctx, ev.ID, counted, at); err != nil {
		return nil, err
	}
	return out, s.textAnswers(ctx, ev.ID, texts, at)
}

func (s *Service) countAnswers(ctx context.Context, eventID int64, keys []string, at map[string]*QuestionTotal) error {
	rows, _ := s.pool.Query(ctx, selectAnswerCounts, eventID, keys)
	var key, value string
	var status registration.Status
	var n int
	_, err := pgx.ForEachRow(rows, []any{&key, &value, &status, &n}, func() error {
		qt := at[key]
		if qt.Question.Type == "checkbox" {
			if value != "true" {
				return nil
			}
			value = ""
		}
		for i := range qt.Options {
			if qt.Options[i].Option == value {
				qt.Options[i].add(status, n)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("count answers: %w", err)
	}
	return nil
}

func (c *OptionCount) add(status registration.Status, n int) {
	switch status {
	case registration.Confirmed:
		c.Confirmed += n
	case registration.Waitlisted:
		c.Waiting += n
	case registration.Received:
		c.Received += n
	}
}

func (s *Service) textAnswers(ctx context.Context, eventID int64, keys []string, at map[string]*QuestionTotal) error {
	rows, _ := s.pool.Query(ctx, selectTextAnswers, eventID, keys)
	var key string
	var a TextAnswer
	_, err := pgx.ForEachRow(rows, []any{&key, &a.RegistrationID, &a.Name, &a.Status, &a.Text}, func() error {
		at[key].Texts = append(at[key].Texts, a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list text answers: %w", err)
	}
	return nil
}
