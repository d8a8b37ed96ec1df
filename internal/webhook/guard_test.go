package webhook_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/webhook"
)

func TestCheckURL(t *testing.T) {
	strict := webhook.NewPolicy(nil, nil)
	allowing := webhook.NewPolicy([]string{"hooks.intern"}, []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")})
	tests := []struct {
		policy webhook.Policy
		url    string
		want   string // reason key; "" accepted
	}{
		{strict, "https://crm.example.org/hooks?x=1", ""},
		{strict, "HTTPS://CRM.Example.org/h", ""},
		{strict, "http://crm.example.org/hooks", webhook.URLHTTPS},
		{strict, "ftp://crm.example.org/", webhook.URLHTTPS},
		{strict, "crm.example.org/hooks", webhook.URLInvalid},
		{strict, "https://", webhook.URLInvalid},
		{strict, "https://crm.example.org/#frag", webhook.URLInvalid},
		{strict, "https://user:pw@crm.example.org/", webhook.URLUserinfo},
		{strict, "https://127.0.0.1/", webhook.URLInternal},
		{strict, "https://169.254.169.254/latest/meta-data/", webhook.URLInternal},
		{strict, "https://10.0.0.7:8443/", webhook.URLInternal},
		{strict, "https://192.168.1.1/", webhook.URLInternal},
		{strict, "https://100.64.0.1/", webhook.URLInternal},
		{strict, "https://[::1]/", webhook.URLInternal},
		{strict, "https://[fd00::1]/", webhook.URLInternal},
		{strict, "https://[::ffff:127.0.0.1]/", webhook.URLInternal},
		{strict, "https://localhost/", webhook.URLInternal},
		{strict, "https://intranet/", webhook.URLInternal},
		{strict, "https://" + strings.Repeat("a", 2000) + ".org/", webhook.URLTooLong},
		{allowing, "http://hooks.intern/x", ""},
		{allowing, "http://10.1.2.3:8080/x", ""},
		{allowing, "http://10.2.2.3/x", webhook.URLHTTPS},
		{allowing, "https://10.2.2.3/x", webhook.URLInternal},
	}
	for _, tt := range tests {
		_, got := tt.policy.CheckURL(tt.url)
		if got != tt.want {
			t.Errorf("CheckURL(%.60s) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

// The client refuses internal addresses when it connects, after DNS, so a
// name that resolves to one (localhost here; a rebinding attacker's name
// elsewhere) is refused as well as a literal; nothing reaches the server.
func TestClientRefusesInternalAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	client := webhook.NewPolicy(nil, nil).Client(2 * time.Second)
	for _, u := range []string{srv.URL, "http://localhost" + port, "http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1/", "http://[::1]" + port, "http://0.0.0.0" + port} {
		resp, err := client.Post(u, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Errorf("POST %s: got %s, want a refusal", u, resp.Status)
			continue
		}
		if !errors.Is(err, webhook.ErrRefused) {
			t.Errorf("POST %s: err = %v, want ErrRefused", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests, want 0", n)
	}
	allowed := webhook.NewPolicy(nil, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}).Client(2 * time.Second)
	resp, err := allowed.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("allowed POST: %v", err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Errorf("allowed POST did not arrive")
	}
}

// Redirects are answers, never followed: a receiver cannot send the
// request on to an internal address.
func TestClientFollowsNoRedirect(t *testing.T) {
	var target atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { target.Add(1) }))
	defer inner.Close()
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL, http.StatusTemporaryRedirect)
	}))
	defer outer.Close()
	client := webhook.NewPolicy(nil, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}).Client(2 * time.Second)
	resp, err := client.Post(outer.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || target.Load() != 0 {
		t.Errorf("got %d with %d requests at the target, want 307 and none", resp.StatusCode, target.Load())
	}
}
