package server

import (
	"encoding/json"
	"net/http"

	"github.com/fachtag/fachtag/internal/event"
)

// maxEventFileBytes bounds an event file: a congress with twenty
// workshops and long descriptions is some tens of kilobytes.
const maxEventFileBytes = 1 << 20

// readEventFile reads and validates an event file from the body. slug,
// when set, is the URL's: an empty file slug takes it, another is refused.
func readEventFile(w http.ResponseWriter, r *http.Request, slug string) (*event.File, bool, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxEventFileBytes)
	body, err := readAll(r)
	if err != nil {
		return nil, false, err
	}
	f, err := event.ParseFile(body)
	if err != nil {
		return nil, false, err
	}
	if slug != "" && f.Slug == "" {
		f.Slug = slug
	}
	if slug != "" && f.Slug != slug {
		return nil, false, &event.Problems{event.NewProblem("$.slug", "file.slug_url", slug)}
	}
	if err := f.Validate(); err != nil {
		return nil, false, err
	}
	return f, hasStatus(body), nil
}

// hasStatus reports whether the file names a status: an update without
// one keeps the event's status instead of falling back to draft.
func hasStatus(body []byte) bool {
	var probe struct {
		Status *string `json:"status"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Status != nil
}
