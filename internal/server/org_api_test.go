package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestOrgEventFlow: create, refuse a duplicate and an invalid file,
// register people, refuse a capacity below the seats taken, change the
// status, list with filters and paging, and read a waiting list.
func TestOrgEventFlow(t *testing.T) {
	of := newOrgFixture(t)
	orgA := of.bearer("orgA")
	file := openEvent("neu-2025")
	file.Title = "Neuer Fachtag"
	if r := of.postJSON("/api/v1/events", file, orgA...); r.status != http.StatusCreated {
		t.Fatalf("create: got %v, want 201", r)
	}
	if r := of.postJSON("/api/v1/events", file, orgA...); r.status != http.StatusConflict {
		t.Errorf("create again: got %v, want 409", r)
	}
	bad := openEvent("kaputt")
	bad.Capacity = 0
	bad.Workshops[0].Slot = "r9"
	r := of.postJSON("/api/v1/events", bad, orgA...)
	fields := decode[struct {
		Error struct{ Fields map[string]string }
	}](t, r).Error.Fields
	if r.status != http.StatusUnprocessableEntity || fields["$.capacity"] == "" || fields["$.workshops[0].slot"] == "" {
		t.Errorf("invalid file: got %v, want 422 with $.capacity and $.workshops[0].slot", r)
	}
	// The creator is a member; another organiser does not see the event.
	if r := of.get("/api/v1/events/neu-2025/registrations", of.bearer("orgB")...); r.status != http.StatusNotFound {
		t.Errorf("orgB on orgA's new event: got %d, want 404", r.status)
	}

	// Three people want A1 (one seat): one confirmed, two waiting.
	for i := 0; i < 3; i++ {
		p := of.person(map[string]string{"r1": "A1"})
		if r := of.postJSON(regPath("neu-2025"), p); r.status != http.StatusCreated {
			t.Fatalf("register %d: got %v", i, r)
		}
	}
	lower := openEvent("neu-2025")
	lower.Workshops[1].Capacity = 1 // B1 is empty: fine
	lower.Capacity = 1              // three confirmed at the event: refused
	r = of.sendJSON("PUT", "/api/v1/events/neu-2025", lower, orgA...)
	if !strings.Contains(string(r.body), `"$.capacity"`) || r.status != http.StatusUnprocessableEntity {
		t.Errorf("capacity below seats taken: got %v, want 422 naming $.capacity", r)
	}
	update := openEvent("neu-2025")
	update.Status = "" // no status: keeps the current one
	update.Title = "Neuer Fachtag (aktualisiert)"
	raw, _ := json.Marshal(update)
	raw = bytes.Replace(raw, []byte(`"status":"",`), nil, 1)
	if r := of.sendJSON("PUT", "/api/v1/events/neu-2025", raw, orgA...); r.status != http.StatusOK || !strings.Contains(string(r.body), `"status":"open"`) {
		t.Errorf("update: got %v, want 200 still open", r)
	}

	if r := of.postJSON("/api/v1/events/neu-2025/status", map[string]string{"status": "geheim"}, orgA...); r.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown status: got %d, want 422", r.status)
	}
	if r := of.postJSON("/api/v1/events/neu-2025/status", map[string]string{"status": "closed"}, orgA...); r.status != http.StatusOK || !strings.Contains(string(r.body), `"status":"closed"`) {
		t.Errorf("close: got %v, want 200 closed", r)
	}

	type list struct {
		Total         int
		Registrations []struct {
			Name     string
			Bookings []struct {
				Workshop, Status string
				WaitlistPosition int `json:"waitlist_position"`
			}
		}
	}
	all := decode[list](t, of.get("/api/v1/events/neu-2025/registrations?limit=2", orgA...))
	if all.Total != 3 || len(all.Registrations) != 2 {
		t.Errorf("page 1: total %d, %d rows; want 3, 2", all.Total, len(all.Registrations))
	}
	page2 := decode[list](t, of.get("/api/v1/events/neu-2025/registrations?limit=2&offset=2", orgA...))
	if len(page2.Registrations) != 1 || page2.Registrations[0].Bookings[0].WaitlistPosition != 2 {
		t.Errorf("page 2: %+v, want the third person at waiting position 2", page2)
	}
	q := decode[list](t, of.get("/api/v1/events/neu-2025/registrations?q="+strings.TrimPrefix(all.Registrations[0].Name, "Teilnehmerin "), orgA...))
	if q.Total < 1 {
		t.Errorf("search: total %d, want at least 1", q.Total)
	}
	if r := of.get("/api/v1/events/neu-2025/registrations?workshop=B1", orgA...); decode[list](t, r).Total != 0 {
		t.Errorf("workshop filter B1: %s, want none", r.body)
	}
	if r := of.get("/api/v1/events/neu-2025/registrations?status=weird", orgA...); r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad status filter: got %d, want 422", r.status)
	}

	ws := decode[struct {
		Confirmed []struct{ Name string }
		Waiting   []struct {
			Name             string
			WaitlistPosition int `json:"waitlist_position"`
		}
	}](t, of.get("/api/v1/events/neu-2025/workshops/A1/participants", orgA...))
	if len(ws.Confirmed) != 1 || len(ws.Waiting) != 2 || ws.Waiting[0].WaitlistPosition != 1 || ws.Waiting[1].WaitlistPosition != 2 {
		t.Errorf("A1 participants: %+v, want 1 confirmed and waiting positions 1, 2", ws)
	}
	if r := of.get("/api/v1/events/neu-2025/workshops/ZZ/participants", orgA...); r.status != http.StatusNotFound {
		t.Errorf("unknown workshop: got %d, want 404", r.status)
	}
}

