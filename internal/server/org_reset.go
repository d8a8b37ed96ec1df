package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/i18n"
)

// Password reset. The link is built from BASE_URL, never from the Host
// header, so a forged Host cannot point it elsewhere. The mail outbox is
// built around participants and events (its worker loads the event of
// every message), so account mails are not sent through it yet: without
// Options.SendResetLink the link is written to the log for an operator.

type resetView struct {
	Email  string
	Token  string
	Errors map[string]string
	Done   bool
}

func (s *Server) resetRequestForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "org_reset", i18n.T(requestLang(r), "org.reset_title"), resetView{})
	return nil
}

// resetRequestSubmit answers the same whether or not the address has an
// account, so the form reveals none.
func (s *Server) resetRequestSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	lang := requestLang(r)
	v := resetView{Email: r.PostForm.Get("email")}
	if !plausibleEmail(v.Email) {
		v.Errors = map[string]string{"email": i18n.T(lang, "err.email")}
		s.render(w, r, http.StatusUnprocessableEntity, "org_reset", i18n.T(lang, "org.reset_title"), v)
		return nil
	}
	u, token, err := s.auth.RequestReset(r.Context(), v.Email)
	switch {
	case errors.Is(err, auth.ErrUserNotFound):
	case err != nil:
		return err
	default:
		link := s.opts.BaseURL + "/org/reset/" + url.PathEscape(token) + "?lang=" + lang
		if err := s.sendResetLink(r.Context(), u.Email, lang, link); err != nil {
			return err
		}
	}
	v.Done = true
	s.render(w, r, http.StatusOK, "org_reset", i18n.T(lang, "org.reset_title"), v)
	return nil
}

func (s *Server) sendResetLink(ctx context.Context, email, lang, link string) error {
	if s.opts.SendResetLink != nil {
		return s.opts.SendResetLink(ctx, email, lang, link)
	}
	s.log.Warn("password reset requested; no mail delivery for account mails is configured, pass this link on",
		"email", email, "link", link)
	return nil
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	if err := s.auth.CheckReset(r.Context(), token); err != nil {
		return resetError(err)
	}
	s.render(w, r, http.StatusOK, "org_reset_set", i18n.T(requestLang(r), "org.reset_set_title"), resetView{Token: token})
	return nil
}

// resetSubmit sets the new password, then sends the person to log in
// with it: a reset link is not a login.
func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	lang := requestLang(r)
	token := chi.URLParam(r, "token")
	v := resetView{Token: token, Errors: newPasswordErrors(lang, r.PostForm.Get("new"), r.PostForm.Get("confirm"))}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "org_reset_set", i18n.T(lang, "org.reset_set_title"), v)
		return nil
	}
	if _, err := s.auth.Reset(r.Context(), token, r.PostForm.Get("new")); err != nil {
		return resetError(err)
	}
	http.Redirect(w, r, "/org/login?done=reset&lang="+lang, http.StatusSeeOther)
	return nil
}

func resetError(err error) error {
	if errors.Is(err, auth.ErrResetInvalid) {
		return errLinkNotFound
	}
	return err
}
