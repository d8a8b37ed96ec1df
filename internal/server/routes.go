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
	r.Get("/events.ics", s.page(s.eventsFeed)) // the public events as a calendar feed (events_public.go)
	r.Route("/events/{slug}", s.eventRoutes)
	r.Route("/r/{token}", s.personalRoutes)
	r.Route("/attend/{token}", s.attendRoutes)
	r.Route("/api/v1", s.apiRoutes)
	r.Route("/org", s.orgRoutes)
	// The registration widget for organisers' websites (embed.go): the
	// script, and the form and its thank-you page as embeddable pages.
	r.Get("/embed.js", s.embedScript)
	r.Route("/events/{slug}/embed", s.embedRoutes)
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

// embedRoutes are the embeddable pages of an event: framed only by the
// event's allowed origins, errors drawn inside the frame; the POST is
// rate-limited like the site's form.
func (s *Server) embedRoutes(r chi.Router) {
	r.Use(s.embedded)
	r.Get("/", s.page(s.embedForm))
	r.With(s.limit).Post("/", s.page(s.embedSubmit))
	r.Get("/registered", s.page(s.embedRegistered))
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
	r.With(s.limit).Post("/reconfirm", s.page(s.manageReconfirm))
	r.Get("/certificate.pdf", s.page(s.certDownload))
}

// attendRoutes are the reconfirmation's answer page ("Kommen Sie?"): the
// mailed link opens it with the answer preselected and changes nothing
// (mail scanners follow links); the one button posts the answer.
func (s *Server) attendRoutes(r chi.Router) {
	r.Use(noStore)
	r.Get("/", s.page(s.attendPage))
	r.With(s.limit).Post("/", s.page(s.attendSubmit))
}

// apiRoutes are the JSON API v1: the participant's endpoints (public, the
// personal ones behind the token in the URL) and the organiser's (Bearer
// token, a role that manages events, membership of the event in the URL,
// checked by every handler). openapi.go describes every one of them.
func (s *Server) apiRoutes(r chi.Router) {
	r.Use(noStore)
	r.Get("/openapi.json", s.openAPI)
	r.Get("/events", s.api(s.apiEvents)) // the public list of events (events_public.go)
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
	r.Get("/events/{slug}/setup", s.page(s.setupFirst))
	r.Get("/events/{slug}/setup/{section}", s.page(s.setupSection))
	r.Post("/events/{slug}/setup/{section}", s.page(s.setupSave))
	r.Get("/events/{slug}/copy", s.page(s.copyForm))
	r.Post("/events/{slug}/copy", s.page(s.copySubmit))
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
	r.Get("/events/{slug}/print/attendance", s.page(s.orgPrintEventAttendance)) // the whole event's (org_print.go)
	// The websites that may embed the event's form, and the snippets (org_embed.go).
	r.Get("/events/{slug}/embed", s.page(s.orgEmbedPage))
	r.Post("/events/{slug}/embed", s.page(s.orgEmbedSave))
	// The registration list: the account's columns, bulk actions on ticked rows.
	r.Post("/events/{slug}/lists/columns", s.page(s.orgListColumns))
	r.Post("/events/{slug}/lists/bulk", s.page(s.orgBulk))
	// Reconfirmation settings ("Kommen Sie?"), linked from the setup page.
	r.Get("/events/{slug}/reconfirm", s.page(s.reconfirmPage))
	r.Post("/events/{slug}/reconfirm", s.page(s.reconfirmSave))
	// Attendance certificates: settings, preview, send (in Einrichten).
	r.Get("/events/{slug}/certificates", s.page(s.certPage))
	r.Post("/events/{slug}/certificates", s.page(s.certSave))
	r.Get("/events/{slug}/certificates/preview.pdf", s.page(s.certPreview))
	r.Get("/events/{slug}/certificates/logo", s.page(s.certLogo))
	r.Get("/events/{slug}/certificates/send", s.page(s.certConfirm))
	r.Post("/events/{slug}/certificates/send", s.page(s.certSend))
	s.webhookRoutes(r)
}

// webhookRoutes are an event's webhooks: endpoints, their secrets and
// delivery logs.
func (s *Server) webhookRoutes(r chi.Router) {
	r.Get("/events/{slug}/webhooks", s.page(s.webhooksPage))
	r.Post("/events/{slug}/webhooks", s.page(s.webhooksCreate))
	r.Get("/events/{slug}/webhooks/{id}", s.page(s.webhookLogPage))
	r.Post("/events/{slug}/webhooks/{id}/delete", s.page(s.webhookDelete))
	r.Post("/events/{slug}/webhooks/{id}/rotate", s.page(s.webhookRotate))
	r.Post("/events/{slug}/webhooks/{id}/enable", s.page(s.webhookEnable))
	r.Post("/events/{slug}/webhooks/{id}/test", s.page(s.webhookTest))
}

// checkinRoutes are the event day's pages, open to the checkin role too.
func (s *Server) checkinRoutes(r chi.Router) {
	r.Get("/events/{slug}/checkin", s.page(s.orgCheckinPage))
	r.Get("/events/{slug}/checkin/counts.json", s.page(s.orgCheckinCounts))
	r.Post("/events/{slug}/checkin/{id}", s.page(s.orgCheckinSubmit))
}
