package db_test

import (
	"context"
	"testing"

	"github.com/fachtag/fachtag/internal/db"
	"github.com/fachtag/fachtag/internal/db/dbtest"
)

// A binary serves on its own schema version and on a newer one whose every
// migration above its own is marked compatible; not on an older schema, an
// unmarked or incompatible newer one, or its own version left dirty.
func TestSchemaServesCompatibleNewerVersions(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	latest, err := db.LatestVersion()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SchemaCurrent(ctx, pool); err != nil {
		t.Fatalf("freshly migrated: %v", err)
	}
	w := int64(latest)
	for _, tc := range []struct {
		name    string
		version int64
		dirty   bool
		rows    map[int64]bool // schema_compatibility above the binary's version
		serves  bool
	}{
		{"own version", w, false, nil, true},
		{"own version, dirty", w, true, nil, false},
		{"older schema", w - 1, false, nil, false},
		{"newer, compatible", w + 1, false, map[int64]bool{w + 1: true}, true},
		{"newer by two, both compatible", w + 2, false, map[int64]bool{w + 1: true, w + 2: true}, true},
		{"newer, not marked", w + 1, false, nil, false},
		{"newer, incompatible", w + 1, false, map[int64]bool{w + 1: false}, false},
		{"newer by two, the first incompatible", w + 2, false, map[int64]bool{w + 1: false, w + 2: true}, false},
		{"newer by two, the last unmarked", w + 2, false, map[int64]bool{w + 1: true}, false},
		{"next one running (dirty)", w + 1, true, nil, true},
		{"second running after a compatible one", w + 2, true, map[int64]bool{w + 1: true}, true},
		{"second running after an incompatible one", w + 2, true, map[int64]bool{w + 1: false}, false},
		{"incompatible one committed, still dirty", w + 1, true, map[int64]bool{w + 1: false}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exec(t, pool, `DELETE FROM schema_compatibility WHERE version > $1`, w)
			exec(t, pool, `UPDATE schema_migrations SET version = $1, dirty = $2`, tc.version, tc.dirty)
			for v, ok := range tc.rows {
				exec(t, pool, `INSERT INTO schema_compatibility (version, compatible) VALUES ($1, $2)`, v, ok)
			}
			err := db.SchemaServes(ctx, pool, latest)
			if got := err == nil; got != tc.serves {
				t.Errorf("schema %d dirty=%v rows %v, binary %d: serves=%v (%v), want %v",
					tc.version, tc.dirty, tc.rows, latest, got, err, tc.serves)
			}
		})
	}
}

func exec(t *testing.T, c db.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// A binary started on a schema that a newer one migrated further leaves
// it alone when it is compatible, and refuses to start otherwise.
func TestMigrateAcceptsACompatibleNewerSchema(t *testing.T) {
	pool, url := dbtest.New(t)
	latest, _ := db.LatestVersion()
	w := int64(latest)
	exec(t, pool, `UPDATE schema_migrations SET version = $1`, w+1)
	exec(t, pool, `INSERT INTO schema_compatibility (version, compatible) VALUES ($1, true)`, w+1)
	if err := db.Migrate(url); err != nil {
		t.Errorf("compatible newer schema: %v", err)
	}
	exec(t, pool, `UPDATE schema_compatibility SET compatible = false WHERE version = $1`, w+1)
	if err := db.Migrate(url); err == nil {
		t.Error("incompatible newer schema: migrate succeeded, want an error")
	}
	var v int64
	if err := pool.QueryRow(context.Background(), `SELECT version FROM schema_migrations`).Scan(&v); err != nil || v != w+1 {
		t.Errorf("schema version %d (%v), want it left at %d", v, err, w+1)
	}
}
