package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/event"
)

func (s *Server) index(w http.ResponseWriter, r *http.Request) error {
	events, err := s.events.ListOpen(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "index", "fachtag", events)
	return nil
}

// publicEvent loads the event of the URL; drafts do not exist publicly.
func (s *Server) publicEvent(ctx context.Context, slug string) (*event.Event, error) {
	ev, err := s.events.Load(ctx, slug)
	if errors.Is(err, event.ErrNotFound) || (err == nil && ev.Status == event.StatusDraft) {
		return nil, errNotFound
	}
	return ev, err
}

type eventView struct {
	Event *event.Event
	Open  bool
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "event", ev.Title, eventView{Event: ev, Open: ev.OpenAt(time.Now())})
	return nil
}
