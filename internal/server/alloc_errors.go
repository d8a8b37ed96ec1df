package server

import (
	"errors"
	"net/http"

	"github.com/fachtag/fachtag/internal/allocrun"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
)

// allocProblem maps the wish phase's and allocation runs' errors; classify
// asks it last.
func allocProblem(err error) (problem, bool) {
	switch {
	case errors.Is(err, allocrun.ErrNotFound):
		return problem{http.StatusNotFound, "not_found", "err.not_found"}, true
	case errors.Is(err, allocrun.ErrRunInProgress):
		return problem{http.StatusConflict, "run_in_progress", "err.run_in_progress"}, true
	case errors.Is(err, allocrun.ErrStaleRun):
		return problem{http.StatusConflict, "stale_run", "err.stale_run"}, true
	case errors.Is(err, allocrun.ErrPublished):
		return problem{http.StatusConflict, "already_published", "err.published"}, true
	case errors.Is(err, allocrun.ErrNotWishPhase):
		return problem{http.StatusConflict, "not_wish_phase", "err.not_wish_phase"}, true
	case errors.Is(err, allocrun.ErrInvalid):
		return problem{http.StatusUnprocessableEntity, "unsolvable", "err.unsolvable"}, true
	case errors.Is(err, booking.ErrNoWishPhase), db.IsCheckViolation(err, "registrations_wish_phase_open"):
		// The second: a wish stored while the allocation was being published.
		return problem{http.StatusConflict, "wish_phase_over", "err.no_wish_phase"}, true
	}
	return problem{}, false
}
