package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
)

type dashboardView struct {
	Event    *event.Event
	Days     []signupDay
	Chart    template.HTML
	Status   map[string]int // registrations by status
	Profile  *profileView
	CheckIn  *checkInView // nil until the schema has a check-in column
	Waitlist int          // people on any workshop waiting list

	StatusKeys []string
}

type signupDay struct {
	Day   time.Time
	New   int
	Total int
}

type profileView struct {
	RunID     int64
	Published bool
	Rows      []profileRow
}

type profileRow struct {
	Key   string // "1", "2", …, "unlisted", "none"
	Count int
}

type checkInView struct {
	CheckedIn, Confirmed int
	Workshops            map[string]int // workshop key → checked in
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	ctx, lang := r.Context(), requestLang(r)
	v := dashboardView{Event: ev, StatusKeys: []string{"confirmed", "waitlisted", "received", "cancelled"}}
	if v.Days, err = s.signupDays(ctx, ev, time.Now()); err != nil {
		return err
	}
	v.Chart = signupChart(v.Days, lang)
	if v.Status, err = s.statusCounts(ctx, ev.ID); err != nil {
		return err
	}
	if v.Profile, err = s.latestProfile(ctx, ev.ID); err != nil {
		return err
	}
	if v.CheckIn, err = s.checkInCounts(ctx, ev.ID); err != nil {
		return err
	}
	for _, w := range ev.Workshops {
		v.Waitlist += w.Waiting
	}
	s.render(w, r, http.StatusOK, "org_dashboard", i18n.T(lang, "dash.title"), v)
	return nil
}

// Sign-ups per calendar day in the event's time zone, cancelled ones
// included: the chart shows demand, not the current state.
const selectSignupDays = `
SELECT (created_at AT TIME ZONE $2)::date, count(*)
FROM registrations WHERE event_id = $1 GROUP BY 1 ORDER BY 1`

// signupDays lists every day from the first sign-up to the last one (or
// today, if earlier than the event), without gaps, with running totals.
func (s *Server) signupDays(ctx context.Context, ev *event.Event, now time.Time) ([]signupDay, error) {
	rows, _ := s.pool.Query(ctx, selectSignupDays, ev.ID, ev.Location().String())
	counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (signupDay, error) {
		var d signupDay
		err := r.Scan(&d.Day, &d.New)
		return d, err
	})
	if err != nil || len(counts) == 0 {
		return nil, err
	}
	last := counts[len(counts)-1].Day
	if today := dateOf(now.In(ev.Location())); today.After(last) && today.Before(ev.StartsAt) && today.Sub(last) < 400*24*time.Hour {
		last = today
	}
	var out []signupDay
	total, i := 0, 0
	for day := counts[0].Day; !day.After(last); day = day.AddDate(0, 0, 1) {
		d := signupDay{Day: day}
		if i < len(counts) && counts[i].Day.Equal(day) {
			d.New = counts[i].New
			i++
		}
		total += d.New
		d.Total = total
		out = append(out, d)
	}
	return out, nil
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Server) statusCounts(ctx context.Context, eventID int64) (map[string]int, error) {
	rows, _ := s.pool.Query(ctx, `SELECT status, count(*) FROM registrations WHERE event_id = $1 GROUP BY status`, eventID)
	out := map[string]int{}
	var status string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error { out[status] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("count registrations: %w", err)
	}
	return out, nil
}

// The published run if there is one, else the newest.
const selectLatestProfile = `
SELECT id, status = 'published', coalesce(result->'profile', '{}'::jsonb) FROM allocation_runs
WHERE event_id = $1 ORDER BY status = 'published' DESC, id DESC LIMIT 1`

func (s *Server) latestProfile(ctx context.Context, eventID int64) (*profileView, error) {
	var p profileView
	var raw []byte
	err := s.pool.QueryRow(ctx, selectLatestProfile, eventID).Scan(&p.RunID, &p.Published, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read allocation profile: %w", err)
	}
	var m map[string]int
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode allocation profile: %w", err)
	}
	for k, n := range m {
		p.Rows = append(p.Rows, profileRow{Key: k, Count: n})
	}
	sort.Slice(p.Rows, func(i, j int) bool { return profileOrder(p.Rows[i].Key) < profileOrder(p.Rows[j].Key) })
	return &p, nil
}

