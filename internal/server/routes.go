package server

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/web"
)

// Handler returns the HTTP handler with every route and protection.
func (s *Server) Handler() http.Handler {
	return s.router()
}

// router registers every route of the service; they are all in this file.
func (s *Server) router() chi.Router {
	r := chi.NewRouter()
	r.Use(s.observe, s.recoverPanics, s.securityHeaders, s.crossOrigin())
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	static, _ := fs.Sub(web.FS, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	r.Get("/", s.page(s.index))
	r.Get("/privacy", s.page(s.sitePrivacy))
	r.Get("/imprint", s.page(s.siteImprint))
	r.Route("/events/{slug}", s.eventRoutes)
	r.Route("/r/{token}", s.personalRoutes)
	r.Route("/api/v1", s.apiRoutes)
	r.Route("/org", s.orgRoutes)
	// Attendance certificates: the public check of a certificate's code.
	r.With(noStore, s.limitIn(verifyScope)).Get("/v/{code}", s.page(s.verifyPage))
	r.NotFound(s.page(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	return r
}

// eventRoutes are the public pages of an event; POSTs are rate-limited.
func (s *Server) eventRoutes(r chi.Router) {
	r.Get("/", s.page(s.eventPage))
	r.Get("/register", s.page(s.registerForm))
	r.With(s.limit).Post("/register", s.page(s.registerSubmit))
	r.Get("/link", s.page(s.resendForm))
	r.With(s.limit).Post("/link", s.page(s.resendSubmit))
	r.Get("/registered", s.page(s.registeredPage))
	r.Get("/privacy", s.page(s.eventPrivacy))
	r.Get("/imprint", s.page(s.eventImprint))
}

// personalRoutes are the pages behind a participant's personal link.
func (s *Server) personalRoutes(r chi.Router) {
	r.Use(noStore)
	r.Get("/", s.page(s.managePage))
	r.With(s.limit).Post("/swap", s.page(s.manageSwap))
	r.With(s.limit).Post("/cancel", s.page(s.manageCancel))
	r.With(s.limit).Post("/leave", s.page(s.manageLeave))
	r.With(s.limit).Post("/wishes", s.page(s.manageWishes))
	r.Get("/calendar.ics", s.page(s.calendar))
	r.Get("/qr.png", s.page(s.participantQR))
	r.Get("/certificate.pdf", s.page(s.certDownload))
}

// apiRoutes are the JSON API v1: the participant's endpoints (public, the
// personal ones behind the token in the URL) and the organiser's (Bearer
// token, a role that manages events, membership of the event in the URL,
// checked by every handler). openapi.go describes every one of them.
func (s *Server) apiRoutes(r chi.Router) {
	r.Use(noStore)
	r.Get("/openapi.json", s.openAPI)
	r.Get("/events/{slug}", s.api(s.apiEvent))
	r.With(s.limit).Post("/events/{slug}/registrations", s.api(s.apiRegister))
	r.With(s.limit).Post("/events/{slug}/link", s.api(s.apiResendLink))
	r.Get("/registrations/{token}", s.api(s.apiRegistration))
	r.With(s.limit).Delete("/registrations/{token}", s.api(s.apiCancel))
	r.With(s.limit).Put("/registrations/{token}/bookings/{slot}", s.api(s.apiSwap))
	r.With(s.limit).Delete("/registrations/{token}/bookings/{slot}", s.api(s.apiLeave))
	r.With(s.limit).Put("/registrations/{token}/preferences", s.api(s.apiChangeWishes))
	r.Group(func(r chi.Router) {
		r.Use(s.requireToken, s.requireRole(auth.ManageEvents))
		r.Post("/events", s.api(s.orgCreateEvent))
		r.Put("/events/{slug}", s.api(s.orgPutEvent))
		r.Post("/events/{slug}/status", s.api(s.orgSetStatus))
		r.Get("/events/{slug}/registrations", s.api(s.orgRegistrations))
		r.Get("/events/{slug}/workshops/{key}/participants", s.api(s.orgParticipants))
		r.Get("/events/{slug}/export.csv", s.api(s.orgExportCSV))
		r.Get("/events/{slug}/export.xlsx", s.api(s.orgExportXLSX))
		r.Get("/events/{slug}/allocations", s.api(s.apiAllocList))
		r.Get("/events/{slug}/allocations/demand", s.api(s.apiAllocDemand))
		r.Post("/events/{slug}/allocations", s.api(s.apiAllocRun))
		r.Post("/events/{slug}/allocations/compare", s.api(s.apiAllocCompare))
		r.Get("/events/{slug}/allocations/{id}", s.api(s.apiAllocGet))
		r.Post("/events/{slug}/allocations/{id}/publish", s.api(s.apiAllocPublish))
		r.Get("/events/{slug}/pins", s.api(s.apiPins))
		r.Put("/events/{slug}/pins/{registration}/{slot}", s.api(s.apiPin))
		r.Delete("/events/{slug}/pins/{registration}/{slot}", s.api(s.apiUnpin))
	})
	r.NotFound(s.api(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: apiErrorBody{Code: "method_not_allowed",
			Message: i18n.T(requestLang(r), "err.not_found")}})
	})
}

// orgRoutes are the organiser's HTML pages. Login and password reset are
// open (and rate-limited); everything else needs a session and a changed
// one-time password; every handler of an event checks the account's access
// to it (s.orgEventID), so an event the account may not see is 404.
func (s *Server) orgRoutes(r chi.Router) {
	r.Use(noStore)
	r.Get("/login", s.page(s.loginForm))
	r.With(s.limit).Post("/login", s.page(s.loginSubmit))
	r.Get("/reset", s.page(s.resetRequestForm))
	r.With(s.limit).Post("/reset", s.page(s.resetRequestSubmit))
	r.Get("/reset/{token}", s.page(s.resetForm))
	r.With(s.limit).Post("/reset/{token}", s.page(s.resetSubmit))
	r.Group(func(r chi.Router) {
		r.Use(s.requireSession)
		r.Post("/logout", s.page(s.logout))
		r.Get("/password", s.page(s.passwordForm))
		r.Post("/password", s.page(s.passwordSubmit))
		r.Group(func(r chi.Router) {
			r.Use(s.requirePasswordChanged)
			r.Get("/", s.page(s.orgHome))
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.ManageEvents))
				s.managerRoutes(r)
			})
			r.Group(func(r chi.Router) {
				r.Use(s.requireRole(auth.CheckIn))
				s.checkinRoutes(r)
			})
		})
	})
}

