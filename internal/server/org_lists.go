package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/roster"
)

// orgEvent resolves the URL's event for the account and loads it.
func (s *Server) orgEvent(r *http.Request) (*event.Event, error) {
	id, err := s.orgEventID(r)
	if err != nil {
		return nil, err
	}
	return s.events.LoadByID(r.Context(), id)
}

type listView struct {
	Event    *event.Event
	Filter   roster.Filter
	Rows     []roster.Row
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
	for k, val := range map[string]string{"q": f.Query, "status": string(f.Status), "workshop": f.Workshop, "checked_in": f.CheckedIn} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if key == f.Sort && !f.Desc {
		q.Set("dir", "desc")
	}
	return path + "?" + q.Encode()
}

// listFilterFrom reads the list filters of the page and the API:
// ?q&status&workshop&checked_in&sort&dir&limit&offset.
func listFilterFrom(r *http.Request) (roster.Filter, error) {
	q := r.URL.Query()
	f := roster.Filter{Query: q.Get("q"), Status: registration.Status(q.Get("status")), Workshop: q.Get("workshop"),
		CheckedIn: q.Get("checked_in"), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc"}
	var err error
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 {
				err = &roster.FilterError{Field: name, Reason: "not a whole number"}
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
	v := listView{Event: ev, Filter: f, Statuses: roster.Statuses, SortKeys: roster.SortKeys}
	if err == nil {
		v.Rows, v.Total, err = s.roster.List(r.Context(), ev.ID, &v.Filter)
	}
	title := i18n.T(lang, "lists.title") + " – " + ev.Title
	var ferr *roster.FilterError
	if errors.As(err, &ferr) {
		v.Errors = map[string]string{ferr.Field: i18n.T(lang, "lists.bad_"+ferr.Field)}
		s.renderOrg(w, r, http.StatusUnprocessableEntity, "org_list_registrations", title, ev, secLists, v)
		return nil
	}
	if err != nil {
		return err
	}
	v.From, v.To = v.Filter.Offset+1, v.Filter.Offset+len(v.Rows)
	if v.Filter.Offset > 0 {
		v.PrevURL = pageURL(r, max(v.Filter.Offset-v.Filter.Limit, 0))
	}
	if v.To < v.Total {
		v.NextURL = pageURL(r, v.Filter.Offset+v.Filter.Limit)
	}
	s.renderOrg(w, r, http.StatusOK, "org_list_registrations", title, ev, secLists, v)
	return nil
}

type workshopView struct {
	Event    *event.Event
	Workshop *roster.Workshop
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
	s.renderOrg(w, r, http.StatusOK, "org_list_workshop", title, ev, secWorkshops, newWorkshopView(ev, ws))
	return nil
}

func (s *Server) orgWorkshop(r *http.Request) (*event.Event, *roster.Workshop, error) {
	ev, err := s.orgEvent(r)
	if err != nil {
		return nil, nil, err
	}
	ws, err := s.roster.Participants(r.Context(), ev.ID, chi.URLParam(r, "key"))
	return ev, ws, err
}

func newWorkshopView(ev *event.Event, ws *roster.Workshop) workshopView {
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
