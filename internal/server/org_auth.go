package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/auth"
)

// Access to organiser routes. Pages use a session cookie, the JSON API a
// Bearer token; both put the auth.Account into the request context. The
// whole handler is wrapped in http.CrossOriginProtection, which refuses
// cross-site state changes, and the session cookie is SameSite=Lax.
//
// To protect a new organiser route:
//
//	API:  inside orgAPIRoutes' group (requireToken + requireRole(auth.ManageEvents)),
//	      then call s.orgEventID(r) for the {slug}: 404 unless the account may see it.
//	Page: inside orgPages' session group, the same s.orgEventID(r).

type accountKey struct{}

// accountFrom returns the account of an authenticated request.
func accountFrom(ctx context.Context) (auth.Account, bool) {
	a, ok := ctx.Value(accountKey{}).(auth.Account)
	return a, ok
}

func withAccount(r *http.Request, a auth.Account) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), accountKey{}, a))
}

// requireToken admits requests with a live API token and answers 401 with
// a Bearer challenge otherwise.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		var a auth.Account
		err := auth.ErrUnauthenticated
		if ok {
			a, err = s.auth.Token(r.Context(), token)
		}
		if err != nil {
			if errors.Is(err, auth.ErrUnauthenticated) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="fachtag"`)
			}
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, withAccount(r, a))
	})
}

func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// requireRole answers 403 to accounts whose role lacks p. It runs before
// any event is looked up, so the refusal says nothing about events.
func (s *Server) requireRole(p auth.Permission) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if a, ok := accountFrom(r.Context()); !ok || !a.May(p) {
				s.fail(w, r, auth.ErrForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// orgEventID is the id of the URL's event if the account may see it; an
// event it may not see is "not found", exactly like a missing one.
func (s *Server) orgEventID(r *http.Request) (int64, error) {
	a, ok := accountFrom(r.Context())
	if !ok {
		return 0, auth.ErrUnauthenticated
	}
	return s.auth.EventAccess(r.Context(), a, chi.URLParam(r, "slug"))
}

// sessionCookieName carries the __Host- prefix under https: the browser
// then only accepts it Secure, for this host and path /, so a sibling
// subdomain cannot plant a session.
func (s *Server) sessionCookieName() string {
	if s.https() {
		return "__Host-fachtag_session"
	}
	return "fachtag_session"
}

func (s *Server) https() bool { return strings.HasPrefix(s.opts.BaseURL, "https://") }

func (s *Server) sessionID(r *http.Request) string {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setSessionCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: id, Path: "/",
		MaxAge: int(s.auth.SessionMaxAge().Seconds()), HttpOnly: true, Secure: s.https(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.https(), SameSite: http.SameSiteLaxMode})
}

// requireSession admits requests with a live session and sends everyone
// else to the login page, remembering where they wanted to go.
func (s *Server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.auth.Session(r.Context(), s.sessionID(r))
		if errors.Is(err, auth.ErrUnauthenticated) {
			s.toLogin(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, withAccount(r, a))
	})
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	q := url.Values{"lang": {requestLang(r)}}
	if r.Method == http.MethodGet {
		q.Set("next", r.URL.Path)
	}
	http.Redirect(w, r, "/org/login?"+q.Encode(), http.StatusSeeOther)
}

// requirePasswordChanged sends accounts still on their one-time password
// to the change-password page first.
func (s *Server) requirePasswordChanged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, _ := accountFrom(r.Context()); a.MustChange {
			http.Redirect(w, r, "/org/password?lang="+requestLang(r), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// safeNext keeps the post-login redirect on our organiser pages; anything
// else (another host, "//evil", a scheme) becomes the start page.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/org/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n?#") {
		return next
	}
	return "/org/"
}
