package server

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"
	"rsc.io/qr"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/registration"
	"github.com/fachtag/fachtag/internal/roster"
)

type checkinView struct {
	Event   *event.Event
	Query   string
	Rows    []roster.Row
	ByCode  bool // the query was a check-in code and found this person
	Counts  []roster.Count
	Notice  string
	Error   string
	Manage  bool              // the account may open the lists too
	Checked map[string]string // registration id → check-in time, formatted
}

// orgCheckinPage is the phone page of the event day: search by name,
// organisation or check-in code, one tap to check in or undo, and the
// counts per workshop.
func (s *Server) orgCheckinPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCheckin(w, r, http.StatusOK, "", "")
}

func (s *Server) showCheckin(w http.ResponseWriter, r *http.Request, status int, notice, errMsg string) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	v := checkinView{Event: ev, Query: r.URL.Query().Get("q"), Notice: notice, Error: errMsg, Manage: a.May(auth.ManageEvents),
		Checked: map[string]string{}}
	if v.Rows, v.ByCode, err = s.checkinSearch(r, ev.ID, v.Query); err != nil {
		return err
	}
	for _, row := range v.Rows {
		if row.CheckedInAt != nil {
			v.Checked[row.ID] = row.CheckedInAt.In(ev.Location()).Format("15:04")
		}
	}
	if v.Counts, err = s.roster.Counts(r.Context(), ev.ID); err != nil {
		return err
	}
	s.renderOrg(w, r, status, "org_checkin", i18n.T(requestLang(r), "checkin.title")+" – "+ev.Title, ev, secCheckin, v)
	return nil
}

// checkinSearch looks the query up as a code first, then as a name.
func (s *Server) checkinSearch(r *http.Request, eventID int64, q string) ([]roster.Row, bool, error) {
	if q == "" {
		return nil, false, nil
	}
	if _, ok := roster.NormaliseCode(q); ok {
		p, err := s.roster.ByCode(r.Context(), eventID, q)
		if err == nil {
			return []roster.Row{p.Row}, true, nil
		}
		if !errors.Is(err, roster.ErrNotFound) {
			return nil, false, err
		}
	}
	rows, _, err := s.roster.List(r.Context(), eventID, &roster.Filter{Query: q, Sort: "name", Limit: 25})
	return rows, false, err
}

// orgCheckinSubmit checks a person in (action=in) or undoes it, then
// goes back to the same search.
func (s *Server) orgCheckinSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventForm(w, r)
	if err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	in := r.PostForm.Get("action") != "undo"
	_, err = s.roster.CheckIn(r.Context(), a, id, chi.URLParam(r, "id"), in)
	lang := requestLang(r)
	q := url.Values{"lang": {lang}, "q": {r.PostForm.Get("q")}}
	if errors.Is(err, roster.ErrNotConfirmed) {
		r.URL.RawQuery = q.Encode()
		return s.showCheckin(w, r, http.StatusConflict, "", i18n.T(lang, "checkin.err_not_confirmed"))
	}
	if err != nil {
		return err
	}
	q.Set("done", map[bool]string{true: "in", false: "undo"}[in])
	http.Redirect(w, r, "/org/events/"+chi.URLParam(r, "slug")+"/checkin?"+q.Encode(), http.StatusSeeOther)
	return nil
}

type countJSON struct {
	Workshop  string `json:"workshop"` // "" for the whole event
	CheckedIn int    `json:"checked_in"`
	Confirmed int    `json:"confirmed"`
}

// orgCheckinCounts feeds checkin.js, which refreshes the counts while the
// page is open.
func (s *Server) orgCheckinCounts(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventID(r)
	if err != nil {
		return err
	}
	counts, err := s.roster.Counts(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]countJSON, len(counts))
	for i, c := range counts {
		out[i] = countJSON{Workshop: c.Key, CheckedIn: c.CheckedIn, Confirmed: c.Confirmed}
	}
	writeJSON(w, http.StatusOK, map[string]any{"counts": out, "at": time.Now().UTC()})
	return nil
}

// participantQR is the PNG QR code of the check-in code behind a personal
// link, for the participant's page and mails.
func (s *Server) participantQR(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.book.Get(r.Context(), chi.URLParam(r, "token"))
	if errors.Is(err, booking.ErrNotFound) {
		return errLinkNotFound
	}
	if err != nil {
		return err
	}
	if reg.Status == registration.Cancelled {
		return errLinkNotFound
	}
	return s.writeQR(w, r, reg.ID)
}

// orgPersonQR is the same code for the organiser's badges.
func (s *Server) orgPersonQR(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	p, err := s.roster.Person(r.Context(), ev.ID, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	return s.writeQR(w, r, p.ID)
}

func (s *Server) writeQR(w http.ResponseWriter, r *http.Request, regID string) error {
	code, err := s.roster.Code(r.Context(), regID)
	if err != nil {
		return err
	}
	c, err := qr.Encode(code, qr.M)
	if err != nil {
		return err
	}
	c.Scale = 8
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(c.PNG())
	return err
}
