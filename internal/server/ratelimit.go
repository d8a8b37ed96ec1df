package server

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

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

// limitScope is the bucket every public POST of a client address counts
// against: the forms, the participant API and the login share one limit.
const limitScope = "post"

// limit answers 429 with Retry-After once the client address has used up
// its public POSTs (RATE_LIMIT_PER_MINUTE, counted in the database, so the
// limit holds across replicas).
//
// When the database cannot count, the request goes through uncounted:
// every limited route writes to the same database, so it then fails with
// its own answer (or succeeds, if the database is back), and a 429 would
// tell a participant to wait for a fault that is ours.
func (s *Server) limit(next http.Handler) http.Handler { return s.limited(limitScope, next) }

// verifyScope is the bucket of the certificate verification page: its
// own, so that checking codes neither uses up a participant's sign-up
// budget nor lets anyone try codes faster than RATE_LIMIT_PER_MINUTE.
const verifyScope = "verify"

// limitIn is limit counting against the bucket scope.
func (s *Server) limitIn(scope string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return s.limited(scope, next) }
}

func (s *Server) limited(scope string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := s.limits.Take(r.Context(), scope, s.clientAddr(r), s.opts.RateLimitPerMinute)
		if err != nil {
			s.log.Warn("rate limit not counted; request let through", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		if !d.Allowed {
			w.Header().Set("Retry-After", strconv.Itoa(int(d.RetryAfter/time.Second)))
			s.fail(w, r, errRateLimited)
			return
		}
		next.ServeHTTP(w, r)
	})
}
