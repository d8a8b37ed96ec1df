package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/webhook"
)

// The tests run on a real PostgreSQL (dbtest) against a real HTTP
// receiver on loopback, which the policy of the tests allows; the
// receiver checks every signature with the official Standard Webhooks
// library, not with this package's code.

var organiser = auth.Account{Email: "orga@example.org", Role: auth.RoleOrganiser}

// loopback is the policy of the tests: the receivers listen on 127.0.0.1.
var loopback = webhook.NewPolicy(nil, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})

// delivery is one request the receiver got.
type delivery struct {
	ID, Timestamp, Signature string
	Body                     []byte
	Payload                  struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	Verified error // the official library's verdict
}

// receiver is a webhook endpoint: it answers with status(n) to its n-th
// request (counting from 1) and records every request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []delivery
	secret   atomic.Value // string
	status   func(n int) int
	inFlight sync.Map // webhook-id → *atomic.Int32
	overlap  atomic.Bool
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{status: status}
	r.secret.Store("")
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	d := delivery{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
		Signature: req.Header.Get("webhook-signature"), Body: body}
	_ = json.Unmarshal(body, &d.Payload)
	c, _ := r.inFlight.LoadOrStore(d.ID, new(atomic.Int32))
	if c.(*atomic.Int32).Add(1) > 1 {
		r.overlap.Store(true)
	}
	defer c.(*atomic.Int32).Add(-1)
	wh, err := standardwebhooks.NewWebhook(r.secret.Load().(string))
	if err == nil {
		// The workers run on a test clock, so the timestamp is not
		// compared with the wall clock here.
		err = wh.VerifyIgnoringTimestamp(body, req.Header)
	}
	d.Verified = err
	r.mu.Lock()
	r.got = append(r.got, d)
	n := len(r.got)
	r.mu.Unlock()
	code := http.StatusNoContent
	if r.status != nil {
		code = r.status(n)
	}
	w.WriteHeader(code)
	_, _ = io.WriteString(w, http.StatusText(code))
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// clock is the workers' test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

// newClock starts at now, in the microseconds PostgreSQL stores.
func newClock() *clock { return &clock{now: time.Now().Truncate(time.Microsecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newWorker(pool *pgxpool.Pool, c *clock) *webhook.Worker {
	return webhook.NewWorker(pool, webhook.WorkerConfig{Policy: loopback, Now: c.Now, PollInterval: 5 * time.Millisecond,
		PageURL: func(slug string) string { return "http://fachtag.test/org/events/" + slug + "/webhooks" }},
		slog.New(slog.DiscardHandler))
}

// drain runs the worker until no delivery is due at its clock.
func drain(t *testing.T, w *webhook.Worker) {
	t.Helper()
	for range 1000 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("RunOnce: %v", err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("worker never ran out of due deliveries")
}

// eventFile is a small open first_come event: capacity 10, slot r1 with
// workshop A1 (one seat) and B1 (ten seats).
func eventFile(slug string, mode string) *event.File {
	start := time.Now().UTC().Add(30 * 24 * time.Hour).Truncate(24 * time.Hour).Add(8 * time.Hour)
	opens, closes := time.Now().Add(-time.Hour), start.Add(-24*time.Hour)
	f := &event.File{Slug: slug, Title: "Fachtag " + slug, Timezone: "Europe/Berlin", StartsAt: start,
		EndsAt: start.Add(9 * time.Hour), Capacity: 10,
		Organiser:    event.Organiser{Name: "Netzwerk", Email: "orga@example.org"},
		Registration: event.Registration{Mode: mode, OpensAt: &opens, ClosesAt: &closes, MaxPreferences: 2},
		Slots: []event.SlotFile{{Key: "r1", Title: "Runde 1", StartsAt: start.Add(2 * time.Hour),
			EndsAt: start.Add(4 * time.Hour), Optional: true}},
		Workshops: []event.WSFile{{Key: "A1", Slot: "r1", Title: "Workshop A1", Capacity: 1},
			{Key: "B1", Slot: "r1", Title: "Workshop B1", Capacity: 10}},
		Status: event.StatusOpen}
	return f
}

// importEvent stores f and returns its id.
func importEvent(t *testing.T, pool *pgxpool.Pool, f *event.File) int64 {
	t.Helper()
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := event.ParseFile(data)
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if _, err := booking.ImportEvent(context.Background(), pool, parsed); err != nil {
		t.Fatalf("import: %v", err)
	}
	ev, err := event.Load(context.Background(), pool, f.Slug)
	if err != nil {
		t.Fatalf("load event: %v", err)
	}
	return ev.ID
}

// newEndpoint adds an endpoint for r to the event and gives r its secret.
func newEndpoint(t *testing.T, s *webhook.Service, eventID int64, r *receiver, types ...string) int64 {
	t.Helper()
	if len(types) == 0 {
		types = webhook.Types
	}
	id, secret, err := s.Create(context.Background(), organiser, eventID, r.URL, types)
	if err != nil {
		t.Fatalf("Create endpoint: %v", err)
	}
	r.secret.Store(secret)
	return id
}

func queryInt(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func setup(t *testing.T) (*pgxpool.Pool, *webhook.Service) {
	pool, _ := dbtest.New(t)
	return pool, webhook.NewService(pool, loopback)
}
