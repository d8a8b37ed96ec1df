package booking

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// A sign-up sent with an Idempotency-Key is safe to retry: its record is
// written in the transaction that writes the registration, so a key is
// either unknown (nothing committed: the retry runs afresh) or stored with
// the reply the client should have got (the retry gets that reply again,
// with its personal link), whatever crashed in between. A second request
// with the key while the first is still running waits for it on the key's
// row. Records are kept for a day: long enough for any client's retries,
// short for a reply that holds a personal link.

// ErrKeyReused means the key came before with another request body.
var ErrKeyReused = errors.New("idempotency key reused with another request")

// Retry identifies a sign-up request that its client may send again.
type Retry struct {
	Key  string // the client's Idempotency-Key
	Hash []byte // a hash of the request body
	// Reply renders the reply to a new registration. It is stored with the
	// registration and sent again to every retry.
	Reply func(reg *Registration, token string) ([]byte, error)
}

const (
	// claimRetryKey inserts the key's record, or takes over a day-old
	// one. It returns no row while a live record exists, after waiting
	// for the transaction that wrote it.
	claimRetryKey = `
INSERT INTO idempotency_keys (scope, key, request_hash, event_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (scope, key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, status_code = 0, response = NULL, created_at = now(),
        event_id = EXCLUDED.event_id
    WHERE idempotency_keys.created_at < now() - interval '24 hours'
RETURNING true`
	readRetryKey  = `SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND key = $2`
	storeReply    = `UPDATE idempotency_keys SET status_code = 201, response = $3 WHERE scope = $1 AND key = $2`
	purgeOldKeys  = `DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`
	keyPurgeEvery = time.Minute
)

// RegisterOnce is Register for a request that may be a retry. It returns
// the reply to send: a new registration's, rendered by r.Reply, or the one
// stored for the first request with r.Key (replayed is true then). The
// same key with another body is ErrKeyReused. Refused sign-ups store
// nothing: a retry is refused again for the same reason.
func (s *Service) RegisterOnce(ctx context.Context, slug string, req Request, r Retry) (reply []byte, replayed bool, err error) {
	s.purgeKeys(ctx)
	scope := "register:" + slug
	err = s.signUp(ctx, slug, &req, func(t *pipeTx, ev *event.Event) error {
		replayed = false
		var claimed bool
		err := t.QueryRow(ctx, claimRetryKey, scope, r.Key, r.Hash, ev.ID).Scan(&claimed)
		if errors.Is(err, pgx.ErrNoRows) {
			replayed = true
			reply, err = storedReply(ctx, t, scope, r)
			return err
		}
		if err != nil {
			return fmt.Errorf("claim idempotency key: %w", err)
		}
		// The reply is stored in the sign-up's last round trip, by the
		// try that commits: a sign-up that found the event full is done
		// again from the claim on, as one for the waiting list.
		_, _, err = register(ctx, t, ev, req, func(b *pgx.Batch, reg *Registration, token string) (rerr error) {
			if reply, rerr = r.Reply(reg, token); rerr != nil {
				return fmt.Errorf("render reply: %w", rerr)
			}
			b.Queue(storeReply, scope, r.Key, reply)
			return nil
		})
		return err
	})
	return reply, replayed, err
}

func storedReply(ctx context.Context, tx db.Conn, scope string, r Retry) ([]byte, error) {
	var hash, reply []byte
	if err := tx.QueryRow(ctx, readRetryKey, scope, r.Key).Scan(&hash, &reply); err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	if !bytes.Equal(hash, r.Hash) {
		return nil, ErrKeyReused
	}
	return reply, nil
}

// purgeKeys deletes day-old keys, at most once a minute per Service.
func (s *Service) purgeKeys(ctx context.Context) {
	now := s.now().Unix()
	last := s.lastPurge.Load()
	if now-last < int64(keyPurgeEvery/time.Second) || !s.lastPurge.CompareAndSwap(last, now) {
		return
	}
	if _, err := s.pool.Exec(ctx, purgeOldKeys); err != nil {
		s.lastPurge.Store(last) // try again with the next request
	}
}
