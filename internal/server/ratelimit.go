package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter allows each client address a number of public POSTs per
// minute, with a burst of the same size. Idle entries are dropped.
type rateLimiter struct {
	perMinute int
	mu        sync.Mutex
	clients   map[string]*client
	lastSweep time.Time
}

// maxClients bounds the limiter's memory: past it, entries are dropped
// until it is under the bound again.
const maxClients = 100_000

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, clients: map[string]*client{}, lastSweep: time.Now()}
}

func (l *rateLimiter) allow(addr string) bool {
	if l.perMinute <= 0 {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute || len(l.clients) > maxClients {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute || len(l.clients) > maxClients {
				delete(l.clients, k)
			}
		}
		l.lastSweep = now
	}
	c, ok := l.clients[addr]
	if !ok {
		c = &client{lim: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
		l.clients[addr] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

// clientAddr is the caller's IP. A request from one of the trusted proxies
// is followed back through X-Forwarded-For, right to left: the right-most
// address that is not a trusted proxy is the client (entries left of it
// are whatever the client chose to send).
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(addr) {
		return limitKey(host)
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed entry: trust nothing further left
		}
		addr = hop.Unmap()
		if !s.trusted(addr) {
			break
		}
	}
	return limitKey(addr.String())
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// limitKey is the address a limit applies to: an IPv6 client controls its
// whole /64, so the /64 counts as one client.
func limitKey(host string) string {
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.limiter.allow(s.clientAddr(r)) {
			w.Header().Set("Retry-After", "60")
			s.fail(w, r, errRateLimited)
			return
		}
		next.ServeHTTP(w, r)
	})
}
