// Package dbtest gives each test its own freshly migrated PostgreSQL
// database on the throwaway cluster that `make test` starts.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db"
)

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// URL returns the admin URL of the test cluster. Without DATABASE_URL the
// test is skipped, except under CI=true where a missing database fails.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DATABASE_URL is not set; run the tests with `make test`")
		}
		t.Skip("DATABASE_URL is not set; run the tests with `make test`")
	}
	return u
}

// New creates a migrated database for this test, dropped when it ends, and
// returns a pool on it together with its URL.
func New(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	admin := URL(t)
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(admin) })
	if templateErr != nil {
		t.Fatalf("prepare template database: %v", templateErr)
	}
	name := "t_" + randomHex(8)
	exec(t, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, templateName))
	dbURL := withDatabase(admin, name)
	pool, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		exec(t, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return pool, dbURL
}

// Empty creates an empty database (no schema) for this test, dropped when
// it ends, and returns its URL: for tests of the migrations themselves.
func Empty(t testing.TB) string {
	t.Helper()
	admin := URL(t)
	name := "t_" + randomHex(8)
	exec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() { exec(t, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)) })
	return withDatabase(admin, name)
}

func makeTemplate(admin string) (string, error) {
	name := "tpl_" + randomHex(8)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	if err := db.Migrate(withDatabase(admin, name)); err != nil {
		return "", err
	}
	return name, nil
}

func exec(t testing.TB, admin, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test cluster: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
