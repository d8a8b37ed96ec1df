package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/webhook"
)

// One endpoint's page: its state, the actions on it and its delivery log
// (every attempt with the answer's status, duration and body).

type webhookLogView struct {
	Event    *event.Event
	Endpoint webhook.Endpoint
	Attempts []webhook.Attempt
	Secret   string // a new secret, on the answer to "rotate" only
	Notice   string
}

func (s *Server) webhookLogPage(w http.ResponseWriter, r *http.Request) error {
	v := webhookLogView{}
	if key, ok := webhookNotices[r.URL.Query().Get("done")]; ok {
		v.Notice = i18n.T(requestLang(r), key)
	}
	return s.showWebhookLog(w, r, v)
}

func (s *Server) showWebhookLog(w http.ResponseWriter, r *http.Request, v webhookLogView) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if v.Endpoint, err = s.webhooks.Get(r.Context(), ev.ID, id); err != nil {
		return err
	}
	if v.Attempts, err = s.webhooks.Log(r.Context(), ev.ID, id); err != nil {
		return err
	}
	v.Event = ev
	s.renderOrg(w, r, http.StatusOK, "org_webhook_log", i18n.T(requestLang(r), "webhooks.log_title")+" – "+ev.Title, ev, secSetup, v)
	return nil
}

// webhookRotate gives the endpoint a new secret and shows it this once.
func (s *Server) webhookRotate(w http.ResponseWriter, r *http.Request) error {
	ev, id, err := s.webhookAction(w, r)
	if err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	secret, err := s.webhooks.Rotate(r.Context(), a, ev, id)
	if err != nil {
		return err
	}
	return s.showWebhookLog(w, r, webhookLogView{Secret: secret, Notice: i18n.T(requestLang(r), "webhooks.done_rotated")})
}
