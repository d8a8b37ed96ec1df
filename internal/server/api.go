package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/booking"
)

// maxJSONBytes bounds a JSON body; like maxFormBytes it is far above any
// field's limit, so an over-long field is named by its own check.
const maxJSONBytes = 1 << 20

// api adapts a JSON handler that returns an error.
func (s *Server) api(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

func (s *Server) apiEvent(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.publicEvent(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, eventJSON(ev, time.Now()))
	return nil
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		return &malformedError{field: "Idempotency-Key", key: "json.key_too_long"}
	}
	var req booking.Request
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if req.Language == "" {
		req.Language = requestLang(r)
	}
	slug := chi.URLParam(r, "slug")
	if key != "" {
		return s.registerOnce(w, r, slug, key, body, req)
	}
	reg, token, err := s.book.Register(r.Context(), slug, req)
	s.countSignUp(reg, err)
	if err != nil {
		return registerError(r, req, err)
	}
	writeJSON(w, http.StatusCreated, s.registrationJSON(reg, token))
	return nil
}

// registerError answers a refused sign-up in the participant's language.
func registerError(r *http.Request, req booking.Request, err error) error {
	lang := req.Language
	if lang != "de" && lang != "en" {
		lang = requestLang(r)
	}
	return langError{err, lang}
}

// langError carries the participant's language to the error response.
type langError struct {
	error
	lang string
}

func (e langError) Unwrap() error { return e.error }

func (s *Server) apiRegistration(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	reg, err := s.book.Get(r.Context(), token)
	if err != nil {
		return tokenError(err)
	}
	writeJSON(w, http.StatusOK, s.registrationJSON(reg, token))
	return nil
}

func (s *Server) apiCancel(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	reg, err := s.book.Cancel(r.Context(), token)
	if err != nil {
		return tokenError(err)
	}
	writeJSON(w, http.StatusOK, s.registrationJSON(reg, token))
	return nil
}

type swapRequest struct {
	Workshop string `json:"workshop"`
}

func (s *Server) apiSwap(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req swapRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	token := chi.URLParam(r, "token")
	reg, err := s.book.Swap(r.Context(), token, chi.URLParam(r, "slot"), req.Workshop)
	if err != nil {
		return tokenError(err)
	}
	writeJSON(w, http.StatusOK, s.registrationJSON(reg, token))
	return nil
}

// apiLeave gives up the waiting-list place in the slot, or else the seat.
func (s *Server) apiLeave(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	reg, err := s.book.Leave(r.Context(), token, chi.URLParam(r, "slot"), "")
	if err != nil {
		return tokenError(err)
	}
	writeJSON(w, http.StatusOK, s.registrationJSON(reg, token))
	return nil
}

type linkRequest struct {
	Email string `json:"email"`
}

// apiResendLink always answers 202 for a plausible address: whether it is
// registered stays secret.
func (s *Server) apiResendLink(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req linkRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if !plausibleEmail(req.Email) {
		return &booking.ValidationError{Fields: map[string]booking.FieldError{"email": {Key: "err.email"}}}
	}
	if err := s.book.ResendLink(r.Context(), chi.URLParam(r, "slug"), req.Email); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
	return nil
}

func tokenError(err error) error {
	if errors.Is(err, booking.ErrNotFound) {
		return errLinkNotFound
	}
	return err
}

func plausibleEmail(s string) bool {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	return err == nil && a.Address == strings.TrimSpace(s)
}

// readBody reads at most maxJSONBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, &malformedError{key: "json.unreadable"}
	}
	if len(body) > 0 && !declaredJSON(r) {
		return nil, errNotJSON
	}
	return body, nil
}

// declaredJSON reports whether the request says its body is JSON. A body
// sent as text/plain or a form is refused: those are what a page on
// another site can send without asking.
func declaredJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// decodeJSON decodes exactly one JSON object into v, naming the field of
// any type mismatch and refusing unknown fields (usually typos) and keys
// given twice (encoding/json would silently keep the last).
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	if err == nil {
		return duplicateKeyError(body)
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return &malformedError{key: "json.empty"}
	case errors.As(err, &syn):
		return &malformedError{key: "json.syntax", args: []any{syn.Offset}}
	case errors.As(err, &typ):
		return &malformedError{field: typ.Field, key: "json.type." + jsonType(typ.Type.Kind().String()), args: []any{typ.Field}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &malformedError{field: field, key: "json.unknown_field", args: []any{field}}
	}
	return &malformedError{key: "json.invalid"}
}

func jsonType(kind string) string {
	switch kind {
	case "string", "bool", "slice":
		return kind
	case "map", "struct":
		return "object"
	}
	return "number"
}
