package server

// The public list of events, beside its route in apiRoutes.
func init() {
	operations = append(operations, operation{method: "get", path: "/api/v1/events",
		summary: "Public events that are open for registration or closed but not over yet (never drafts or archived ones), soonest first; " +
			"page (from 1) and limit (1–100, default 20); next and the Link header (rel=\"next\") give the following page; the same events as an iCalendar feed at /events.ics",
		query: []string{"page", "limit"}, responses: map[int]any{200: EventList{}, 422: nil}})
}
