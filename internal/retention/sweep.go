package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Sessions, login throttles and password-reset links hold organisers'
// client addresses and secrets; auth refuses them once they are stale, and
// the sweep removes them a day later so they do not pile up.
var sweeps = []struct{ name, sql string }{
	{"sessions", `DELETE FROM sessions WHERE expires_at < $1::timestamptz - interval '1 day' OR last_seen_at < $1::timestamptz - interval '1 day'`},
	{"login_throttle", `DELETE FROM login_throttle
	                    WHERE window_start < $1::timestamptz - interval '1 day' AND (locked_until IS NULL OR locked_until < $1::timestamptz)`},
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
