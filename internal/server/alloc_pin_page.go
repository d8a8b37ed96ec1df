package server

import (
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/allocrun"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// allocPinView is the pin form of one wish-phase participant.
type allocPinView struct {
	Event  *event.Event
	Wisher *allocrun.Wisher
	Run    string            // the run the organiser came from, to return to
	Errors map[string]string // slot key → why its pin was refused
}

func (s *Server) allocPinPage(w http.ResponseWriter, r *http.Request) error {
	return s.showAllocPin(w, r, http.StatusOK, nil)
}

func (s *Server) showAllocPin(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	wr, err := s.allocs.Wisher(r.Context(), ev.Slug, chi.URLParam(r, "registration"))
	if err != nil {
		return err
	}
	v := allocPinView{Event: ev, Wisher: wr, Run: runParam(r), Errors: errs}
	s.renderOrg(w, r, status, "alloc_pin", i18n.T(requestLang(r), "alloc.pin_title", wr.Name), ev, secAlloc, v)
	return nil
}

// allocPinSubmit pins the participant in one slot, or removes the pin
// when no workshop is chosen; the next run keeps it.
func (s *Server) allocPinSubmit(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	slug, reg := chi.URLParam(r, "slug"), chi.URLParam(r, "registration")
	slot, workshop := r.PostForm.Get("slot"), r.PostForm.Get("workshop")
	done := "pinned"
	var err error
	if workshop == "" {
		done, err = "unpinned", s.allocs.Unpin(r.Context(), slug, reg, slot)
	} else {
		err = s.allocs.Pin(r.Context(), slug, reg, slot, workshop)
	}
	if err != nil {
		return s.allocPinFailed(w, r, err)
	}
	q := url.Values{"lang": {requestLang(r)}, "done": {done}}
	if run := runParam(r); run != "" {
		q.Set("run", run)
	}
	http.Redirect(w, r, "/org/events/"+url.PathEscape(slug)+"/allocations?"+q.Encode()+"#pins", http.StatusSeeOther)
	return nil
}

// allocPinFailed shows the form again with the reason in the slot's
// fieldset.
func (s *Server) allocPinFailed(w http.ResponseWriter, r *http.Request, err error) error {
	p := classify(err)
	if p.status == http.StatusInternalServerError || p.status == http.StatusNotFound {
		return err
	}
	msg := i18n.T(requestLang(r), p.key)
	for _, m := range fieldMessages(err, requestLang(r)) {
		msg = m
	}
	return s.showAllocPin(w, r, p.status, map[string]string{r.PostForm.Get("slot"): msg})
}

// runParam is the run the organiser came from (form field or query).
func runParam(r *http.Request) string {
	if v := r.PostFormValue("run"); v != "" {
		return v
	}
	return r.URL.Query().Get("run")
}
