package server

import (
	"errors"
	"net/http"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/i18n"
)

type passwordView struct {
	Account auth.Account
	Errors  map[string]string
	Done    bool
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	a, _ := accountFrom(r.Context())
	v := passwordView{Account: a, Done: r.URL.Query().Get("done") == "1"}
	s.renderOrg(w, r, http.StatusOK, "org_password", i18n.T(requestLang(r), "org.password_title"), nil, secPassword, v)
	return nil
}

// passwordSubmit changes the password, which ends every session of the
// account, and starts a fresh one for this browser.
func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	lang := requestLang(r)
	a, _ := accountFrom(r.Context())
	current, next := r.PostForm.Get("current"), r.PostForm.Get("new")
	v := passwordView{Account: a, Errors: newPasswordErrors(lang, next, r.PostForm.Get("confirm"))}
	if current == "" {
		v.Errors["current"] = i18n.T(lang, "err.required")
	}
	if len(v.Errors) == 0 {
		err := s.auth.ChangePassword(r.Context(), a, current, next)
		if errors.Is(err, auth.ErrBadCredentials) {
			v.Errors["current"] = i18n.T(lang, "org.wrong_password")
		} else if err != nil {
			return err
		}
	}
	if len(v.Errors) > 0 {
		s.renderOrg(w, r, http.StatusUnprocessableEntity, "org_password", i18n.T(lang, "org.password_title"), nil, secPassword, v)
		return nil
	}
	id, err := s.auth.StartSession(r.Context(), a.ID, s.sessionID(r))
	if err != nil {
		return err
	}
	s.setSessionCookie(w, id)
	http.Redirect(w, r, "/org/password?done=1&lang="+lang, http.StatusSeeOther)
	return nil
}

// newPasswordErrors checks a new password and its repetition.
func newPasswordErrors(lang, next, confirm string) map[string]string {
	errs := map[string]string{}
	switch {
	case next == "":
		errs["new"] = i18n.T(lang, "err.required")
	case len([]rune(next)) < auth.MinPasswordLength:
		errs["new"] = i18n.T(lang, "org.password_short", auth.MinPasswordLength)
	case len(next) > 1024:
		errs["new"] = i18n.T(lang, "err.too_long", 1024)
	case confirm != next:
		errs["confirm"] = i18n.T(lang, "org.password_mismatch")
	}
	return errs
}
