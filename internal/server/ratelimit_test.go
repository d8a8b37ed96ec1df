package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/limits"
)

func TestClientAddrBehindProxies(t *testing.T) {
	s := &Server{opts: Options{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}}
	tests := []struct {
		name, remote, xff, want string
	}{
		{"direct client, header ignored", "203.0.113.9:4000", "198.51.100.1", "203.0.113.9"},
		{"one trusted proxy", "10.0.0.2:4000", "198.51.100.1", "198.51.100.1"},
		{"spoofed entries left of the real client", "10.0.0.2:4000", "1.1.1.1, 2.2.2.2, 198.51.100.1", "198.51.100.1"},
		{"two trusted proxies", "10.0.0.2:4000", "198.51.100.1, 10.0.0.3", "198.51.100.1"},
		{"header split over two lines", "10.0.0.2:4000", "", "198.51.100.7"},
		{"trusted proxy without header", "10.0.0.2:4000", "", "10.0.0.2"},
		{"malformed hop stops the walk", "10.0.0.2:4000", "198.51.100.1, garbage", "10.0.0.2"},
		{"IPv6 client counts per /64", "[fd00::1]:4000", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.name == "header split over two lines" {
				r.Header.Add("X-Forwarded-For", "1.1.1.1")
				r.Header.Add("X-Forwarded-For", "198.51.100.7")
			}
			if got := s.clientAddr(r); got != tt.want {
				t.Errorf("clientAddr = %q, want %q", got, tt.want)
			}
		})
	}
}

// When the database cannot count, a limited request goes through
// uncounted (it then meets the outage on its own) instead of a 429.
func TestLimitLetsThroughWhenUncounted(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://fachtag@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := &Server{opts: Options{RateLimitPerMinute: 1}, limits: limits.New(pool),
		log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))}
	reached := 0
	h := s.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ }))
	for range 3 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/events/x/register", nil))
		if w.Code == http.StatusTooManyRequests {
			t.Errorf("got 429 while the limit could not be counted")
		}
	}
	if reached != 3 {
		t.Errorf("handler reached %d times, want 3", reached)
	}
}
