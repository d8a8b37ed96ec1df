package server

import (
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/event"
)

// The event menu follows the role, the registration phase and whether
// the event has workshops.
func TestOrgFrameMenu(t *testing.T) {
	ws := []event.Workshop{{Key: "A", SlotKey: "r1"}}
	wishes := &event.Event{Slug: "w", Registration: event.Registration{Mode: event.ModePreferences}, Workshops: ws}
	booking := &event.Event{Slug: "b", Registration: event.Registration{Mode: event.ModeFirstCome}, Workshops: ws}
	evening := &event.Event{Slug: "e", Registration: event.Registration{Mode: event.ModeFirstCome}}
	all := []string{secOverview, secLists, secWorkshops, secAlloc, secMessages, secCheckin, secSetup, secTeam}
	tests := []struct {
		name    string
		role    string
		ev      *event.Event
		section string
		want    []string
	}{
		{"organiser, wish phase", auth.RoleOrganiser, wishes, secLists, all},
		{"admin, wish phase", auth.RoleAdmin, wishes, secLists, all},
		{"organiser, booking phase", auth.RoleOrganiser, booking, secLists, slices.Delete(slices.Clone(all), 3, 4)},
		{"organiser on the allocation page after publication", auth.RoleOrganiser, booking, secAlloc, all},
		{"check-in helper", auth.RoleCheckin, wishes, secCheckin, []string{secCheckin}},
		{"organiser, event without workshops", auth.RoleOrganiser, evening, secLists, []string{secOverview, secLists, secMessages, secCheckin, secSetup, secTeam}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := withAccount(httptest.NewRequest("GET", "/org/", nil), auth.Account{Role: tt.role})
			f := orgFrame(r, tt.ev, tt.section)
			var got []string
			for _, it := range f.Items {
				got = append(got, it.Section)
				if it.Current != (it.Section == tt.section) {
					t.Errorf("%s: current = %v", it.Section, it.Current)
				}
				if want := "/org/events/" + tt.ev.Slug + "/" + it.Section; it.URL != want {
					t.Errorf("%s: URL %s, want %s", it.Section, it.URL, want)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("menu = %q, want %q", got, tt.want)
			}
		})
	}
}
