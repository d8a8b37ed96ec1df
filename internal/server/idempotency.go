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
	} else {
		s.countReply(reply)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_, err = w.Write(reply)
	return err
}

// countReply counts a new sign-up by the status in its reply; a replay is
// no new sign-up.
func (s *Server) countReply(reply []byte) {
	var r struct{ Status string }
	if json.Unmarshal(reply, &r) == nil {
		s.opts.Metrics.SignUp(r.Status)
	}
}
