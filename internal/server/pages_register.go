package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// noWorkshop is the form's explicit "no workshop in this slot", offered
// only in slots the event lets stay empty.
const noWorkshop = "-"

// formValues is what the participant typed, kept to re-fill the form.
type formValues struct {
	Name, Email, Organisation, Role string
	Answers                         map[string]any
	Choices                         map[string]string
	Preferences                     map[string]string // "slot.rank" → workshop key
	Privacy, Photos                 bool
}

type fieldIssue struct{ ID, Label, Msg string }

type registerView struct {
	Event     *event.Event
	Action    string // where the form posts: the page's own path
	Form      formValues
	Errors    map[string]string
	ErrorList []fieldIssue
}

// registerPath is where the site's form of the event lives.
func registerPath(slug string) string { return "/events/" + url.PathEscape(slug) + "/register" }

// newRegisterView is the empty form posting to action; ?workshop=KEY
// preselects a workshop.
func newRegisterView(ev *event.Event, r *http.Request, action string) registerView {
	view := registerView{Event: ev, Action: action, Form: formValues{Answers: map[string]any{}, Choices: map[string]string{}}}
	if key := r.URL.Query().Get("workshop"); key != "" {
		if ws, ok := ev.Workshop(key); ok {
			view.Form.Choices[ws.SlotKey] = key
		}
	}
	return view
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	if !ev.OpenAt(time.Now()) {
		return booking.ErrClosed
	}
	view := newRegisterView(ev, r, registerPath(ev.Slug))
	s.render(w, r, http.StatusOK, "register", i18n.T(requestLang(r), "form.title"), view)
	return nil
}

func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.signUp(w, r, false)
}

// signUp handles the form's POST, on the site (embed false) or in the
// embedded form, which answers with its own pages.
func (s *Server) signUp(w http.ResponseWriter, r *http.Request, embed bool) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	form := readForm(ev, r.PostForm)
	lang := requestLang(r)
	// A new sign-up and an address registered already get the same
	// answer; the mail tells them apart (booking.RegisterByForm).
	reg, err := s.book.RegisterByForm(r.Context(), ev.Slug, form.request(ev, lang))
	s.countSignUp(reg, err)
	var verr *booking.ValidationError
	switch {
	case err == nil && embed:
		http.Redirect(w, r, embedPath(ev.Slug)+"/registered?lang="+lang, http.StatusSeeOther)
		return nil
	case err == nil:
		http.Redirect(w, r, "/events/"+ev.Slug+"/registered?lang="+lang, http.StatusSeeOther)
		return nil
	case errors.As(err, &verr):
		return s.rerender(w, r, ev, form, fieldMessages(err, lang), embed)
	}
	return err
}

// rerender shows the form again with what was typed and the errors.
func (s *Server) rerender(w http.ResponseWriter, r *http.Request, ev *event.Event, form formValues, errs map[string]string, embed bool) error {
	lang := requestLang(r)
	data := registerView{Event: ev, Action: registerPath(ev.Slug), Form: form, Errors: errs, ErrorList: issueList(ev, lang, errs)}
	name := "register"
	if embed {
		if err := s.allowFraming(w, r); err != nil {
			return err
		}
		data.Action, name = embedPath(ev.Slug), "embed/register"
	}
	s.renderView(w, r, http.StatusUnprocessableEntity, name, view{Title: i18n.T(lang, "form.title"), Data: data})
	return nil
}

// registeredPage is where the form leads after a sign-up. It says the same
// to everyone (see registerSubmit): look for our mail.
func (s *Server) registeredPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "registered", i18n.T(requestLang(r), "registered.title"), eventView{Event: ev})
	return nil
}

func readForm(ev *event.Event, v url.Values) formValues {
	f := formValues{
		Name: v.Get("name"), Email: v.Get("email"), Organisation: v.Get("organisation"), Role: v.Get("role"),
		Answers: map[string]any{}, Choices: map[string]string{}, Preferences: map[string]string{},
		Privacy: v.Get("privacy") == "yes", Photos: v.Get("photos") == "yes",
	}
	for _, q := range ev.Questions {
		val := v.Get("q." + q.Key)
		if q.Type == "checkbox" {
			f.Answers[q.Key] = val == "yes"
		} else if val != "" {
			f.Answers[q.Key] = val
		}
	}
	for _, sl := range ev.Slots {
		if key := v.Get("slot." + sl.Key); key != "" {
			f.Choices[sl.Key] = key
		}
		for i := 1; i <= ev.Registration.MaxPreferences; i++ {
			k := sl.Key + "." + strconv.Itoa(i)
			if key := v.Get("pref." + k); key != "" {
				f.Preferences[k] = key
			}
		}
	}
	return f
}

func (f formValues) request(ev *event.Event, lang string) booking.Request {
	req := booking.Request{Name: f.Name, Email: f.Email, Organisation: f.Organisation, Role: f.Role,
		Language: lang, Answers: f.Answers, Consents: booking.Consents{Privacy: f.Privacy, Photos: f.Photos}}
	if ev.Registration.Mode == event.ModePreferences {
		req.Preferences = map[string][]string{}
		for _, sl := range ev.Slots {
			for i := 1; i <= ev.Registration.MaxPreferences; i++ {
				if key := f.Preferences[sl.Key+"."+strconv.Itoa(i)]; key != "" {
					req.Preferences[sl.Key] = append(req.Preferences[sl.Key], key)
				}
			}
		}
		return req
	}
	req.Choices = map[string]string{}
	for slot, key := range f.Choices {
		if key != noWorkshop {
			req.Choices[slot] = key
		}
	}
	return req
}

// issueList turns field errors into the error summary's links, in the
// order of the form.
func issueList(ev *event.Event, lang string, errs map[string]string) []fieldIssue {
	var list []fieldIssue
	add := func(path, id, label string) {
		if msg, ok := errs[path]; ok {
			list = append(list, fieldIssue{ID: id, Label: label, Msg: msg})
		}
	}
	add("name", "name", i18n.T(lang, "form.name"))
	add("email", "email", i18n.T(lang, "form.email"))
	add("organisation", "organisation", i18n.T(lang, "form.organisation"))
	add("role", "role", i18n.T(lang, "form.role"))
	for _, q := range ev.Questions {
		add("answers."+q.Key, "q-"+q.Key, q.Label.In(lang))
	}
	for _, sl := range ev.Slots {
		add("choices."+sl.Key, "choices-"+sl.Key, sl.Title)
		add("preferences."+sl.Key, "pref-"+sl.Key, sl.Title)
	}
	add("consents.privacy", "privacy", i18n.T(lang, "form.consents"))
	for path, msg := range errs {
		if !knownPath(ev, path) {
			list = append(list, fieldIssue{ID: "main", Label: path, Msg: msg})
		}
	}
	return list
}

func knownPath(ev *event.Event, path string) bool {
	switch path {
	case "name", "email", "organisation", "role", "consents.privacy":
		return true
	}
	for _, q := range ev.Questions {
		if path == "answers."+q.Key {
			return true
		}
	}
	for _, sl := range ev.Slots {
		if path == "choices."+sl.Key || path == "preferences."+sl.Key {
			return true
		}
	}
	return false
}
