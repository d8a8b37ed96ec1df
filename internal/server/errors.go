package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/fachtag/fachtag/internal/allocrun"
	"github.com/fachtag/fachtag/internal/app"
	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/certificate"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/reconfirm"
	"github.com/fachtag/fachtag/internal/roster"
	"github.com/fachtag/fachtag/internal/webhook"
	"github.com/fachtag/fachtag/internal/widget"
)

// Errors of the HTTP layer itself.
var (
	errNotFound     = errors.New("not found")
	errLinkNotFound = errors.New("personal link not found")
	errRateLimited  = errors.New("rate limited")
	errTooLarge     = errors.New("request body too large")
	errNotJSON      = errors.New("request body is not declared as JSON")
	errCrossOrigin  = errors.New("cross-origin request refused")
	errIdemMismatch = errors.New("idempotency key reused with another body")
)

// malformedError is a body that is not the JSON we expect; key and args
// say what is wrong in the catalog of package i18n.
type malformedError struct {
	field string
	key   string
	args  []any
}

func (e *malformedError) Error() string {
	return "malformed request: " + i18n.T("en", e.key, e.args...)
}

// formError is a form body that is not proper URL encoding (a broken %
// escape, say); field names the field where it could be read.
type formError struct{ field string }

func (e *formError) Error() string { return "malformed form body in field " + strconv.Quote(e.field) }

// problem is how an error is shown: status, stable code, message key.
type problem struct {
	status int
	code   string
	key    string
}

