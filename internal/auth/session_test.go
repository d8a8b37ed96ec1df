package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fachtag/fachtag/internal/auth"
	"github.com/fachtag/fachtag/internal/db/dbtest"
)

var cheap = auth.Options{Params: auth.Params{Memory: 64, Time: 1, Threads: 1}}

func TestSessionTimeouts(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	s := auth.New(pool, cheap)
	_, pw, err := s.CreateUser(ctx, "Orga@Example.org", auth.RoleOrganiser, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUser(ctx, "orga@example.ORG", auth.RoleAdmin, ""); !errors.Is(err, auth.ErrEmailTaken) {
		t.Errorf("same address, other case: got %v, want ErrEmailTaken", err)
	}
	login := func() string {
		t.Helper()
		_, id, err := s.Login(ctx, "orga@example.org", pw, "192.0.2.1", "")
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		return id
	}
	tests := []struct {
		name, age string // SQL that ages the session
		want      error
	}{
		{"fresh", ``, nil},
		{"idle 1h59", `UPDATE sessions SET last_seen_at = now() - interval '119 minutes'`, nil},
		{"idle 2h", `UPDATE sessions SET last_seen_at = now() - interval '121 minutes'`, auth.ErrUnauthenticated},
		{"absolute 12h", `UPDATE sessions SET expires_at = now() - interval '1 second'`, auth.ErrUnauthenticated},
	}
	for _, tt := range tests {
		id := login()
		if tt.age != "" {
			if _, err := pool.Exec(ctx, tt.age); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Session(ctx, id); !errors.Is(err, tt.want) {
			t.Errorf("%s: Session = %v, want %v", tt.name, err, tt.want)
		}
		if _, err := pool.Exec(ctx, `DELETE FROM sessions`); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTokens(t *testing.T) {
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	s := auth.New(pool, cheap)
	if _, _, err := s.CreateUser(ctx, "api@example.org", auth.RoleOrganiser, ""); err != nil {
		t.Fatal(err)
	}
	id, tok, err := s.CreateToken(ctx, "api@example.org", "ci")
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Token(ctx, tok)
	if err != nil || a.Email != "api@example.org" {
		t.Fatalf("Token = %+v, %v", a, err)
	}
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE hash = convert_to($1, 'UTF8')`, tok).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("raw token found in the table (%d, %v)", stored, err)
	}
	var used bool
	if err := pool.QueryRow(ctx, `SELECT last_used_at IS NOT NULL FROM api_tokens WHERE id = $1`, id).Scan(&used); err != nil || !used {
		t.Errorf("last_used_at not set after use (%v)", err)
	}
	if err := s.RevokeToken(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, tok); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("revoked token: got %v, want ErrUnauthenticated", err)
	}
	var audits int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action IN ('token.create', 'token.revoke')`).Scan(&audits); err != nil || audits != 2 {
		t.Errorf("audit entries for the token: got %d (%v), want 2", audits, err)
	}
}
