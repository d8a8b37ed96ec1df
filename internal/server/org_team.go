package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// The team page of an event: who works on it, invitations by e-mail,
// role changes and removals. Every change is one auth call that writes
// its audit entry; refusals (the last organiser, a shared account) come
// back on the page in the organiser's language.

type teamView struct {
	Event   *event.Event
	Members []auth.Member
	Me      auth.Account
	Email   string // the invitation form as typed
	Role    string
	Errors  map[string]string
	Error   string
	Notice  string
}

var teamNotices = map[string]string{"invited": "team.done_invited", "added": "team.done_added",
	"role": "team.done_role", "removed": "team.done_removed"}

func (s *Server) teamPage(w http.ResponseWriter, r *http.Request) error {
	v := teamView{Role: auth.RoleCheckin}
	if key, ok := teamNotices[r.URL.Query().Get("done")]; ok {
		v.Notice = i18n.T(requestLang(r), key)
	}
	return s.showTeam(w, r, http.StatusOK, v)
}

func (s *Server) showTeam(w http.ResponseWriter, r *http.Request, status int, v teamView) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	if v.Members, err = s.auth.Members(r.Context(), ev.ID); err != nil {
		return err
	}
	v.Event = ev
	v.Me, _ = accountFrom(r.Context())
	s.renderOrg(w, r, status, "org_team", i18n.T(requestLang(r), "frame.team")+" – "+ev.Title, ev, secTeam, v)
	return nil
}

// teamInvite adds an address to the team; a new one gets a mail with a
// link to set a password (valid auth.InviteValid, through the outbox).
func (s *Server) teamInvite(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEventPosted(w, r)
	if err != nil {
		return err
	}
	lang := requestLang(r)
	a, _ := accountFrom(r.Context())
	inv := auth.Invitation{EventID: ev.ID, EventTitle: ev.Title, Email: r.PostForm.Get("email"), Role: r.PostForm.Get("role"),
		Language: lang, Link: func(token string) string {
			return s.opts.BaseURL + "/org/reset/" + url.PathEscape(token) + "?lang=" + lang
		}}
	created, err := s.auth.Invite(r.Context(), a, inv)
	if err != nil {
		field := "email"
		if r.PostForm.Get("role") != auth.RoleOrganiser && r.PostForm.Get("role") != auth.RoleCheckin {
			field = "role"
		}
		return s.teamRefused(w, r, field, err)
	}
	done := "added"
	if created {
		done = "invited"
	}
	s.redirectTeam(w, r, done)
	return nil
}

func (s *Server) teamSetRole(w http.ResponseWriter, r *http.Request) error {
	return s.teamChange(w, r, func(a auth.Account, eventID, userID int64) (string, error) {
		return "role", s.auth.SetMemberRole(r.Context(), a, eventID, userID, r.PostForm.Get("role"))
	})
}

func (s *Server) teamRemove(w http.ResponseWriter, r *http.Request) error {
	return s.teamChange(w, r, func(a auth.Account, eventID, userID int64) (string, error) {
		return "removed", s.auth.RemoveMember(r.Context(), a, eventID, userID)
	})
}

// teamChange runs a change of one member ({user} in the URL) and shows its
// result.
func (s *Server) teamChange(w http.ResponseWriter, r *http.Request, change func(a auth.Account, eventID, userID int64) (string, error)) error {
	eventID, err := s.orgEventForm(w, r)
	if err != nil {
		return err
	}
	userID, err := strconv.ParseInt(chi.URLParam(r, "user"), 10, 64)
	if err != nil {
		return errNotFound
	}
	a, _ := accountFrom(r.Context())
	done, err := change(a, eventID, userID)
	if err != nil {
		return s.teamRefused(w, r, "", err)
	}
	s.redirectTeam(w, r, done)
	return nil
}

// teamRefused shows the page again with the refusal: beside the field of
// the invitation form, or at the top.
func (s *Server) teamRefused(w http.ResponseWriter, r *http.Request, field string, err error) error {
	p := classify(err)
	if p.status == http.StatusInternalServerError || p.status == http.StatusNotFound || p.status == http.StatusForbidden {
		return err
	}
	msg := i18n.T(requestLang(r), p.key)
	v := teamView{Email: r.PostForm.Get("email"), Role: r.PostForm.Get("role")}
	if field != "" {
		v.Errors = map[string]string{field: msg}
	} else {
		v.Error = msg
	}
	return s.showTeam(w, r, p.status, v)
}

func (s *Server) redirectTeam(w http.ResponseWriter, r *http.Request, done string) {
	http.Redirect(w, r, "/org/events/"+url.PathEscape(chi.URLParam(r, "slug"))+"/team?done="+done+"&lang="+requestLang(r), http.StatusSeeOther)
}
