package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// Many concurrent saves of events finish: each save runs on one connection
// (it used to hold one for its lock and wait for a second, and 16 of them
// starved the pool).
func TestOrgConcurrentSaves(t *testing.T) {
	of := newOrgFixture(t)
	admin := of.bearer("admin")
	const n = 24
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slug := fmt.Sprintf("parallel-%02d", i)
			statuses[i] = of.sendJSON("PUT", "/api/v1/events/"+slug, openEvent(slug), admin...).status
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusCreated {
			t.Errorf("save %d: got %d, want 201", i, st)
		}
	}
}

// Parallel wrong passwords cannot outrun the lockout: at most MaxFailures
// of them get their guess checked, the rest are refused as locked.
func TestOrgParallelGuessesLocked(t *testing.T) {
	of := newOrgFixture(t)
	const n = 30
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := of.postForm("/org/login", url.Values{"email": {emailOf("orgA")}, "password": {"falsch"}}).status
			mu.Lock()
			counts[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[http.StatusUnauthorized] > 5 {
		t.Errorf("%d guesses were checked, want at most 5 (statuses %v)", counts[http.StatusUnauthorized], counts)
	}
}
