package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
)

// crashWorkers is MAIL_WORKERS of the crashed server: at most this many
// mails are inside a send when it dies, so at most this many can arrive
// twice.
const crashWorkers = 4

// TestMailResendsAfterKill runs `fachtag serve` as its own process, kills
// it with SIGKILL while it sends, starts it again and counts the mails
// that arrived twice (same Message-ID) and how late the dead process's
// mails went out. FACHTAG_CRASHES sets the number of kills (default 1);
// the figures are logged (go test -v).
func TestMailResendsAfterKill(t *testing.T) {
	crashes := 1
	if n, err := strconv.Atoi(os.Getenv("FACHTAG_CRASHES")); err == nil && n > 0 {
		crashes = n
	}
	bin := buildBinary(t)
	pool, dbURL := dbtest.New(t)
	sink := mailtest.Start(t)
	sink.Delay(40 * time.Millisecond) // the server takes its time, so sends are in flight at the kill
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "HTTP_ADDR="+freeAddr(t), "METRICS_ADDR=",
		"SMTP_HOST="+sink.Host(), "SMTP_PORT="+strconv.Itoa(sink.Port()), "SMTP_TLS=none",
		"MAIL_FROM=fachtag <fachtag@crash.test>", "MAIL_WORKERS="+strconv.Itoa(crashWorkers), "LOG_FORMAT=json")
	logs := filepath.Join(t.TempDir(), "serve.log")
	const perCrash = 200
	var dupTotal int
	var worstDelay time.Duration
	for c := range crashes {
		enqueueResets(t, pool, c, perCrash)
		before := len(sink.Messages())
		proc := startServe(t, bin, env, logs)
		waitMessages(t, sink, before+perCrash/4)
		_ = proc.Process.Signal(syscall.SIGKILL)
		_ = proc.Wait()
		killed := time.Now()
		held := heldRows(t, pool)
		proc = startServe(t, bin, env, logs)
		waitAllSent(t, pool, (c+1)*perCrash)
		delay := lastSentAfter(t, pool, held, killed)
		_ = proc.Process.Signal(syscall.SIGTERM)
		_ = proc.Wait()

		dups := duplicates(sink.Messages()[before:])
		t.Logf("crash %d: %d rows held by the killed process, %d mails arrived twice, the held rows were sent %v after the kill",
			c+1, len(held), dups, delay.Round(100*time.Millisecond))
		if dups > crashWorkers {
			t.Errorf("crash %d: %d duplicates, want at most MAIL_WORKERS=%d (the sends in flight)", c+1, dups, crashWorkers)
		}
		dupTotal += dups
		worstDelay = max(worstDelay, delay)
	}
	if got := len(distinct(sink.Messages())); got != crashes*perCrash {
		t.Errorf("%d distinct mails arrived, want every one of %d", got, crashes*perCrash)
	}
	t.Logf("%d crashes: %d duplicates in all (%.1f per crash), worst delay of a held mail %v",
		crashes, dupTotal, float64(dupTotal)/float64(crashes), worstDelay.Round(100*time.Millisecond))
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fachtag")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startServe(t *testing.T, bin string, env []string, logPath string) *exec.Cmd {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	cmd := exec.Command(bin, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("serve log:\n%s", b)
		}
	})
	return cmd
}

func enqueueResets(t *testing.T, pool *pgxpool.Pool, round, n int) {
	t.Helper()
	for i := range n {
		m := mail.Message{Kind: mail.KindPasswordReset, To: fmt.Sprintf("orga-%d-%d@example.org", round, i),
			Language: "de", Link: "https://fachtag.test/org/reset/x"}
		if err := mail.Enqueue(context.Background(), pool, m); err != nil {
			t.Fatal(err)
		}
	}
}

func waitMessages(t *testing.T, sink *mailtest.Sink, n int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); len(sink.Messages()) < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d mails arrived", len(sink.Messages()), n)
		}
	}
}

// heldRows are the rows a killed process had claimed.
func heldRows(t *testing.T, pool *pgxpool.Pool) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT id FROM outbox WHERE status = 'sending'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func waitAllSent(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var sent int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE status = 'sent'`).Scan(&sent); err != nil {
			t.Fatal(err)
		}
		if sent == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d mails sent after 90 s", sent, n)
		}
	}
}

// lastSentAfter is how long after the kill the last of the held rows went
// out.
func lastSentAfter(t *testing.T, pool *pgxpool.Pool, held []int64, killed time.Time) time.Duration {
	t.Helper()
	if len(held) == 0 {
		return 0
	}
	var last time.Time
	if err := pool.QueryRow(context.Background(), `SELECT max(sent_at) FROM outbox WHERE id = ANY($1)`, held).Scan(&last); err != nil {
		t.Fatal(err)
	}
	return last.Sub(killed)
}

func duplicates(msgs []mailtest.Received) int {
	return len(msgs) - len(distinct(msgs))
}

func distinct(msgs []mailtest.Received) map[string]bool {
	ids := map[string]bool{}
	for _, m := range msgs {
		ids[m.MessageID] = true
	}
	return ids
}
