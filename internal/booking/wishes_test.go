package booking

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/registration"
)

func wishEvent(slug string) *event.File {
	f := eventFile(slug)
	f.Registration.Mode = event.ModePreferences
	f.Registration.MaxPreferences = 2
	return f
}

func wisher(t *testing.T, s *Service, slug, email string, prefs map[string][]string) participant {
	t.Helper()
	r := request(email)
	r.Choices, r.Preferences = nil, prefs
	reg, token, err := s.Register(context.Background(), slug, r)
	if err != nil {
		t.Fatalf("Register(%s): %v", email, err)
	}
	return participant{reg: reg, token: token}
}

func TestChangeWishes(t *testing.T) {
	s, pool := setup(t, wishEvent("wish"))
	ctx := context.Background()
	p := wisher(t, s, "wish", "a@example.org", map[string][]string{"r1": {"A1"}})
	stored := func() string {
		var prefs string
		var mails int
		if err := pool.QueryRow(ctx, `SELECT r.preferences::text, (SELECT count(*) FROM outbox o WHERE o.registration_id = r.id)
			FROM registrations r WHERE id = $1`, p.reg.ID).Scan(&prefs, &mails); err != nil {
			t.Fatal(err)
		}
		return prefs + "/" + string(rune('0'+mails))
	}
	before := stored()
	bad := []struct {
		name  string
		prefs map[string][]string
		field string
		key   string
	}{
		{"too many", map[string][]string{"r1": {"A1", "B1", "A1"}}, "preferences.r1", "err.too_many_wishes"},
		{"duplicate", map[string][]string{"r1": {"A1", "A1"}}, "preferences.r1", "err.duplicate_wish"},
		{"wrong slot", map[string][]string{"r1": {"A2"}}, "preferences.r1", "err.wrong_slot"},
		{"unknown workshop", map[string][]string{"r2": {"Z9"}}, "preferences.r2", "err.unknown_workshop"},
		{"unknown slot", map[string][]string{"r7": {"A1"}}, "preferences.r7", "err.unknown_slot"},
	}
	for _, tc := range bad {
		_, err := s.ChangeWishes(ctx, p.token, tc.prefs)
		var verr *ValidationError
		if !errors.As(err, &verr) || verr.Fields[tc.field].Key != tc.key {
			t.Errorf("%s: err = %v, want %s on %s", tc.name, err, tc.key, tc.field)
		}
	}
	if _, err := s.ChangeWishes(ctx, "nope", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("bad token: err = %v, want ErrNotFound", err)
	}
	if got := stored(); got != before {
		t.Errorf("after refused changes: %s, want %s", got, before)
	}
	reg, err := s.ChangeWishes(ctx, p.token, map[string][]string{"r1": {"B1", "A1"}, "r2": {"B2"}})
	if err != nil || len(reg.Preferences["r1"]) != 2 || reg.Status != registration.Received {
		t.Fatalf("ChangeWishes = %+v, %v", reg, err)
	}
	if got := stored(); got != `{"r1": ["B1", "A1"], "r2": ["B2"]}/2` {
		t.Errorf("stored after change: %s", got)
	}

	// Closed registration, cancelled registration, booking phase.
	s.now = func() time.Time { return time.Now().AddDate(1, 0, 0) }
	if _, err := s.ChangeWishes(ctx, p.token, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("after the deadline: err = %v, want ErrClosed", err)
	}
	s.now = time.Now
	mustCancel(t, s, p)
	if _, err := s.ChangeWishes(ctx, p.token, nil); !errors.Is(err, ErrCancelled) {
		t.Errorf("cancelled: err = %v, want ErrCancelled", err)
	}
	fc, _ := setup(t, eventFile("fc"))
	q := mustRegister(t, fc, "fc", "b@example.org", "r1=A1")
	if _, err := fc.ChangeWishes(ctx, q.token, map[string][]string{"r1": {"A1"}}); !errors.Is(err, ErrNoWishPhase) {
		t.Errorf("first_come event: err = %v, want ErrNoWishPhase", err)
	}
}
