package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/reconfirm"
)

// attendView is the answer page of a reconfirmation.
type attendView struct {
	Event  *event.Event
	State  *reconfirm.State
	Token  string
	Choice string // "yes" or "no": preselected
	Open   bool   // may still answer
	Done   string // "yes" or "no" after an answer
	Gone   bool   // asked to come although the seat is gone
	Error  string // the answer field's error
}

func (v attendView) pageEvent() *event.Event { return v.Event }

// attendPage shows the question with the answer of the link preselected.
// It changes nothing: mail scanners open links before people do, so the
// answer needs the one button on the page.
func (s *Server) attendPage(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	st, err := s.rc.Question(r.Context(), token)
	if err != nil {
		return err
	}
	return s.showAttend(w, inLanguage(r, st.Language), http.StatusOK, st, token, r.URL.Query().Get("answer"), "")
}

func (s *Server) showAttend(w http.ResponseWriter, r *http.Request, status int, st *reconfirm.State, token, choice, errMsg string) error {
	v := attendView{Event: st.Event, State: st, Token: token, Choice: choice, Open: st.Open(time.Now()), Error: errMsg}
	if choice != "yes" && choice != "no" {
		v.Choice = ""
		if st.Answer == reconfirm.Yes {
			v.Choice = "yes"
		}
	}
	if done := r.URL.Query().Get("done"); done == "yes" || done == "no" {
		v.Done = done
	}
	v.Gone = v.Choice == "yes" && st.SeatGone && v.Done == ""
	s.render(w, r, status, "attend", i18n.T(requestLang(r), "rc.page_title"), v)
	return nil
}

// attendSubmit records the answer and shows the page again (a reload does
// not repeat it); "yes" after the seat is gone says so kindly.
func (s *Server) attendSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	token, choice := chi.URLParam(r, "token"), r.PostForm.Get("answer")
	if choice != "yes" && choice != "no" {
		st, err := s.rc.Question(r.Context(), token)
		if err != nil {
			return err
		}
		return s.showAttend(w, r, http.StatusUnprocessableEntity, st, token, "", i18n.T(requestLang(r), "rc.err_choose"))
	}
	_, err := s.rc.AnswerByLink(r.Context(), token, choice == "yes")
	if errors.Is(err, reconfirm.ErrSeatGone) {
		st, err := s.rc.Question(r.Context(), token)
		if err != nil {
			return err
		}
		return s.showAttend(w, r, http.StatusConflict, st, token, "yes", "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/attend/"+token+"?done="+choice+"&lang="+requestLang(r), http.StatusSeeOther)
	return nil
}

// manageReconfirm answers the question on the personal page.
func (s *Server) manageReconfirm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	token, choice := chi.URLParam(r, "token"), r.PostForm.Get("answer")
	lang := requestLang(r)
	if choice != "yes" && choice != "no" {
		return s.showManage(w, r, http.StatusUnprocessableEntity, i18n.T(lang, "rc.err_choose"))
	}
	_, err := s.rc.AnswerByPersonalLink(r.Context(), token, choice == "yes")
	if errors.Is(err, reconfirm.ErrSeatGone) {
		return s.showManage(w, r, http.StatusConflict, i18n.T(lang, "rc.gone"))
	}
	return s.afterChange(w, r, token, "reconfirm_"+choice, err)
}
