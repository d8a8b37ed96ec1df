package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/export"
	"github.com/fachtag/fachtag/internal/i18n"
)

type registrationsView struct {
	Event         *event.Event
	Filter        export.Filter
	Registrations []export.Registration
	Total         int
	From, To      int
	PrevURL       string
	NextURL       string
	Errors        map[string]string
	Statuses      []string
}

// orgRegistrationsPage is the registration list with search, filters and
// paging; the same query as the JSON API.
func (s *Server) orgRegistrationsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventID(r)
	if err != nil {
		return err
	}
	ev, err := event.LoadByID(r.Context(), s.pool, id)
	if err != nil {
		return err
	}
	lang := requestLang(r)
	f, err := listFilter(r)
	v := registrationsView{Event: ev, Filter: f, Statuses: []string{"confirmed", "waitlisted", "received", "cancelled"}}
	if err == nil {
		v.Registrations, v.Total, err = export.List(r.Context(), s.pool, id, f)
		err = filterError(err)
	}
	if msgs := fieldMessages(err, lang); msgs != nil {
		v.Errors = msgs
		s.render(w, r, http.StatusUnprocessableEntity, "org_registrations", ev.Title, v)
		return nil
	}
	if err != nil {
		return err
	}
	v.From, v.To = f.Offset+1, f.Offset+len(v.Registrations)
	if f.Offset > 0 {
		v.PrevURL = pageURL(r, max(f.Offset-f.Limit, 0))
	}
	if v.To < v.Total {
		v.NextURL = pageURL(r, f.Offset+f.Limit)
	}
	s.render(w, r, http.StatusOK, "org_registrations", i18n.T(lang, "org.registrations_title")+" – "+ev.Title, v)
	return nil
}

func pageURL(r *http.Request, offset int) string {
	u := *r.URL
	q := u.Query()
	q.Set("offset", strconv.Itoa(offset))
	u.RawQuery = q.Encode()
	return (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
}
