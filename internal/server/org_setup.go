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

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

type setupView struct {
	Form    setupForm
	Errors  formErrors
	Summary []formProblem
	Notice  string
	Event   *event.Event // nil while creating
	Slots   []string     // slot keys for the workshops' select
	Num     []int        // Num[i] is i+1: row numbers for the legends

	QuestionTypes []string
}

type formProblem struct{ ID, Message string }

func (s *Server) setupNew(w http.ResponseWriter, r *http.Request) error {
	s.renderSetup(w, r, http.StatusOK, newSetupForm(), nil, nil)
	return nil
}

func (s *Server) setupEdit(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	v := s.setupViewOf(formFromEvent(ev), nil, ev)
	switch r.URL.Query().Get("done") {
	case "created", "saved", "status", "imported":
		v.Notice = i18n.T(requestLang(r), "setup.done_"+r.URL.Query().Get("done"))
	}
	s.renderOrg(w, r, http.StatusOK, "org_setup", i18n.T(requestLang(r), "setup.edit_title"), ev, secSetup, v)
	return nil
}

func (s *Server) setupCreate(w http.ResponseWriter, r *http.Request) error {
	return s.setupSubmit(w, r, nil)
}

func (s *Server) setupSave(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	return s.setupSubmit(w, r, ev)
}

// setupSubmit handles every button of the form: add or remove a row
// (re-render, nothing saved) or save (validate, import, redirect).
func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request, ev *event.Event) error {
	if err := parseLargeForm(w, r); err != nil {
		return err
	}
	f := formFromRequest(r.PostForm)
	f.New, f.Status = ev == nil, event.StatusDraft
	if ev != nil {
		f.Slug, f.Status = ev.Slug, ev.Status
	}
	if f.edit(r.PostForm.Get("add"), r.PostForm.Get("remove")) {
		s.renderSetup(w, r, http.StatusOK, f, nil, ev)
		return nil
	}
	lang := requestLang(r)
	file, errs, rows := f.toFile(func(key string) string { return i18n.T(lang, key) })
	keepUnformed(file, ev)
	if err := file.Validate(); err != nil {
		mergeProblems(errs, err, rows, lang)
	}
	if len(errs) > 0 {
		s.renderSetup(w, r, http.StatusUnprocessableEntity, f, errs, ev)
		return nil
	}
	a, _ := accountFrom(r.Context())
	_, _, err := s.events.Save(r.Context(), a, file, f.New, !f.New)
	if errors.Is(err, event.ErrExists) {
		errs.add("slug", i18n.T(lang, "org.err_event_exists"))
	} else if err != nil && !addProblems(errs, err, rows, lang) {
		return err
	}
	if len(errs) > 0 {
		s.renderSetup(w, r, http.StatusUnprocessableEntity, f, errs, ev)
		return nil
	}
	done := map[bool]string{true: "created", false: "saved"}[f.New]
	http.Redirect(w, r, "/org/events/"+url.PathEscape(file.Slug)+"/setup?done="+done+"&lang="+lang, http.StatusSeeOther)
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

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, status int, f setupForm, errs formErrors, ev *event.Event) {
	key := "setup.edit_title"
	if f.New {
		key = "setup.new_title"
	}
	s.renderOrg(w, r, status, "org_setup", i18n.T(requestLang(r), key), ev, secSetup, s.setupViewOf(f, errs, ev))
}

func (s *Server) setupViewOf(f setupForm, errs formErrors, ev *event.Event) setupView {
	v := setupView{Form: f, Errors: errs, Event: ev, Num: make([]int, maxRows+1),
		QuestionTypes: []string{"text", "choice", "checkbox"}}
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
	for id, msg := range errs {
		v.Summary = append(v.Summary, formProblem{ID: id, Message: msg})
	}
	sort.Slice(v.Summary, func(i, j int) bool { return v.Summary[i].ID < v.Summary[j].ID })
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
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
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
	body, err := json.MarshalIndent(fileFromEvent(ev), "", "  ")
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

// keepUnformed carries over what the event file holds but the setup form
// does not ask: the legal texts and which slots may stay empty. Without it
// a save from the form would drop them.
func keepUnformed(file *event.File, ev *event.Event) {
	if ev == nil {
		return
	}
	file.Privacy, file.Imprint = ev.Privacy, ev.Imprint
	for i, sf := range file.Slots {
		if s, ok := ev.Slot(sf.Key); ok {
			file.Slots[i].Optional = s.Optional
		}
	}
}
