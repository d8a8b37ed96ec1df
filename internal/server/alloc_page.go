package server

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/allocrun"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

type allocView struct {
	Event   *event.Event
	Runs    []allocrun.Summary
	Report  *allocrun.Report
	Other   *allocrun.Report // the compared run
	Ranks   []string         // profile keys "1", "2", … of the shown runs
	Notice  string
	Error   string
	CanPost bool
}

func (s *Server) allocPage(w http.ResponseWriter, r *http.Request) error {
	return s.showAlloc(w, r, http.StatusOK, "")
}

func (s *Server) showAlloc(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	v := allocView{Event: ev, Error: errMsg, CanPost: ev.Registration.Mode == event.ModePreferences}
	if r.URL.Query().Get("done") == "published" && errMsg == "" {
		v.Notice = i18n.T(requestLang(r), "alloc.published")
	}
	if v.Runs, err = s.allocs.List(r.Context(), ev.Slug); err != nil {
		return err
	}
	if v.Report, err = s.allocReport(r, ev.Slug, "run"); err != nil {
		return err
	}
	if v.Other, err = s.allocReport(r, ev.Slug, "compare"); err != nil {
		return err
	}
	v.Ranks = profileRanks(v.Report, v.Other)
	s.renderOrg(w, r, status, "alloc", i18n.T(requestLang(r), "alloc.title"), ev, secAlloc, v)
	return nil
}

// allocReport loads the run named by the query parameter, if any.
func (s *Server) allocReport(r *http.Request, slug, param string) (*allocrun.Report, error) {
	raw := r.URL.Query().Get(param)
	if raw == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errNotFound
	}
	return s.allocs.Report(r.Context(), slug, id)
}

func profileRanks(reps ...*allocrun.Report) []string {
	seen := map[int]bool{}
	for _, rep := range reps {
		if rep == nil {
			continue
		}
		for k := range rep.Profile {
			if n, err := strconv.Atoi(k); err == nil {
				seen[n] = true
			}
		}
	}
	ranks := make([]int, 0, len(seen))
	for n := range seen {
		ranks = append(ranks, n)
	}
	sort.Ints(ranks)
	out := make([]string, len(ranks))
	for i, n := range ranks {
		out[i] = strconv.Itoa(n)
	}
	return out
}

func (s *Server) allocPageRun(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	slug := chi.URLParam(r, "slug")
	opts := allocrun.Options{Fair: r.PostForm.Get("fair") == "on", CloseUnderfilled: r.PostForm.Get("close") == "on"}
	q := url.Values{"lang": {requestLang(r)}}
	if r.PostForm.Get("compare") != "" {
		c, err := s.allocs.Compare(r.Context(), slug, opts)
		if err != nil {
			return s.allocFailed(w, r, err)
		}
		q.Set("run", strconv.FormatInt(c.Plain.ID, 10))
		q.Set("compare", strconv.FormatInt(c.Fair.ID, 10))
	} else {
		run, err := s.runAllocation(r.Context(), slug, opts)
		if err != nil {
			return s.allocFailed(w, r, err)
		}
		q.Set("run", strconv.FormatInt(run.ID, 10))
	}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(slug)+"/allocations?"+q.Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) allocPagePublish(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := runID(r)
	if err != nil {
		return err
	}
	slug := chi.URLParam(r, "slug")
	if _, err := s.allocs.Publish(r.Context(), slug, id); err != nil {
		return s.allocFailed(w, r, err)
	}
	q := url.Values{"lang": {requestLang(r)}, "run": {strconv.FormatInt(id, 10)}, "done": {"published"}}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(slug)+"/allocations?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// allocFailed shows the page again with the reason of a refused action.
func (s *Server) allocFailed(w http.ResponseWriter, r *http.Request, err error) error {
	p := classify(err)
	if p.status == http.StatusInternalServerError || errors.Is(err, allocrun.ErrNotFound) {
		return err
	}
	msg := i18n.T(requestLang(r), p.key)
	for _, m := range fieldMessages(err, requestLang(r)) {
		msg = m
	}
	return s.showAlloc(w, r, p.status, msg)
}
