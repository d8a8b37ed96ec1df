package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/fachtag/fachtag/internal/allocation"
)

// runAllocate implements `fachtag allocate`: solve an instance file, or with
// --gen write a seeded generated instance. The logic lives in
// internal/allocation; this only moves JSON between files and the solver.
func runAllocate(args []string) error {
	fs := flag.NewFlagSet("allocate", flag.ContinueOnError)
	in := fs.String("in", "", "instance JSON file to solve (- for stdin)")
	out := fs.String("out", "", "output file (default stdout)")
	closeUnder := fs.Bool("close-underfilled", false, "close workshops below their minimum one by one and re-solve")
	noCert := fs.Bool("no-certificate", false, "omit the optimality certificate from the output")
	gen := fs.Bool("gen", false, "write a generated instance instead of solving")
	var g allocation.GenOptions
	fs.IntVar(&g.Participants, "participants", 1000, "gen: participants")
	fs.IntVar(&g.Workshops, "workshops", 30, "gen: workshops (all slots)")
	fs.IntVar(&g.Slots, "slots", 1, "gen: slots")
	fs.IntVar(&g.Choices, "choices", 3, "gen: choices per slot")
	fs.BoolVar(&g.RepeatTopics, "repeat-topics", false, "gen: repeat topics across slots")
	fs.Float64Var(&g.CapacityFactor, "capacity-factor", 1.1, "gen: total capacity per slot / participants")
	fs.Float64Var(&g.PinRate, "pin-rate", 0, "gen: share of participants with a pin")
	fs.Float64Var(&g.MinRate, "min-rate", 0, "gen: share of workshops with a minimum")
	fs.BoolVar(&g.AllowUnlisted, "allow-unlisted", false, "gen: set options.allow_unlisted")
	fs.BoolVar(&g.Fair, "fair", false, "gen: set options.fair")
	fs.Int64Var(&g.Seed, "seed", 1, "gen: seed (also the lottery seed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *gen {
		return writeJSON(*out, allocation.Generate(g))
	}
	if *in == "" {
		return errors.New("allocate: --in FILE (or --gen) is required")
	}
	inst, err := readInstance(*in)
	if err != nil {
		return err
	}
	var result any
	if *closeUnder {
		cr, err := allocation.SolveClosingUnderfilled(inst)
		if err != nil {
			return fmt.Errorf("allocate %s: %w", *in, err)
		}
		if *noCert {
			cr.Result.Certificate = nil
		}
		result = cr
	} else {
		res, err := allocation.Solve(inst)
		if err != nil {
			return fmt.Errorf("allocate %s: %w", *in, err)
		}
		if *noCert {
			res.Certificate = nil
		}
		result = res
	}
	return writeJSON(*out, result)
}

func readInstance(path string) (*allocation.Instance, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("allocate: %w", err)
		}
		defer f.Close()
		r = f
	}
	var inst allocation.Instance
	if err := json.NewDecoder(r).Decode(&inst); err != nil {
		return nil, fmt.Errorf("allocate: reading %s: %w", path, err)
	}
	return &inst, nil
}

func writeJSON(path string, v any) (err error) {
	var w io.Writer = os.Stdout
	if path != "" && path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("allocate: %w", err)
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("allocate: closing %s: %w", path, cerr)
			}
		}()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("allocate: writing %s: %w", path, err)
	}
	return nil
}
