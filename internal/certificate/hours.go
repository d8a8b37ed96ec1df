package certificate

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/event"
)

// breakKinds are the programme kinds that do not count as attended time.
var breakKinds = map[string]bool{"break": true, "pause": true, "lunch": true, "mittagspause": true}

// DefaultHours is the event's length minus the breaks of its programme,
// rounded to the quarter hour: a Fachtag from 9 to 16 with an hour's lunch
// is 6 hours ("Umfang: 6 Zeitstunden").
func DefaultHours(ev *event.Event) float64 {
	d := ev.EndsAt.Sub(ev.StartsAt)
	for _, it := range ev.Programme {
		if !breakKinds[strings.ToLower(strings.TrimSpace(it.Kind))] {
			continue
		}
		from, to := later(it.StartsAt, ev.StartsAt), earlier(it.EndsAt, ev.EndsAt)
		if to.After(from) {
			d -= to.Sub(from)
		}
	}
	h := math.Round(d.Hours()*4) / 4
	return min(max(h, 0.25), MaxHours)
}

// HoursOf is the hours the settings certify for ev.
func HoursOf(ev *event.Event, st Settings) float64 {
	if st.Hours != nil {
		return *st.Hours
	}
	return DefaultHours(ev)
}

// FormatHours writes hours the way readers of lang expect: "6", "6,5"
// in German, "6.5" in English.
func FormatHours(lang string, h float64) string {
	s := strconv.FormatFloat(h, 'f', -1, 64)
	if lang == "de" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
