package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

// An Idempotency-Key makes a POST safe to retry: the first request with a
// key runs and its response is stored; the same key with the same body gets
// the stored response again, with another body a 422. A claim left behind
// by a crashed request is taken over after a minute. Stored responses hold
// the personal link of the registration they created, so they are kept for
// a day only, long enough for any client's retries.

const (
	claimKey = `
INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
ON CONFLICT (scope, key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, status_code = 0, response = NULL, created_at = now()
    WHERE (idempotency_keys.status_code = 0 AND idempotency_keys.created_at < now() - interval '1 minute')
       OR idempotency_keys.created_at < now() - interval '24 hours'
RETURNING true`
	purgeKeys = `DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`
	readKey   = `SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2`
	storeKey  = `UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2`
	forgetKey = `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2`
)

type outcome func() (status int, body any, err error)

func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, scope string, body []byte, run outcome) error {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return respond(w, run)
	}
	if len(key) > 255 {
		return &malformedError{field: "Idempotency-Key", key: "json.key_too_long"}
	}
	ctx := r.Context()
	s.purgeOldKeys(ctx)
	sum := sha256.Sum256(body)
	claimed, err := s.claim(ctx, scope, key, sum[:])
	if err != nil {
		return err
	}
	if !claimed {
		return s.replay(ctx, w, scope, key, sum[:])
	}
	status, out, err := run()
	if err != nil {
		status, out = s.errorResponse(r, err)
	}
	if status >= 500 {
		_, _ = s.pool.Exec(context.WithoutCancel(ctx), forgetKey, scope, key)
	} else if err := s.remember(ctx, scope, key, status, out); err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

func respond(w http.ResponseWriter, run outcome) error {
	status, out, err := run()
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

func (s *Server) claim(ctx context.Context, scope, key string, hash []byte) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, claimKey, scope, key, hash).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	return true, nil
}

func (s *Server) replay(ctx context.Context, w http.ResponseWriter, scope, key string, hash []byte) error {
	var stored []byte
	var status int
	var response []byte
	if err := s.pool.QueryRow(ctx, readKey, scope, key).Scan(&stored, &status, &response); err != nil {
		return fmt.Errorf("read idempotency key: %w", err)
	}
	switch {
	case string(stored) != string(hash):
		return errIdemMismatch
	case status == 0:
		return errIdemBusy
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(status)
	_, err := w.Write(response)
	return err
}

func (s *Server) remember(ctx context.Context, scope, key string, status int, out any) error {
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := s.pool.Exec(context.WithoutCancel(ctx), storeKey, scope, key, status, b); err != nil {
		return fmt.Errorf("store idempotent response: %w", err)
	}
	return nil
}

// purgeOldKeys deletes day-old keys, at most once a minute per process.
func (s *Server) purgeOldKeys(ctx context.Context) {
	now := time.Now().Unix()
	last := s.lastPurge.Load()
	if now-last < 60 || !s.lastPurge.CompareAndSwap(last, now) {
		return
	}
	if _, err := s.pool.Exec(ctx, purgeKeys); err != nil {
		s.log.Warn("purge idempotency keys", "err", err)
	}
}
