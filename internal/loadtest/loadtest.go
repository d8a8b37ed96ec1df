// Package loadtest runs the sign-up load benchmark: many concurrent HTTP
// clients against a real fachtag server and database (served in this
// process, or an already running server at Options.Target), the invariants
// checked afterwards, and pgbench running the same writes as one sign-up
// on the same database for comparison.
package loadtest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/app"
	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/server"
)

// Options of one run.
type Options struct {
	DatabaseURL string
	Clients     int
	Signups     int
	Rate        float64 // offered sign-ups per second; 0 sends back to back
	Workshops   int
	PgbenchTime time.Duration
	// Target is the base URL of a running fachtag server on the database
	// at DatabaseURL (with RATE_LIMIT_PER_MINUTE=0); empty serves one in
	// this process.
	Target string
}

// Run creates a bench event, serves it on loopback, sends the sign-ups,
// checks the invariants and runs pgbench.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := db.Migrate(o.DatabaseURL); err != nil {
		return nil, err
	}
	pool, err := db.Open(ctx, o.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	slug := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if err := createEvent(ctx, pool, slug, o); err != nil {
		return nil, err
	}
	baseURL := o.Target
	if baseURL == "" {
		var stop func()
		if baseURL, stop, err = serve(pool); err != nil {
			return nil, err
		}
		defer stop()
	}
	rep := &Report{Clients: o.Clients, Rate: o.Rate}
	if err := drive(ctx, baseURL, slug, o, rep); err != nil {
		return rep, err
	}
	if err := rep.check(ctx, pool, slug); err != nil {
		return rep, err
	}
	if o.PgbenchTime > 0 {
		if err := runPgbench(ctx, pool, o, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// createEvent makes an event whose workshops hold half of the sign-ups, so
// that both the seat path and the waiting-list path are exercised.
func createEvent(ctx context.Context, pool *pgxpool.Pool, slug string, o Options) error {
	_, err := booking.ImportEvent(ctx, pool, benchEvent(slug, o.Signups, o.Workshops, max(o.Signups/(2*o.Workshops), 1)))
	return err
}

// benchEvent is an open first_come event with one slot of workshops.
func benchEvent(slug string, capacity, workshops, perWorkshop int) *event.File {
	now := time.Now()
	opens, closes := now.Add(-time.Hour), now.Add(24*time.Hour)
	f := &event.File{Slug: slug, Title: "Lasttest", Timezone: "Europe/Berlin",
		StartsAt: now.Add(48 * time.Hour), EndsAt: now.Add(56 * time.Hour), Capacity: capacity,
		Languages: []string{"de"}, Status: event.StatusOpen, RetentionDays: 1,
		Registration: event.Registration{Mode: event.ModeFirstCome, OpensAt: &opens, ClosesAt: &closes, MaxPreferences: 3},
		Slots:        []event.SlotFile{{Key: "s1", Title: "Workshops", StartsAt: now.Add(50 * time.Hour), EndsAt: now.Add(52 * time.Hour)}}}
	for i := 0; i < workshops; i++ {
		key := fmt.Sprintf("W%d", i+1)
		f.Workshops = append(f.Workshops, event.WSFile{Key: key, Slot: "s1", Title: "Workshop " + key,
			Capacity: perWorkshop, Topic: key})
	}
	return f
}

// serve runs the real handler on a loopback port without mail workers:
// mails stay queued in the outbox (the mail benchmark measures sending).
func serve(pool *pgxpool.Pool) (string, func(), error) {
	srv, err := server.New(app.New(pool, auth.Options{}), server.Options{BaseURL: "http://bench.invalid", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = hs.Close() }, nil
}
