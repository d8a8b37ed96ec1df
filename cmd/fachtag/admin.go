package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/demo"
	"github.com/fachtag/fachtag/internal/event"
)

func databaseURL() (string, error) {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		return "", errors.New("DATABASE_URL: required")
	}
	return u, nil
}

func runMigrate() error {
	u, err := databaseURL()
	if err != nil {
		return err
	}
	if err := db.Migrate(u); err != nil {
		return err
	}
	fmt.Println("schema is up to date")
	return nil
}

func openMigrated(ctx context.Context) (*pgxpool.Pool, error) {
	u, err := databaseURL()
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(u); err != nil {
		return nil, err
	}
	return db.Open(ctx, u)
}

func runImport(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return usageError("import needs exactly one FILE")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	f, err := event.ParseFile(data)
	if err != nil {
		return err
	}
	pool, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	created, err := booking.ImportEvent(ctx, pool, f)
	if err != nil {
		return err
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Printf("%s event %q (%d slots, %d workshops)\n", verb, f.Slug, len(f.Slots), len(f.Workshops))
	return nil
}

func runDemo(ctx context.Context) error {
	pool, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	files, err := demo.Load(ctx, pool, time.Now())
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Printf("demo event %q is open for registration (%s)\n", f.Slug, f.StartsAt.Format("2006-01-02"))
	}
	return demoOrganiser(ctx, pool)
}

// demoAccount is the organiser account the demo creates, once.
const demoAccount = "orga@example.org"

func demoOrganiser(ctx context.Context, pool *pgxpool.Pool) error {
	_, password, err := auth.New(pool, auth.Options{}).CreateUser(ctx, demoAccount, "admin", "")
	if errors.Is(err, auth.ErrEmailTaken) {
		fmt.Printf("demo organiser %s exists already\n", demoAccount)
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo organiser: %w", err)
	}
	fmt.Printf("demo organiser: %s with the one-time password %s (log in at /org/login)\n", demoAccount, password)
	return nil
}
