package server

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The web layer holds services, never a database handle: its code imports
// neither pgx nor the storage package, so a handler cannot run SQL or
// compose a transaction of its own.
func TestWebLayerHasNoDatabase(t *testing.T) {
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := f.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/jackc/") || path == "github.com/fachtag/fachtag/internal/db" {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
