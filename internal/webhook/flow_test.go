package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/allocrun"
	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/roster"
	"github.com/fachtag/fachtag/internal/webhook"
)

func signUp(t *testing.T, bs *booking.Service, slug, email string, choice string) (*booking.Registration, string) {
	t.Helper()
	req := booking.Request{Name: "Person " + email, Email: email, Organisation: "Jobcenter", Language: "de",
		Consents: booking.Consents{Privacy: true}}
	if choice != "" {
		req.Choices = map[string]string{"r1": choice}
	} else {
		req.Preferences = map[string][]string{"r1": {"A1", "B1"}}
	}
	reg, token, err := bs.Register(context.Background(), slug, req)
	if err != nil {
		t.Fatalf("Register %s: %v", email, err)
	}
	return reg, token
}

// Every reported change of the product reaches a real receiver, signed,
// once per endpoint that wants its type, without the personal link.
func TestChangesReachTheReceiver(t *testing.T) {
	pool, svc := setup(t)
	ctx := context.Background()
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	wp := importEvent(t, pool, eventFile("wp", event.ModePreferences))
	r := newReceiver(t, nil)
	newEndpoint(t, svc, fc, r)
	published := newReceiver(t, nil)
	newEndpoint(t, svc, wp, published, webhook.AllocationPublished)

	bs := booking.New(pool)
	a, tokenA := signUp(t, bs, "fc", "a@example.org", "A1")
	b, tokenB := signUp(t, bs, "fc", "b@example.org", "A1") // A1 has one seat: b waits
	if _, err := bs.Cancel(ctx, tokenA); err != nil {       // b moves up
		t.Fatal(err)
	}
	for range 2 { // the second tap reports nothing
		if _, err := roster.New(pool).CheckIn(ctx, organiser, fc, b.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	_, tokenC := signUp(t, bs, "wp", "c@example.org", "")
	alloc := allocrun.New(pool)
	run, err := alloc.Run(ctx, "wp", allocrun.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alloc.Publish(ctx, "wp", run.ID); err != nil {
		t.Fatal(err)
	}

	drain(t, newWorker(pool, newClock()))
	got := r.deliveries()
	var types []string
	for _, d := range got {
		types = append(types, d.Payload.Type)
		checkDelivery(t, d, "fc", tokenA, tokenB)
	}
	slices.Sort(types)
	want := []string{webhook.BookingPromoted, webhook.RegistrationCancelled, webhook.RegistrationCheckedIn,
		webhook.RegistrationCreated, webhook.RegistrationCreated}
	if !slices.Equal(types, want) {
		t.Errorf("receiver got %v, want %v", types, want)
	}
	promoted := find(t, got, webhook.BookingPromoted)
	for _, part := range []string{`"id":"` + b.ID + `"`, `"change":{"slot":"r1","to":"A1"}`, `"status":"confirmed"`} {
		if !strings.Contains(string(promoted.Payload.Data), part) {
			t.Errorf("booking.promoted data %s lacks %s", promoted.Payload.Data, part)
		}
	}
	if d := find(t, got, webhook.RegistrationCheckedIn); !strings.Contains(string(d.Payload.Data), `"checked_in_at":"`) {
		t.Errorf("registration.checked_in data %s has no checked_in_at", d.Payload.Data)
	}
	if d := find(t, got, webhook.RegistrationCancelled); !strings.Contains(string(d.Payload.Data), `"id":"`+a.ID+`","name":"Person a@example.org"`) {
		t.Errorf("registration.cancelled data %s is not a's", d.Payload.Data)
	}
	pub := published.deliveries()
	if len(pub) != 1 || pub[0].Payload.Type != webhook.AllocationPublished {
		t.Fatalf("the wish event's endpoint got %d deliveries, want one allocation.published", len(pub))
	}
	checkDelivery(t, pub[0], "wp", tokenC)
	if !strings.Contains(string(pub[0].Payload.Data), fmt.Sprintf(`"run_id":%d`, run.ID)) {
		t.Errorf("allocation.published data %s does not name run %d", pub[0].Payload.Data, run.ID)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered' OR payload <> ''`); n != 0 {
		t.Errorf("%d deliveries unsent or still holding their payload", n)
	}
}

func checkDelivery(t *testing.T, d delivery, slug string, tokens ...string) {
	t.Helper()
	if d.Verified != nil {
		t.Errorf("%s: signature refused by the Standard Webhooks library: %v", d.Payload.Type, d.Verified)
	}
	if !strings.HasPrefix(d.ID, "msg_") || d.Payload.Timestamp.IsZero() {
		t.Errorf("%s: webhook-id %q, timestamp %v", d.Payload.Type, d.ID, d.Payload.Timestamp)
	}
	var data struct{ Event string }
	if err := json.Unmarshal(d.Payload.Data, &data); err != nil || data.Event != slug {
		t.Errorf("%s: data.event = %q (%v), want %q", d.Payload.Type, data.Event, err, slug)
	}
	for _, token := range tokens {
		if strings.Contains(string(d.Body), token) || strings.Contains(string(d.Body), "/r/") {
			t.Errorf("%s carries a personal link: %s", d.Payload.Type, d.Body)
		}
	}
}

func find(t *testing.T, ds []delivery, typ string) delivery {
	t.Helper()
	for _, d := range ds {
		if d.Payload.Type == typ {
			return d
		}
	}
	t.Fatalf("no %s delivery", typ)
	return delivery{}
}

// An event without endpoints, or whose endpoints want other types, gets
// no delivery rows from a sign-up.
func TestNoEndpointNoDelivery(t *testing.T) {
	pool, svc := setup(t)
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	bs := booking.New(pool)
	signUp(t, bs, "fc", "a@example.org", "B1")
	newEndpoint(t, svc, fc, newReceiver(t, nil), webhook.RegistrationCancelled)
	signUp(t, bs, "fc", "b@example.org", "B1")
	if n := queryInt(t, pool, `SELECT count(*) FROM webhook_deliveries`); n != 0 {
		t.Errorf("%d deliveries, want none", n)
	}
}

// A receiver that fails twice gets the same delivery three times, 5 s and
// 5 min apart on the workers' clock, signed afresh each time, and the log
// shows every answer.
func TestRetriesUntilDelivered(t *testing.T) {
	pool, svc := setup(t)
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	r := newReceiver(t, func(n int) int { return map[bool]int{true: 500, false: 200}[n <= 2] })
	id := newEndpoint(t, svc, fc, r)
	signUp(t, booking.New(pool), "fc", "a@example.org", "B1")
	c := newClock()
	w := newWorker(pool, c)
	start := c.Now()
	for i, wait := range []time.Duration{0, 5 * time.Second, 5 * time.Minute} {
		c.Add(wait)
		drain(t, w)
		if n := len(r.deliveries()); n != i+1 {
			t.Fatalf("after %v: %d requests, want %d", c.Now().Sub(start), n, i+1)
		}
	}
	c.Add(time.Hour)
	drain(t, w)
	got := r.deliveries()
	if len(got) != 3 {
		t.Fatalf("%d requests, want 3", len(got))
	}
	for i, d := range got {
		if d.ID != got[0].ID || d.Verified != nil {
			t.Errorf("attempt %d: id %s (first %s), signature %v", i+1, d.ID, got[0].ID, d.Verified)
		}
	}
	if got[1].Timestamp == got[0].Timestamp {
		t.Error("the retry has the first attempt's timestamp")
	}
	log, err := svc.Log(context.Background(), fc, id)
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	var results []string
	for _, a := range log {
		codes, results = append(codes, a.StatusCode), append(results, a.Result())
	}
	if !slices.Equal(codes, []int{200, 500, 500}) || !slices.Equal(results, []string{"delivered", "failed", "failed"}) ||
		log[0].Response != "OK" {
		t.Errorf("log: codes %v, results %v, newest %+v", codes, results, log[0])
	}
}

// Two workers on one database never send one delivery at once, and
// every delivery goes out exactly once.
func TestTwoWorkersSendEachDeliveryOnce(t *testing.T) {
	pool, svc := setup(t)
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	r := newReceiver(t, nil)
	newEndpoint(t, svc, fc, r)
	const n = 60
	for i := range n {
		m := webhook.Message{Type: webhook.RegistrationCreated, EventID: fc, Data: map[string]any{"event": "fc", "n": i}}
		if err := webhook.Enqueue(context.Background(), pool, m); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	for range 2 {
		w := newWorker(pool, &clock{now: time.Now().Add(time.Minute)})
		go func() { done <- w.Run(ctx) }()
	}
	deadline := time.Now().Add(30 * time.Second)
	for queryInt(t, pool, `SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'`) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling the state, not waiting for it
	}
	cancel()
	<-done
	<-done
	seen := map[string]int{}
	for _, d := range r.deliveries() {
		seen[d.ID]++
	}
	if len(seen) != n || r.overlap.Load() {
		t.Errorf("%d distinct deliveries of %d, overlap %v", len(seen), n, r.overlap.Load())
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("%s sent %d times", id, k)
		}
	}
}

// A name that passed the check when saved but leads to an internal
// address when connecting (here: the worker allows no loopback) is
// refused by the worker; the receiver never hears of it.
func TestWorkerRefusesInternalAddress(t *testing.T) {
	pool, svc := setup(t)
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	r := newReceiver(t, nil)
	id := newEndpoint(t, svc, fc, r)
	signUp(t, booking.New(pool), "fc", "a@example.org", "B1")
	c := newClock()
	strict := webhook.NewWorker(pool, webhook.WorkerConfig{Now: c.Now}, slog.New(slog.DiscardHandler))
	drain(t, strict)
	log, err := svc.Log(context.Background(), fc, id)
	if err != nil || len(log) != 1 {
		t.Fatalf("log %v, %v; want one attempt", log, err)
	}
	if !strings.Contains(log[0].Error, "not allowed") || log[0].StatusCode != 0 || len(r.deliveries()) != 0 {
		t.Errorf("attempt %+v, %d requests; want a refusal and none", log[0], len(r.deliveries()))
	}
}

// A worker told to stop lets the request in flight finish and records it.
func TestWorkerFinishesInFlightOnStop(t *testing.T) {
	pool, svc := setup(t)
	fc := importEvent(t, pool, eventFile("fc", event.ModeFirstCome))
	arrived, release := make(chan struct{}), make(chan struct{})
	r := newReceiver(t, func(int) int {
		close(arrived)
		<-release
		return 200
	})
	newEndpoint(t, svc, fc, r)
	signUp(t, booking.New(pool), "fc", "a@example.org", "B1")
	c := newClock()
	c.Add(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- newWorker(pool, c).Run(ctx) }()
	<-arrived
	cancel()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'`); n != 1 {
		t.Errorf("%d deliveries recorded as delivered after the stop, want 1", n)
	}
}
