package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/reconfirm"
	"github.com/fachtag/fachtag/internal/registration"
)

type manageView struct {
	Event     *event.Event
	Reg       *booking.Registration
	Token     string
	Notice    string
	Error     string
	CanSwap   bool
	CanCancel bool
	CanLeave  bool // may give up a workshop seat or waiting-list place
	// Reconfirm is the "Kommen Sie?" question, nil if none was asked.
	Reconfirm *reconfirm.State
	CanAnswer bool // the question may still be answered here
	// Certificate: an attendance certificate has been issued to download.
	Certificate bool
}

// registration resolves the personal link of the URL.
func (s *Server) registration(r *http.Request) (*booking.Registration, *event.Event, error) {
	reg, err := s.book.Get(r.Context(), chi.URLParam(r, "token"))
	if errors.Is(err, booking.ErrNotFound) {
		return nil, nil, errLinkNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	ev, err := s.events.LoadByID(r.Context(), reg.EventID)
	return reg, ev, err
}

var notices = map[string]string{"swapped": "manage.swapped", "cancelled": "manage.cancelled", "wishes": "manage.wishes_saved",
	"left_queue": "manage.left_queue", "dropped": "manage.dropped", "reconfirm_yes": "rc.done_yes", "reconfirm_no": "rc.done_no"}

func (s *Server) managePage(w http.ResponseWriter, r *http.Request) error {
	return s.showManage(w, r, http.StatusOK, "")
}

func (s *Server) showManage(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	reg, ev, err := s.registration(r)
	if err != nil {
		return err
	}
	r = inLanguage(r, reg.Language)
	lang := requestLang(r)
	now := time.Now()
	view := manageView{Event: ev, Reg: reg, Token: chi.URLParam(r, "token"), Error: errMsg,
		CanSwap:   ev.OpenAt(now) && reg.Status == registration.Confirmed,
		CanCancel: reg.Status != registration.Cancelled && now.Before(ev.StartsAt),
		CanLeave:  reg.Status == registration.Confirmed && now.Before(ev.StartsAt)}
	if view.Reconfirm, err = s.rc.ForRegistration(r.Context(), reg.ID); err != nil {
		return err
	}
	view.CanAnswer = view.Reconfirm != nil && view.Reconfirm.Open(now)
	if view.Certificate, err = s.certs.Issued(r.Context(), reg.ID); err != nil {
		return err
	}
	if key, ok := notices[r.URL.Query().Get("done")]; ok && errMsg == "" {
		view.Notice = i18n.T(lang, key)
	}
	s.render(w, r, status, "manage", i18n.T(lang, "manage.title"), view)
	return nil
}

// inLanguage makes lang the page language unless the URL names one: a
// personal link opens in the language the person registered in.
func inLanguage(r *http.Request, lang string) *http.Request {
	if r.URL.Query().Get("lang") != "" {
		return r
	}
	r2 := r.Clone(r.Context())
	q := r2.URL.Query()
	q.Set("lang", lang)
	r2.URL.RawQuery = q.Encode()
	return r2
}

func (s *Server) manageSwap(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	token := chi.URLParam(r, "token")
	_, err := s.book.Swap(r.Context(), token, r.PostForm.Get("slot"), r.PostForm.Get("workshop"))
	return s.afterChange(w, r, token, "swapped", err)
}

// manageLeave gives up one booking: a waiting-list place or a seat.
func (s *Server) manageLeave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	token := chi.URLParam(r, "token")
	reg, err := s.book.Leave(r.Context(), token, r.PostForm.Get("slot"), r.PostForm.Get("workshop"))
	done := "dropped"
	if err == nil {
		if _, stillSeated := reg.Booking(r.PostForm.Get("slot"), registration.Confirmed); stillSeated {
			done = "left_queue"
		}
	}
	return s.afterChange(w, r, token, done, err)
}

// leaveButton is the data of the manage page's "leave" partial.
type leaveButton struct {
	Show                                      bool
	Token, Lang, Slot, Workshop, Title, Label string
}

func leaveButtonOf(lang string) func(v manageView, s event.Slot, b booking.Booking) leaveButton {
	return func(v manageView, s event.Slot, b booking.Booking) leaveButton {
		lb := leaveButton{Token: v.Token, Lang: lang, Slot: s.Key, Workshop: b.Workshop, Label: i18n.T(lang, "manage.leave_queue")}
		if w, ok := v.Event.Workshop(b.Workshop); ok {
			lb.Title = w.Title
		}
		if b.Status == registration.Confirmed {
			lb.Label = i18n.T(lang, "manage.drop")
		}
		lb.Show = v.CanLeave && (b.Status == registration.Waitlisted || v.Event.MayStayEmpty(s))
		return lb
	}
}

func (s *Server) manageCancel(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	token := chi.URLParam(r, "token")
	if r.PostForm.Get("confirm") != "yes" {
		return s.showManage(w, r, http.StatusUnprocessableEntity, i18n.T(requestLang(r), "manage.confirm_needed"))
	}
	_, err := s.book.Cancel(r.Context(), token)
	return s.afterChange(w, r, token, "cancelled", err)
}

// afterChange redirects after a successful change (so a reload does not
// repeat it) and shows the manage page with the reason otherwise.
func (s *Server) afterChange(w http.ResponseWriter, r *http.Request, token, done string, err error) error {
	lang := requestLang(r)
	if err == nil {
		http.Redirect(w, r, "/r/"+token+"?done="+done+"&lang="+lang, http.StatusSeeOther)
		return nil
	}
	if errors.Is(err, booking.ErrNotFound) {
		return errLinkNotFound
	}
	p := classify(err)
	if p.status == http.StatusInternalServerError {
		return err
	}
	msg := i18n.T(lang, p.key)
	for _, m := range fieldMessages(err, lang) {
		msg = m
	}
	return s.showManage(w, r, p.status, msg)
}

func (s *Server) calendar(w http.ResponseWriter, r *http.Request) error {
	reg, ev, err := s.registration(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+ev.Slug+`.ics"`)
	_, err = w.Write(mail.Calendar(ev, reg.ID, reg.Bookings))
	return err
}

type resendView struct {
	Event  *event.Event
	Email  string
	Errors map[string]string
	Done   bool
}

func (s *Server) resendForm(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "resend", i18n.T(requestLang(r), "resend.title"), resendView{Event: ev})
	return nil
}

func (s *Server) resendSubmit(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	lang := requestLang(r)
	email := r.PostForm.Get("email")
	view := resendView{Event: ev, Email: email}
	if !plausibleEmail(email) {
		view.Errors = map[string]string{"email": i18n.T(lang, "err.email")}
		s.render(w, r, http.StatusUnprocessableEntity, "resend", i18n.T(lang, "resend.title"), view)
		return nil
	}
	if err := s.book.ResendLink(r.Context(), ev.Slug, email); err != nil {
		return err
	}
	view.Done = true
	s.render(w, r, http.StatusOK, "resend", i18n.T(lang, "resend.title"), view)
	return nil
}
