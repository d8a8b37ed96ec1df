package server

import (
	"net/http"
	"strings"

	"github.com/fachtag/fachtag/internal/event"
)

// The sections of the setup form, each a tab of its own.
const (
	tabBasics       = "basics"
	tabDates        = "dates"
	tabRegistration = "registration"
	tabProgramme    = "programme"
	tabWorkshops    = "workshops"
	tabQuestions    = "questions"
	tabLegal        = "legal"
)

// setupTab is one tab of an event's setup: Label is its catalogue key,
// Path the page below /org/events/{slug}/. A page of its own (say
// "webhooks") becomes a tab with one more line here, if it renders with
// section secSetup.
type setupTab struct {
	Key, Label, Path string
}

// setupTabs are the tabs of the setup, in order; the first is where
// /org/events/{slug}/setup leads.
var setupTabs = []setupTab{
	{tabBasics, "setup.tab_basics", "setup/" + tabBasics},
	{tabDates, "setup.tab_dates", "setup/" + tabDates},
	{tabRegistration, "setup.tab_registration", "setup/" + tabRegistration},
	{tabProgramme, "setup.tab_programme", "setup/" + tabProgramme},
	{tabWorkshops, "setup.tab_workshops", "setup/" + tabWorkshops},
	{tabQuestions, "setup.tab_questions", "setup/" + tabQuestions},
	{tabLegal, "setup.tab_legal", "setup/" + tabLegal},
	{"embed", "widget.tab", "embed"},
	{"reconfirm", "rc.tab", "reconfirm"},
	{"webhooks", "webhooks.tab", "webhooks"},
	{"certificates", "cert.tab", "certificates"},
}

// formTab is the tab of a section of the setup form.
func formTab(section string) (setupTab, bool) {
	for _, t := range setupTabs {
		if t.Key == section && t.Path == "setup/"+section {
			return t, true
		}
	}
	return setupTab{}, false
}

func tabURL(ev *event.Event, t setupTab) string { return "/org/events/" + ev.Slug + "/" + t.Path }

// frameTab is one tab of the bar the frame draws above a setup page.
type frameTab struct {
	Label, URL string
	Current    bool
}

// setupTabBar is the tab bar of the setup page r shows; the tab whose
// page it is is the current one.
func setupTabBar(r *http.Request, ev *event.Event) []frameTab {
	out := make([]frameTab, len(setupTabs))
	for i, t := range setupTabs {
		u := tabURL(ev, t)
		out[i] = frameTab{Label: t.Label, URL: u, Current: strings.TrimSuffix(r.URL.Path, "/") == u}
	}
	return out
}
