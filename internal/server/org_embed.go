package server

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/widget"
)

// The organiser's page of the registration widget: the websites that may
// embed the event's form (one a line, every bad line named beside the
// field, nothing saved until all are good) and both snippets to copy.

type embedSetupView struct {
	Event     *event.Event
	Origins   string   // the list as typed, or as saved
	Errors    []string // what is wrong with the list, a line each
	Notice    string
	Saved     bool // the saved list has at least one website
	AllowHTTP bool
	Script    string // the script snippet
	IFrame    string // the iframe snippet
	Preview   string // the embeddable form, to look at
}

func (s *Server) orgEmbedPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	origins, err := s.widget.Origins(r.Context(), ev.Slug)
	if err != nil {
		return err
	}
	v := embedSetupView{Origins: strings.Join(origins, "\n"), Saved: len(origins) > 0}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = i18n.T(requestLang(r), "widget.done_saved")
	}
	s.showEmbedSetup(w, r, http.StatusOK, ev, v)
	return nil
}

func (s *Server) orgEmbedSave(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	text := r.PostForm.Get("origins")
	_, err = s.widget.SetOrigins(r.Context(), a, ev.ID, text, s.opts.EmbedAllowHTTP)
	var oe *widget.OriginsError
	if errors.As(err, &oe) {
		v := embedSetupView{Origins: text, Errors: originMessages(oe, requestLang(r))}
		if saved, err := s.widget.Origins(r.Context(), ev.Slug); err == nil {
			v.Saved = len(saved) > 0
		}
		s.showEmbedSetup(w, r, classify(err).status, ev, v)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(ev.Slug)+"/embed?done=saved&lang="+requestLang(r), http.StatusSeeOther)
	return nil
}

func (s *Server) showEmbedSetup(w http.ResponseWriter, r *http.Request, status int, ev *event.Event, v embedSetupView) {
	lang := requestLang(r)
	base, slug := s.opts.BaseURL, url.PathEscape(ev.Slug)
	v.Event, v.AllowHTTP = ev, s.opts.EmbedAllowHTTP
	v.Script = `<script src="` + base + `/embed.js" data-event="` + html.EscapeString(ev.Slug) + `" async></script>`
	v.IFrame = `<iframe src="` + base + `/events/` + slug + `/embed?lang=` + lang + `" title="` +
		html.EscapeString(i18n.T(lang, "widget.iframe_title", ev.Title)) +
		`" data-fachtag style="display:block;width:100%;height:1600px;border:0"></iframe>` + "\n" +
		`<script src="` + base + `/embed.js" async></script>`
	if ev.Status != event.StatusDraft {
		v.Preview = embedPath(ev.Slug) + "?lang=" + lang
	}
	s.renderOrg(w, r, status, "org_embed", i18n.T(lang, "widget.title")+" – "+ev.Title, ev, secSetup, v)
}

// originMessages says in lang what is wrong with each line of the list.
func originMessages(oe *widget.OriginsError, lang string) []string {
	out := make([]string, len(oe.Lines))
	for i, l := range oe.Lines {
		out[i] = i18n.T(lang, "widget.err_line", l.Line, l.Text, i18n.T(lang, l.Key, l.Args...))
	}
	return out
}
