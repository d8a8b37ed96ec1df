package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/event"
)

// index lists the first page of the public events, soonest first.
func (s *Server) index(w http.ResponseWriter, r *http.Request) error {
	now := time.Now()
	events, total, err := s.events.ListPublic(r.Context(), now, 0, event.MaxPageSize)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "index", "fachtag", indexView{Events: events, More: total > len(events), Now: now})
	return nil
}

// indexView is the start page: the events, whether more follow (the API
// and the feed list them), and the time the page speaks of.
type indexView struct {
	Events []*event.Event
	More   bool
	Now    time.Time
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
