package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/messages"
)

type messagesView struct {
	Event   *event.Event
	Draft   messages.Draft
	Errors  map[string]string
	Notice  string
	Preview *mail.Rendered
	// PreviewParas is the preview's text as paragraphs of lines, so it
	// wraps on a phone like the mail client would.
	PreviewParas [][]string
	Sample       messages.Recipient
	Recipients   int
	Sent         []messages.Sent
	Reminder     *messages.Reminder
	Days         string // the reminder setting as typed; "" is off
	// Picked are the people of the audience "selected", ticked in the
	// registration list; Back is that list's query.
	Picked []messages.Recipient
	Back   string
}

// ListURL is the registration list the picked people came from.
func (v messagesView) ListURL() string { return listURL(v.Event, v.Back) }

// sampleName stands in for a participant while the audience is empty.
const sampleName = "Erika Mustermann"

func (s *Server) messagesPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := messagesView{Event: ev, Draft: messages.Draft{Audience: q.Get("audience"), People: q["id"]}, Back: q.Get("back")}
	if done := r.URL.Query().Get("done"); done != "" {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		switch done {
		case "sent":
			v.Notice = i18n.T(requestLang(r), "msg.done_sent", n)
		case "reminder":
			v.Notice = i18n.T(requestLang(r), "msg.done_reminder")
		}
	}
	return s.renderMessages(w, r, http.StatusOK, &v)
}

// messagesSubmit handles the three buttons: preview, test send to
// oneself, and send (offered only next to a preview).
func (s *Server) messagesSubmit(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	if err := parseLargeForm(w, r); err != nil {
		return err
	}
	d := messages.Draft{Audience: r.PostForm.Get("audience"), Subject: r.PostForm.Get("subject"), Body: r.PostForm.Get("body"),
		People: r.PostForm["id"], Reason: r.PostForm.Get("reason")}
	v := messagesView{Event: ev, Draft: d, Back: r.PostForm.Get("back")}
	aud, err := d.Check(ev)
	if err != nil {
		return s.messagesInvalid(w, r, &v, err)
	}
	rcpts, err := s.messages.Recipients(r.Context(), ev.ID, aud)
	if err != nil {
		return err
	}
	v.Recipients, v.Sample = len(rcpts), messages.Recipient{Name: sampleName, Language: "de"}
	if len(ev.Languages) > 0 {
		v.Sample.Language = ev.Languages[0]
	}
	if len(rcpts) > 0 {
		v.Sample = rcpts[0]
	}
	a, _ := accountFrom(r.Context())
	switch r.PostForm.Get("action") {
	case "send":
		return s.messagesSend(w, r, &v, a)
	case "test":
		// The test goes to the organiser: it shows the sample name, never a
		// participant's, so no personal data sits in a mail row that belongs
		// to no registration.
		sample := messages.Recipient{Name: sampleName, Language: v.Sample.Language}
		if err := s.messages.SendTest(r.Context(), ev, d, sample, a.Email); err != nil {
			return err
		}
		// The page comes back with the draft as it was (subject, text and
		// recipients): a test is a step before the real send.
		v.Notice = i18n.T(requestLang(r), "msg.done_test")
		return s.renderMessages(w, r, http.StatusOK, &v)
	}
	preview, err := messages.Preview(ev, d, v.Sample)
	if err != nil {
		return err
	}
	v.Preview = &preview
	for _, p := range strings.Split(preview.Text, "\n\n") {
		v.PreviewParas = append(v.PreviewParas, strings.Split(strings.TrimRight(p, "\n"), "\n"))
	}
	return s.renderMessages(w, r, http.StatusOK, &v)
}

func (s *Server) messagesSend(w http.ResponseWriter, r *http.Request, v *messagesView, a auth.Account) error {
	_, n, err := s.messages.Send(r.Context(), v.Event, a.Audit("event.message", v.Event.ID, nil), v.Draft)
	if errors.Is(err, messages.ErrNoRecipients) {
		v.Errors = map[string]string{"audience": i18n.T(requestLang(r), "msg.err_no_recipients")}
		return s.renderMessages(w, r, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return s.messagesInvalid(w, r, v, err)
	}
	s.redirectMessages(w, r, v.Event, "sent", n)
	return nil
}

func (s *Server) messagesInvalid(w http.ResponseWriter, r *http.Request, v *messagesView, err error) error {
	var verr *messages.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	v.Errors = map[string]string{}
	for f, key := range verr.Fields {
		v.Errors[f] = i18n.T(requestLang(r), key)
	}
	return s.renderMessages(w, r, http.StatusUnprocessableEntity, v)
}

func (s *Server) redirectMessages(w http.ResponseWriter, r *http.Request, ev *event.Event, done string, n int) {
	http.Redirect(w, r, "/org/events/"+url.PathEscape(ev.Slug)+"/messages?done="+done+"&n="+strconv.Itoa(n)+"&lang="+requestLang(r), http.StatusSeeOther)
}

func (s *Server) renderMessages(w http.ResponseWriter, r *http.Request, status int, v *messagesView) error {
	ctx := r.Context()
	var err error
	if v.Draft.Audience == messages.AudienceSelected {
		a := messages.Audience{Kind: messages.AudienceSelected, People: v.Draft.People}
		if v.Picked, err = s.messages.Recipients(ctx, v.Event.ID, a); err != nil {
			return err
		}
	}
	if v.Sent, err = s.messages.List(ctx, v.Event.ID); err != nil {
		return err
	}
	if v.Reminder, err = s.messages.QueuedReminder(ctx, v.Event.ID); err != nil {
		return err
	}
	if v.Errors["reminder_days"] == "" {
		days, err := s.messages.ReminderDays(ctx, v.Event.ID)
		if err != nil {
			return err
		}
		v.Days = ""
		if days != nil {
			v.Days = strconv.Itoa(*days)
		}
	}
	s.renderOrg(w, r, status, "org_messages", i18n.T(requestLang(r), "msg.title"), v.Event, secMessages, v)
	return nil
}

// reminderSubmit saves the reminder setting; an empty field turns it off.
func (s *Server) reminderSubmit(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	raw := strings.TrimSpace(r.PostForm.Get("reminder_days"))
	var days *int
	if raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return s.reminderInvalid(w, r, ev, raw)
		}
		days = &n
	}
	a, _ := accountFrom(r.Context())
	err = s.messages.SetReminderDays(r.Context(), ev.ID, days, a.Audit("event.reminder", ev.ID, nil))
	if errors.Is(err, messages.ErrReminderDays) {
		return s.reminderInvalid(w, r, ev, raw)
	}
	if err != nil {
		return err
	}
	s.redirectMessages(w, r, ev, "reminder", 0)
	return nil
}

func (s *Server) reminderInvalid(w http.ResponseWriter, r *http.Request, ev *event.Event, raw string) error {
	v := messagesView{Event: ev, Days: raw, Errors: map[string]string{
		"reminder_days": i18n.T(requestLang(r), "msg.err_days", messages.MaxReminderDays)}}
	return s.renderMessages(w, r, http.StatusUnprocessableEntity, &v)
}
