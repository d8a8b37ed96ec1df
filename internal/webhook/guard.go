package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Policy says where deliveries may go: public addresses over https, and
// the hosts the installation allows (WEBHOOK_ALLOW_HOSTS: names, addresses
// or CIDR ranges) also over plain http and on internal addresses.
type Policy struct {
	hosts    map[string]bool
	prefixes []netip.Prefix
}

// NewPolicy is the policy that allows, besides public addresses over
// https, the host names and address ranges given (config.WebhookAllow).
func NewPolicy(hosts []string, prefixes []netip.Prefix) Policy {
	p := Policy{hosts: map[string]bool{}, prefixes: prefixes}
	for _, h := range hosts {
		p.hosts[strings.ToLower(h)] = true
	}
	return p
}

// allowedHost reports whether the installation allows host (a name or an
// address literal).
func (p Policy) allowedHost(host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if p.hosts[host] {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && p.allowedAddr(a)
}

func (p Policy) allowedAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, pre := range p.prefixes {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// internalRanges are refused unless allowed: besides what netip
// classifies (loopback, private incl. ULA, link-local, multicast,
// unspecified), carrier-grade NAT, "this network", IETF protocol
// assignments, benchmarking, reserved and broadcast, the NAT64 prefix and
// documentation ranges.
var internalRanges = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "64:ff9b::/96", "64:ff9b:1::/48", "2001:db8::/32", "100::/64"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Internal reports whether a is an address a delivery must not reach
// without the installation's leave.
func Internal(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || !a.IsValid() {
		return true
	}
	for _, pre := range internalRanges {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// ErrRefused is a connection the policy did not allow.
var ErrRefused = errors.New("address not allowed for webhooks")

// The reasons CheckURL gives, as catalogue keys.
const (
	URLInvalid  = "webhooks.err_url"
	URLHTTPS    = "webhooks.err_https"
	URLUserinfo = "webhooks.err_userinfo"
	URLInternal = "webhooks.err_internal"
	URLTooLong  = "err.too_long"
)

// maxURL bounds an endpoint's address.
const maxURL = 2000

// CheckURL validates an endpoint address when it is saved and returns it
// normalised, or the catalogue key of the reason. Names are resolved only
// when connecting (see Client), so a name's later change cannot slip by.
func (p Policy) CheckURL(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxURL {
		return "", URLTooLong
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Hostname() == "" || u.Fragment != "" || u.Opaque != "" {
		return "", URLInvalid
	}
	if u.User != nil {
		return "", URLUserinfo
	}
	host := strings.ToLower(u.Hostname())
	allowed := p.allowedHost(host)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowed:
	default:
		return "", URLHTTPS
	}
	if !allowed && internalName(host) {
		return "", URLInternal
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	return u.String(), ""
}

// internalName reports an address literal in an internal range, or a
// name that only ever means this machine or its network.
func internalName(host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return Internal(a)
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost") ||
		strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") || !strings.Contains(host, ".")
}

// Client is the HTTP client deliveries use: no proxy from the
// environment (it would connect for us, unchecked), no redirects, a
// timeout per request, and every connection checked after DNS by the
// dialer, so a public name that resolves to an internal address is
// refused too.
func (p Policy) Client(timeout time.Duration) *http.Client {
	guarded := &net.Dialer{Timeout: timeout, Control: p.control}
	open := &net.Dialer{Timeout: timeout}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err == nil && p.hosts[strings.ToLower(host)] {
				return open.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// control runs after DNS, right before each connect.
func (p Policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrRefused, address)
	}
	if Internal(ap.Addr()) && !p.allowedAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s is an internal address", ErrRefused, ap.Addr())
	}
	return nil
}
