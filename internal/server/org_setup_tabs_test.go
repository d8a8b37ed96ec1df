package server

import (
	"net/http/httptest"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
)

// A page of its own at /org/events/{slug}/<feature> (webhooks) is a tab
// by its entry in setupTabs: the frame of every setup page shows it, it
// is current on its own page, and it is no section of the setup form.
func TestSetupTabsTakeOwnPages(t *testing.T) {
	ev := &event.Event{Slug: "ft"}
	for path, want := range map[string]string{"/org/events/ft/webhooks": "/org/events/ft/webhooks",
		"/org/events/ft/setup/dates": "/org/events/ft/setup/dates", "/org/events/ft/copy": ""} {
		r := withAccount(httptest.NewRequest("GET", path, nil), auth.Account{Role: auth.RoleOrganiser})
		f := orgFrame(r, ev, secSetup)
		if len(f.Tabs) != len(setupTabs) {
			t.Fatalf("%s: %d tabs, want %d", path, len(f.Tabs), len(setupTabs))
		}
		var current string
		for _, tab := range f.Tabs {
			if tab.Current {
				current += tab.URL
			}
		}
		if current != want {
			t.Errorf("%s: current tab %q, want %q", path, current, want)
		}
	}
	if _, ok := formTab("webhooks"); ok {
		t.Error("a page of its own counts as a section of the setup form")
	}
	r := withAccount(httptest.NewRequest("GET", "/org/events/ft/team", nil), auth.Account{Role: auth.RoleOrganiser})
	if f := orgFrame(r, ev, secTeam); len(f.Tabs) != 0 {
		t.Errorf("a page outside the setup has %d tabs, want none", len(f.Tabs))
	}
}
