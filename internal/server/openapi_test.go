package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/fachtag/fachtag/internal/app"
)

// TestOpenAPICoversRoutes walks the router: every /api/v1 route has an
// operation in the served /api/v1/openapi.json, and every operation there
// is a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	s, err := New(&app.Services{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	err = chi.Walk(s.router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.HasPrefix(route, "/api/v1/") {
			routes = append(routes, strings.ToLower(method)+" "+route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &spec); err != nil {
		t.Fatalf("openapi.json: %v (status %d)", err, rec.Code)
	}
	var ops []string
	for path, item := range spec.Paths {
		for method := range item {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(ops)
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("route %s has no OpenAPI operation", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("OpenAPI operation %s has no route", op)
		}
	}
	if len(routes) < 20 {
		t.Errorf("walked %d API routes, want the whole API: %q", len(routes), routes)
	}
}
