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
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/scenarios"
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

// demoEvents are the bundled scenarios the demo loads, booking phase first.
var demoEvents = []string{"stadt-land-flucht-2024", "wir-zusammen-2018"}

func runDemo(ctx context.Context) error {
	pool, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	now := time.Now()
	for i, name := range demoEvents {
		data, err := scenarios.Read(name)
		if err != nil {
			return err
		}
		f, err := event.ParseFile(data)
		if err != nil {
			return err
		}
		f.MoveTo(now.AddDate(0, 0, 30+7*i), now)
		f.Status = event.StatusOpen
		demoLegal(f)
		if _, err := booking.ImportEvent(ctx, pool, f); err != nil {
			return fmt.Errorf("demo event %s: %w", name, err)
		}
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

// demoLegal gives a demo event a privacy notice and an imprint that say
// plainly that they are examples, so the links of every page and mail
// lead somewhere in the demo.
func demoLegal(f *event.File) {
	if f.Privacy.IsZero() {
		f.Privacy.Text = "BEISPIELTEXT – keine echte Datenschutzerklärung.\n\n" +
			"Hier steht im Betrieb die Datenschutzerklärung des Veranstalters: wer die Daten verarbeitet (" +
			f.Organiser.Name + "), zu welchem Zweck (Organisation der Veranstaltung), wie lange sie gespeichert " +
			"werden und welche Rechte die Teilnehmenden haben.\n\n" +
			"EXAMPLE TEXT – not a real privacy notice."
	}
	if f.Imprint.IsZero() {
		f.Imprint.Text = "BEISPIELTEXT – kein echtes Impressum.\n\n" + f.Organiser.Name + "\n" +
			"Musterstraße 1\n12345 Musterstadt\n" + f.Organiser.Email + "\n\n" +
			"EXAMPLE TEXT – not a real imprint."
	}
}