// profileOrder sorts ranks numerically, then "unlisted", then "none".
func profileOrder(k string) int {
	if n, err := strconv.Atoi(k); err == nil {
		return n
	}
	if k == "unlisted" {
		return 1 << 20
	}
	return 1<<20 + 1
}

// Check-in is another part of the workspace; the dashboard shows its
// counts once the schema has the column and says nothing before.
const checkInColumn = `
SELECT EXISTS (SELECT 1 FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'registrations' AND column_name = 'checked_in_at')`

const selectCheckIns = `
SELECT count(*) FILTER (WHERE checked_in_at IS NOT NULL), count(*)
FROM registrations WHERE event_id = $1 AND status = 'confirmed'`

const selectWorkshopCheckIns = `
SELECT w.key, count(*) FROM bookings b
JOIN registrations r ON r.id = b.registration_id JOIN workshops w ON w.id = b.workshop_id
WHERE b.event_id = $1 AND b.status = 'confirmed' AND r.checked_in_at IS NOT NULL GROUP BY w.key`

func (s *Server) checkInCounts(ctx context.Context, eventID int64) (*checkInView, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, checkInColumn).Scan(&exists); err != nil || !exists {
		return nil, err
	}
	c := checkInView{Workshops: map[string]int{}}
	if err := s.pool.QueryRow(ctx, selectCheckIns, eventID).Scan(&c.CheckedIn, &c.Confirmed); err != nil {
		return nil, fmt.Errorf("count check-ins: %w", err)
	}
	rows, _ := s.pool.Query(ctx, selectWorkshopCheckIns, eventID)
	var key string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&key, &n}, func() error { c.Workshops[key] = n; return nil }); err != nil {
		return nil, fmt.Errorf("count workshop check-ins: %w", err)
	}
	return &c, nil
}

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	chartW, chartH         = 640, 260
	chartLeft, chartRight  = 48, 16
	chartTop, chartBottom  = 16, 40
	chartPlotW, chartPlotH = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
)

// signupChart draws daily sign-ups as bars and the running total as a
// line. It is an image with a title and a description; the page puts the
// same numbers in a table for screen readers and for printing.
func signupChart(days []signupDay, lang string) template.HTML {
	if len(days) == 0 {
		return ""
	}
	esc := template.HTMLEscapeString
	last := days[len(days)-1]
	top := niceMax(last.Total)
	x := func(i int) float64 {
		if len(days) == 1 {
			return chartLeft + chartPlotW/2
		}
		return chartLeft + float64(i)*chartPlotW/float64(len(days)-1)
	}
	y := func(v int) float64 { return chartTop + chartPlotH - float64(v)*chartPlotH/float64(top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title><desc id="chart-desc">%s</desc>`,
		esc(i18n.T(lang, "dash.chart_title")),
		esc(i18n.T(lang, "dash.chart_desc", days[0].Day.Format(dateLayout), last.Day.Format(dateLayout), last.Total)))
	for _, v := range []int{0, top / 2, top} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#c8c8c8"/><text x="%d" y="%.1f" font-size="12" text-anchor="end" fill="#4a4a4a">%d</text>`,
			chartLeft, chartW-chartRight, y(v), y(v), chartLeft-6, y(v)+4, v)
	}
	bar := max(2, min(24, chartPlotW/float64(len(days))*0.6))
	var line []string
	for i, d := range days {
		if d.New > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#8fb3d9"/>`, x(i)-bar/2, y(d.New), bar, y(0)-y(d.New))
		}
		line = append(line, fmt.Sprintf("%.1f,%.1f", x(i), y(d.Total)))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#0b5cad" stroke-width="3"/>`, strings.Join(line, " "))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#4a4a4a">%s</text>`, chartLeft, chartH-12, days[0].Day.Format("02.01."))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#4a4a4a">%s</text>`, chartW-chartRight, chartH-12, last.Day.Format("02.01."))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped or a number
}

// niceMax rounds the axis maximum up to 1, 2 or 5 times a power of ten.
func niceMax(v int) int {
	if v < 2 {
		return 2
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
}
