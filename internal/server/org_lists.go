package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/checkin"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/export"
	"github.com/fachtag/fachtag/internal/i18n"
)

// listPageRoutes are the lists, manual actions and printables (organisers)
// and the check-in pages (organisers and the checkin role). Every handler
// resolves its event with s.orgEventID, so an event the account may not
// see is 404.
func (s *Server) listPageRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(auth.ManageEvents))
		r.Get("/events/{slug}/lists", s.page(s.orgListPage))
		r.Get("/events/{slug}/lists/new", s.page(s.orgNewForm))
		r.Post("/events/{slug}/lists/new", s.page(s.orgNewSubmit))
		r.Get("/events/{slug}/lists/people/{id}", s.page(s.orgPersonPage))
		r.Get("/events/{slug}/lists/people/{id}/qr.png", s.page(s.orgPersonQR))
		r.Post("/events/{slug}/lists/people/{id}/move", s.page(s.orgPersonMove))
		r.Post("/events/{slug}/lists/people/{id}/cancel", s.page(s.orgPersonCancel))
		r.Post("/events/{slug}/lists/people/{id}/resend", s.page(s.orgPersonResend))
		r.Get("/events/{slug}/lists/workshops/{key}", s.page(s.orgWorkshopPage))
		r.Get("/events/{slug}/print/attendance/{key}", s.page(s.orgPrintAttendance))
		r.Get("/events/{slug}/print/badges", s.page(s.orgPrintBadges))
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(auth.CheckIn))
		r.Get("/events/{slug}/checkin", s.page(s.orgCheckinPage))
		r.Get("/events/{slug}/checkin/counts.json", s.page(s.orgCheckinCounts))
		r.Post("/events/{slug}/checkin/{id}", s.page(s.orgCheckinSubmit))
	})
}

// orgEvent resolves the URL's event for the account and loads it.
func (s *Server) orgEvent(r *http.Request) (*event.Event, error) {
	id, err := s.orgEventID(r)
	if err != nil {
		return nil, err
	}
	return event.LoadByID(r.Context(), s.pool, id)
}

type listView struct {
	Event    *event.Event
	Filter   checkin.Filter
	Rows     []checkin.Row
	Total    int
	From, To int
	PrevURL  string
	NextURL  string
	Errors   map[string]string
	Statuses []string
	SortKeys []string
}

// SortURL is the list ordered by key, toggling the direction when it is
// the current order.
func (v listView) SortURL(path, key string) string {
	q := url.Values{"sort": {key}}
	f := v.Filter
	for k, val := range map[string]string{"q": f.Query, "status": f.Status, "workshop": f.Workshop, "checked_in": f.CheckedIn} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if key == f.Sort && !f.Desc {
		q.Set("dir", "desc")
	}
	return path + "?" + q.Encode()
}

func listFilterFrom(r *http.Request) (checkin.Filter, error) {
	q := r.URL.Query()
	f := checkin.Filter{Query: q.Get("q"), Status: q.Get("status"), Workshop: q.Get("workshop"),
		CheckedIn: q.Get("checked_in"), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc"}
	var err error
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 {
				err = &checkin.FilterError{Field: name}
			}
			*dst = n
		}
	}
	return f, err
}

// orgListPage is the registration list: search, filters, sorting, paging.
func (s *Server) orgListPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	lang := requestLang(r)
	f, err := listFilterFrom(r)
	v := listView{Event: ev, Filter: f, Statuses: []string{"confirmed", "waitlisted", "received", "cancelled"},
		SortKeys: checkin.SortKeys}
	if err == nil {
		v.Rows, v.Total, err = checkin.List(r.Context(), s.pool, ev.ID, f)
	}
	title := i18n.T(lang, "lists.title") + " – " + ev.Title
	var ferr *checkin.FilterError
	if errors.As(err, &ferr) {
		v.Errors = map[string]string{ferr.Field: i18n.T(lang, "lists.bad_"+ferr.Field)}
		s.render(w, r, http.StatusUnprocessableEntity, "org_list_registrations", title, v)
		return nil
	}
	if err != nil {
		return err
	}
	v.Filter = normalisedFilter(f)
	v.From, v.To = v.Filter.Offset+1, v.Filter.Offset+len(v.Rows)
	if v.Filter.Offset > 0 {
		v.PrevURL = pageURL(r, max(v.Filter.Offset-v.Filter.Limit, 0))
	}
	if v.To < v.Total {
		v.NextURL = pageURL(r, v.Filter.Offset+v.Filter.Limit)
	}
	s.render(w, r, http.StatusOK, "org_list_registrations", title, v)
	return nil
}

// normalisedFilter applies the list's defaults for display.
func normalisedFilter(f checkin.Filter) checkin.Filter {
	if f.Sort == "" {
		f.Sort = "registered"
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	return f
}

type workshopView struct {
	Event    *event.Event
	Workshop *export.Workshop
	Room     string
}

// orgWorkshopPage lists a workshop's participants and its waiting list
// with positions.
func (s *Server) orgWorkshopPage(w http.ResponseWriter, r *http.Request) error {
	ev, ws, err := s.orgWorkshop(r)
	if err != nil {
		return err
	}
	title := i18n.T(requestLang(r), "lists.workshop_title", ws.Title)
	s.render(w, r, http.StatusOK, "org_list_workshop", title, newWorkshopView(ev, ws))
	return nil
}

func (s *Server) orgWorkshop(r *http.Request) (*event.Event, *export.Workshop, error) {
	ev, err := s.orgEvent(r)
	if err != nil {
		return nil, nil, err
	}
	ws, err := export.Participants(r.Context(), s.pool, ev.ID, chi.URLParam(r, "key"))
	return ev, ws, err
}

func newWorkshopView(ev *event.Event, ws *export.Workshop) workshopView {
	w, _ := ev.Workshop(ws.Key)
	return workshopView{Event: ev, Workshop: ws, Room: w.Room}
}

// pageURL is the current list URL at another offset.
func pageURL(r *http.Request, offset int) string {
	u := *r.URL
	q := u.Query()
	q.Set("offset", strconv.Itoa(offset))
	u.RawQuery = q.Encode()
	return (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
}

// orgEventForm resolves the event of the URL for the account and reads the
// posted form.
func (s *Server) orgEventForm(w http.ResponseWriter, r *http.Request) (int64, error) {
	id, err := s.orgEventID(r)
	if err != nil {
		return 0, err
	}
	return id, parseForm(w, r)
}
