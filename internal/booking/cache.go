package booking

import (
	"context"
	"sync"
	"time"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/event"
)

// rulesTTL is how long a sign-up may work from an event read by an earlier
// one. At an opening rush every sign-up would otherwise re-read the same
// event, slots and workshops. Nothing that decides a seat comes from here:
// seats, whether registration is open, and whether a workshop is still in
// the slot and of the topic the cache says are checked by the statements
// that book; when one of those checks fails the sign-up is decided again on
// a fresh read.
const rulesTTL = time.Second

type rulesCache struct {
	mu sync.Mutex
	m  map[string]cachedEvent
}

type cachedEvent struct {
	ev         *event.Event
	at         time.Time
	refreshing bool // one caller reloads; the others keep using ev meanwhile
}

// get returns the event's rules, read at most rulesTTL ago, or a little
// longer while one caller reloads them: when the entry expires in a rush
// only that caller goes to the database. The returned event is shared:
// callers must not change it.
func (c *rulesCache) get(ctx context.Context, q db.Conn, slug string, now time.Time) (*event.Event, error) {
	c.mu.Lock()
	hit, ok := c.m[slug]
	if ok && (now.Sub(hit.at) < rulesTTL || hit.refreshing) {
		c.mu.Unlock()
		return hit.ev, nil
	}
	if ok {
		hit.refreshing = true
		c.m[slug] = hit
	}
	c.mu.Unlock()

	ev, err := event.LoadRules(ctx, q, slug)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if ok {
			hit.refreshing = false
			c.m[slug] = hit
		}
		return nil, err
	}
	if len(c.m) > 1000 {
		clear(c.m)
	}
	c.m[slug] = cachedEvent{ev: ev, at: now}
	return ev, nil
}

// forget drops the cached event, so the next get reads it again.
func (c *rulesCache) forget(slug string) {
	c.mu.Lock()
	delete(c.m, slug)
	c.mu.Unlock()
}
