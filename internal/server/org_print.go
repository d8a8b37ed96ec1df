package server

import (
	"net/http"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/roster"
)

// attendanceView is an attendance list for signing: a workshop's or the
// whole event's confirmed participants, one line each.
type attendanceView struct {
	Event   *event.Event
	Heading string // after "Anwesenheitsliste: "
	Back    string // the list it was printed from
	Room    string
	People  any // []roster.Participant or []roster.Row: Name and Organisation
}

// orgPrintAttendance is a workshop's attendance list for signing;
// web/static/print.css lays it out on A4.
func (s *Server) orgPrintAttendance(w http.ResponseWriter, r *http.Request) error {
	ev, ws, err := s.orgWorkshop(r)
	if err != nil {
		return err
	}
	v := newWorkshopView(ev, ws)
	s.render(w, r, http.StatusOK, "org_print_attendance", i18n.T(requestLang(r), "print.attendance_title", ws.Title),
		attendanceView{Event: ev, Heading: ws.Key + " – " + ws.Title, Room: v.Room, People: ws.Confirmed,
			Back: "/org/events/" + ev.Slug + "/lists/workshops/" + ws.Key})
	return nil
}

// orgPrintEventAttendance is the attendance list of the whole event, by
// name: the one to print for an event without workshops, or for the
// entrance of any.
func (s *Server) orgPrintEventAttendance(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	rows, err := s.confirmedByName(r, ev.ID, "")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "org_print_attendance", i18n.T(requestLang(r), "print.attendance_title", ev.Title),
		attendanceView{Event: ev, Heading: ev.Title, People: rows, Back: "/org/events/" + ev.Slug + "/lists"})
	return nil
}

// confirmedByName are the event's confirmed participants (of one workshop
// when key is not ""), by name, every page of the roster.
func (s *Server) confirmedByName(r *http.Request, eventID int64, key string) ([]roster.Row, error) {
	var rows []roster.Row
	for offset := 0; ; offset += roster.MaxLimit {
		page, total, err := s.roster.List(r.Context(), eventID,
			&roster.Filter{Status: registration.Confirmed, Workshop: key, Sort: "name", Limit: roster.MaxLimit, Offset: offset})
		if err != nil {
			return nil, err
		}
		rows = append(rows, page...)
		if len(rows) >= total || len(page) == 0 {
			return rows, nil
		}
	}
}

type badgesView struct {
	Event    *event.Event
	Workshop string
	Pages    [][]roster.Row // eight badges per A4 page
}

// badgesPerPage is 2 columns × 4 rows of 105 × 74 mm on A4.
const badgesPerPage = 8

// orgPrintBadges prints name badges of every confirmed participant, or of
// one workshop's (?workshop=KEY), by name.
func (s *Server) orgPrintBadges(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	key := r.URL.Query().Get("workshop")
	if _, ok := ev.Workshop(key); key != "" && !ok {
		return errNotFound
	}
	rows, err := s.confirmedByName(r, ev.ID, key)
	if err != nil {
		return err
	}
	v := badgesView{Event: ev, Workshop: key}
	for len(rows) > 0 {
		n := min(badgesPerPage, len(rows))
		v.Pages, rows = append(v.Pages, rows[:n]), rows[n:]
	}
	s.render(w, r, http.StatusOK, "org_print_badges", i18n.T(requestLang(r), "print.badges_title"), v)
	return nil
}
