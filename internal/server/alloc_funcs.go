package server

import (
	"html/template"

	"github.com/fachtag/fachtag/internal/allocrun"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/registration"
)

// allocFuncs are the template functions of the allocation pages and of
// the allocation outcome on the personal page.
func allocFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		// runLabel names a run's objective in plain words; "nobody worse
		// than wish N" only where everyone wanting a seat got a listed one.
		"runLabel": func(fair bool, worst int, profile map[string]int) string {
			switch {
			case !fair:
				return i18n.T(lang, "alloc.label_plain")
			case profile["none"] > 0 || profile["unlisted"] > 0:
				return i18n.T(lang, "alloc.label_fair_worst", worst)
			}
			return i18n.T(lang, "alloc.label_fair", worst)
		},
		"slotTitle": func(ev *event.Event, key string) string {
			if s, ok := ev.Slot(key); ok && s.Title != "" {
				return s.Title
			}
			return key
		},
		// outcomeWish says to the participant which wish it is.
		"outcomeWish": func(o registration.Outcome) string { return o.Wish(lang) },
		// outcomeWhy is the sentence why the first wish was not given.
		"outcomeWhy": func(ev *event.Event, o registration.Outcome) string {
			return o.Why(lang, func(key string) string {
				if w, ok := ev.Workshop(key); ok {
					return w.Title
				}
				return key
			})
		},
		// seatOutcome is the outcome that still describes the booking.
		"seatOutcome": func(os []registration.Outcome, b registration.Booking) *registration.Outcome {
			for i := range os {
				if os[i].Seated(b) {
					return &os[i]
				}
			}
			return nil
		},
		// emptyOutcome is the outcome of a wanted slot the allocation left
		// without a seat.
		"emptyOutcome": func(os []registration.Outcome, slot string) *registration.Outcome {
			for i := range os {
				if os[i].Slot == slot && os[i].Workshop == "" {
					return &os[i]
				}
			}
			return nil
		},
		"add1": func(i int) int { return i + 1 },
		// firstPeople and restPeople split the preview: the worst
		// outcomes open, everyone else folded away.
		"firstPeople": func(ps []allocrun.Person) []allocrun.Person { return ps[:min(len(ps), previewShown)] },
		"restPeople":  func(ps []allocrun.Person) []allocrun.Person { return ps[min(len(ps), previewShown):] },
		"personRow": func(ev *event.Event, run int64, p allocrun.Person, canPin bool, lang string) personRow {
			return personRow{Event: ev, Run: run, Person: p, CanPin: canPin, Lang: lang}
		},
		// rankCounts pairs each rank with its count, for the demand text.
		"rankCounts": func(byRank []int) []rankCount {
			out := make([]rankCount, len(byRank))
			for i, n := range byRank {
				out[i] = rankCount{Rank: i + 1, N: n}
			}
			return out
		},
	}
}

type rankCount struct{ Rank, N int }

// previewShown is how many people the preview lists before folding the
// rest away (the worst outcomes come first).
const previewShown = 25

// personRow is one person of the preview list with what the row needs.
type personRow struct {
	Event  *event.Event
	Run    int64
	Person allocrun.Person
	CanPin bool
	Lang   string
}