// classify maps every error to its response. It is the one place where
// domain errors meet HTTP status codes.
func classify(err error) problem {
	var verr *booking.ValidationError
	var merr *malformedError
	var perr *event.Problems
	var ferr *roster.FilterError
	var pgerr *event.PageError
	switch {
	case errors.As(err, &verr), errors.As(err, &perr), errors.As(err, &ferr), errors.As(err, &pgerr), errors.Is(err, event.ErrBadStatus),
		errors.As(err, new(*widget.OriginsError)), errors.As(err, new(*reconfirm.InvalidError)):
		return problem{http.StatusUnprocessableEntity, "invalid", "err.invalid"}
	case errors.As(err, &merr):
		return problem{http.StatusBadRequest, "malformed", "err.malformed"}
	case errors.As(err, new(*formError)):
		return problem{http.StatusBadRequest, "malformed", "err.bad_form"}
	case errors.Is(err, errCrossOrigin):
		return problem{http.StatusForbidden, "cross_origin", "err.cross_origin"}
	case errors.Is(err, errLinkNotFound), errors.Is(err, reconfirm.ErrNotFound), errors.Is(err, reconfirm.ErrNotAsked):
		return problem{http.StatusNotFound, "not_found", "err.link_not_found"}
	case errors.Is(err, booking.ErrNotFound), errors.Is(err, event.ErrNotFound), errors.Is(err, errNotFound):
		return problem{http.StatusNotFound, "not_found", "err.not_found"}
	case errors.Is(err, reconfirm.ErrSeatGone):
		return problem{http.StatusConflict, "seat_gone", "rc.gone"}
	case errors.Is(err, reconfirm.ErrStarted):
		return problem{http.StatusGone, "changes_closed", "rc.started"}
	case errors.Is(err, booking.ErrClosed):
		return problem{http.StatusGone, "registration_closed", "err.closed"}
	case errors.Is(err, booking.ErrSwapClosed):
		return problem{http.StatusGone, "changes_closed", "err.swap_closed"}
	case errors.Is(err, booking.ErrDuplicate):
		return problem{http.StatusConflict, "email_registered", "err.duplicate"}
	case errors.Is(err, booking.ErrCancelled):
		return problem{http.StatusConflict, "cancelled", "err.cancelled"}
	case errors.Is(err, booking.ErrNotConfirmed):
		return problem{http.StatusConflict, "not_confirmed", "err.not_confirmed"}
	case errors.Is(err, errRateLimited):
		return problem{http.StatusTooManyRequests, "rate_limited", "err.rate_limited"}
	case errors.Is(err, errTooLarge):
		return problem{http.StatusRequestEntityTooLarge, "too_large", "err.too_large"}
	case errors.Is(err, errNotJSON):
		return problem{http.StatusUnsupportedMediaType, "unsupported_media_type", "err.not_json"}
	case errors.Is(err, errIdemMismatch):
		return problem{http.StatusUnprocessableEntity, "idempotency_key_reused", "err.idempotency"}
	case errors.Is(err, auth.ErrUnauthenticated):
		return problem{http.StatusUnauthorized, "unauthorized", "org.err_unauthorized"}
	case errors.Is(err, auth.ErrForbidden):
		return problem{http.StatusForbidden, "forbidden", "org.err_forbidden"}
	case errors.Is(err, auth.ErrNoEventAccess), errors.Is(err, roster.ErrWorkshopNotFound), errors.Is(err, webhook.ErrNotFound):
		return problem{http.StatusNotFound, "not_found", "err.not_found"}
	case errors.Is(err, booking.ErrNoChange):
		return problem{http.StatusUnprocessableEntity, "no_change", "person.err_no_change"}
	case errors.Is(err, booking.ErrDeleted):
		return problem{http.StatusGone, "deleted", "person.err_deleted"}
	case errors.Is(err, booking.ErrFull):
		return problem{http.StatusConflict, "workshop_full", "lists.err_full"}
	case errors.Is(err, roster.ErrNotFound):
		return problem{http.StatusNotFound, "not_found", "err.not_found"}
	case errors.Is(err, roster.ErrNotConfirmed):
		return problem{http.StatusConflict, "not_confirmed", "checkin.err_not_confirmed"}
	case errors.Is(err, event.ErrExists):
		return problem{http.StatusConflict, "event_exists", "org.err_event_exists"}
	case errors.Is(err, allocrun.ErrNotFound):
		return problem{http.StatusNotFound, "not_found", "err.not_found"}
	case errors.Is(err, allocrun.ErrRunInProgress):
		return problem{http.StatusConflict, "run_in_progress", "err.run_in_progress"}
	case errors.Is(err, allocrun.ErrStaleRun):
		return problem{http.StatusConflict, "stale_run", "err.stale_run"}
	case errors.Is(err, allocrun.ErrPublished):
		return problem{http.StatusConflict, "already_published", "err.published"}
	case errors.Is(err, allocrun.ErrNotWishPhase):
		return problem{http.StatusConflict, "not_wish_phase", "err.not_wish_phase"}
	case errors.Is(err, allocrun.ErrInvalid):
		return problem{http.StatusUnprocessableEntity, "unsolvable", "err.unsolvable"}
	case app.Unavailable(err):
		return problem{http.StatusServiceUnavailable, "unavailable", "err.unavailable"}
	case errors.Is(err, auth.ErrLastOrganiser):
		return problem{http.StatusConflict, "last_organiser", "team.err_last_organiser"}
	case errors.Is(err, auth.ErrAlreadyMember):
		return problem{http.StatusConflict, "already_member", "team.err_already_member"}
	case errors.Is(err, auth.ErrSharedAccount):
		return problem{http.StatusConflict, "shared_account", "team.err_shared"}
	case errors.Is(err, auth.ErrTeamRole):
		return problem{http.StatusUnprocessableEntity, "invalid", "team.err_role"}
	case errors.Is(err, auth.ErrBadEmail):
		return problem{http.StatusUnprocessableEntity, "invalid", "err.email"}
	case errors.Is(err, auth.ErrNotMember), errors.Is(err, auth.ErrTokenNotFound):
		return problem{http.StatusNotFound, "not_found", "err.not_found"}
	case errors.Is(err, certificate.ErrNotFound):
		return problem{http.StatusNotFound, "not_found", "err.not_found"}
	case errors.Is(err, certificate.ErrTooEarly):
		return problem{http.StatusConflict, "too_early", "cert.err_too_early"}
	case errors.Is(err, certificate.ErrNobody):
		return problem{http.StatusConflict, "nobody_due", "cert.err_nobody"}
	case errors.Is(err, booking.ErrNoWishPhase):
		// The second: a wish stored while the allocation was being published.
		return problem{http.StatusConflict, "wish_phase_over", "err.no_wish_phase"}
	}
	return problem{http.StatusInternalServerError, "internal", "err.internal"}
}

