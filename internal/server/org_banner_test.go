package server_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// While mails stall the organiser's start page and dashboard warn, in the
// organiser's language, with the time in the event's zone and the number
// of mails waiting; once a mail goes out the warning is gone.
func TestMailStallBanner(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	a := of.login("orgA")
	of.register(of.person(map[string]string{"r1": "A1"}))
	of.register(of.person(map[string]string{"r1": "B1"}))
	pages := []string{"/org/", "/org/events/" + slugOpen + "/dashboard"}
	for _, p := range pages {
		if body := string(of.get(p, a...).body); strings.Contains(body, "mail-stall") {
			t.Fatalf("%s warns before any mail stalled", p)
		}
	}

	since := time.Date(2025, 12, 1, 9, 5, 0, 0, time.UTC) // 10:05 in Berlin
	if _, err := of.pool.Exec(context.Background(), `UPDATE outbox SET deferred_since = $1, attempts = 1,
		last_error = 'smtp connect: connection refused'`, since); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		for lang, want := range map[string]string{
			"de": "Mails stocken seit 1. Dezember 2025, 10:05 Uhr (2 Mails warten)",
			"en": "Mails have been stuck since 1 December 2025, 10:05 (2 mails waiting)",
		} {
			r := of.get(p+"?lang="+lang, a...)
			body := string(r.body)
			if r.status != 200 || !strings.Contains(body, want) || !strings.Contains(body, `role="status"`) {
				t.Errorf("%s (%s): %d, want the warning %q:\n%s", p, lang, r.status, want, body)
			}
			if i, j := strings.Index(body, "</nav>"), strings.Index(body, "mail-stall"); j < i {
				t.Errorf("%s: the warning is inside or before the navigation", p)
			}
		}
	}

	if _, err := of.pool.Exec(context.Background(), `UPDATE outbox SET status = 'sent', sent_at = now()
		WHERE id = (SELECT min(id) FROM outbox)`); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if body := string(of.get(p, a...).body); strings.Contains(body, "mail-stall") {
			t.Errorf("%s still warns after a mail went out", p)
		}
	}
}
