package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

type wishesRequest struct {
	Preferences map[string][]string `json:"preferences"`
}

// apiChangeWishes is PUT /api/v1/registrations/{token}/preferences.
func (s *Server) apiChangeWishes(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req wishesRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	token := chi.URLParam(r, "token")
	reg, err := s.book.ChangeWishes(r.Context(), token, req.Preferences)
	if err != nil {
		return tokenError(err)
	}
	writeJSON(w, http.StatusOK, s.registrationJSON(reg, token))
	return nil
}

// manageWishes takes the wish form of the manage page: one select per
// rank and slot, named "pref.<slot>.<rank>"; empty selects are skipped.
func (s *Server) manageWishes(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	token := chi.URLParam(r, "token")
	reg, ev, err := s.registration(r)
	if err != nil {
		return err
	}
	prefs := map[string][]string{}
	for _, slot := range ev.Slots {
		for rank := 1; rank <= ev.Registration.MaxPreferences; rank++ {
			if key := r.PostForm.Get("pref." + slot.Key + "." + strconv.Itoa(rank)); key != "" {
				prefs[slot.Key] = append(prefs[slot.Key], key)
			}
		}
	}
	r = inLanguage(r, reg.Language)
	_, err = s.book.ChangeWishes(r.Context(), token, prefs)
	return s.afterChange(w, r, token, "wishes", err)
}

// wishesOpen says whether the manage page offers the wish form: wish
// phase, registration open, wishes not yet allocated.
func wishesOpen(ev *event.Event, reg *booking.Registration) bool {
	return ev.Registration.Mode == event.ModePreferences && reg.Status == registration.Received && ev.OpenAt(time.Now())
}

// wishAt is the workshop key of the rank-th wish (1-based) in slot.
func wishAt(reg *booking.Registration, slot string, rank int) string {
	if list := reg.Preferences[slot]; rank >= 1 && rank <= len(list) {
		return list[rank-1]
	}
	return ""
}
