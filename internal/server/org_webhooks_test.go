package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var secretShown = regexp.MustCompile(`value="(whsec_[^"]+)"`)

// The webhooks page: bad input is named next to its field and saves
// nothing, the secret is shown once, the endpoint's page rotates it and
// queues a test event, deleting removes it, and other organisers see 404.
func TestWebhooksPage(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a := of.login("orgA")
	page := "/org/events/" + slugOpen + "/webhooks"
	if r := of.get("/org/events/"+slugOpen+"/setup/basics", a...); !strings.Contains(string(r.body), `href="`+page+`?lang=de"`) {
		t.Errorf("setup page does not link the webhooks page")
	}
	if r := of.get(page, a...); r.status != http.StatusOK || !strings.Contains(string(r.body), "Noch keine Webhooks") {
		t.Fatalf("empty page: %v", r.status)
	}

	r := of.postForm(page, url.Values{"url": {"http://crm.example.org/hooks"}}, a...)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `id="url-error"`) ||
		!strings.Contains(string(r.body), "https://") || !strings.Contains(string(r.body), `id="types-error"`) {
		t.Fatalf("bad input: %d\n%s", r.status, r.body)
	}
	r = of.postForm(page, url.Values{"url": {"https://169.254.169.254/latest"}, "types": {"registration.created"}}, a...)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "internes Netz") ||
		!strings.Contains(string(r.body), `value="registration.created" checked`) {
		t.Fatalf("internal address: %d", r.status)
	}
	if n := of.column(`SELECT id::text FROM webhook_endpoints`); len(n) != 0 {
		t.Fatalf("bad input saved %d endpoints", len(n))
	}

	r = of.postForm(page, url.Values{"url": {"https://crm.example.org/hooks"}, "types": {"registration.created", "registration.checked_in"}}, a...)
	m := secretShown.FindStringSubmatch(string(r.body))
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("create: %d, secret shown: %v", r.status, m)
	}
	list := of.get(page, a...)
	if strings.Contains(string(list.body), m[1]) || !strings.Contains(string(list.body), "https://crm.example.org/hooks") {
		t.Errorf("the list shows the secret again or misses the endpoint")
	}
	id := of.column(`SELECT id::text FROM webhook_endpoints`)[0]
	one := page + "/" + id
	if !strings.Contains(string(list.body), `href="`+one+`?lang=de"`) {
		t.Errorf("the list does not link the endpoint's page")
	}
	if r := of.postForm(one+"/rotate", url.Values{}, a...); r.status != http.StatusOK ||
		secretShown.FindStringSubmatch(string(r.body)) == nil || strings.Contains(string(r.body), m[1]) {
		t.Errorf("rotate: %d", r.status)
	}
	if r := of.postForm(one+"/test", url.Values{}, a...); r.status != http.StatusSeeOther ||
		len(of.column(`SELECT msg_id FROM webhook_deliveries WHERE event_type = 'webhook.test'`)) != 1 {
		t.Errorf("test event: %v", r.status)
	}
	if r := of.get(one, a...); r.status != http.StatusOK || !strings.Contains(string(r.body), "Noch keine Zustellversuche") {
		t.Errorf("endpoint page: %d", r.status)
	}
	b := of.login("orgB")
	if r := of.get(one, b...); r.status != http.StatusNotFound {
		t.Errorf("another event's organiser: %d, want 404", r.status)
	}
	if r := of.postForm(one+"/delete", url.Values{}, a...); r.status != http.StatusSeeOther ||
		len(of.column(`SELECT id::text FROM webhook_endpoints`)) != 0 {
		t.Errorf("delete: %d", r.status)
	}
	if r := of.get(one, a...); r.status != http.StatusNotFound {
		t.Errorf("deleted endpoint's page: %d, want 404", r.status)
	}
}
