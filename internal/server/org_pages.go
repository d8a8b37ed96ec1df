package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/i18n"
)

type loginView struct {
	Email  string
	Next   string
	Errors map[string]string
	Notice string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	lang := requestLang(r)
	v := loginView{Next: safeNext(r.URL.Query().Get("next"))}
	switch r.URL.Query().Get("done") {
	case "logout":
		v.Notice = i18n.T(lang, "org.logged_out")
	case "reset":
		v.Notice = i18n.T(lang, "org.reset_done")
	}
	s.render(w, r, http.StatusOK, "org_login", i18n.T(lang, "org.login_title"), v)
	return nil
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	lang := requestLang(r)
	v := loginView{Email: r.PostForm.Get("email"), Next: safeNext(r.PostForm.Get("next")), Errors: map[string]string{}}
	password := r.PostForm.Get("password")
	if v.Email == "" {
		v.Errors["email"] = i18n.T(lang, "err.required")
	}
	if password == "" {
		v.Errors["password"] = i18n.T(lang, "err.required")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "org_login", i18n.T(lang, "org.login_title"), v)
		return nil
	}
	a, id, err := s.auth.Login(r.Context(), v.Email, password, s.clientAddr(r), s.sessionID(r))
	status := http.StatusUnauthorized
	var slow *auth.ThrottledError
	switch {
	case errors.As(err, &slow):
		secs := int(slow.Wait / time.Second)
		v.Errors["password"] = i18n.T(lang, "org.throttled", secs)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		status = http.StatusTooManyRequests
	case errors.Is(err, auth.ErrBadCredentials):
		// Beside the password field, but naming neither: which one was
		// wrong would tell whether the account exists.
		v.Errors["password"] = i18n.T(lang, "org.bad_credentials")
	case errors.Is(err, auth.ErrLocked):
		v.Errors["password"] = i18n.T(lang, "org.locked")
		status = http.StatusTooManyRequests
	case err != nil:
		return err
	}
	if len(v.Errors) > 0 {
		s.render(w, r, status, "org_login", i18n.T(lang, "org.login_title"), v)
		return nil
	}
	s.setSessionCookie(w, id)
	next := v.Next
	if a.MustChange {
		next = "/org/password"
	}
	http.Redirect(w, r, next+"?lang="+lang, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.auth.Logout(r.Context(), s.sessionID(r)); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/org/login?done=logout&lang="+requestLang(r), http.StatusSeeOther)
	return nil
}

type homeView struct {
	Account   auth.Account
	Events    []auth.EventSummary
	Manage    bool
	MailStall *mailStall
}

func (s *Server) orgHome(w http.ResponseWriter, r *http.Request) error {
	a, _ := accountFrom(r.Context())
	events, err := s.auth.VisibleEvents(r.Context(), a)
	if err != nil {
		return err
	}
	s.renderOrg(w, r, http.StatusOK, "org_home", i18n.T(requestLang(r), "org.home_title"), nil, secHome,
		homeView{Account: a, Events: events, Manage: a.May(auth.ManageEvents), MailStall: s.mailStall(r.Context(), homeZone(events))})
	return nil
}
