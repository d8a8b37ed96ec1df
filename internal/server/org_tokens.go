package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/i18n"
)

// The account's API tokens: create one (its secret is shown once, on the
// answer to the form, never in a URL) and revoke them.

type tokensView struct {
	Tokens  []auth.TokenInfo
	Created string // the new token's secret, on the answer to its creation only
	Name    string
	Errors  map[string]string
	Notice  string
}

// maxTokenName bounds a token's name, a note for its owner.
const maxTokenName = 100

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	v := tokensView{}
	if r.URL.Query().Get("done") == "revoked" {
		v.Notice = i18n.T(requestLang(r), "tokens.done_revoked")
	}
	return s.showTokens(w, r, http.StatusOK, v)
}

func (s *Server) showTokens(w http.ResponseWriter, r *http.Request, status int, v tokensView) error {
	a, _ := accountFrom(r.Context())
	var err error
	if v.Tokens, err = s.auth.Tokens(r.Context(), a); err != nil {
		return err
	}
	s.renderOrg(w, r, status, "org_tokens", i18n.T(requestLang(r), "tokens.title"), nil, secTokens, v)
	return nil
}

func (s *Server) tokensCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	lang := requestLang(r)
	v := tokensView{Name: strings.TrimSpace(r.PostForm.Get("name"))}
	switch {
	case v.Name == "":
		v.Errors = map[string]string{"name": i18n.T(lang, "err.required")}
	case len([]rune(v.Name)) > maxTokenName:
		v.Errors = map[string]string{"name": i18n.T(lang, "err.too_long", maxTokenName)}
	}
	if v.Errors != nil {
		return s.showTokens(w, r, http.StatusUnprocessableEntity, v)
	}
	a, _ := accountFrom(r.Context())
	token, err := s.auth.CreateOwnToken(r.Context(), a, v.Name)
	if err != nil {
		return err
	}
	return s.showTokens(w, r, http.StatusOK, tokensView{Created: token})
}

func (s *Server) tokensRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	a, _ := accountFrom(r.Context())
	if err := s.auth.RevokeOwnToken(r.Context(), a, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/org/tokens?done=revoked&lang="+requestLang(r), http.StatusSeeOther)
	return nil
}
