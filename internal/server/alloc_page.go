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
	Pins    []allocrun.Pin
	Demand  []slotDemandView
	Report  *allocrun.Report
	Other   *allocrun.Report // the compared run
	Ranks   []string         // profile keys "1", "2", … of the shown runs
	Notice  string
	Error   string
	CanPost bool
}

// allocNotices are the notices after a redirect (?done=…).
var allocNotices = map[string]string{"published": "alloc.published", "pinned": "alloc.pinned", "unpinned": "alloc.unpinned"}

func (s *Server) allocPage(w http.ResponseWriter, r *http.Request) error {
	return s.showAlloc(w, r, http.StatusOK, "")
}

func (s *Server) showAlloc(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	ids, err := allocRunIDs(r, "run", "compare")
	if err != nil {
		return err
	}
	o, err := s.allocs.Overview(r.Context(), ev.Slug, ids...)
	if err != nil {
		return err
	}
	v := allocView{Event: ev, Runs: o.Runs, Pins: o.Pins, Demand: demandViews(o.Demand), Error: errMsg,
		CanPost: ev.Registration.Mode == event.ModePreferences}
	if key, ok := allocNotices[r.URL.Query().Get("done")]; ok && errMsg == "" {
		v.Notice = i18n.T(requestLang(r), key)
	}
	if len(o.Reports) > 0 {
		v.Report = o.Reports[0]
	}
	if len(o.Reports) > 1 {
		v.Other = o.Reports[1]
	}
	v.Ranks = profileRanks(v.Report, v.Other)
	s.renderOrg(w, r, status, "alloc", i18n.T(requestLang(r), "alloc.title"), ev, secAlloc, v)
	return nil
}

// allocRunIDs reads the run ids named by the query parameters, in order;
// the second is only read when the first is there.
func allocRunIDs(r *http.Request, params ...string) ([]int64, error) {
	var ids []int64
	for _, param := range params {
		raw := r.URL.Query().Get(param)
		if raw == "" {
			break
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, errNotFound
		}
		ids = append(ids, id)
	}
	return ids, nil
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

// allocPublishConfirm shows what publishing the run does (how many mails
// go out, who gets an event seat) before the organiser confirms it.
func (s *Server) allocPublishConfirm(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	id, err := runID(r)
	if err != nil {
		return err
	}
	rep, err := s.allocs.Report(r.Context(), ev.Slug, id)
	if err != nil {
		return err
	}
	s.renderOrg(w, r, http.StatusOK, "alloc_publish", i18n.T(requestLang(r), "alloc.confirm_title"), ev, secAlloc, allocView{Event: ev, Report: rep})
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
