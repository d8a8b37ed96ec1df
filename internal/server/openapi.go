package server

import (
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/fachtag/fachtag/internal/booking"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/roster"
)

// The OpenAPI description is generated from the Go types the handlers
// encode and decode, so it cannot drift from them. Every route of
// apiRoutes (routes.go) has its operation here or in alloc_openapi.go,
// and openapi_test.go checks that both lists agree.

type operation struct {
	method, path, summary string
	params                []string // path parameters
	query                 []string // optional integer query parameters
	request               any
	responses             map[int]any // status → body type (nil: error body)
	header                string      // optional request header
}

var operations = []operation{
	{method: "get", path: "/api/v1/openapi.json", summary: "This description of the API (OpenAPI 3)",
		responses: map[int]any{200: map[string]any{}}},
	{method: "get", path: "/api/v1/events/{slug}", summary: "Event with slots, workshops and seats left",
		params: []string{"slug"}, responses: map[int]any{200: EventJSON{}, 404: nil}},
	{method: "post", path: "/api/v1/events/{slug}/registrations", summary: "Register for an event (booking phase: choices, one per slot unless the slot is optional; wish phase: preferences). 409 when the e-mail address is registered for the event already: the API says so, while the HTML form answers exactly as for a new sign-up and mails that address its personal link",
		params: []string{"slug"}, request: booking.Request{}, header: "Idempotency-Key",
		responses: map[int]any{201: RegistrationJSON{}, 400: nil, 403: nil, 404: nil, 409: nil, 410: nil, 413: nil, 422: nil, 429: nil}},
	{method: "post", path: "/api/v1/events/{slug}/link", summary: "Mail the personal link again (answers 202 whether or not the address is registered)",
		params: []string{"slug"}, request: linkRequest{}, responses: map[int]any{202: map[string]string{}, 400: nil, 403: nil, 404: nil, 413: nil, 422: nil, 429: nil}},
	{method: "get", path: "/api/v1/registrations/{token}", summary: "Current state of a registration",
		params: []string{"token"}, responses: map[int]any{200: RegistrationJSON{}, 404: nil}},
	{method: "delete", path: "/api/v1/registrations/{token}", summary: "Cancel a registration; waiting lists are promoted before it returns",
		params: []string{"token"}, responses: map[int]any{200: RegistrationJSON{}, 403: nil, 404: nil, 410: nil, 429: nil}},
	{method: "put", path: "/api/v1/registrations/{token}/bookings/{slot}", summary: "Swap to another workshop, or join its waiting list when full (keeping the current seat); an empty workshop is 422",
		params: []string{"token", "slot"}, request: swapRequest{},
		responses: map[int]any{200: RegistrationJSON{}, 400: nil, 403: nil, 404: nil, 409: nil, 410: nil, 413: nil, 422: nil, 429: nil}},
	{method: "delete", path: "/api/v1/registrations/{token}/bookings/{slot}", summary: "Leave the slot's waiting list, or, without a waiting-list place there, give up the seat (only in a slot the event lets stay empty, else 422); the freed seat goes to the waiting list before it returns",
		params: []string{"token", "slot"}, responses: map[int]any{200: RegistrationJSON{}, 403: nil, 404: nil, 409: nil, 410: nil, 422: nil, 429: nil}},
	// Organiser endpoints: header "Authorization: Bearer TOKEN" (fachtag token create). 401 without a
	// live token, 403 for the checkin role, 404 for an event the account may not see.
	{method: "post", path: "/api/v1/events", summary: "Organiser (Bearer token): create an event from an event file; the account becomes a member",
		request: event.File{}, responses: map[int]any{201: EventJSON{}, 401: nil, 403: nil, 409: nil, 413: nil, 422: nil}},
	{method: "put", path: "/api/v1/events/{slug}", summary: "Organiser (Bearer token): create or update the event from an event file; without status the event keeps its status",
		params: []string{"slug"}, request: event.File{}, responses: map[int]any{200: EventJSON{}, 201: EventJSON{}, 401: nil, 403: nil, 404: nil, 413: nil, 422: nil}},
	{method: "post", path: "/api/v1/events/{slug}/status", summary: "Organiser (Bearer token): set the status (draft, open, closed, archived)",
		params: []string{"slug"}, request: StatusRequest{}, responses: map[int]any{200: EventJSON{}, 400: nil, 401: nil, 403: nil, 404: nil, 422: nil}},
	{method: "get", path: "/api/v1/events/{slug}/registrations", summary: "Organiser (Bearer token): registrations; query q (words that must all appear in name, e-mail or organisation), status, workshop, checked_in (yes|no), sort (registered|name|organisation|status|checked_in), dir=desc, limit (default 50, at most 500, or all), offset; a bad value is 422 naming the field",
		params: []string{"slug"}, responses: map[int]any{200: RegistrationList{}, 401: nil, 403: nil, 404: nil, 422: nil}},
	{method: "get", path: "/api/v1/events/{slug}/workshops/{key}/participants", summary: "Organiser (Bearer token): a workshop's participants and waiting list with positions",
		params: []string{"slug", "key"}, responses: map[int]any{200: roster.Workshop{}, 401: nil, 403: nil, 404: nil}},
	{method: "get", path: "/api/v1/events/{slug}/export.csv", summary: "Organiser (Bearer token): all registrations as CSV (UTF-8 with BOM, semicolons; ?lang=en for English headers; repeated ?col= names the columns after the name: email, organisation, role, status, waitlist, slot:KEY, wish:KEY, q:KEY, privacy, photos, registered, checked_in; without it every column but waitlist)",
		params: []string{"slug"}, responses: map[int]any{200: "", 401: nil, 403: nil, 404: nil}},
	{method: "get", path: "/api/v1/events/{slug}/export.xlsx", summary: "Organiser (Bearer token): XLSX workbook, one sheet of all registrations (columns as export.csv, ?col= likewise) and one per workshop",
		params: []string{"slug"}, responses: map[int]any{200: "", 401: nil, 403: nil, 404: nil}},
}

