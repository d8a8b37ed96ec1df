package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/export"
)

// orgAPIRoutes are the organiser endpoints of DESIGN.md §3: Bearer token,
// a role that may manage events, and membership of the event in the URL.
func (s *Server) orgAPIRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.requireToken, s.requireRole(auth.ManageEvents))
		r.Post("/events", s.api(s.orgCreateEvent))
		r.Put("/events/{slug}", s.api(s.orgPutEvent))
		r.Post("/events/{slug}/status", s.api(s.orgSetStatus))
		r.Get("/events/{slug}/registrations", s.api(s.orgRegistrations))
		r.Get("/events/{slug}/workshops/{key}/participants", s.api(s.orgParticipants))
		r.Get("/events/{slug}/export.csv", s.api(s.orgExportCSV))
		r.Get("/events/{slug}/export.xlsx", s.api(s.orgExportXLSX))
	})
}

func readAll(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errTooLarge
	}
	return body, err
}

func (s *Server) orgCreateEvent(w http.ResponseWriter, r *http.Request) error {
	return s.orgSave(w, r, "", true)
}

// orgPutEvent creates or updates the event of the URL. An existing event
// the account may not see is "not found" before the body is even read
// (and saveEvent checks again under the slug's lock).
func (s *Server) orgPutEvent(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	if _, err := s.orgEventID(r); err != nil {
		var exists bool
		if xerr := s.pool.QueryRow(r.Context(), `SELECT EXISTS (SELECT 1 FROM events WHERE slug = $1)`, slug).Scan(&exists); xerr != nil || exists {
			return errors.Join(err, xerr) // hidden: 404 before the body is read
		}
	}
	return s.orgSave(w, r, slug, false)
}

// orgSave answers 201 with the event when it was created, 200 when updated.
func (s *Server) orgSave(w http.ResponseWriter, r *http.Request, slug string, mustCreate bool) error {
	a, _ := accountFrom(r.Context())
	f, named, err := readEventFile(w, r, slug)
	if err != nil {
		return err
	}
	res, err := s.saveEvent(r.Context(), a, f, mustCreate, !named)
	if err != nil {
		return err
	}
	ev, err := event.LoadByID(r.Context(), s.pool, res.id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/events/"+ev.Slug)
	}
	writeJSON(w, status, eventJSON(ev, time.Now()))
	return nil
}

// StatusRequest is the body of POST /api/v1/events/{slug}/status.
type StatusRequest struct {
	Status string `json:"status"`
}

func (s *Server) orgSetStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventID(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req StatusRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	if err := s.setStatus(r.Context(), a, id, req.Status); err != nil {
		return err
	}
	ev, err := event.LoadByID(r.Context(), s.pool, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, eventJSON(ev, time.Now()))
	return nil
}

// RegistrationList is a page of GET /api/v1/events/{slug}/registrations.
type RegistrationList struct {
	Total         int                   `json:"total"`
	Limit         int                   `json:"limit"`
	Offset        int                   `json:"offset"`
	Registrations []export.Registration `json:"registrations"`
}

func (s *Server) orgRegistrations(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventID(r)
	if err != nil {
		return err
	}
	f, err := listFilter(r)
	if err != nil {
		return err
	}
	regs, total, err := export.List(r.Context(), s.pool, id, f)
	if err != nil {
		return filterError(err)
	}
	writeJSON(w, http.StatusOK, RegistrationList{Total: total, Limit: f.Limit, Offset: f.Offset, Registrations: orEmpty(regs)})
	return nil
}

// listFilter reads ?status&workshop&q&limit&offset.
func listFilter(r *http.Request) (export.Filter, error) {
	q := r.URL.Query()
	f := export.Filter{Status: q.Get("status"), Workshop: q.Get("workshop"), Query: q.Get("q"), Limit: 50}
	fields := map[string]booking.FieldError{}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				fields[name] = booking.FieldError{Key: "org.bad_number"}
			}
			*dst = n
		}
	}
	if len(fields) > 0 {
		return f, &booking.ValidationError{Fields: fields}
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	return f, nil
}

func filterError(err error) error {
	if errors.Is(err, export.ErrBadFilter) {
		return &booking.ValidationError{Fields: map[string]booking.FieldError{"status": {Key: "org.bad_status"}}}
	}
	return err
}

func (s *Server) orgParticipants(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventID(r)
	if err != nil {
		return err
	}
	ws, err := export.Participants(r.Context(), s.pool, id, chi.URLParam(r, "key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func (s *Server) orgExportCSV(w http.ResponseWriter, r *http.Request) error {
	return s.exportFile(w, r, "csv")
}

func (s *Server) orgExportXLSX(w http.ResponseWriter, r *http.Request) error {
	return s.exportFile(w, r, "xlsx")
}

var exportTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// exportFile writes the event's registrations as a download. The file is
// built in memory first, so a failure is an error page, not half a file.
// Exports of personal data go into the audit log.
func (s *Server) exportFile(w http.ResponseWriter, r *http.Request, format string) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	regs, err := export.All(r.Context(), s.pool, ev.ID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	write := export.WriteCSV
	if format == "xlsx" {
		write = export.WriteXLSX
	}
	if err := write(&buf, ev, regs, requestLang(r)); err != nil {
		return err
	}
	a, _ := accountFrom(r.Context())
	if err := auth.Append(r.Context(), s.pool, auth.Entry{UserID: a.ID, Actor: actor(a), Action: "export." + format,
		EventID: ev.ID, Detail: map[string]any{"rows": len(regs)}}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", exportTypes[format])
	w.Header().Set("Content-Disposition", `attachment; filename="`+ev.Slug+"-"+time.Now().Format("2006-01-02")+"."+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}
