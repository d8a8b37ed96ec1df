// Package db owns the connection pool, the one transaction helper and the
// schema migrations of fachtag.
package db

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // registers pgx5://
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/migrations"
)

// Conn is the one database handle of fachtag: a pool, one of its
// connections or a transaction. A function that may run inside its
// caller's transaction takes a Conn; one that opens its own transactions
// takes the pool.
type Conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

var (
	_ Conn = (*pgxpool.Pool)(nil)
	_ Conn = (*pgxpool.Conn)(nil)
	_ Conn = pgx.Tx(nil)
)

// Open connects a pool and checks that the server answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without a limit a request waits as long as the kernel tries to
		// reach a database host that has gone; with it, it gets a 503.
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return pool, nil
}

// Transact runs fn in a transaction, commits when fn returns nil and rolls
// back otherwise. Serialization failures and deadlocks are retried, so fn
// must be safe to run more than once.
func Transact(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	const attempts = 10
	var err error
	for i := 0; i < attempts; i++ {
		err = transactOnce(ctx, pool, fn)
		if !Retryable(err) {
			return err
		}
		// Jitter keeps two retrying transactions from meeting again.
		time.Sleep(time.Duration(1+rand.IntN(5*(i+1))) * time.Millisecond)
	}
	return err
}

func transactOnce(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) (err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Retryable reports whether a transaction that failed with err may simply
// run again: serialization failure, deadlock, lock wait timed out.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	// serialization failure, deadlock, lock wait timed out
	return pgErr.Code == "40001" || pgErr.Code == "40P01" || pgErr.Code == "55P03"
}

// IsUniqueViolation reports whether err is a unique violation of the named
// constraint or index.
func IsUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// IsCheckViolation reports whether err violates the named CHECK constraint.
func IsCheckViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23514" && pgErr.ConstraintName == constraint
}

// Migrate brings the schema to the newest version this binary knows. A
// schema that a newer binary already migrated further is left alone if
// this binary can serve on it (SchemaServes): during a rolling deploy or a
// rollback the old binary starts on the new schema.
func Migrate(url string) error {
	m, err := newMigrate(url)
	if err != nil {
		return err
	}
	defer m.Close()
	latest, err := LatestVersion()
	if err != nil {
		return err
	}
	if v, _, err := m.Version(); err == nil && v > latest {
		return newerSchema(url, latest)
	}
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func newerSchema(url string, latest uint) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := SchemaServes(ctx, conn, latest); err != nil {
		return fmt.Errorf("migrate: this binary knows migrations up to %d: %w", latest, err)
	}
	return nil
}

// SchemaCurrent reports an error unless this binary can serve on the
// database's schema: the newest migration it knows is applied, or the
// schema is newer and every migration above that one is recorded as
// compatible (SchemaServes).
func SchemaCurrent(ctx context.Context, c Conn) error {
	want, err := LatestVersion()
	if err != nil {
		return err
	}
	return SchemaServes(ctx, c, want)
}

// schemaCompat reads the applied version and whether every migration above
// $1 is recorded as compatible. While a migration runs (dirty), its own
// row is not visible yet and the schema old binaries see is still the one
// before it: its transaction has not committed.
const schemaCompat = `
SELECT m.version, m.dirty,
       NOT EXISTS (SELECT 1 FROM schema_compatibility c
                   WHERE c.version > $1 AND c.version <= m.version AND NOT c.compatible)
       AND (m.dirty OR EXISTS (SELECT 1 FROM schema_compatibility c WHERE c.version = m.version))
FROM schema_migrations m`

// SchemaServes reports an error unless a binary built for schema version
// want can serve on the database: the schema is at want, or newer with
// every migration above want marked compatible in schema_compatibility
// (migrations/README.md says how a migration is marked).
func SchemaServes(ctx context.Context, c Conn, want uint) error {
	var version int64
	var dirty bool
	if err := c.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations`).Scan(&version, &dirty); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case uint(version) == want && !dirty:
		return nil
	case uint(version) <= want:
		return fmt.Errorf("schema at version %d (dirty=%v), want %d", version, dirty, want)
	}
	var compatible bool
	if err := c.QueryRow(ctx, schemaCompat, int64(want)).Scan(&version, &dirty, &compatible); err != nil {
		return fmt.Errorf("read schema compatibility: %w", err)
	}
	if !compatible {
		return fmt.Errorf("schema at version %d (dirty=%v) is newer than %d and not marked compatible with it", version, dirty, want)
	}
	return nil
}

// LatestVersion is the newest migration's version number.
func LatestVersion() (uint, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return 0, err
	}
	defer src.Close()
	v, err := src.First()
	if err != nil {
		return 0, err
	}
	for {
		next, err := src.Next(v)
		if err != nil {
			return v, nil
		}
		v = next
	}
}

func newMigrate(url string) (*migrate.Migrate, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, pgx5URL(url))
	if err != nil {
		return nil, fmt.Errorf("open migrations: %w", err)
	}
	return m, nil
}

// pgx5URL turns a postgres:// URL into the scheme golang-migrate's pgx v5
// driver registers. Key=value connection strings are not supported there.
func pgx5URL(url string) string {
	for _, prefix := range []string{"postgres://", "postgresql://"} {
		if strings.HasPrefix(url, prefix) {
			return "pgx5://" + strings.TrimPrefix(url, prefix)
		}
	}
	return url
}
