package loadtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/booking"
)

// The same writes as one sign-up and nothing else, on fachtag's own tables
// (with their indexes, checks, foreign keys and triggers): a registration
// row, a workshop seat, a booking row, an outbox row and, last as in
// fachtag, the event seat. No HTTP, JSON, validation, token or reads. The
// rows go to an event of their own with room for all, deleted afterwards.
const pgbenchScript = `\set w random(%d, %d)
\set k :w - %d + 1
BEGIN;
INSERT INTO registrations (event_id, name, email, consent_privacy, status)
VALUES (%d, 'pgbench', gen_random_uuid()::text || '@pgbench.invalid', now(), 'confirmed') RETURNING id AS reg \gset
UPDATE workshops SET taken = taken + 1 WHERE id = :w AND taken < capacity;
INSERT INTO bookings (registration_id, event_id, slot_id, workshop_id, topic, status)
VALUES (:reg, %d, %d, :w, 'W' || :k, 'confirmed');
INSERT INTO outbox (kind, registration_id, recipient, payload, message_id)
VALUES ('confirmed', :reg, 'pgbench@pgbench.invalid', '{}', gen_random_uuid()::text);
UPDATE event_seats SET taken = taken + 1 WHERE event_id = %d AND taken < capacity;
END;
`

const (
	pgbenchTarget   = `SELECT e.id, min(w.id), max(w.id), min(w.slot_id) FROM events e JOIN workshops w ON w.event_id = e.id WHERE e.slug = $1 GROUP BY e.id`
	pgbenchTeardown = `DELETE FROM events WHERE slug = $1`
)

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

func runPgbench(ctx context.Context, pool *pgxpool.Pool, o Options, rep *Report) error {
	bin, err := findPgbench()
	if err != nil {
		return err
	}
	slug := fmt.Sprintf("pgbench-%d", time.Now().UnixNano())
	script, err := pgbenchEvent(ctx, pool, slug, o.Workshops)
	if err != nil {
		return err
	}
	defer pool.Exec(context.WithoutCancel(ctx), pgbenchTeardown, slug)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("fachtag-seat-%d.sql", os.Getpid()))
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		return err
	}
	defer os.Remove(path)
	// The same writes queue for the same few rows, and PostgreSQL's rate
	// falls as more connections queue (1,410–1,860 tps with 4 connections,
	// 810–1,030 with 16, on 2 cores): the bare rate is the best of several
	// connection counts, up to as many as the load test has clients.
	for _, clients := range pgbenchConnections(o.Clients) {
		tps, err := pgbench(ctx, bin, path, clients, o)
		if err != nil {
			return err
		}
		rep.Pgbench = append(rep.Pgbench, PgbenchRun{Clients: clients, TPS: tps})
		rep.PgbenchTPS = max(rep.PgbenchTPS, tps)
	}
	return nil
}

// pgbenchEvent creates the event the pgbench rows go to and returns the
// script for it.
func pgbenchEvent(ctx context.Context, pool *pgxpool.Pool, slug string, workshops int) (string, error) {
	f := benchEvent(slug, 1_000_000_000, workshops, 1_000_000_000)
	if _, err := booking.ImportEvent(ctx, pool, f); err != nil {
		return "", fmt.Errorf("pgbench event: %w", err)
	}
	var eventID, first, last, slotID int64
	if err := pool.QueryRow(ctx, pgbenchTarget, slug).Scan(&eventID, &first, &last, &slotID); err != nil {
		return "", fmt.Errorf("pgbench event: %w", err)
	}
	if last-first+1 != int64(workshops) { // topic Wk is the k-th id
		return "", fmt.Errorf("pgbench event: workshop ids %d..%d are not consecutive", first, last)
	}
	return fmt.Sprintf(pgbenchScript, first, last, first, eventID, eventID, slotID, eventID), nil
}

// pgbenchConnections are the connection counts pgbench runs with.
func pgbenchConnections(clients int) []int {
	var ns []int
	for _, n := range []int{2, 4, 8, 16} {
		if n < clients {
			ns = append(ns, n)
		}
	}
	return append(ns, clients)
}

func pgbench(ctx context.Context, bin, script string, clients int, o Options) (float64, error) {
	secs := strconv.Itoa(int(o.PgbenchTime.Seconds()))
	// Prepared statements, like fachtag's pgx connections.
	cmd := exec.CommandContext(ctx, bin, "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2", "-T", secs, "-f", script, o.DatabaseURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func findPgbench() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	if len(matches) == 0 {
		return "", fmt.Errorf("pgbench not found (apt-get install postgresql-client)")
	}
	return matches[len(matches)-1], nil
}
