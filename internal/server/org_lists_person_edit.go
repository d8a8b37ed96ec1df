package server

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/roster"
)

// fillCorrection fills the correction form: with what was typed after a
// refused correction, else with the person's current data.
func (v *personView) fillCorrection(ev *event.Event, p *roster.Person, r *http.Request, lang string) {
	if v.Form == "correct" {
		v.Fix = readForm(ev, r.PostForm)
		errs := make(map[string]string, len(v.Errors))
		for k, msg := range v.Errors {
			if k != "reason" {
				errs[k] = msg
			}
		}
		v.Issues = issueList(ev, lang, errs)
		if msg, ok := v.Errors["reason"]; ok {
			v.Issues = append(v.Issues, fieldIssue{ID: "correct-reason", Label: i18n.T(lang, "lists.reason"), Msg: msg})
		}
		return
	}
	v.Fix = formValues{Name: p.Name, Email: p.Email, Organisation: p.Organisation, Role: p.Role, Answers: p.Answers}
}

// FixErrors are the correction form's errors by field, when it was the
// form submitted.
func (v personView) FixErrors() map[string]string {
	if v.Form != "correct" {
		return nil
	}
	return v.Errors
}

// FieldLabels names the fields of an audit entry's "fields" list by their
// labels in lang, for the history.
func (v personView) FieldLabels(lang string, fields []any) string {
	names := make([]string, 0, len(fields))
	for _, f := range fields {
		path, _ := f.(string)
		names = append(names, fieldLabel(v.Event, lang, path))
	}
	return strings.Join(names, ", ")
}

func fieldLabel(ev *event.Event, lang, path string) string {
	if key, ok := strings.CutPrefix(path, "answers."); ok {
		for _, q := range ev.Questions {
			if q.Key == key {
				return q.Label.In(lang)
			}
		}
		return key
	}
	switch path {
	case "name", "email", "organisation", "role":
		return i18n.T(lang, "form."+path)
	}
	return path
}

// orgPersonCorrect corrects the person's name, address, organisation,
// role and answers, with a reason.
func (s *Server) orgPersonCorrect(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventForm(w, r)
	if err != nil {
		return err
	}
	ev, err := s.events.LoadByID(r.Context(), id)
	if err != nil {
		return err
	}
	f := readForm(ev, r.PostForm)
	c := booking.Correction{Name: f.Name, Email: f.Email, Organisation: f.Organisation, Role: f.Role, Answers: f.Answers}
	_, err = s.book.Correct(r.Context(), id, chi.URLParam(r, "id"), c, manual(r))
	return s.afterManual(w, r, "correct", "corrected", err)
}

// orgPersonDeleteForm is the step that asks before a person is deleted.
func (s *Server) orgPersonDeleteForm(w http.ResponseWriter, r *http.Request) error {
	return s.showPerson(w, r, http.StatusOK, personView{ConfirmDelete: true})
}

// orgPersonDelete deletes the person at once: seats to the waiting lists,
// data anonymised.
func (s *Server) orgPersonDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventForm(w, r)
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		lang := requestLang(r)
		return s.showPerson(w, r, http.StatusUnprocessableEntity, personView{ConfirmDelete: true, Form: "delete",
			Errors: map[string]string{"confirm": i18n.T(lang, "person.confirm_needed")}})
	}
	err = s.book.DeleteNow(r.Context(), id, chi.URLParam(r, "id"), manual(r))
	return s.afterManual(w, r, "delete", "deleted", err)
}
