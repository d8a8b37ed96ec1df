package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Sessions, login throttles and password-reset links hold organisers'
// client addresses and secrets; auth refuses them once they are stale, and
// the sweep removes them a day later so they do not pile up. An address
// the account logged in from stays familiar (see auth.Login) for 90 days.
// A rate-limit bucket left alone for a minute is full again, as good as
// none, so one idle for ten minutes goes.
var sweeps = []struct{ name, sql string }{
	{"sessions", `DELETE FROM sessions WHERE expires_at < $1::timestamptz - interval '1 day' OR last_seen_at < $1::timestamptz - interval '1 day'`},
	{"login_throttle", `DELETE FROM login_throttle
	                    WHERE window_start < $1::timestamptz - interval '1 day' AND (locked_until IS NULL OR locked_until < $1::timestamptz)`},
	{"login_pairs", `DELETE FROM login_pairs
	                 WHERE window_start < $1::timestamptz - interval '1 day' AND (locked_until IS NULL OR locked_until < $1::timestamptz)
	                   AND (succeeded_at IS NULL OR succeeded_at < $1::timestamptz - interval '90 days')`},
	{"rate_limits", `DELETE FROM rate_limits WHERE updated_at < $1::timestamptz - interval '10 minutes'`},
	{"password_resets", `DELETE FROM password_resets WHERE expires_at < $1::timestamptz - interval '1 day'`},
}

// Sweep deletes stale account data and reports how many rows per table.
func Sweep(ctx context.Context, pool *pgxpool.Pool, now time.Time) (map[string]int64, error) {
	out := make(map[string]int64, len(sweeps))
	for _, s := range sweeps {
		tag, err := pool.Exec(ctx, s.sql, now)
		if err != nil {
			return out, fmt.Errorf("sweep %s: %w", s.name, err)
		}
		out[s.name] = tag.RowsAffected()
	}
	return out, nil
}
