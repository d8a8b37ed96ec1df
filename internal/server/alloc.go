package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/allocrun"
)

type allocRunRequest struct {
	Fair             bool   `json:"fair"`
	CloseUnderfilled bool   `json:"close_underfilled"`
	Seed             *int64 `json:"seed"`
}

// allocOptions reads the optional body of a run request.
func allocOptions(w http.ResponseWriter, r *http.Request) (allocrun.Options, error) {
	body, err := readBody(w, r)
	if err != nil {
		return allocrun.Options{}, err
	}
	var req allocRunRequest
	if len(body) > 0 {
		if err := decodeJSON(body, &req); err != nil {
			return allocrun.Options{}, err
		}
	}
	return allocrun.Options{Fair: req.Fair, CloseUnderfilled: req.CloseUnderfilled, Seed: req.Seed}, nil
}

func (s *Server) apiAllocRun(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	opts, err := allocOptions(w, r)
	if err != nil {
		return err
	}
	run, err := s.runAllocation(r.Context(), chi.URLParam(r, "slug"), opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, run)
	return nil
}

func (s *Server) apiAllocCompare(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	opts, err := allocOptions(w, r)
	if err != nil {
		return err
	}
	c, err := s.allocs.Compare(r.Context(), chi.URLParam(r, "slug"), opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiAllocDemand(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	d, err := s.allocs.Demand(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"slots": d})
	return nil
}

func (s *Server) apiAllocList(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	runs, err := s.allocs.List(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"allocations": runs})
	return nil
}

// runID is the URL's run id; a malformed one is simply not found.
func runID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return 0, allocrun.ErrNotFound
	}
	return id, nil
}

func (s *Server) apiAllocGet(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	id, err := runID(r)
	if err != nil {
		return err
	}
	rep, err := s.allocs.Report(r.Context(), chi.URLParam(r, "slug"), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiAllocPublish(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	id, err := runID(r)
	if err != nil {
		return err
	}
	pub, err := s.allocs.Publish(r.Context(), chi.URLParam(r, "slug"), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pub)
	return nil
}

func (s *Server) apiPins(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	pins, err := s.allocs.Pins(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"pins": pins})
	return nil
}

type pinRequest struct {
	Workshop string `json:"workshop"`
}

func (s *Server) apiPin(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req pinRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	slug, reg, slot := chi.URLParam(r, "slug"), chi.URLParam(r, "registration"), chi.URLParam(r, "slot")
	if err := s.allocs.Pin(r.Context(), slug, reg, slot, req.Workshop); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, allocrun.Pin{RegistrationID: reg, Slot: slot, Workshop: req.Workshop})
	return nil
}

func (s *Server) apiUnpin(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.orgEventID(r); err != nil {
		return err
	}
	slug, reg, slot := chi.URLParam(r, "slug"), chi.URLParam(r, "registration"), chi.URLParam(r, "slot")
	if err := s.allocs.Unpin(r.Context(), slug, reg, slot); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// runAllocation runs the allocation and records its duration.
func (s *Server) runAllocation(ctx context.Context, slug string, opts allocrun.Options) (*allocrun.Run, error) {
	start := time.Now()
	run, err := s.allocs.Run(ctx, slug, opts)
	s.opts.Metrics.AllocationRun(time.Since(start))
	return run, err
}
