package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/web"
)

// pages holds one parsed template set per page and language, parsed once
// at boot so that a broken template stops the server from starting.
type pages struct {
	sets map[string]*template.Template // "de/event" → layout + page
}

var pageNames = []string{"index", "event", "register", "registered", "manage", "resend", "legal", "error", "attend", "org_reconfirm",
	"org_login", "org_home", "org_password", "org_reset", "org_reset_set",
	"alloc", "alloc_publish", "alloc_pin",
	"org_setup", "org_setup_status", "org_setup_import", "org_setup_copy", "org_messages", "org_dashboard",
	"org_list_registrations", "org_list_workshop", "org_workshops", "org_team", "org_tokens", "org_list_person", "org_list_new", "org_checkin", "org_print_attendance", "org_print_badges", "org_embed", "org_list_bulk",
	"org_webhooks", "org_webhook_log", "org_certificates", "org_certificates_send", "verify"}

// embedPageNames are the pages of the embeddable form (embed.go), drawn
// in embed_layout.html: no site header, the legal links in the footer.
// Their sets are named "embed/<name>".
var embedPageNames = []string{"register", "embed_registered", "embed_error"}

func parsePages() (*pages, error) {
	p := &pages{sets: map[string]*template.Template{}}
	for _, lang := range i18n.Languages {
		for _, name := range pageNames {
			if err := p.parse(lang, lang+"/"+name, "layout.html", name); err != nil {
				return nil, err
			}
		}
		for _, name := range embedPageNames {
			if err := p.parse(lang, lang+"/embed/"+name, "embed_layout.html", name); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// parse parses the page name in layout as the set key.
func (p *pages) parse(lang, key, layout, name string) error {
	files := []string{"templates/" + layout, "templates/partials.html", "templates/org_banner.html", "templates/org_frame.html", "templates/" + name + ".html"}
	t, err := template.New(name).Funcs(funcs(lang)).Funcs(allocFuncs(lang)).Funcs(setupFuncs(lang)).ParseFS(web.FS, files...)
	if err != nil {
		return fmt.Errorf("parse template %s: %w", key, err)
	}
	p.sets[key] = t
	return nil
}

// view is what every page template gets.
type view struct {
	Lang  string
	Title string
	URL   *url.URL
	Data  any
	Legal legalLinks // the footer's links to the privacy notice and the imprint
	Frame *frame     // organiser pages: the frame around the content (org_frame.go)
}

// LangURL is the current page in another language.
func (v view) LangURL(lang string) string {
	u := *v.URL
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// render writes a page; the buffer keeps a half-rendered page from going out.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	s.renderView(w, r, status, name, view{Title: title, Data: data})
}

// renderView writes a page with v, filling in the language and the URL.
func (s *Server) renderView(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	v.Lang, v.URL = requestLang(r), r.URL
	t := s.pages.sets[v.Lang+"/"+name]
	var buf bytes.Buffer
	var ev *event.Event
	if p, ok := v.Data.(eventPage); ok {
		ev = p.pageEvent()
	} else if v.Frame != nil {
		ev = v.Frame.Event
	}
	v.Legal = s.legalLinks(ev)
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// page adapts a handler that returns an error.
func (s *Server) page(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// questionField is the data of the shared question-field partial: one of
// the event's questions with its answer and error.
type questionField struct {
	Q        event.Question
	Value    any
	Err      string
	Lang     string
	Required bool
}

// input is the data of the shared text-input partial.
type input struct {
	ID, Label, Value, Type, Autocomplete, Err, Hint string
	Required                                        bool
}

func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return i18n.T(lang, key, args...) },
		"fdate": func(t time.Time, loc *time.Location) string {
			t = t.In(loc)
			if lang == "en" {
				return fmt.Sprintf("%s %d %s %d", t.Weekday().String(), t.Day(), t.Month().String(), t.Year())
			}
			return i18n.LongDate(lang, t)
		},
		"ftime": func(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") },
		"fdatetime": func(t time.Time, loc *time.Location) string {
			t = t.In(loc)
			if lang == "en" {
				return t.Format("2 January 2006, 15:04")
			}
			return fmt.Sprintf("%d. %s %d, %s Uhr", t.Day(), i18n.Month(lang, t.Month()), t.Year(), t.Format("15:04"))
		},
		"join": strings.Join,
		"utc":  func() *time.Location { return time.UTC },
		"seats": func(w event.Workshop) template.HTML {
			return seatsHTML(lang, w)
		},
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i + 1
			}
			return s
		},
		"workshopTitle": func(ev *event.Event, key string) string {
			if w, ok := ev.Workshop(key); ok {
				return w.Title
			}
			return key
		},
		"hint": func(in input, text string) input { in.Hint = text; return in },
		"held": func(reg *booking.Registration, key string) bool {
			for _, b := range reg.Bookings {
				if b.Workshop == key {
					return true
				}
			}
			return false
		},
		"consent":    func(privacy string) template.HTML { return consentHTML(lang, privacy) },
		"wishesOpen": wishesOpen,
		"leaveForm":  leaveButtonOf(lang),
		"wishAt":     wishAt,
		"question": func(q event.Question, answers map[string]any, errs map[string]string, lang string, required bool) questionField {
			return questionField{Q: q, Value: answers[q.Key], Err: errs["answers."+q.Key], Lang: lang, Required: required}
		},
		"input": func(id, label, value string, required bool, typ, autocomplete string, errs map[string]string) input {
			return input{ID: id, Label: label, Value: value, Type: typ, Autocomplete: autocomplete, Err: errs[id], Required: required}
		},
	}
}

func seatsHTML(lang string, w event.Workshop) template.HTML {
	left := w.SeatsLeft()
	switch {
	case left == 0:
		return template.HTML(`<span class="seats full">` + template.HTMLEscapeString(i18n.T(lang, "event.full")) + `</span>`)
	case left == 1:
		return template.HTML(template.HTMLEscapeString(i18n.T(lang, "event.one_seat_left")))
	}
	return template.HTML(template.HTMLEscapeString(i18n.T(lang, "event.seats_left", left)))
}

// consentHTML is the label of the privacy consent, with a link to the
// privacy notice it refers to when there is one. The notice opens in a new
// tab so that the half-filled form stays.
func consentHTML(lang, privacy string) template.HTML {
	if privacy == "" {
		return template.HTML(template.HTMLEscapeString(i18n.T(lang, "form.privacy")))
	}
	before, after, _ := strings.Cut(i18n.T(lang, "legal.consent"), "%s")
	link := `<a href="` + template.HTMLEscapeString(privacy) + `" target="_blank" rel="noopener">` +
		template.HTMLEscapeString(i18n.T(lang, "legal.consent_link")) + `</a>`
	return template.HTML(template.HTMLEscapeString(before) + link + template.HTMLEscapeString(after))
}
