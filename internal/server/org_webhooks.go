package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/webhook"
)

// The webhooks page of an event: its endpoints (add with an address and
// the event types, delete, rotate the secret, enable again, send a test
// event) and, per endpoint, the delivery log. A secret is shown once, on
// the answer to the form that made it, never in a URL.

type webhooksView struct {
	Event     *event.Event
	Endpoints []webhook.Endpoint
	Types     []string
	URL       string          // the add form as typed
	Chosen    map[string]bool // its checked types
	Errors    map[string]string
	Secret    string // a new secret, on the answer that made it only
	SecretFor string // the address it belongs to
	Notice    string
}

var webhookNotices = map[string]string{"deleted": "webhooks.done_deleted", "enabled": "webhooks.done_enabled",
	"test": "webhooks.done_test"}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request) error {
	v := webhooksView{}
	if key, ok := webhookNotices[r.URL.Query().Get("done")]; ok {
		v.Notice = i18n.T(requestLang(r), key)
	}
	return s.showWebhooks(w, r, http.StatusOK, v)
}

func (s *Server) showWebhooks(w http.ResponseWriter, r *http.Request, status int, v webhooksView) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	if v.Endpoints, err = s.webhooks.List(r.Context(), ev.ID); err != nil {
		return err
	}
	v.Event, v.Types = ev, webhook.Types
	if v.Chosen == nil {
		v.Chosen = map[string]bool{}
	}
	s.renderOrg(w, r, status, "org_webhooks", i18n.T(requestLang(r), "webhooks.title")+" – "+ev.Title, ev, secSetup, v)
	return nil
}

func (s *Server) webhooksCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventForm(w, r)
	if err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	raw, types := strings.TrimSpace(r.PostForm.Get("url")), r.PostForm["types"]
	_, secret, err := s.webhooks.Create(r.Context(), a, id, raw, types)
	var verr *webhook.ValidationError
	if errors.As(err, &verr) {
		v := webhooksView{URL: raw, Chosen: map[string]bool{}, Errors: webhookErrors(requestLang(r), verr)}
		for _, t := range types {
			v.Chosen[t] = true
		}
		return s.showWebhooks(w, r, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	return s.showWebhooks(w, r, http.StatusOK, webhooksView{Secret: secret, SecretFor: raw,
		Notice: i18n.T(requestLang(r), "webhooks.done_created")})
}

func webhookErrors(lang string, verr *webhook.ValidationError) map[string]string {
	out := map[string]string{}
	for field, fe := range verr.Fields {
		out[field] = i18n.T(lang, fe.Key, fe.Args...)
	}
	return out
}

// webhookAction reads the event and the endpoint a form posts to.
func (s *Server) webhookAction(w http.ResponseWriter, r *http.Request) (eventID, endpointID int64, err error) {
	if eventID, err = s.orgEventForm(w, r); err != nil {
		return 0, 0, err
	}
	endpointID, err = strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return 0, 0, errNotFound
	}
	return eventID, endpointID, nil
}

// webhookChange runs one change on an endpoint and sends the organiser
// back with the notice done: to the list when the endpoint is gone, else
// to its page.
func (s *Server) webhookChange(w http.ResponseWriter, r *http.Request, done string,
	change func(ctx context.Context, a auth.Account, eventID, id int64) error) error {
	eventID, id, err := s.webhookAction(w, r)
	if err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	if err := change(r.Context(), a, eventID, id); err != nil {
		return err
	}
	to := "/org/events/" + chi.URLParam(r, "slug") + "/webhooks"
	if done != "deleted" {
		to += "/" + strconv.FormatInt(id, 10)
	}
	http.Redirect(w, r, to+"?done="+done+"&lang="+requestLang(r), http.StatusSeeOther)
	return nil
}

func (s *Server) webhookDelete(w http.ResponseWriter, r *http.Request) error {
	return s.webhookChange(w, r, "deleted", s.webhooks.Delete)
}

func (s *Server) webhookEnable(w http.ResponseWriter, r *http.Request) error {
	return s.webhookChange(w, r, "enabled", s.webhooks.Enable)
}

func (s *Server) webhookTest(w http.ResponseWriter, r *http.Request) error {
	return s.webhookChange(w, r, "test", func(ctx context.Context, a auth.Account, eventID, id int64) error {
		return s.webhooks.SendTest(ctx, a, eventID, chi.URLParam(r, "slug"), id)
	})
}