// managerRoutes are the pages of organisers who manage events: setup,
// messages, dashboard, allocation, lists, manual actions, printables,
// exports, the event's team and the account's API tokens.
func (s *Server) managerRoutes(r chi.Router) {
	r.Get("/events/new", s.page(s.setupNew))
	r.Post("/events/new", s.page(s.setupCreate))
	r.Get("/events/import", s.page(s.setupImportForm))
	r.Post("/events/import", s.page(s.setupImport))
	r.Get("/events/{slug}/setup", s.page(s.setupEdit))
	r.Post("/events/{slug}/setup", s.page(s.setupSave))
	r.Post("/events/{slug}/status", s.page(s.setupStatus))
	r.Get("/events/{slug}/event.json", s.page(s.setupExport))
	r.Get("/events/{slug}/messages", s.page(s.messagesPage))
	r.Post("/events/{slug}/messages", s.page(s.messagesSubmit))
	r.Post("/events/{slug}/messages/reminder", s.page(s.reminderSubmit))
	r.Get("/events/{slug}/dashboard", s.page(s.dashboardPage))
	r.Get("/events/{slug}/allocations", s.page(s.allocPage))
	r.Post("/events/{slug}/allocations", s.page(s.allocPageRun))
	r.Get("/events/{slug}/allocations/{id}/publish", s.page(s.allocPublishConfirm))
	r.Post("/events/{slug}/allocations/{id}/publish", s.page(s.allocPagePublish))
	r.Get("/events/{slug}/allocations/pins/{registration}", s.page(s.allocPinPage))
	r.Post("/events/{slug}/allocations/pins/{registration}", s.page(s.allocPinSubmit))
	r.Get("/events/{slug}/export.csv", s.page(s.orgExportCSV))
	r.Get("/events/{slug}/export.xlsx", s.page(s.orgExportXLSX))
	r.Get("/events/{slug}/lists", s.page(s.orgListPage))
	r.Get("/events/{slug}/lists/new", s.page(s.orgNewForm))
	r.Post("/events/{slug}/lists/new", s.page(s.orgNewSubmit))
	r.Get("/events/{slug}/lists/people/{id}", s.page(s.orgPersonPage))
	r.Get("/events/{slug}/lists/people/{id}/qr.png", s.page(s.orgPersonQR))
	r.Post("/events/{slug}/lists/people/{id}/move", s.page(s.orgPersonMove))
	r.Post("/events/{slug}/lists/people/{id}/cancel", s.page(s.orgPersonCancel))
	r.Post("/events/{slug}/lists/people/{id}/resend", s.page(s.orgPersonResend))
	r.Post("/events/{slug}/lists/people/{id}/correct", s.page(s.orgPersonCorrect))
	r.Get("/events/{slug}/lists/people/{id}/delete", s.page(s.orgPersonDeleteForm))
	r.Post("/events/{slug}/lists/people/{id}/delete", s.page(s.orgPersonDelete))
	r.Get("/events/{slug}/lists/workshops/{key}", s.page(s.orgWorkshopPage))
	r.Get("/events/{slug}/workshops", s.page(s.orgWorkshopsPage))
	r.Get("/events/{slug}/team", s.page(s.teamPage))
	r.Post("/events/{slug}/team", s.page(s.teamInvite))
	r.Post("/events/{slug}/team/{user}/role", s.page(s.teamSetRole))
	r.Post("/events/{slug}/team/{user}/remove", s.page(s.teamRemove))
	r.Get("/tokens", s.page(s.tokensPage))
	r.Post("/tokens", s.page(s.tokensCreate))
	r.Post("/tokens/{id}/revoke", s.page(s.tokensRevoke))
	r.Get("/events/{slug}/print/attendance/{key}", s.page(s.orgPrintAttendance))
	r.Get("/events/{slug}/print/badges", s.page(s.orgPrintBadges))
	// Attendance certificates: settings, preview, send (in Einrichten).
	r.Get("/events/{slug}/certificates", s.page(s.certPage))
	r.Post("/events/{slug}/certificates", s.page(s.certSave))
	r.Get("/events/{slug}/certificates/preview.pdf", s.page(s.certPreview))
	r.Get("/events/{slug}/certificates/logo", s.page(s.certLogo))
	r.Get("/events/{slug}/certificates/send", s.page(s.certConfirm))
	r.Post("/events/{slug}/certificates/send", s.page(s.certSend))
}

// checkinRoutes are the event day's pages, open to the checkin role too.
func (s *Server) checkinRoutes(r chi.Router) {
	r.Get("/events/{slug}/checkin", s.page(s.orgCheckinPage))
	r.Get("/events/{slug}/checkin/counts.json", s.page(s.orgCheckinCounts))
	r.Post("/events/{slug}/checkin/{id}", s.page(s.orgCheckinSubmit))
}
