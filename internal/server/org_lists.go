package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/export"
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
	Event     *event.Event
	Filter    roster.Filter
	Rows      []roster.Row
	Total     int
	From, To  int
	PrevURL   string
	NextURL   string
	Errors    map[string]string
	Statuses  []string
	SortKeys  []string
	PageSizes []int
	Columns   []export.Column // shown, after the name
	Choices   []columnChoice  // every column the event offers
	Query     url.Values      // the list's current URL query
	SelectAll bool            // every row of the page ticked (the no-script "select all")
	Actions   []string        // the bulk actions
}

// columnChoice is one column of the column form, ticked when shown.
type columnChoice struct {
	export.Column
	Shown bool
}

// sortKeyOf maps the list's columns to the sort keys they sort by.
var sortKeyOf = map[string]string{"organisation": "organisation", "status": "status",
	"checked_in": "checked_in", "registered": "registered"}

// SortKey is the sort key of a column, "" when it does not sort.
func (v listView) SortKey(col string) string { return sortKeyOf[col] }

// SortURL is the list ordered by key, toggling the direction when it is
// the current order, on its first page, every other choice kept.
func (v listView) SortURL(path, key string) string {
	q := cloneQuery(v.Query)
	q.Set("sort", key)
	q.Del("dir")
	q.Del("offset")
	q.Del("select")
	if key == v.Filter.Sort && !v.Filter.Desc {
		q.Set("dir", "desc")
	}
	return path + "?" + q.Encode()
}

// SelectAllURL is the current page with every row ticked.
func (v listView) SelectAllURL(path string) string {
	q := cloneQuery(v.Query)
	q.Set("select", "all")
	return path + "?" + q.Encode()
}

// Back is the list's query, for the forms that return to it.
func (v listView) Back() string {
	q := cloneQuery(v.Query)
	q.Del("select")
	return q.Encode()
}

// ExportURL is the file download (format csv or xlsx) with the shown
// columns.
func (v listView) ExportURL(format, lang string) string {
	q := url.Values{"lang": {lang}}
	for _, c := range v.Columns {
		q.Add("col", c.Key)
	}
	return (&url.URL{Path: "/org/events/" + v.Event.Slug + "/export." + format, RawQuery: q.Encode()}).String()
}

func cloneQuery(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// listFilterFrom reads the list filters of the page and the API:
// ?q&status&workshop&checked_in&sort&dir&limit&offset; limit=all shows
// every match at once.
func listFilterFrom(r *http.Request) (roster.Filter, error) {
	q := r.URL.Query()
	f := roster.Filter{Query: q.Get("q"), Status: registration.Status(q.Get("status")), Workshop: q.Get("workshop"),
		CheckedIn: q.Get("checked_in"), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc", All: q.Get("limit") == "all"}
	var err error
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" && !(name == "limit" && f.All) {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 {
				err = &roster.FilterError{Field: name, Reason: "not a whole number"}
			}
			*dst = n
		}
	}
	return f, err
}

// orgListPage is the registration list: search, filters, sorting, page
// size, the account's columns, and the selection for bulk actions.
func (s *Server) orgListPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	lang := requestLang(r)
	f, err := listFilterFrom(r)
	v := listView{Event: ev, Filter: f, Statuses: roster.Statuses, SortKeys: roster.SortKeys, PageSizes: roster.PageSizes,
		Query: r.URL.Query(), SelectAll: r.URL.Query().Get("select") == "all", Actions: actionsFor(ev)}
	v.Query.Set("lang", lang)
	if err := s.listColumns(r, ev, &v); err != nil {
		return err
	}
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
	if v.Filter.Offset > 0 && !v.Filter.All {
		v.PrevURL = pageURL(r, max(v.Filter.Offset-v.Filter.Limit, 0))
	}
	if v.To < v.Total && !v.Filter.All {
		v.NextURL = pageURL(r, v.Filter.Offset+v.Filter.Limit)
	}
	s.renderOrg(w, r, http.StatusOK, "org_list_registrations", title, ev, secLists, v)
	return nil
}

// listColumns fills in the columns the account chose for the event (or
// the defaults) and the column form's choices.
func (s *Server) listColumns(r *http.Request, ev *event.Event, v *listView) error {
	a, _ := accountFrom(r.Context())
	keys, chosen, err := s.roster.ListColumns(r.Context(), a.ID, ev.ID)
	if err != nil {
		return err
	}
	if !chosen {
		keys = export.ListColumns(ev)
	}
	lang := requestLang(r)
	v.Columns = export.Known(ev, lang, keys)
	shown := map[string]bool{}
	for _, c := range v.Columns {
		shown[c.Key] = true
	}
	for _, c := range export.Columns(ev, lang) {
		v.Choices = append(v.Choices, columnChoice{Column: c, Shown: shown[c.Key]})
	}
	return nil
}

// orgListColumns keeps the account's choice of columns for the event's
// list (or forgets it: reset) and returns to the list as it was.
func (s *Server) orgListColumns(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	keys := r.PostForm["col"]
	if _, err := export.Choose(ev, requestLang(r), keys); err != nil {
		return &roster.FilterError{Field: "col", Reason: err.Error()}
	}
	a, _ := accountFrom(r.Context())
	if err := s.roster.SaveListColumns(r.Context(), a.ID, ev.ID, keys, r.PostForm.Get("reset") != ""); err != nil {
		return err
	}
	http.Redirect(w, r, listURL(ev, r.PostForm.Get("back")), http.StatusSeeOther)
	return nil
}

// listURL is the event's list with a query the page passed along; only
// the query is taken from the form, so the redirect stays on the list.
func listURL(ev *event.Event, back string) string {
	q, err := url.ParseQuery(back)
	if err != nil {
		q = url.Values{}
	}
	return (&url.URL{Path: "/org/events/" + ev.Slug + "/lists", RawQuery: q.Encode()}).String()
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

// pageURL is the current list URL at another offset, nothing ticked.
func pageURL(r *http.Request, offset int) string {
	u := *r.URL
	q := u.Query()
	q.Set("offset", strconv.Itoa(offset))
	q.Del("select") // a selection is of one page
	u.RawQuery = q.Encode()
	return (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
}

// orgEventPosted loads the event of the URL for the account and reads the
// posted form.
func (s *Server) orgEventPosted(w http.ResponseWriter, r *http.Request) (*event.Event, error) {
	ev, err := s.orgEvent(r)
	if err != nil {
		return nil, err
	}
	return ev, parseForm(w, r)
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
