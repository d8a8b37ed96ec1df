package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/server"
)

// replicaLimit is the rate limit of both replicas: each storm participant
// sends at most three POSTs from an address of their own, under it.
const replicaLimit = 5

// replicas are two servers on one database, each with its own pool and
// its own mail worker, as two `fachtag serve` processes behind a load
// balancer; both mail to one SMTP server.
func replicas(t *testing.T) ([2]*fixture, func() int) {
	t.Helper()
	o := fixtureOpts{rateLimit: replicaLimit,
		mutate: func(f *event.File) {
			f.Capacity = 24
			for i, c := range []int{4, 6, 5, 3} { // A1, B1, A2, C2
				f.Workshops[i].Capacity = c
			}
		},
		opts: func(o *server.Options) {
			o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		}}
	a := newFixture(t, o)
	poolB, err := pgxpool.NewWithConfig(context.Background(), a.pool.Config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(poolB.Close) // after server B and its worker stop
	b := serve(t, poolB, o)
	sink := a.startMail()
	b.startWorker(sink)
	return [2]*fixture{a, b}, func() int { return len(a.drainOutbox(sink)) }
}

// TestReplicasStorm runs sign-up, swap and cancel storms against two
// replicas at once, then checks the invariants, that every registration
// got exactly one sign-up mail and every outbox row was mailed exactly
// once across both, and that the rate limit holds across both.
func TestReplicasStorm(t *testing.T) {
	rs, drain := replicas(t)
	const n = 40
	rnd := rand.New(rand.NewPCG(9, 9))
	choices := make([]map[string]string, n)
	for i := range choices {
		r1 := []string{"A1", "B1"}[rnd.IntN(2)]
		r2 := "C2"
		if r1 != "A1" && rnd.IntN(2) == 0 {
			r2 = "A2"
		}
		choices[i] = map[string]string{"r1": r1, "r2": r2}
	}
	addr := func(i int) []string { return []string{"X-Forwarded-For", fmt.Sprintf("198.18.0.%d", i+1)} }
	regs := make([]registrationJSON, n)
	storm(t, "sign-up", n, func(i int) (reply, []int) {
		r := rs[i%2].postJSON(regPath(slugOpen), rs[0].person(choices[i]), addr(i)...)
		if r.status == http.StatusCreated {
			regs[i] = decode[registrationJSON](t, r)
		}
		return r, []int{http.StatusCreated}
	})
	// Everyone swaps slot r2 on the other replica: to A2 or C2, which may
	// be full (a waiting list), clash with A1's topic (422), or be refused
	// while the registration waits for an event seat (409).
	storm(t, "swap", n, func(i int) (reply, []int) {
		to := map[string]string{"A2": "C2", "C2": "A2"}[choices[i]["r2"]]
		r := rs[(i+1)%2].sendJSON(http.MethodPut, swapPath(regs[i].Token, "r2"), map[string]string{"workshop": to}, addr(i)...)
		return r, []int{http.StatusOK, http.StatusConflict, http.StatusUnprocessableEntity}
	})
	// Ten with a seat and three waiting cancel: seats free up, and the
	// waiting lists move up through both replicas at once.
	var cancel []int
	for _, status := range []string{"confirmed", "waitlisted"} {
		for i, reg := range regs {
			if reg.Status == status && len(cancel) < map[string]int{"confirmed": 10, "waitlisted": 13}[status] {
				cancel = append(cancel, i)
			}
		}
	}
	storm(t, "cancel", len(cancel), func(j int) (reply, []int) {
		i := cancel[j]
		return rs[j%2].do(http.MethodDelete, "/api/v1/registrations/"+regs[i].Token, nil, addr(i)...), []int{http.StatusOK}
	})
	mails := drain()
	dbtest.CheckInvariants(t, rs[0].pool)
	wantMailedOnce(t, rs[0], mails)
	wantSharedLimit(t, rs)
}

// storm runs n requests at once and checks each status against the ones
// its function allows.
func storm(t *testing.T, name string, n int, do func(i int) (reply, []int)) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := map[string]int{}
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, ok := do(i)
			for _, st := range ok {
				if r.status == st {
					return
				}
			}
			mu.Lock()
			bad[fmt.Sprint(r.status)+" "+strings.TrimSpace(string(r.body))]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	for reply, count := range bad {
		t.Errorf("%s storm: %d× %s", name, count, reply)
	}
}

// wantMailedOnce: every outbox row was received exactly once (by its
// Message-ID) and every registration got exactly one sign-up mail.
func wantMailedOnce(t *testing.T, f *fixture, received int) {
	t.Helper()
	var rows, regs, signups int
	err := f.pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM outbox),
		(SELECT count(*) FROM registrations),
		(SELECT count(*) FROM outbox WHERE kind IN ('confirmed', 'waitlisted'))`).Scan(&rows, &regs, &signups)
	if err != nil {
		t.Fatal(err)
	}
	if received != rows {
		t.Errorf("received %d mails for %d outbox rows, want one each", received, rows)
	}
	if signups != regs {
		t.Errorf("%d sign-up mails for %d registrations, want one each", signups, regs)
	}
	var promoted int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE kind = 'promoted'`).Scan(&promoted); err != nil || promoted == 0 {
		t.Errorf("promotion mails: %d (%v), want some: ten seats were freed with people waiting", promoted, err)
	}
	t.Logf("%d registrations, %d mails, %d of them promotions", regs, received, promoted)
}

// wantSharedLimit: one address sending POSTs to both replicas in turn
// gets the limit once, not once per replica.
func wantSharedLimit(t *testing.T, rs [2]*fixture) {
	t.Helper()
	allowed := 0
	start := time.Now()
	for i := range 2 * replicaLimit {
		r := rs[i%2].postJSON("/api/v1/events/"+slugOpen+"/link", map[string]string{"email": "niemand@example.org"},
			"X-Forwarded-For", "198.51.100.200")
		switch r.status {
		case http.StatusAccepted:
			allowed++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("POST %d: got %v, want 202 or 429", i+1, r)
		}
	}
	// A token comes back every 12 s: a slow machine may see more.
	refilled := int(time.Since(start)/(12*time.Second)) + 1
	if allowed < replicaLimit || allowed > replicaLimit+refilled {
		t.Errorf("one address got %d POSTs through two replicas, want %d (the limit, once; at most %d refilled)", allowed, replicaLimit, refilled)
	}
}
