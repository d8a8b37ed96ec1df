package server

import (
	"net/http"
	"net/url"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/roster"
)

// A bulk action starts on the list (rows ticked, an action chosen), asks
// on a page of its own, naming everyone, for the reason and the
// confirmation, and ends on a summary of whom it changed and whom it
// skipped, and why. Mail hands the people over to the message composer.

// bulkActions are the actions the list offers, in its order.
var bulkActions = []string{"mail", "move", "cancel", "checkin"}

// actionsFor are the bulk actions of ev: an event without workshops has
// nowhere to move people.
func actionsFor(ev *event.Event) []string {
	if len(ev.Workshops) > 0 {
		return bulkActions
	}
	return []string{"mail", "cancel", "checkin"}
}

type bulkView struct {
	Event    *event.Event
	Action   string
	Workshop string // the target of a move
	Reason   string
	Back     string // the list's query
	Rows     []roster.Row
	Errors   map[string]string
	Result   *booking.BulkResult
	lang     string
}

// Why says why a person was skipped.
func (v bulkView) Why(item booking.BulkItem) string { return i18n.T(v.lang, item.Key, item.Args...) }

// Target is the workshop a move goes to.
func (v bulkView) Target() event.Workshop {
	w, _ := v.Event.Workshop(v.Workshop)
	return w
}

// ListURL is the list the action came from.
func (v bulkView) ListURL() string { return listURL(v.Event, v.Back) }

func validAction(a string) bool {
	for _, b := range bulkActions {
		if a == b {
			return true
		}
	}
	return false
}

// orgBulk is the list's bulk form: without confirm=yes it shows whom the
// action is about and asks for the reason; with it, it acts and shows
// the summary.
func (s *Server) orgBulk(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	f := r.PostForm
	v := bulkView{Event: ev, Action: f.Get("action"), Workshop: f.Get("workshop"), Reason: f.Get("reason"), Back: f.Get("back"),
		lang: requestLang(r)}
	ids := f["id"]
	if !validAction(v.Action) {
		v.Errors = map[string]string{"action": i18n.T(requestLang(r), "bulk.err_action")}
		return s.bulkConfirm(w, r, &v, ids, http.StatusUnprocessableEntity)
	}
	if v.Action == "mail" && len(ids) > 0 {
		http.Redirect(w, r, mailURL(ev, ids, v.Back, requestLang(r)), http.StatusSeeOther)
		return nil
	}
	if f.Get("confirm") != "yes" {
		return s.bulkConfirm(w, r, &v, ids, http.StatusOK)
	}
	v.Result, err = s.bulkRun(r, ev.ID, v, ids)
	p := classify(err)
	switch {
	case err == nil:
		s.renderOrg(w, r, http.StatusOK, "org_list_bulk", i18n.T(requestLang(r), "bulk.result_title"), ev, secLists, v)
		return nil
	case p.status == http.StatusUnprocessableEntity:
		v.Errors = fieldMessages(err, requestLang(r))
		return s.bulkConfirm(w, r, &v, ids, p.status)
	}
	return err
}

// bulkRun is the one domain call of a confirmed bulk action.
func (s *Server) bulkRun(r *http.Request, eventID int64, v bulkView, ids []string) (*booking.BulkResult, error) {
	ctx := r.Context()
	m := manual(r)
	m.Override = false
	switch v.Action {
	case "move":
		return s.book.BulkMove(ctx, eventID, ids, v.Workshop, m)
	case "cancel":
		return s.book.BulkCancel(ctx, eventID, ids, m)
	}
	a, _ := accountFrom(ctx)
	return s.roster.BulkCheckIn(ctx, a, eventID, ids, v.Reason)
}

// bulkConfirm shows the confirmation step: the people, the reason field
// and, when the last try failed, why.
func (s *Server) bulkConfirm(w http.ResponseWriter, r *http.Request, v *bulkView, ids []string, status int) error {
	var err error
	if v.Rows, err = s.roster.Pick(r.Context(), v.Event.ID, ids); err != nil {
		return err
	}
	lang := requestLang(r)
	fail := func(field, key string) {
		if v.Errors == nil {
			v.Errors = map[string]string{}
		}
		v.Errors[field], status = i18n.T(lang, key), http.StatusUnprocessableEntity
	}
	if len(v.Rows) == 0 {
		fail("ids", "bulk.err_none")
	}
	if _, ok := v.Event.Workshop(v.Workshop); v.Action == "move" && !ok && v.Errors["workshop"] == "" {
		fail("workshop", "bulk.err_workshop")
	}
	s.renderOrg(w, r, status, "org_list_bulk", i18n.T(lang, "bulk.confirm_title"), v.Event, secLists, v)
	return nil
}

// mailURL hands the ticked people to the message composer.
func mailURL(ev *event.Event, ids []string, back, lang string) string {
	q := url.Values{"audience": {"selected"}, "lang": {lang}, "back": {back}}
	for _, id := range booking.UniqueIDs(ids) {
		q.Add("id", id)
	}
	return (&url.URL{Path: "/org/events/" + ev.Slug + "/messages", RawQuery: q.Encode()}).String()
}
