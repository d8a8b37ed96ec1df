package server

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// Legal pages: every event has a privacy notice and an imprint, its own
// (event file) or the installation's (Options.Privacy, Options.Imprint).
// A text is served at /events/{slug}/privacy and …/imprint (or /privacy
// and /imprint outside an event); an address is linked directly. Every
// page footer, every mail and the consent text of the form link them.

// legalKinds are the two documents, named as in their routes.
const (
	legalPrivacy = "privacy"
	legalImprint = "imprint"
)

// legalLinks are a page's links to the privacy notice and the imprint;
// "" where none is configured.
type legalLinks struct{ Privacy, Imprint string }

// legalOf is the document of kind that applies to ev (nil: outside any
// event).
func (s *Server) legalOf(ev *event.Event, kind string) event.Legal {
	def, own := s.opts.Privacy, event.Legal{}
	if kind == legalImprint {
		def = s.opts.Imprint
	}
	if ev != nil {
		own = ev.Privacy
		if kind == legalImprint {
			own = ev.Imprint
		}
	}
	return own.Or(def)
}

// legalHref is where a link to the document of kind points: its address,
// or the page that shows its text.
func legalHref(l event.Legal, ev *event.Event, kind string) string {
	switch {
	case l.URL != "":
		return l.URL
	case l.Text == "":
		return ""
	case ev != nil:
		return "/events/" + ev.Slug + "/" + kind
	}
	return "/" + kind
}

func (s *Server) legalLinks(ev *event.Event) legalLinks {
	return legalLinks{Privacy: legalHref(s.legalOf(ev, legalPrivacy), ev, legalPrivacy),
		Imprint: legalHref(s.legalOf(ev, legalImprint), ev, legalImprint)}
}

// MailLegalLinks gives the mail worker the absolute addresses of an
// event's privacy notice and imprint ("" for none).
func (s *Server) MailLegalLinks(ev *event.Event) (privacy, imprint string) {
	abs := func(href string) string {
		if strings.HasPrefix(href, "/") {
			return s.opts.BaseURL + href
		}
		return href
	}
	l := s.legalLinks(ev)
	return abs(l.Privacy), abs(l.Imprint)
}

// eventPage is page data that belongs to an event; its footer links the
// event's legal documents.
type eventPage interface{ pageEvent() *event.Event }

func (v eventView) pageEvent() *event.Event    { return v.Event }
func (v registerView) pageEvent() *event.Event { return v.Event }
func (v manageView) pageEvent() *event.Event   { return v.Event }
func (v resendView) pageEvent() *event.Event   { return v.Event }
func (v legalView) pageEvent() *event.Event    { return v.Event }

type legalView struct {
	Event      *event.Event // nil outside an event
	Kind       string
	Paragraphs [][]string
}

func (s *Server) eventPrivacy(w http.ResponseWriter, r *http.Request) error {
	return s.eventLegal(w, r, legalPrivacy)
}

func (s *Server) eventImprint(w http.ResponseWriter, r *http.Request) error {
	return s.eventLegal(w, r, legalImprint)
}

func (s *Server) eventLegal(w http.ResponseWriter, r *http.Request, kind string) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	return s.showLegal(w, r, ev, kind)
}

func (s *Server) sitePrivacy(w http.ResponseWriter, r *http.Request) error {
	return s.showLegal(w, r, nil, legalPrivacy)
}

func (s *Server) siteImprint(w http.ResponseWriter, r *http.Request) error {
	return s.showLegal(w, r, nil, legalImprint)
}

// showLegal shows the text of the document, sends the reader on to its
// address, or answers 404 when there is none.
func (s *Server) showLegal(w http.ResponseWriter, r *http.Request, ev *event.Event, kind string) error {
	l := s.legalOf(ev, kind)
	switch {
	case l.URL != "":
		http.Redirect(w, r, l.URL, http.StatusFound)
		return nil
	case l.Text == "":
		return errNotFound
	}
	view := legalView{Event: ev, Kind: kind, Paragraphs: textParagraphs(l.Text)}
	s.render(w, r, http.StatusOK, "legal", i18n.T(requestLang(r), "legal."+kind), view)
	return nil
}

// textParagraphs splits plain text at blank lines into paragraphs of lines.
func textParagraphs(text string) [][]string {
	var out [][]string
	for _, block := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(block) == "" {
			continue
		}
		out = append(out, strings.Split(strings.TrimSpace(block), "\n"))
	}
	return out
}
