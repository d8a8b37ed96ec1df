package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

type setupView struct {
	Form    setupForm
	Section string // the tab shown; "" on the new-event form
	Errors  formErrors
	Summary []formProblem
	Notice  string
	Event   *event.Event // nil while creating
	Slots   []string     // slot keys for the workshops' select
	Num     []int        // Num[i] is i+1: row numbers for the legends
	Action  string       // where the form posts

	QuestionTypes []string
}

// formProblem is one entry of an error summary: the field's label (with
// its tab when the field is on another one), the message, and where the
// field is.
type formProblem struct{ ID, Label, Message, URL string }

func (s *Server) setupNew(w http.ResponseWriter, r *http.Request) error {
	s.renderSetup(w, r, http.StatusOK, newSetupForm(), nil, nil, "")
	return nil
}

// setupCreate creates a draft from the first two sections; the organiser
// goes on in the tabs.
func (s *Server) setupCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseLargeForm(w, r); err != nil {
		return err
	}
	f := newSetupForm()
	f.read(tabBasics, r.PostForm)
	f.read(tabDates, r.PostForm)
	lang := requestLang(r)
	file, errs, rows := f.toFile(func(key string) string { return i18n.T(lang, key) })
	checkFile(file, errs, rows, lang)
	if len(errs) == 0 {
		a, _ := accountFrom(r.Context())
		_, _, err := s.events.Save(r.Context(), a, file, true, false)
		if err := saveProblems(errs, err, lang); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		s.renderSetup(w, r, http.StatusUnprocessableEntity, f, errs, nil, "")
		return nil
	}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(file.Slug)+"/"+setupTabs[0].Path+"?done=created&lang="+lang, http.StatusSeeOther)
	return nil
}

// setupFirst leads to the first tab, keeping the query (done=…).
func (s *Server) setupFirst(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	u := tabURL(ev, setupTabs[0])
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}

func (s *Server) setupSection(w http.ResponseWriter, r *http.Request) error {
	ev, tab, err := s.setupTarget(r)
	if err != nil {
		return err
	}
	v := s.setupViewOf(r, formFromEvent(ev), nil, ev, tab.Key)
	switch done := r.URL.Query().Get("done"); done {
	case "created", "saved", "status", "imported", "copied":
		v.Notice = i18n.T(requestLang(r), "setup.done_"+done)
	}
	s.renderOrg(w, r, http.StatusOK, "org_setup", i18n.T(requestLang(r), tab.Label), ev, secSetup, v)
	return nil
}

// setupTarget is the event and the form tab of the URL.
func (s *Server) setupTarget(r *http.Request) (*event.Event, setupTab, error) {
	tab, ok := formTab(chi.URLParam(r, "section"))
	if !ok {
		return nil, tab, errNotFound
	}
	ev, err := s.orgEvent(r)
	return ev, tab, err
}

// setupSave handles every button of a tab: add or remove a row (re-render,
// nothing saved) or save. Saving applies the tab's fields to the stored
// event, checks the whole event and stores it in one transaction, or
// nothing: a problem the change causes on another tab is named with it.
func (s *Server) setupSave(w http.ResponseWriter, r *http.Request) error {
	ev, tab, err := s.setupTarget(r)
	if err != nil {
		return err
	}
	if err := parseLargeForm(w, r); err != nil {
		return err
	}
	f := formFromEvent(ev)
	f.read(tab.Key, r.PostForm)
	if f.edit(tab.Key, r.PostForm.Get("add"), r.PostForm.Get("remove")) {
		s.renderSetup(w, r, http.StatusOK, f, nil, ev, tab.Key)
		return nil
	}
	lang := requestLang(r)
	file, errs, rows := f.applyTo(ev.File(), tab.Key, func(key string) string { return i18n.T(lang, key) })
	checkFile(file, errs, rows, lang)
	if len(errs) == 0 {
		a, _ := accountFrom(r.Context())
		if err := saveProblems(errs, s.events.Update(r.Context(), a, ev.Slug, file), lang); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		s.renderSetup(w, r, http.StatusUnprocessableEntity, f, errs, ev, tab.Key)
		return nil
	}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(file.Slug)+"/"+tab.Path+"?done=saved&lang="+lang, http.StatusSeeOther)
	return nil
}

// checkFile adds every problem of the file to the form's errors, by
// field id.
func checkFile(file *event.File, errs formErrors, rows map[string][]int, lang string) {
	if err := file.Validate(); err != nil {
		mergeProblems(errs, err, rows, lang)
	}
}

// saveProblems files what saving refused under the form's fields; any
// other error is returned.
func saveProblems(errs formErrors, err error, lang string) error {
	switch {
	case err == nil:
	case errors.Is(err, event.ErrExists):
		errs.add("slug", i18n.T(lang, "org.err_event_exists"))
	case !addProblems(errs, err, nil, lang):
		return err
	}
	return nil
}

// addProblems files the event package's problems (plain or turned into
// the API's ValidationError) under their form fields.
func addProblems(errs formErrors, err error, rows map[string][]int, lang string) bool {
	var p *event.Problems
	var verr *booking.ValidationError
	switch {
	case errors.As(err, &p):
		for _, pr := range *p {
			errs.add(fieldID(pr.Path, rows), pr.In(lang))
		}
	case errors.As(err, &verr):
		for path, fe := range verr.Fields {
			msg := path
			if len(fe.Args) > 0 {
				msg, _ = fe.Args[0].(string)
			}
			errs.add(fieldID(path, rows), msg)
		}
	default:
		return false
	}
	return true
}

