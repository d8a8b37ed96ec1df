package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// copyView is the form that copies an event as the template of its next
// edition.
type copyView struct {
	Event             *event.Event
	Slug, Title, Date string
	Errors            formErrors
	Summary           []formProblem
}

// copyForm proposes the next edition: the same weekday a year later, the
// year in title and slug moved on.
func (s *Server) copyForm(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	from := ev.StartsAt.In(ev.Location())
	next := event.NextYear(from)
	v := copyView{Event: ev, Title: nextEdition(ev.Title, from.Year(), next.Year(), ""),
		Slug: nextEdition(ev.Slug, from.Year(), next.Year(), "-"), Date: next.Format(dateLayout)}
	s.renderOrg(w, r, http.StatusOK, "org_setup_copy", i18n.T(requestLang(r), "copy.title"), ev, secSetup, v)
	return nil
}

// nextEdition is s with the year of the old edition turned into the new
// one; without it, sep and the new year are appended (a slug must change,
// a title may stay).
func nextEdition(s string, from, to int, sep string) string {
	if old := strconv.Itoa(from); strings.Contains(s, old) {
		return strings.ReplaceAll(s, old, strconv.Itoa(to))
	}
	if sep == "" {
		return s
	}
	return s + sep + strconv.Itoa(to)
}

// copySubmit creates the copy and leads to its first tab.
func (s *Server) copySubmit(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	lang := requestLang(r)
	v := copyView{Event: ev, Slug: strings.TrimSpace(r.PostForm.Get("slug")), Title: strings.TrimSpace(r.PostForm.Get("title")),
		Date: r.PostForm.Get("date"), Errors: formErrors{}}
	day, err := time.ParseInLocation(dateLayout, v.Date, ev.Location())
	if err != nil {
		v.Errors.add("date", i18n.T(lang, "setup.err_date"))
	} else {
		a, _ := accountFrom(r.Context())
		if err := saveProblems(v.Errors, s.events.Copy(r.Context(), a, ev, v.Slug, v.Title, day), lang); err != nil {
			return err
		}
	}
	if len(v.Errors) > 0 {
		v.Summary = summarise(lang, v.Errors, nil, "")
		s.renderOrg(w, r, http.StatusUnprocessableEntity, "org_setup_copy", i18n.T(lang, "copy.title"), ev, secSetup, v)
		return nil
	}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(v.Slug)+"/"+setupTabs[0].Path+"?done=copied&lang="+lang, http.StatusSeeOther)
	return nil
}
