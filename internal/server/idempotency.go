package server

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/fachtag/fachtag/internal/booking"
)

// A sign-up sent with an Idempotency-Key is safe to retry. booking stores
// the reply in the transaction that writes the registration, so a retry
// after any crash gets the first reply again, personal link included; the
// same key with another body is a 422. The server only hashes the body
// and renders the reply.

// registerOnce runs the sign-up req (decoded from body) under key.
func (s *Server) registerOnce(w http.ResponseWriter, r *http.Request, slug, key string, body []byte, req booking.Request) error {
	sum := sha256.Sum256(body)
	retry := booking.Retry{Key: key, Hash: sum[:], Reply: func(reg *booking.Registration, token string) ([]byte, error) {
		s.countSignUp(reg, nil) // once per registration, not per replay
		b, err := json.Marshal(s.registrationJSON(reg, token))
		return append(b, '\n'), err
	}}
	reply, replayed, err := s.book.RegisterOnce(r.Context(), slug, req, retry)
	if errors.Is(err, booking.ErrKeyReused) {
		return errIdemMismatch
	}
	if err != nil {
		s.countSignUp(nil, err)
		return registerError(r, req, err)
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_, err = w.Write(reply)
	return err
}
