package server

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/reconfirm"
	"github.com/fachtag/fachtag/internal/roster"
)

type personView struct {
	Event  *event.Event
	Person *roster.Person
	Code   string // formatted check-in code
	Notice string
	Form   string            // the form the errors belong to: move-SLOT, cancel, resend, correct, delete
	Error  string            // what went wrong, beside that form
	Errors map[string]string // field → message, within that form
	Values map[string]string // what was typed into that form
	Fix    formValues        // the correction form: the person's data, or what was typed
	Issues []fieldIssue      // the correction form's errors, named by their labels
	// ConfirmDelete shows the step that asks before deleting the person.
	ConfirmDelete bool
	// Reconfirm is the person's answer to "Kommen Sie?", nil if not asked.
	Reconfirm *reconfirm.State
}

// reasonField is the reason input of one form.
type reasonField struct{ Form, Value, Err string }

// Reason is the reason field of form, with what was typed and the error
// when that form was the one submitted.
func (v personView) Reason(form string) reasonField {
	if v.Form != form {
		return reasonField{Form: form}
	}
	return reasonField{Form: form, Value: v.Values["reason"], Err: v.Errors["reason"]}
}

var personNotices = map[string]string{"moved": "lists.done_moved", "cancelled": "lists.done_cancelled",
	"resent": "lists.done_resent", "created": "lists.done_created",
	"corrected": "person.done_corrected", "deleted": "person.done_deleted"}

// orgPersonPage shows one registration with its history and the manual
// actions.
func (s *Server) orgPersonPage(w http.ResponseWriter, r *http.Request) error {
	return s.showPerson(w, r, http.StatusOK, personView{})
}

func (s *Server) showPerson(w http.ResponseWriter, r *http.Request, status int, v personView) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	p, err := s.roster.Person(r.Context(), ev.ID, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	lang := requestLang(r)
	v.Event, v.Person, v.Code = ev, p, roster.FormatCode(p.CheckinCode)
	if v.Reconfirm, err = s.rc.ForRegistration(r.Context(), p.ID); err != nil {
		return err
	}
	if key, ok := personNotices[r.URL.Query().Get("done")]; ok && v.Form == "" {
		v.Notice = i18n.T(lang, key)
	}
	v.fillCorrection(ev, p, r, lang)
	title := p.Name + " – " + ev.Title
	if v.ConfirmDelete {
		title = i18n.T(lang, "person.delete_title") + " – " + ev.Title
	}
	s.renderOrg(w, r, status, "org_list_person", title, ev, secLists, v)
	return nil
}

// manual reads the fields every manual action has.
func manual(r *http.Request) booking.Manual {
	a, _ := accountFrom(r.Context())
	return booking.Manual{UserID: a.ID, Actor: "web", Reason: r.PostForm.Get("reason"),
		Override: r.PostForm.Get("override") == "yes"}
}

// afterManual redirects to the person after a manual action, or shows the
// page again with the refusal beside the form that caused it.
func (s *Server) afterManual(w http.ResponseWriter, r *http.Request, form, done string, err error) error {
	if err == nil {
		http.Redirect(w, r, personURL(r, chi.URLParam(r, "id"))+"&done="+done, http.StatusSeeOther)
		return nil
	}
	p := classify(err)
	if p.status == http.StatusInternalServerError || p.status == http.StatusNotFound {
		return err
	}
	lang := requestLang(r)
	v := personView{Form: form, Errors: fieldMessages(err, lang), Values: map[string]string{}}
	for k := range r.PostForm {
		v.Values[k] = r.PostForm.Get(k)
	}
	if v.Errors == nil {
		v.Error = i18n.T(lang, p.key)
	}
	return s.showPerson(w, r, p.status, v)
}

func personURL(r *http.Request, id string) string {
	return "/org/events/" + chi.URLParam(r, "slug") + "/lists/people/" + id + "?lang=" + requestLang(r)
}

func (s *Server) orgPersonMove(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventForm(w, r)
	if err != nil {
		return err
	}
	slot := r.PostForm.Get("slot")
	_, err = s.book.MoveByHand(r.Context(), id, chi.URLParam(r, "id"), slot, r.PostForm.Get("workshop"), manual(r))
	return s.afterManual(w, r, "move-"+slot, "moved", err)
}

func (s *Server) orgPersonCancel(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventForm(w, r)
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		err = &booking.ValidationError{Fields: map[string]booking.FieldError{"confirm": {Key: "lists.confirm_needed"}}}
	} else {
		_, err = s.book.CancelByHand(r.Context(), id, chi.URLParam(r, "id"), manual(r))
	}
	return s.afterManual(w, r, "cancel", "cancelled", err)
}

func (s *Server) orgPersonResend(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventForm(w, r)
	if err != nil {
		return err
	}
	err = s.book.ResendByHand(r.Context(), id, chi.URLParam(r, "id"), manual(r))
	return s.afterManual(w, r, "resend", "resent", err)
}

type newView struct {
	Event  *event.Event
	Values map[string]string
	Errors map[string]string
	Error  string
}

// orgNewForm is the form to register someone by hand.
func (s *Server) orgNewForm(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	s.renderOrg(w, r, http.StatusOK, "org_list_new", i18n.T(requestLang(r), "lists.new_title"), ev, secLists,
		newView{Event: ev, Values: map[string]string{"language": requestLang(r)}})
	return nil
}

func (s *Server) orgNewSubmit(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	f := r.PostForm
	req := booking.Request{Name: f.Get("name"), Email: f.Get("email"), Organisation: f.Get("organisation"),
		Role: f.Get("role"), Language: f.Get("language"), Consents: booking.Consents{Privacy: f.Get("privacy") == "yes"},
		Choices: map[string]string{}}
	for _, sl := range ev.Slots {
		if key := f.Get("choice." + sl.Key); key != "" {
			req.Choices[sl.Key] = key
		}
	}
	reg, err := s.book.RegisterByHand(r.Context(), ev.ID, req, manual(r))
	if err == nil {
		http.Redirect(w, r, personURL(r, reg.ID)+"&done=created", http.StatusSeeOther)
		return nil
	}
	p := classify(err)
	if p.status == http.StatusInternalServerError {
		return err
	}
	lang := requestLang(r)
	v := newView{Event: ev, Values: map[string]string{}, Errors: map[string]string{}}
	for k := range f {
		v.Values[k] = f.Get(k)
	}
	for field, msg := range fieldMessages(err, lang) {
		v.Errors[strings.Replace(strings.Replace(field, "choices.", "choice.", 1), "consents.", "", 1)] = msg
	}
	if len(v.Errors) == 0 {
		v.Error = i18n.T(lang, p.key)
	}
	s.renderOrg(w, r, p.status, "org_list_new", i18n.T(lang, "lists.new_title"), ev, secLists, v)
	return nil
}
