package server

import (
	"net/http/httptest"
	"net/netip"
	"testing"
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
