package server

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/mail"
)

// The public list of events: GET /api/v1/events, the calendar feed
// /events.ics and the start page show the same events — open for
// registration or closed, never drafts or archived ones, not yet over —
// soonest first.

// Cache lifetimes: the list carries live seat counts, so a minute; a
// calendar client polls a feed hourly at best, so five minutes cost
// nothing there and spare the database.
const (
	listMaxAge = time.Minute
	feedMaxAge = 5 * time.Minute
	feedLimit  = 500 // events in the feed; far more than any installation has upcoming
)

// EventList is GET /api/v1/events: one page of events. Next is the
// address of the following page (also sent as a Link header), absent on
// the last.
type EventList struct {
	Events []EventSummary `json:"events"`
	Total  int            `json:"total"`
	Page   int            `json:"page"`
	Limit  int            `json:"limit"`
	Next   string         `json:"next,omitempty"`
}

// EventSummary is one event of the public list, its times in the event's
// zone; SeatsLeft counts the event's seats (workshops have their own, in
// GET /api/v1/events/{slug}).
type EventSummary struct {
	Slug         string           `json:"slug"`
	Title        string           `json:"title"`
	Timezone     string           `json:"timezone"`
	StartsAt     time.Time        `json:"starts_at"`
	EndsAt       time.Time        `json:"ends_at"`
	Venue        event.Venue      `json:"venue"`
	Organiser    event.Organiser  `json:"organiser"`
	Registration RegistrationInfo `json:"registration"`
	Status       string           `json:"status"`
	Capacity     int              `json:"capacity"`
	SeatsLeft    int              `json:"seats_left"`
	URL          string           `json:"url"`
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) error {
	page, limit, err := pageFrom(r.URL.Query())
	if err != nil {
		return err
	}
	now := time.Now()
	events, total, err := s.events.ListPublic(r.Context(), now, (page-1)*limit, limit)
	if err != nil {
		return err
	}
	out := EventList{Events: []EventSummary{}, Total: total, Page: page, Limit: limit}
	for _, ev := range events {
		out.Events = append(out.Events, s.eventSummary(ev, now))
	}
	if page*limit < total {
		out.Next = s.opts.BaseURL + "/api/v1/events?" + url.Values{"page": {strconv.Itoa(page + 1)}, "limit": {strconv.Itoa(limit)}}.Encode()
		w.Header().Set("Link", "<"+out.Next+`>; rel="next"`)
	}
	w.Header().Set("Cache-Control", "public, max-age="+itoa(int(listMaxAge.Seconds())))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pageFrom reads ?page= (from 1) and ?limit= (1 to event.MaxPageSize).
func pageFrom(q url.Values) (page, limit int, err error) {
	page, limit = 1, event.DefaultPageSize
	for name, dst := range map[string]*int{"page": &page, "limit": &limit} {
		if v := q.Get(name); v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil {
				return 0, 0, &event.PageError{Field: name}
			}
			*dst = n
		}
	}
	return page, limit, event.CheckPage(page, limit)
}

func (s *Server) eventSummary(ev *event.Event, now time.Time) EventSummary {
	loc := ev.Location()
	return EventSummary{Slug: ev.Slug, Title: ev.Title, Timezone: ev.Timezone,
		StartsAt: ev.StartsAt.In(loc), EndsAt: ev.EndsAt.In(loc), Venue: ev.Venue, Organiser: ev.Organiser,
		Registration: RegistrationInfo{Registration: registrationIn(ev.Registration, loc), Open: ev.OpenAt(now)},
		Status:       ev.Status, Capacity: ev.Capacity, SeatsLeft: ev.SeatsLeft(), URL: s.eventURL(ev.Slug)}
}

func (s *Server) eventURL(slug string) string { return s.opts.BaseURL + "/events/" + slug }

// eventsFeed is /events.ics: the public events as an iCalendar feed to
// subscribe to.
func (s *Server) eventsFeed(w http.ResponseWriter, r *http.Request) error {
	events, _, err := s.events.ListPublic(r.Context(), time.Now(), 0, feedLimit)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age="+itoa(int(feedMaxAge.Seconds())))
	w.Header().Set("Vary", "Accept-Language") // the calendar's name is in the reader's language
	_, err = w.Write(mail.Feed(events, i18n.T(requestLang(r), "events.feed_title"), s.eventURL))
	return err
}