var (
	specOnce sync.Once
	specDoc  map[string]any
)

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	specOnce.Do(func() { specDoc = buildSpec() })
	writeJSON(w, http.StatusOK, specDoc)
}

func buildSpec() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	errRef := g.schema(reflect.TypeOf(apiError{}))
	paths := map[string]any{}
	for _, op := range operations {
		item, _ := paths[op.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.path] = item
		}
		item[op.method] = g.operation(op, errRef)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "fachtag API", "version": "1",
			"description": "Registration desk for Fachtage. Errors are {\"error\": {\"code\", \"message\", \"fields\"}}; a state-changing request sent from another site (Sec-Fetch-Site or Origin) is 403 cross_origin."},
		"paths":      paths,
		"components": map[string]any{"schemas": g.defs},
	}
}

func (g *schemaGen) operation(op operation, errRef any) map[string]any {
	params := []any{}
	for _, p := range op.params {
		params = append(params, map[string]any{"name": p, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range op.query {
		params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": "integer", "minimum": 1}})
	}
	if op.header != "" {
		params = append(params, map[string]any{"name": op.header, "in": "header", "required": false, "schema": map[string]any{"type": "string", "maxLength": 255}})
	}
	responses := map[string]any{}
	for status, body := range op.responses {
		schema := errRef
		if body != nil {
			schema = g.schema(reflect.TypeOf(body))
		}
		responses[itoa(status)] = map[string]any{"description": http.StatusText(status),
			"content": map[string]any{"application/json": map[string]any{"schema": schema}}}
	}
	if len(responses) > 1 { // an operation that can fail needs the database too
		responses["503"] = map[string]any{"description": "The database cannot be reached; try again after Retry-After seconds.",
			"headers": map[string]any{"Retry-After": map[string]any{"schema": map[string]any{"type": "integer"}}},
			"content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
	}
	out := map[string]any{"summary": op.summary, "parameters": params, "responses": responses}
	if op.request != nil {
		out["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(op.request))}}}
	}
	return out
}

// schemaGen turns Go types into JSON Schema, named structs as $refs.
type schemaGen struct {
	defs map[string]any
}

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) schema(t reflect.Type) any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		return g.schema(t.Elem())
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		return g.ref(t)
	}
	return map[string]any{}
}

func (g *schemaGen) ref(t reflect.Type) any {
	name := t.Name()
	if name == "" {
		return g.object(t)
	}
	if _, done := g.defs[name]; !done {
		g.defs[name] = nil // placeholder against recursion
		g.defs[name] = g.object(t)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			g.fields(f.Type, props, required)
			continue
		}
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}
