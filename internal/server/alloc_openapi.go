package server

import (
	"time"

	"github.com/fachtag/fachtag/internal/allocation"
	"github.com/fachtag/fachtag/internal/allocrun"
)

// runDoc and reportDoc describe the JSON of allocrun.Run and
// allocrun.Report for the OpenAPI document: those embed *allocation.Result,
// and the schema generator reads embedded structs by value only.
type runDoc struct {
	ID          int64            `json:"id"`
	Event       string           `json:"event"`
	Status      string           `json:"status"`
	Options     allocrun.Options `json:"options"`
	Closed      []string         `json:"closed"`
	CreatedAt   time.Time        `json:"created_at"`
	PublishedAt *time.Time       `json:"published_at,omitempty"`
	allocation.Result
}

type reportDoc struct {
	runDoc
	Fill      []allocrun.Fill          `json:"fill"`
	Worst     []allocrun.Outcome       `json:"worst"`
	People    []allocrun.Person        `json:"people"`
	FreeSeats []allocrun.FreeSeats     `json:"free_seats"`
	Stale     bool                     `json:"stale"`
	Publish   *allocrun.PublishPreview `json:"publish,omitempty"`
}

type demandDoc struct {
	Slots []allocrun.SlotDemand `json:"slots"`
}

type compareDoc struct {
	Plain runDoc `json:"plain"`
	Fair  runDoc `json:"fair"`
}

type runListDoc struct {
	Allocations []allocrun.Summary `json:"allocations"`
}

type pinListDoc struct {
	Pins []allocrun.Pin `json:"pins"`
}

// The wish-phase and allocation operations, beside allocAPIRoutes.
func init() {
	ev, run := []string{"slug"}, []string{"slug", "id"}
	pin := []string{"slug", "registration", "slot"}
	org := map[int]any{401: nil, 403: nil, 404: nil}
	with := func(m map[int]any) map[int]any {
		for k, v := range org {
			m[k] = v
		}
		return m
	}
	operations = append(operations,
		operation{method: "put", path: "/api/v1/registrations/{token}/preferences", summary: "Change the ranked workshop wishes (wish phase, while registration is open)",
			params: []string{"token"}, request: wishesRequest{},
			responses: map[int]any{200: RegistrationJSON{}, 400: nil, 403: nil, 404: nil, 409: nil, 410: nil, 413: nil, 422: nil, 429: nil}},
		operation{method: "get", path: "/api/v1/events/{slug}/allocations", summary: "Organiser: the event's latest allocation runs",
			params: ev, responses: with(map[int]any{200: runListDoc{}})},
		operation{method: "post", path: "/api/v1/events/{slug}/allocations", summary: "Organiser: run the allocation on the current wishes and store it as a draft (body optional)",
			params: ev, request: allocRunRequest{}, responses: with(map[int]any{201: runDoc{}, 400: nil, 409: nil, 422: nil})},
		operation{method: "post", path: "/api/v1/events/{slug}/allocations/compare", summary: "Organiser: run plain rank-maximal and fair side by side (both stored as drafts)",
			params: ev, request: allocRunRequest{}, responses: with(map[int]any{201: compareDoc{}, 400: nil, 409: nil, 422: nil})},
		operation{method: "get", path: "/api/v1/events/{slug}/allocations/demand", summary: "Organiser: the current wishes counted per slot, workshop and rank, against the seats (wish phase)",
			params: ev, responses: with(map[int]any{200: demandDoc{}, 409: nil})},
		operation{method: "get", path: "/api/v1/events/{slug}/allocations/{id}", summary: "Organiser: a run with fill per workshop, everyone's outcome with its reason, free seats and why, and what publishing it would send",
			params: run, responses: with(map[int]any{200: reportDoc{}})},
		operation{method: "post", path: "/api/v1/events/{slug}/allocations/{id}/publish", summary: "Organiser: publish a run: bookings, one mail per participant, then the booking phase",
			params: run, responses: with(map[int]any{200: allocrun.Publication{}, 409: nil})},
		operation{method: "get", path: "/api/v1/events/{slug}/pins", summary: "Organiser: pinned participants",
			params: ev, responses: with(map[int]any{200: pinListDoc{}})},
		operation{method: "put", path: "/api/v1/events/{slug}/pins/{registration}/{slot}", summary: "Organiser: pin a participant to a workshop for every later run",
			params: pin, request: pinRequest{}, responses: with(map[int]any{200: allocrun.Pin{}, 400: nil, 409: nil, 422: nil})},
		operation{method: "delete", path: "/api/v1/events/{slug}/pins/{registration}/{slot}", summary: "Organiser: remove a pin (answers 204 No Content)",
			params: pin, responses: with(map[int]any{})},
	)
}
