package event_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
)

func TestLegalFieldsValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *event.File)
		path   string // "" for valid
	}{
		{"none", func(f *event.File) {}, ""},
		{"privacy text", func(f *event.File) { f.Privacy.Text = "Wir verarbeiten …" }, ""},
		{"imprint address", func(f *event.File) { f.Imprint.URL = "https://example.org/impressum" }, ""},
		{"both", func(f *event.File) { f.Privacy = event.Legal{Text: "x", URL: "https://example.org/ds"} }, "$.privacy"},
		{"relative address", func(f *event.File) { f.Imprint.URL = "/impressum" }, "$.imprint"},
		{"script address", func(f *event.File) { f.Privacy.URL = "javascript:alert(1)" }, "$.privacy"},
		{"blank text", func(f *event.File) { f.Imprint.Text = "  \n " }, "$.imprint"},
		{"too long", func(f *event.File) { f.Privacy.Text = strings.Repeat("x", 100_001) }, "$.privacy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFile()
			tt.mutate(f)
			err := f.Validate()
			if tt.path == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			wantProblemAt(t, err, tt.path)
		})
	}
}

// An event file without the new fields stays valid and parses as before.
func TestLegalFieldsOptionalInFile(t *testing.T) {
	f, err := event.ParseFile([]byte(`{"slug": "x", "title": "X", "starts_at": "2030-01-15T09:00:00+01:00",
		"ends_at": "2030-01-15T16:00:00+01:00", "capacity": 10, "registration": {"mode": "first_come"},
		"slots": [{"key": "r1", "title": "R", "starts_at": "2030-01-15T10:00:00+01:00", "ends_at": "2030-01-15T11:00:00+01:00"}]}`))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !f.Privacy.IsZero() || !f.Imprint.IsZero() || f.Slots[0].Optional {
		t.Errorf("defaults: privacy %+v, imprint %+v, optional %v; want empty, empty, false", f.Privacy, f.Imprint, f.Slots[0].Optional)
	}
}

func TestLegalAndOptionalSlotsStored(t *testing.T) {
	pool, _ := dbtest.New(t)
	f := openFile()
	f.Privacy = event.Legal{Text: "Datenschutz „Wir zusammen“"}
	f.Imprint = event.Legal{URL: "https://example.org/impressum"}
	f.Slots[1].Optional = false
	mustImport(t, pool, f)
	ev := mustLoad(t, pool, f.Slug)
	if ev.Privacy != f.Privacy || ev.Imprint != f.Imprint {
		t.Errorf("stored privacy %+v, imprint %+v; want %+v, %+v", ev.Privacy, ev.Imprint, f.Privacy, f.Imprint)
	}
	if !ev.Slots[0].Optional || ev.Slots[1].Optional {
		t.Errorf("stored optional = %v, %v; want true, false", ev.Slots[0].Optional, ev.Slots[1].Optional)
	}
	f.Privacy, f.Imprint = event.Legal{}, event.Legal{}
	if _, err := event.Import(context.Background(), pool, f); err != nil {
		t.Fatalf("re-import: %v", err)
	}
	if ev := mustLoad(t, pool, f.Slug); !ev.Privacy.IsZero() || !ev.Imprint.IsZero() {
		t.Errorf("after an import without them: privacy %+v, imprint %+v; want none", ev.Privacy, ev.Imprint)
	}
}
