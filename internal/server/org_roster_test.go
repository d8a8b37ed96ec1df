package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestListPageAndAPIAgree: the organiser's list page and the JSON API
// search, filter and refuse bad values the same way, because both are
// package roster.
func TestListPageAndAPIAgree(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie, bearer := of.login("orgA"), of.bearer("orgA")
	for _, p := range [][3]string{
		{"Anna Müller", "anna@beispiel.de", "Caritas Köln"},
		{"Bernd Schmidt", "b.schmidt@caritas.org", "Diakonie"},
		{"Carla Weber", "carla@example.org", "Jobcenter Erfurt"},
	} {
		body := of.person(nil)
		body["name"], body["email"], body["organisation"] = p[0], p[1], p[2]
		of.register(body)
	}
	cases := []struct {
		query string
		want  []string // names in sign-up order; nil with status 422
	}{
		{"q=m%C3%BCller+anna@", []string{"Anna Müller"}},
		{"q=org+caritas", []string{"Bernd Schmidt"}},
		{"q=caritas", []string{"Anna Müller", "Bernd Schmidt"}},
		{"q=ERFURT+carla", []string{"Carla Weber"}},
		{"q=anna+bernd", []string{}},
		{"status=confirmed&limit=2", []string{"Anna Müller", "Bernd Schmidt"}},
		{"limit=-1", nil},
		{"limit=zwei", nil},
		{"offset=-3", nil},
		{"status=lost", nil},
	}
	for _, c := range cases {
		page := of.get("/org/events/"+slugOpen+"/lists?sort=registered&"+c.query, cookie...)
		api := of.get("/api/v1/events/"+slugOpen+"/registrations?"+c.query, bearer...)
		if c.want == nil {
			if page.status != http.StatusUnprocessableEntity || api.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: page %d, API %d; want 422 from both", c.query, page.status, api.status)
			}
			continue
		}
		list := decode[struct {
			Registrations []struct{ Name string }
		}](t, api)
		apiNames := []string{}
		for _, r := range list.Registrations {
			apiNames = append(apiNames, r.Name)
		}
		pageNames := append([]string{}, listNames(t, page)...)
		if !slices.Equal(apiNames, c.want) || !slices.Equal(pageNames, c.want) {
			t.Errorf("%s: API %q, page %q; want %q", c.query, apiNames, pageNames, c.want)
		}
	}
}

// TestOrganiserActionsAudited: the message, the reminder setting and an
// export each leave their audit entry, written in the transaction of what
// they record.
func TestOrganiserActionsAudited(t *testing.T) {
	of := newOrgFixture(t)
	of.settle()
	cookie := of.login("orgA")
	of.register(of.person(map[string]string{"r1": "A1"}))
	base := "/org/events/" + slugOpen
	wantStatus(t, "send", of.postForm(base+"/messages", url.Values{"audience": {"all"}, "subject": {"Anreise"},
		"body": {"Bitte pünktlich."}, "action": {"send"}}, cookie...), http.StatusSeeOther)
	wantStatus(t, "reminder", of.postForm(base+"/messages/reminder", url.Values{"reminder_days": {"5"}}, cookie...), http.StatusSeeOther)
	wantStatus(t, "export", of.get(base+"/export.csv", cookie...), http.StatusOK)
	for action, detail := range map[string]string{
		"event.message":  `{"audience": "all", "recipients": 1}`,
		"event.reminder": `{"days": 5}`,
		"export.csv":     `{"rows": 1}`,
	} {
		var n int
		err := of.pool.QueryRow(context.Background(), `
SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id
WHERE a.action = $1 AND u.email = $2 AND a.detail @> $3::jsonb`, action, emailOf("orgA"), detail).Scan(&n)
		if err != nil || n != 1 {
			t.Errorf("%s: %d audit entries with %s (%v), want 1", action, n, detail, err)
		}
	}
}
