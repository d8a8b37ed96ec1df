package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/fachtag/fachtag/internal/loadtest"
)

// runBench measures sign-ups per second through the real HTTP server and
// database against pgbench running the same writes as one sign-up.
func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	opts := loadtest.Options{}
	fs.IntVar(&opts.Clients, "clients", 200, "concurrent HTTP clients")
	fs.IntVar(&opts.Signups, "signups", 20000, "sign-ups to send")
	fs.Float64Var(&opts.Rate, "rate", 0, "offered sign-ups per second over all clients (0: back to back)")
	fs.IntVar(&opts.Workshops, "workshops", 4, "workshops in the bench event")
	fs.StringVar(&opts.Target, "target", "", "base URL of a running fachtag server on DATABASE_URL's database (empty: serve in this process)")
	fs.DurationVar(&opts.PgbenchTime, "pgbench-time", 10*time.Second, "how long pgbench runs (0 skips it)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	u, err := databaseURL()
	if err != nil {
		return err
	}
	opts.DatabaseURL = u
	rep, err := loadtest.Run(ctx, opts)
	if rep != nil {
		rep.Print(os.Stdout)
	}
	if err != nil {
		return err
	}
	if rep.Oversold() {
		return fmt.Errorf("oversold: the invariants do not hold")
	}
	return nil
}