// TestOrgExports: the CSV starts with a BOM, uses semicolons, keeps
// umlauts and neutralises formulas; the XLSX opens and holds every row.
func TestOrgExports(t *testing.T) {
	of := newOrgFixture(t)
	names := []string{"=HYPERLINK(\"http://evil\")", "Jürgen Groß", "+49 Müller", "@SUM(1)", "-2+3"}
	for i, n := range names {
		p := of.person(map[string]string{"r1": "A1"})
		p["name"] = n
		p["organisation"] = "Straße " + strings.Repeat("ä", i+1)
		if r := of.postJSON(regPath(slugOpen), p); r.status != http.StatusCreated {
			t.Fatalf("register %q: got %v", n, r)
		}
	}
	r := of.get("/api/v1/events/"+slugOpen+"/export.csv", of.bearer("orgA")...)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: got %d %s", r.status, r.header.Get("Content-Type"))
	}
	body, ok := bytes.CutPrefix(r.body, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("csv does not start with the UTF-8 BOM")
	}
	rows := readCSV(t, body)
	if len(rows) != len(names)+1 {
		t.Fatalf("csv rows: got %d, want %d", len(rows), len(names)+1)
	}
	wantNames := []string{`'=HYPERLINK("http://evil")`, "Jürgen Groß", "'+49 Müller", "'@SUM(1)", "'-2+3"}
	for i, want := range wantNames {
		if got := rows[i+1][0]; got != want {
			t.Errorf("csv row %d name: got %q, want %q", i+1, got, want)
		}
		if got, want := rows[i+1][2], "Straße "+strings.Repeat("ä", i+1); got != want {
			t.Errorf("csv row %d organisation: got %q, want %q", i+1, got, want)
		}
	}

	x := of.get("/api/v1/events/"+slugOpen+"/export.xlsx", of.bearer("orgA")...)
	if x.status != http.StatusOK {
		t.Fatalf("xlsx: got %d", x.status)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1+4 {
		t.Errorf("sheets: %v, want all registrations + 4 workshops", sheets)
	}
	all, err := f.GetRows(sheets[0])
	if err != nil || len(all) != len(names)+1 {
		t.Fatalf("xlsx rows: got %d (%v), want %d", len(all), err, len(names)+1)
	}
	if all[1][0] != names[0] {
		t.Errorf("xlsx keeps the text as is: got %q, want %q", all[1][0], names[0])
	}
	if formula, _ := f.GetCellFormula(sheets[0], "A2"); formula != "" {
		t.Errorf("xlsx cell A2 is a formula: %q", formula)
	}
	a1, _ := f.GetRows("A1")
	if len(a1) != 1+len(names) { // 1 confirmed + 4 waiting
		t.Errorf("sheet A1: %d rows, want %d", len(a1), 1+len(names))
	}
}
