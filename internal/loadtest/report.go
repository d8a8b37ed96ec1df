package loadtest

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Report is what one run measured.
type Report struct {
	Clients       int
	Rate          float64 // offered rate, 0 for back to back
	Requests      int
	Elapsed       time.Duration
	Statuses      map[int]int
	P50, P99, Max time.Duration
	Confirmed     int // confirmed workshop bookings
	Waitlisted    int
	Violations    []string
	Pgbench       []PgbenchRun
	PgbenchTPS    float64 // the best of Pgbench
}

// PgbenchRun is one pgbench run of the same writes as one sign-up.
type PgbenchRun struct {
	Clients int
	TPS     float64
}

// Throughput is sign-ups per second.
func (r *Report) Throughput() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Oversold reports whether any invariant was broken.
func (r *Report) Oversold() bool { return len(r.Violations) > 0 }

const checkSeats = `
SELECT w.key, w.capacity, w.taken,
       count(b.id) FILTER (WHERE b.status = 'confirmed'),
       count(b.id) FILTER (WHERE b.status = 'waitlisted')
FROM workshops w JOIN events e ON e.id = w.event_id
LEFT JOIN bookings b ON b.workshop_id = w.id
WHERE e.slug = $1 GROUP BY w.id ORDER BY w.key`

const checkEvent = `
SELECT e.capacity, (SELECT s.taken FROM event_seats s WHERE s.event_id = e.id),
       (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed')
FROM events e WHERE e.slug = $1`

// check verifies from the database that no seat was sold twice.
func (r *Report) check(ctx context.Context, pool *pgxpool.Pool, slug string) error {
	rows, err := pool.Query(ctx, checkSeats, slug)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var capacity, taken, confirmed, waitlisted int
		if err := rows.Scan(&key, &capacity, &taken, &confirmed, &waitlisted); err != nil {
			return err
		}
		r.Confirmed += confirmed
		r.Waitlisted += waitlisted
		if confirmed > capacity || taken != confirmed {
			r.Violations = append(r.Violations, fmt.Sprintf("workshop %s: capacity %d, taken %d, confirmed %d", key, capacity, taken, confirmed))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var capacity, counter, confirmed int
	if err := pool.QueryRow(ctx, checkEvent, slug).Scan(&capacity, &counter, &confirmed); err != nil {
		return err
	}
	if confirmed > capacity || counter != confirmed {
		r.Violations = append(r.Violations, fmt.Sprintf("event: capacity %d, counter %d, confirmed %d", capacity, counter, confirmed))
	}
	return nil
}

// Print writes the report for people.
func (r *Report) Print(w io.Writer) {
	mode := "back to back (closed loop)"
	if r.Rate > 0 {
		mode = fmt.Sprintf("offered %.0f/s (open loop, latency from the due time)", r.Rate)
	}
	fmt.Fprintf(w, "sign-ups over HTTP, %s: %d in %.2fs with %d clients = %.0f sign-ups/s\n",
		mode, r.Requests, r.Elapsed.Seconds(), r.Clients, r.Throughput())
	fmt.Fprintf(w, "latency: p50 %s, p99 %s, max %s\n", ms(r.P50), ms(r.P99), ms(r.Max))
	fmt.Fprintf(w, "statuses: %v; workshop seats confirmed %d, waitlisted %d\n", r.Statuses, r.Confirmed, r.Waitlisted)
	if len(r.Violations) == 0 {
		fmt.Fprintln(w, "oversell check: OK (no workshop or event above capacity, counters match rows)")
	}
	for _, v := range r.Violations {
		fmt.Fprintln(w, "OVERSOLD:", v)
	}
	for _, p := range r.Pgbench {
		fmt.Fprintf(w, "pgbench, the same writes as one sign-up, %d connections: %.0f tps\n", p.Clients, p.TPS)
	}
	if r.PgbenchTPS > 0 {
		fmt.Fprintf(w, "HTTP sign-ups reach %.2fx the best same-writes rate (%.0f tps)\n",
			r.Throughput()/r.PgbenchTPS, r.PgbenchTPS)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
