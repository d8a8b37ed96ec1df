package loadtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The bare seat transaction: what a sign-up must do in the database at the
// least — take an event seat and a workshop seat under their guards and
// record the booking — without HTTP, JSON, validation, tokens or mail.
const pgbenchSetup = `
DROP TABLE IF EXISTS pgbench_seat_events, pgbench_seat_workshops, pgbench_seat_bookings;
CREATE TABLE pgbench_seat_events (id int PRIMARY KEY, capacity int, confirmed int CHECK (confirmed <= capacity));
CREATE TABLE pgbench_seat_workshops (id int PRIMARY KEY, capacity int, taken int CHECK (taken <= capacity));
CREATE TABLE pgbench_seat_bookings (id bigserial PRIMARY KEY, workshop int, created_at timestamptz DEFAULT now());
INSERT INTO pgbench_seat_events VALUES (1, 2000000000, 0);
INSERT INTO pgbench_seat_workshops SELECT g, 2000000000, 0 FROM generate_series(1, %d) g;`

const pgbenchScript = `\set w random(1, %d)
BEGIN;
UPDATE pgbench_seat_events SET confirmed = confirmed + 1 WHERE id = 1 AND confirmed < capacity;
UPDATE pgbench_seat_workshops SET taken = taken + 1 WHERE id = :w AND taken < capacity;
INSERT INTO pgbench_seat_bookings (workshop) VALUES (:w);
END;
`

const pgbenchTeardown = `DROP TABLE IF EXISTS pgbench_seat_events, pgbench_seat_workshops, pgbench_seat_bookings`

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

func runPgbench(ctx context.Context, pool *pgxpool.Pool, o Options, rep *Report) error {
	bin, err := findPgbench()
	if err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, fmt.Sprintf(pgbenchSetup, o.Workshops)); err != nil {
		return fmt.Errorf("pgbench setup: %w", err)
	}
	defer pool.Exec(context.WithoutCancel(ctx), pgbenchTeardown)
	script := filepath.Join(os.TempDir(), fmt.Sprintf("fachtag-seat-%d.sql", os.Getpid()))
	if err := os.WriteFile(script, []byte(fmt.Sprintf(pgbenchScript, o.Workshops)), 0o600); err != nil {
		return err
	}
	defer os.Remove(script)
	// Once with as many connections as the load test has clients, once with
	// as many as the server's pool: the bare rate is the better of the two.
	for _, clients := range []int{o.Clients, serverPoolSize} {
		tps, err := pgbench(ctx, bin, script, clients, o)
		if err != nil {
			return err
		}
		rep.Pgbench = append(rep.Pgbench, PgbenchRun{Clients: clients, TPS: tps})
		rep.PgbenchTPS = max(rep.PgbenchTPS, tps)
	}
	return nil
}

// serverPoolSize is the connection pool of the server under test (db.Open).
const serverPoolSize = 16

func pgbench(ctx context.Context, bin, script string, clients int, o Options) (float64, error) {
	secs := strconv.Itoa(int(o.PgbenchTime.Seconds()))
	cmd := exec.CommandContext(ctx, bin, "-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", secs, "-f", script, o.DatabaseURL)
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
