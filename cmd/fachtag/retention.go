package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fachtag/fachtag/internal/retention"
)

// runRetention handles `fachtag retention [--dry-run]`: it anonymises
// every event past its retention period once, as the server does hourly.
func runRetention(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("retention", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dryRun := fs.Bool("dry-run", false, "report what would be anonymised and change nothing")
	if err := fs.Parse(args); err != nil {
		return usageError("retention: " + err.Error())
	}
	if fs.NArg() != 0 {
		return usageError("retention takes no arguments")
	}
	pool, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	run := retention.Run
	if *dryRun {
		run = retention.DryRun
	}
	rep, err := run(ctx, pool, time.Now())
	printRetention(os.Stdout, rep)
	return err
}

func printRetention(w io.Writer, rep retention.Report) {
	verb := "anonymised"
	if rep.DryRun {
		verb = "would anonymise"
	}
	if len(rep.Events) == 0 {
		fmt.Fprintln(w, "no event is due for anonymisation")
		return
	}
	for _, ev := range rep.Events {
		fmt.Fprintf(w, "%s event %s (ended %s): %d registrations, %d tokens deleted, %d mails blanked, %d idempotency keys deleted, %d certificates deleted, %d audit entries scrubbed\n",
			verb, ev.Slug, ev.EndsAt.Format(time.DateOnly), ev.Registrations, ev.Tokens, ev.Mails,
			ev.IdempotencyKeys, ev.Certificates, ev.AuditEntries)
	}
}
