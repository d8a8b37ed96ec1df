package server

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/i18n"
	"github.com/fachtag/fachtag/internal/reconfirm"
	"github.com/fachtag/fachtag/internal/roster"
)

type dashboardView struct {
	Event *event.Event
	*roster.Figures
	Chart      template.HTML
	StatusKeys []string
	MailStall  *mailStall
	Reconfirm  *reconfirm.Summary
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.orgEvent(r)
	if err != nil {
		return err
	}
	lang := requestLang(r)
	figures, err := s.roster.Dashboard(r.Context(), ev, time.Now())
	if err != nil {
		return err
	}
	v := dashboardView{Event: ev, Figures: figures, Chart: signupChart(figures.Days, lang), StatusKeys: roster.Statuses,
		MailStall: s.mailStall(r.Context(), ev.Location())}
	if v.Reconfirm, err = s.rc.Summary(r.Context(), ev); err != nil {
		return err
	}
	s.renderOrg(w, r, http.StatusOK, "org_dashboard", i18n.T(lang, "dash.title"), ev, secOverview, v)
	return nil
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
func signupChart(days []roster.Day, lang string) template.HTML {
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
