package server

import (
	"net/http"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/roster"
)

// orgPrintAttendance is a workshop's attendance list for signing, one
// line per confirmed participant; web/static/print.css lays it out on A4.
func (s *Server) orgPrintAttendance(w http.ResponseWriter, r *http.Request) error {
	ev, ws, err := s.orgWorkshop(r)
	if err != nil {
		return err
	}
	title := i18n.T(requestLang(r), "print.attendance_title", ws.Title)
	s.render(w, r, http.StatusOK, "org_print_attendance", title, newWorkshopView(ev, ws))
	return nil
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
	var rows []roster.Row
	for offset := 0; ; offset += roster.MaxLimit {
		page, total, err := s.roster.List(r.Context(), ev.ID,
			&roster.Filter{Status: registration.Confirmed, Workshop: key, Sort: "name", Limit: roster.MaxLimit, Offset: offset})
		if err != nil {
			return err
		}
		rows = append(rows, page...)
		if len(rows) >= total || len(page) == 0 {
			break
		}
	}
	v := badgesView{Event: ev, Workshop: key}
	for len(rows) > 0 {
		n := min(badgesPerPage, len(rows))
		v.Pages, rows = append(v.Pages, rows[:n]), rows[n:]
	}
	s.render(w, r, http.StatusOK, "org_print_badges", i18n.T(requestLang(r), "print.badges_title"), v)
	return nil
}