// mergeProblems adds the validation problems to the fields' own parse
// errors, so one round trip shows every mistake, but leaves out what a
// parse error already explains: a row with an unreadable value, or
// everything when the date or time zone itself could not be read.
func mergeProblems(errs formErrors, err error, rows map[string][]int, lang string) {
	for _, id := range []string{"date", "timezone", "starts_at", "ends_at"} {
		if _, bad := errs[id]; bad {
			return
		}
	}
	badRows := map[string]bool{}
	for id := range errs {
		if m := rowPrefix.FindString(id); m != "" {
			badRows[m] = true
		}
	}
	more := formErrors{}
	addProblems(more, err, rows, lang)
	for id, msg := range more {
		if _, dup := errs[id]; !dup && !badRows[rowPrefix.FindString(id)] {
			errs[id] = msg
		}
	}
}

var rowPrefix = regexp.MustCompile(`^[a-z]+-\d+-`)

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, status int, f setupForm, errs formErrors, ev *event.Event, section string) {
	title := i18n.T(requestLang(r), "setup.new_title")
	if tab, ok := formTab(section); ok {
		title = i18n.T(requestLang(r), tab.Label)
	}
	s.renderOrg(w, r, status, "org_setup", title, ev, secSetup, s.setupViewOf(r, f, errs, ev, section))
}

func (s *Server) setupViewOf(r *http.Request, f setupForm, errs formErrors, ev *event.Event, section string) setupView {
	v := setupView{Form: f, Section: section, Errors: errs, Event: ev, Num: make([]int, maxRows+1),
		QuestionTypes: []string{"text", "choice", "checkbox"}, Action: "/org/events/new?lang=" + requestLang(r)}
	if tab, ok := formTab(section); ok && ev != nil {
		v.Action = tabURL(ev, tab) + "?lang=" + requestLang(r)
	}
	for i := range v.Num {
		v.Num[i] = i + 1
	}
	// A workshop's typed slot stays selectable even if no slot row has
	// it (yet); saving then names the problem next to the select.
	keys := make([]string, 0, len(f.Slots)+len(f.Workshops))
	for _, sl := range f.Slots {
		keys = append(keys, sl.Key)
	}
	for _, w := range f.Workshops {
		keys = append(keys, w.Slot)
	}
	for _, k := range keys {
		if k != "" && !slices.Contains(v.Slots, k) {
			v.Slots = append(v.Slots, k)
		}
	}
	v.Summary = summarise(requestLang(r), errs, ev, section)
	return v
}

// parseLargeForm reads a form of up to an event file's size: a congress
// with twenty workshop descriptions outgrows the usual form limit.
func parseLargeForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxEventFileBytes)
	if err := r.ParseForm(); err != nil {
		return errTooLarge
	}
	return nil
}

type statusView struct {
	Event  *event.Event
	Status string
}

// setupStatus opens, closes or archives registration. The first post
// asks for confirmation; the confirmed one changes the status.
func (s *Server) setupStatus(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	status, lang := r.PostForm.Get("status"), requestLang(r)
	if !event.ValidStatus(status) {
		return event.ErrBadStatus
	}
	if r.PostForm.Get("confirm") != "1" {
		s.renderOrg(w, r, http.StatusOK, "org_setup_status", i18n.T(lang, "setup.status_"+status), ev, secSetup, statusView{Event: ev, Status: status})
		return nil
	}
	a, _ := accountFrom(r.Context())
	if err := s.events.SetStatus(r.Context(), a, ev.ID, status); err != nil {
		return err
	}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(ev.Slug)+"/setup?done=status&lang="+lang, http.StatusSeeOther)
	return nil
}

// setupExport downloads the event as an event file.
func (s *Server) setupExport(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(ev.File(), "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+ev.Slug+`.json"`)
	_, _ = w.Write(append(body, '\n'))
	return nil
}

type importView struct {
	Errors []formProblem
}

func (s *Server) setupImportForm(w http.ResponseWriter, r *http.Request) error {
	s.renderOrg(w, r, http.StatusOK, "org_setup_import", i18n.T(requestLang(r), "setup.import_title"), nil, secHome, importView{})
	return nil
}

// setupImport creates or updates the event of an uploaded file. A file
// without status keeps the status of an existing event.
func (s *Server) setupImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxEventFileBytes+64<<10)
	file, _, err := r.FormFile("file")
	if err != nil {
		return s.importFailed(w, r, "", i18n.T(requestLang(r), "setup.err_no_file"))
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, maxEventFileBytes+1))
	if err != nil || len(body) > maxEventFileBytes {
		return errTooLarge
	}
	f, err := event.ParseFile(body)
	if err == nil {
		err = f.Validate()
	}
	if err == nil {
		a, _ := accountFrom(r.Context())
		_, _, err = s.events.Save(r.Context(), a, f, false, !hasStatus(body))
	}
	errs := formErrors{}
	if err != nil && !addProblems(errs, err, nil, requestLang(r)) {
		return err
	}
	if len(errs) > 0 {
		v := importView{}
		for id, msg := range errs {
			v.Errors = append(v.Errors, formProblem{ID: id, Message: msg})
		}
		sort.Slice(v.Errors, func(i, j int) bool { return v.Errors[i].ID < v.Errors[j].ID })
		s.renderOrg(w, r, http.StatusUnprocessableEntity, "org_setup_import", i18n.T(requestLang(r), "setup.import_title"), nil, secHome, v)
		return nil
	}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(f.Slug)+"/setup?done=imported&lang="+requestLang(r), http.StatusSeeOther)
	return nil
}

func (s *Server) importFailed(w http.ResponseWriter, r *http.Request, id, msg string) error {
	s.renderOrg(w, r, http.StatusUnprocessableEntity, "org_setup_import", i18n.T(requestLang(r), "setup.import_title"), nil, secHome,
		importView{Errors: []formProblem{{ID: id, Message: msg}}})
	return nil
}
