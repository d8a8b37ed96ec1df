// Command fachtag runs the registration desk of a Fachtag: the web server,
// migrations, event import, the allocation solver, the demo and benchmarks.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `fachtag — registration desk for Fachtage

Usage:
  fachtag serve                   run the web server and mail workers
  fachtag migrate                 bring the database schema up to date
  fachtag import FILE             create or update an event from an event file
  fachtag demo                    load the demo events, dates moved into the future
  fachtag allocate --in FILE      run the workshop allocation on an instance (--gen makes one)
  fachtag bench                   load benchmark against a real server and database
  fachtag retention [--dry-run]   anonymise the participants of events past their retention period
  fachtag user add --email E --role R [--event SLUG]
                                  add an account (admin|organiser|checkin); prints a one-time password
  fachtag token create --email E [--name N]   print a new API token for the organiser API
  fachtag token revoke --id N     revoke an API token

Configuration comes from the environment (DATABASE_URL, HTTP_ADDR, BASE_URL,
SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_TLS, MAIL_FROM,
RATE_LIMIT_PER_MINUTE, MAIL_WORKERS, MAIL_RATE_PER_SECOND, TRUSTED_PROXIES,
METRICS_ADDR, LOG_FORMAT, SHUTDOWN_DELAY, SHUTDOWN_TIMEOUT_SECONDS); see README.md.
`

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		var usageErr usageError
		if errors.As(err, &usageErr) {
			fmt.Fprintf(os.Stderr, "%v\n\n%s", err, usage)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "fachtag %s: %v\n", os.Args[1], err)
		os.Exit(exitStatus(err))
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

func run(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "serve":
		return runServe(ctx)
	case "migrate":
		return runMigrate()
	case "import":
		return runImport(ctx, args)
	case "demo":
		return runDemo(ctx)
	case "allocate":
		return runAllocate(ctx, args)
	case "bench":
		return runBench(ctx, args)
	case "user":
		return runUser(ctx, args)
	case "token":
		return runToken(ctx, args)
	case "retention":
		return runRetention(ctx, args)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}
