package booking

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/fachtag/fachtag/internal/db/dbtest"
)

// retryOf is the Retry a client sends with req and key; the reply holds
// the registration id and the personal link, like the API's 201 body.
func retryOf(t *testing.T, key string, req Request) Retry {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	return Retry{Key: key, Hash: sum[:], Reply: func(reg *Registration, token string) ([]byte, error) {
		return json.Marshal(map[string]string{"id": reg.ID, "token": token, "status": string(reg.Status)})
	}}
}

func TestRegisterOnceReplaysAfterCommit(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	ctx := context.Background()
	req := request("anna@example.org", "r1=A1")
	first, replayed, err := s.RegisterOnce(ctx, "ft", req, retryOf(t, "k1", req))
	if err != nil || replayed {
		t.Fatalf("first: replayed=%v err=%v, want a new registration", replayed, err)
	}
	// The reply is lost (a crash between commit and reply, a dropped
	// connection): the client sends the same request again.
	again, replayed, err := s.RegisterOnce(ctx, "ft", req, retryOf(t, "k1", req))
	if err != nil || !replayed || string(again) != string(first) {
		t.Fatalf("retry: got %s replayed=%v err=%v, want %s replayed", again, replayed, err, first)
	}
	var reply struct{ Token string }
	if err := json.Unmarshal(again, &reply); err != nil || reply.Token == "" {
		t.Fatalf("replayed reply %s has no token (%v)", again, err)
	}
	if _, err := s.Get(ctx, reply.Token); err != nil {
		t.Errorf("the replayed token does not open the registration: %v", err)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM registrations`); n != 1 {
		t.Errorf("registrations: got %d, want 1", n)
	}
	wantWorkshop(t, pool, "A1", 1, 0)
	dbtest.CheckInvariants(t, pool)
}

func TestRegisterOnceOtherBody(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	ctx := context.Background()
	req := request("anna@example.org", "r1=A1")
	if _, _, err := s.RegisterOnce(ctx, "ft", req, retryOf(t, "k1", req)); err != nil {
		t.Fatal(err)
	}
	before := tableCounts(t, pool)
	other := request("ben@example.org", "r1=B1")
	_, _, err := s.RegisterOnce(ctx, "ft", other, retryOf(t, "k1", other))
	if !errors.Is(err, ErrKeyReused) {
		t.Errorf("same key, other body: got %v, want ErrKeyReused", err)
	}
	if after := tableCounts(t, pool); after != before {
		t.Errorf("a reused key changed rows: %s, want %s", after, before)
	}
	// Without the key the same e-mail is a new request: a duplicate.
	if _, _, err := s.Register(ctx, "ft", req); !errors.Is(err, ErrDuplicate) {
		t.Errorf("same body without the key: got %v, want ErrDuplicate", err)
	}
}

// A refused sign-up stores nothing: the retry is decided afresh.
func TestRegisterOnceRefusedStoresNothing(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	ctx := context.Background()
	req := request("anna@example.org", "r1=A1", "r2=A2") // topic A twice
	for i := 0; i < 2; i++ {
		var v *ValidationError
		if _, _, err := s.RegisterOnce(ctx, "ft", req, retryOf(t, "k1", req)); !errors.As(err, &v) {
			t.Fatalf("attempt %d: got %v, want a validation error", i, err)
		}
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM idempotency_keys`); n != 0 {
		t.Errorf("idempotency records after refusals: got %d, want 0", n)
	}
}

// Many copies of one request at once: one registration, and every copy
// gets its reply, none "in progress" and none "already registered".
func TestRegisterOnceConcurrentSameKey(t *testing.T) {
	s, pool := setup(t, eventFile("ft"))
	ctx := context.Background()
	req := request("anna@example.org", "r1=A1")
	const copies = 8
	replies := make([][]byte, copies)
	errs := make([]error, copies)
	var wg sync.WaitGroup
	for i := range copies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i], _, errs[i] = s.RegisterOnce(ctx, "ft", req, retryOf(t, "k1", req))
		}()
	}
	wg.Wait()
	for i := range copies {
		if errs[i] != nil || string(replies[i]) != string(replies[0]) {
			t.Errorf("copy %d: got %s, %v; want %s", i, replies[i], errs[i], replies[0])
		}
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM registrations`); n != 1 {
		t.Errorf("registrations: got %d, want 1", n)
	}
	dbtest.CheckInvariants(t, pool)
}

// TestRegisterOnceFullEventStoresWaitingReply checks the sign-up that
// finds no event seat in its last round trip: it is rolled back and done
// again for the waiting list, and the reply it stores and replays, like
// its one mail, is the waiting-list one, not the confirmation it had
// queued first.
func TestRegisterOnceFullEventStoresWaitingReply(t *testing.T) {
	f := eventFile("ft")
	f.Capacity = 1
	s, pool := setup(t, f)
	ctx := context.Background()
	mustRegister(t, s, "ft", "a@example.org", "r1=A1")
	req := request("b@example.org", "r1=A1")
	first, _, err := s.RegisterOnce(ctx, "ft", req, retryOf(t, "k1", req))
	if err != nil {
		t.Fatalf("RegisterOnce: %v", err)
	}
	again, replayed, err := s.RegisterOnce(ctx, "ft", req, retryOf(t, "k1", req))
	if err != nil || !replayed || string(again) != string(first) {
		t.Fatalf("retry: got %s replayed=%v err=%v, want %s replayed", again, replayed, err, first)
	}
	var reply struct{ ID, Status string }
	if err := json.Unmarshal(first, &reply); err != nil || reply.Status != "waitlisted" {
		t.Fatalf("reply %s: want status waitlisted (%v)", first, err)
	}
	p := participant{reg: &Registration{ID: reply.ID, Email: "b@example.org"}}
	wantOutbox(t, pool, p, "waitlisted", 1)
	wantOutbox(t, pool, p, "confirmed", 0)
	wantWorkshop(t, pool, "A1", 1, 0)
	dbtest.CheckInvariants(t, pool)
}
