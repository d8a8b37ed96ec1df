package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/web"
)

// The registration widget: /embed.js puts an event's form into an
// organiser's page as an iframe of /events/{slug}/embed. The embeddable
// pages are the form and its thank-you page without the site's header,
// drawn in embed_layout.html, and framed only by the event's allowed
// origins (package widget); every other page keeps frame-ancestors
// 'none'. Nothing in them needs a cookie: the form's POST goes from the
// frame's document to its own origin, which cross-origin protection
// lets through as same-origin, and the sign-up is the normal form's
// (same rate limit, same answer for a registered address).

// embedded marks a request as one of the embeddable pages, so that fail
// draws its error inside the frame.
func (s *Server) embedded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The allowed origins change; the frame must ask each time.
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), embeddedKey{}, true)))
	})
}

type embeddedKey struct{}

func isEmbedded(r *http.Request) bool { v, _ := r.Context().Value(embeddedKey{}).(bool); return v }

// embedPath is where the embeddable form of the event lives.
func embedPath(slug string) string { return "/events/" + url.PathEscape(slug) + "/embed" }

func (s *Server) embedForm(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	if !ev.OpenAt(time.Now()) {
		return booking.ErrClosed
	}
	if err := s.allowFraming(w, r); err != nil {
		return err
	}
	s.renderView(w, r, http.StatusOK, "embed/register", view{Title: i18n.T(requestLang(r), "form.title"),
		Data: newRegisterView(ev, r, embedPath(ev.Slug))})
	return nil
}

func (s *Server) embedSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.signUp(w, r, true)
}

func (s *Server) embedRegistered(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	if err := s.allowFraming(w, r); err != nil {
		return err
	}
	s.renderView(w, r, http.StatusOK, "embed/embed_registered", view{Title: i18n.T(requestLang(r), "registered.title"),
		Data: eventView{Event: ev}})
	return nil
}

// embedErrorView is an error inside the frame: the message and, when the
// event is known, a link to its page.
type embedErrorView struct{ Message, Slug string }

// failEmbedded draws an error of an embeddable page inside the frame; an
// unknown event has no allowed origins, so its error stays unframed.
func (s *Server) failEmbedded(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if err := s.allowFraming(w, r); err != nil {
		s.log.Warn("embedded error page left unframed", "err", err)
	}
	v := embedErrorView{Message: msg}
	if status != http.StatusNotFound {
		v.Slug = chi.URLParam(r, "slug")
	}
	s.renderView(w, r, status, "embed/embed_error", view{Title: i18n.T(requestLang(r), "error.title"), Data: v})
}

// allowFraming lets this site and the event's allowed origins frame the
// response. Without any origin the refusal of securityHeaders stays.
func (s *Server) allowFraming(w http.ResponseWriter, r *http.Request) error {
	origins, err := s.widget.Origins(r.Context(), chi.URLParam(r, "slug"))
	if err != nil || len(origins) == 0 {
		return err
	}
	h := w.Header()
	h.Del("X-Frame-Options") // frame-ancestors says it all; XFO cannot name several origins
	h.Set("Content-Security-Policy", pagePolicy+"; frame-ancestors 'self' "+strings.Join(origins, " "))
	return nil
}

// embedScript serves /embed.js, built once at start from BASE_URL. Other
// sites load it, also those that require it to say so
// (Cross-Origin-Embedder-Policy); the ETag lets browsers revalidate it
// after the hour.
func (s *Server) embedScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("ETag", fmt.Sprintf(`"%x"`, sha256.Sum256(s.embedJS)))
	http.ServeContent(w, r, "embed.js", time.Time{}, bytes.NewReader(s.embedJS))
}

// buildEmbedScript fills the installation's address and the frame's
// title into web/widget/embed.js; the script checks the origin of every
// message against it.
func buildEmbedScript(base string) ([]byte, error) {
	src, err := web.FS.ReadFile("widget/embed.js")
	if err != nil {
		return nil, err
	}
	// config validates BASE_URL; a server built without one (tests of
	// other things) gets a script that accepts no message.
	origin := ""
	if u, err := url.Parse(base); err == nil && u.Scheme != "" && u.Host != "" {
		origin = u.Scheme + "://" + u.Host
	}
	titles := map[string]string{}
	for _, lang := range i18n.Languages {
		titles[lang] = i18n.T(lang, "widget.frame_title")
	}
	cfg, err := json.Marshal(map[string]any{"base": base, "origin": origin, "lang": i18n.Languages[0], "titles": titles})
	if err != nil {
		return nil, err
	}
	const slot = "FACHTAG_CONFIG"
	if !bytes.Contains(src, []byte(slot)) {
		return nil, fmt.Errorf("embed.js: no %s to fill in", slot)
	}
	return bytes.Replace(src, []byte(slot), cfg, 1), nil
}
