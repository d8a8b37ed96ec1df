// Package demo loads the demo events of `fachtag demo` and of the browser
// tests' crawl: bundled scenarios moved into the future and opened, each
// with a privacy notice and an imprint that say plainly they are examples,
// and in the wish-phase event the wishes of a few dozen made-up people, so
// that the organiser's allocation page has something to show.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/scenarios"
)

// Events are the scenarios the demo loads, one a week from a month ahead:
// two in the booking phase, an evening without workshops, and one that
// collects wishes.
var Events = []string{"stadt-land-flucht-2024", "wir-zusammen-2018", "mentoring-abend-2025", "berufliche-teilhabe-2025"}

// Load loads every demo event; loading again updates them and keeps the
// wishes entered before.
func Load(ctx context.Context, pool *pgxpool.Pool, now time.Time) ([]*event.File, error) {
	var out []*event.File
	for i, name := range Events {
		f, err := LoadEvent(ctx, pool, name, now.AddDate(0, 0, 30+7*i), now)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// LoadEvent imports the scenario name, moved to the day of start and open
// for registration from now until the day before; a wish-phase event gets
// its demo wishes.
func LoadEvent(ctx context.Context, pool *pgxpool.Pool, name string, start, now time.Time) (*event.File, error) {
	data, err := scenarios.Read(name)
	if err != nil {
		return nil, err
	}
	f, err := event.ParseFile(data)
	if err != nil {
		return nil, err
	}
	f.MoveTo(start, now)
	f.Status = event.StatusOpen
	exampleLegal(f)
	if _, err := booking.ImportEvent(ctx, pool, f); err != nil {
		return nil, fmt.Errorf("demo event %s: %w", name, err)
	}
	if f.Registration.Mode == event.ModePreferences {
		if err := enterWishes(ctx, booking.New(pool), f); err != nil {
			return nil, fmt.Errorf("demo wishes %s: %w", name, err)
		}
	}
	return f, nil
}

// enterWishes signs the made-up people up with their wishes, as the form
// would; someone registered by an earlier run stays as they are.
func enterWishes(ctx context.Context, book *booking.Service, f *event.File) error {
	for _, req := range wishers(f) {
		if _, _, err := book.Register(ctx, f.Slug, req); err != nil && !errors.Is(err, booking.ErrDuplicate) {
			return fmt.Errorf("%s: %w", req.Email, err)
		}
	}
	return nil
}

// exampleLegal gives an event a privacy notice and an imprint that say
// plainly that they are examples, so the links of every page and mail
// lead somewhere in the demo.
func exampleLegal(f *event.File) {
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
