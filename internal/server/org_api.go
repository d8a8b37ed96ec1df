package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/export"
	"github.com/fachtag/fachtag/internal/roster"
)

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
// (and Save checks again under the slug's lock).
func (s *Server) orgPutEvent(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	if _, err := s.orgEventID(r); err != nil {
		exists, xerr := s.events.Exists(r.Context(), slug)
		if xerr != nil || exists {
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
	id, created, err := s.events.Save(r.Context(), a, f, mustCreate, !named)
	if err != nil {
		return err
	}
	ev, err := s.events.LoadByID(r.Context(), id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
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
	if err := s.events.SetStatus(r.Context(), a, id, req.Status); err != nil {
		return err
	}
	ev, err := s.events.LoadByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, eventJSON(ev, time.Now()))
	return nil
}

// RegistrationList is a page of GET /api/v1/events/{slug}/registrations.
type RegistrationList struct {
	Total         int          `json:"total"`
	Limit         int          `json:"limit"`
	Offset        int          `json:"offset"`
	Registrations []roster.Row `json:"registrations"`
}

// orgRegistrations takes the filters of the organiser's list page
// (?q&status&workshop&checked_in&sort&dir&limit&offset).
func (s *Server) orgRegistrations(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventID(r)
	if err != nil {
		return err
	}
	f, err := listFilterFrom(r)
	if err != nil {
		return err
	}
	regs, total, err := s.roster.List(r.Context(), id, &f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, RegistrationList{Total: total, Limit: f.Limit, Offset: f.Offset, Registrations: orEmpty(regs)})
	return nil
}

func (s *Server) orgParticipants(w http.ResponseWriter, r *http.Request) error {
	id, err := s.orgEventID(r)
	if err != nil {
		return err
	}
	ws, err := s.roster.Participants(r.Context(), id, chi.URLParam(r, "key"))
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

// exportFile writes the event's registrations as a download, with the
// columns named by ?col= (as the list shows them) or all of them. The file is
// built in memory first, so a failure is an error page, not half a file.
// Exports of personal data go into the audit log; the entry commits even
// when writing the file fails later, as the rows were read.
func (s *Server) exportFile(w http.ResponseWriter, r *http.Request, format string) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	var cols []export.Column // none named: the whole file
	if keys := r.URL.Query()["col"]; len(keys) > 0 {
		if cols, err = export.Choose(ev, requestLang(r), keys); err != nil {
			return &roster.FilterError{Field: "col", Reason: err.Error()}
		}
	}
	a, _ := accountFrom(r.Context())
	regs, err := s.roster.Export(r.Context(), ev.ID, a.Audit("export."+format, ev.ID, nil))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	write := export.WriteCSV
	if format == "xlsx" {
		write = export.WriteXLSX
	}
	if err := write(&buf, ev, regs, cols, requestLang(r)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", exportTypes[format])
	w.Header().Set("Content-Disposition", `attachment; filename="`+ev.Slug+"-"+time.Now().Format("2006-01-02")+"."+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}
