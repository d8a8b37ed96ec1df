package server

import (
	"net/http"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
)

// The organiser frame: every organiser page shows the same header (start
// page, password, log out), and every page of an event the same menu of
// that event's sections. orgFrame builds it; the partial "org-frame" in
// web/templates/org_frame.html draws it around the page's content.

// Sections of an event, in menu order. The value is the path below
// /org/events/{slug}/ and the catalogue key "frame.<section>".
const (
	secOverview  = "dashboard"
	secLists     = "lists"
	secWorkshops = "workshops"
	secAlloc     = "allocations"
	secMessages  = "messages"
	secCheckin   = "checkin"
	secSetup     = "setup"
	secTeam      = "team"
	secHome      = "home"     // the start page, new event, import: no event
	secPassword  = "password" // the account's password page
	secTokens    = "tokens"   // the account's API tokens
)

var sections = []struct {
	name string
	perm auth.Permission
}{
	{secOverview, auth.ManageEvents}, {secLists, auth.ManageEvents}, {secWorkshops, auth.ManageEvents},
	{secAlloc, auth.ManageEvents}, {secMessages, auth.ManageEvents}, {secCheckin, auth.CheckIn},
	{secSetup, auth.ManageEvents}, {secTeam, auth.ManageEvents},
}

// frameItem is one entry of the event menu.
type frameItem struct {
	Section string
	URL     string
	Current bool
}

// frame is what the partial draws; nil on pages without it.
type frame struct {
	Account auth.Account
	Manage  bool // the role manages events (and may hold API tokens)
	Section string
	Event   *event.Event // nil on pages of no event
	Items   []frameItem
	Tabs    []frameTab // the setup's tab bar, on the pages of section secSetup
}

// orgFrame is the frame of a page in section of ev (nil: no event). Menu
// items the account's role may not use are left out; the allocation only
// while the event collects wishes (and on the allocation page itself,
// which stays reachable after publication from the links of its runs);
// the workshops only when the event has some (an evening without
// workshops adds them in the setup).
func orgFrame(r *http.Request, ev *event.Event, section string) *frame {
	a, _ := accountFrom(r.Context())
	f := &frame{Account: a, Manage: a.May(auth.ManageEvents), Section: section, Event: ev}
	if ev == nil {
		return f
	}
	if section == secSetup {
		f.Tabs = setupTabBar(r, ev)
	}
	for _, sec := range sections {
		if !a.May(sec.perm) || sec.name != section && !applies(sec.name, ev) {
			continue
		}
		f.Items = append(f.Items, frameItem{Section: sec.name, URL: "/org/events/" + ev.Slug + "/" + sec.name,
			Current: sec.name == section})
	}
	return f
}

// applies says whether a section belongs in the menu of ev.
func applies(section string, ev *event.Event) bool {
	switch section {
	case secAlloc:
		return ev.Registration.Mode == event.ModePreferences && len(ev.Workshops) > 0
	case secWorkshops:
		return len(ev.Workshops) > 0
	}
	return true
}

// renderOrg renders an organiser page inside the frame of section of ev.
func (s *Server) renderOrg(w http.ResponseWriter, r *http.Request, status int, name, title string, ev *event.Event, section string, data any) {
	s.renderView(w, r, status, name, view{Title: title, Data: data, Frame: orgFrame(r, ev, section)})
}
