// Package scenarios ships real-life Fachtage as event files, for the demo,
// tests and benchmarks.
package scenarios

import (
	"embed"
	"fmt"
)

//go:embed *.json
var files embed.FS

// Names lists the bundled scenarios.
var Names = []string{
	"stadt-land-flucht-2024",
	"wir-zusammen-2018",
	"berufliche-teilhabe-2025",
	"fachkraeftekongress-2025",
	"mentoring-abend-2025", // an evening without workshops: only the event seat counts
}

// Read returns the event file of a bundled scenario.
func Read(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".json")
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w", name, err)
	}
	return b, nil
}