// retryAfter is the Retry-After of a 503: the pool reconnects by itself,
// so a client may come back in a few seconds.
const retryAfter = "5"

// apiError is the JSON error body of the API contract.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// fail answers a request with err: JSON under /api/, a page elsewhere.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := s.errorResponse(r, err)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, body)
		return
	}
	if isEmbedded(r) {
		s.failEmbedded(w, r, status, body.Error.Message)
		return
	}
	s.render(w, r, status, "error", i18n.T(requestLang(r), "error.title"), body.Error.Message)
}

// errorResponse is the status and API error body for err, in the
// participant's language when the request named one.
func (s *Server) errorResponse(r *http.Request, err error) (int, apiError) {
	lang := requestLang(r)
	var le langError
	if errors.As(err, &le) {
		lang = le.lang
	}
	p := classify(err)
	switch p.status {
	case http.StatusInternalServerError:
		s.log.Error("request failed", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	case http.StatusServiceUnavailable:
		// Every request says the same during an outage: one line per
		// route; the log handler folds the repeats (package logging).
		s.log.Warn("database unavailable", "route", routePattern(r), "err", err)
	}
	msg := i18n.T(lang, p.key)
	var merr *malformedError
	var ferr *formError
	switch {
	case errors.As(err, &merr):
		msg = i18n.T(lang, p.key, i18n.T(lang, merr.key, merr.args...))
	case errors.As(err, &ferr) && ferr.field != "":
		msg = i18n.T(lang, "err.bad_form_field", ferr.field)
	}
	return p.status, apiError{Error: apiErrorBody{Code: p.code, Message: msg, Fields: fieldMessages(err, lang)}}
}

// fieldMessages says in lang what is wrong with each field.
func fieldMessages(err error, lang string) map[string]string {
	var verr *booking.ValidationError
	var merr *malformedError
	var perr *event.Problems
	var ferr *roster.FilterError
	var fe *formError
	var pgerr *event.PageError
	switch {
	case errors.As(err, &perr):
		return problemMessages(*perr, lang)
	case errors.As(err, &pgerr):
		return map[string]string{pgerr.Field: i18n.T(lang, "events.bad_"+pgerr.Field)}
	case errors.As(err, &ferr):
		return map[string]string{ferr.Field: i18n.T(lang, "lists.bad_"+ferr.Field)}
	case errors.Is(err, event.ErrBadStatus):
		return map[string]string{"status": i18n.T(lang, "org.bad_status")}
	case errors.As(err, &verr):
		out := make(map[string]string, len(verr.Fields))
		for field, fe := range verr.Fields {
			out[field] = i18n.T(lang, fe.Key, fe.Args...)
		}
		return out
	case errors.As(err, &merr) && merr.field != "":
		return map[string]string{merr.field: i18n.T(lang, merr.key, merr.args...)}
	case errors.As(err, &fe) && fe.field != "":
		return map[string]string{fe.field: i18n.T(lang, "err.bad_form_field", fe.field)}
	}
	return nil
}

// problemMessages are the event file's problems by JSON path, in lang;
// several problems at one path are joined.
func problemMessages(ps event.Problems, lang string) map[string]string {
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		if prev, ok := out[p.Path]; ok {
			out[p.Path] = prev + "; " + p.In(lang)
			continue
		}
		out[p.Path] = p.In(lang)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// redactPath keeps personal tokens out of logs.
func redactPath(p string) string {
	for _, prefix := range []string{"/r/", "/api/v1/registrations/", "/org/reset/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return prefix + "…" + rest[i:]
			}
			return prefix + "…"
		}
	}
	return p
}

// requestLang is ?lang= if given, else the browser's language.
func requestLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return i18n.Normalize(l)
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

func itoa(n int) string { return strconv.Itoa(n) }
