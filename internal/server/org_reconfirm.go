package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/reconfirm"
)

// reconfirmView is the organiser's reconfirmation page: the settings form
// and the plan of the saved settings in the event's time zone.
type reconfirmView struct {
	Event       *event.Event
	Input       reconfirm.Input
	Errors      map[string]string
	Saved       reconfirm.Settings
	Plan        reconfirm.Plan
	Notice      string
	Lead        int // hours of the reminder before the deadline (reconfirm.ReminderLead)
	NoticeHours int // hours a question must precede the deadline to release its seat
}

func (s *Server) reconfirmPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	v := &reconfirmView{Event: ev}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = i18n.T(requestLang(r), "rc.saved")
	}
	return s.renderReconfirm(w, r, http.StatusOK, v)
}

// renderReconfirm fills in the saved settings (and, without an input of
// its own, the form from them) and renders the page.
func (s *Server) renderReconfirm(w http.ResponseWriter, r *http.Request, status int, v *reconfirmView) error {
	saved, plan, err := s.rc.Settings(r.Context(), v.Event)
	if err != nil {
		return err
	}
	v.Saved, v.Plan = saved, plan
	v.Lead, v.NoticeHours = int(reconfirm.ReminderLead.Hours()), int(reconfirm.NoticeBeforeRelease.Hours())
	if v.Errors == nil {
		v.Input = inputOf(saved)
	}
	s.renderOrg(w, r, status, "org_reconfirm", i18n.T(requestLang(r), "rc.title"), v.Event, secSetup, v)
	return nil
}

// inputOf shows saved settings in the form: the deadline in days when it
// is a whole number of days.
func inputOf(st reconfirm.Settings) reconfirm.Input {
	in := reconfirm.Input{Enabled: st.Enabled, SendDays: strconv.Itoa(st.SendDays), Remind: st.Remind, Release: st.Release,
		DeadlineValue: strconv.Itoa(st.DeadlineHours), DeadlineUnit: "hours"}
	if st.DeadlineHours%24 == 0 {
		in.DeadlineValue, in.DeadlineUnit = strconv.Itoa(st.DeadlineHours/24), "days"
	}
	return in
}

// reconfirmSave saves the settings, or shows every problem next to its
// field and saves nothing.
func (s *Server) reconfirmSave(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	f := r.PostForm
	in := reconfirm.Input{Enabled: f.Get("enabled") == "yes", SendDays: f.Get("send_days"),
		DeadlineValue: f.Get("deadline_value"), DeadlineUnit: f.Get("deadline_unit"),
		Remind: f.Get("remind") == "yes", Release: f.Get("release") == "yes"}
	a, _ := accountFrom(r.Context())
	_, err = s.rc.Save(r.Context(), ev, in, a.Audit("event.reconfirm", ev.ID, nil))
	var invalid *reconfirm.InvalidError
	if errors.As(err, &invalid) {
		lang := requestLang(r)
		v := &reconfirmView{Event: ev, Input: in, Errors: map[string]string{}}
		for field, p := range invalid.Fields {
			v.Errors[field] = i18n.T(lang, p.Key, p.Args...)
		}
		return s.renderReconfirm(w, r, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/org/events/"+ev.Slug+"/reconfirm?done=saved&lang="+requestLang(r), http.StatusSeeOther)
	return nil
}
