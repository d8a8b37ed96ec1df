package server

import (
	"net/http"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

// orgWorkshopsPage lists the event's workshops per slot with their fill,
// their waiting list and links to each workshop's lists; the loaded event
// carries every figure it shows.
func (s *Server) orgWorkshopsPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	title := i18n.T(requestLang(r), "frame.workshops") + " – " + ev.Title
	s.renderOrg(w, r, http.StatusOK, "org_workshops", title, ev, secWorkshops, struct{ Event *event.Event }{ev})
	return nil
}
