package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fachtag/fachtag/internal/allocation"
)

// badInput marks an instance file that is not valid JSON or breaks the
// instance rules; main exits with status 2 for it.
type badInput struct{ error }

func (e badInput) Unwrap() error { return e.error }

// exitStatus is 2 for bad input, 1 for every other failure.
func exitStatus(err error) int {
	var bad badInput
	if errors.As(err, &bad) {
		return 2
	}
	return 1
}

// runAllocate implements `fachtag allocate`: solve an instance file, or with
// --gen write a seeded generated instance. The logic lives in
// internal/allocation; this only moves JSON between files and the solver.
// Bad input (malformed JSON, an unknown workshop in a wish list, a pin over
// capacity, …) is reported with its JSON path and exit status 2.
func runAllocate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("allocate", flag.ContinueOnError)
	timeLimit := fs.Duration("time-limit", 10*time.Second,
		"time budget of the exact search; past it the best plan found is returned with \"optimal\": false and its bound")
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
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return badInput{err}
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
	lim := allocation.Limits{Time: *timeLimit}
	var result any
	if *closeUnder {
		cr, err := allocation.SolveClosingUnderfilled(ctx, inst, lim)
		if err != nil {
			return solveErr(*in, err)
		}
		if *noCert {
			cr.Result.Certificate = nil
		}
		result = cr
	} else {
		res, err := allocation.Solve(ctx, inst, lim)
		if err != nil {
			return solveErr(*in, err)
		}
		if *noCert {
			res.Certificate = nil
		}
		result = res
	}
	return writeJSON(*out, result)
}

// solveErr names the file; validation errors are bad input.
func solveErr(path string, err error) error {
	err = fmt.Errorf("%s: %w", path, err)
	var ie *allocation.InputError
	if errors.As(err, &ie) {
		return badInput{err}
	}
	return err
}

func readInstance(path string) (*allocation.Instance, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var inst allocation.Instance
	if err := json.NewDecoder(r).Decode(&inst); err != nil {
		return nil, badInput{fmt.Errorf("%s: %s", path, jsonProblem(err))}
	}
	return &inst, nil
}

// jsonProblem says where a decoding error is: the field path for a value
// of the wrong type, the byte offset for broken syntax.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("%s: expected %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syntaxErr.Offset, err)
	}
	return fmt.Sprintf("invalid JSON: %v", err)
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
