package allocation

import (
	"context"
	"os"
	"sync"
	"testing"
)

// benchCases are the contract's performance targets.
var benchCases = []struct {
	name string
	opt  GenOptions
}{
	{"p1000_w30_s1", GenOptions{Participants: 1000, Workshops: 30, Slots: 1, Choices: 3, Seed: 1}},
	{"p10000_w50_s3", GenOptions{Participants: 10000, Workshops: 50, Slots: 3, Choices: 3, Seed: 1}},
	{"p100000_w50_s3", GenOptions{Participants: 100000, Workshops: 50, Slots: 3, Choices: 3, Seed: 1}},
	{"p10000_w50_s3_repeat", GenOptions{Participants: 10000, Workshops: 50, Slots: 3, Choices: 3, RepeatTopics: true, Seed: 1}},
	{"p10000_w50_s3_unlisted_fair", GenOptions{Participants: 10000, Workshops: 50, Slots: 3, Choices: 3, AllowUnlisted: true, Fair: true, CapacityFactor: 0.95, Seed: 1}},
}

// benchInstances caches generated instances so generation is not timed.
var benchInstances sync.Map

func benchInstance(name string, o GenOptions) *Instance {
	if v, ok := benchInstances.Load(name); ok {
		return v.(*Instance)
	}
	inst := Generate(o)
	benchInstances.Store(name, inst)
	return inst
}

func BenchmarkSolve(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			inst := benchInstance(c.name, c.opt)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Solve(context.Background(), inst, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExternal runs the same instances through glpsol/cbc (all
// lexicographic levels, sequentially) so the speed ratio can be reported.
// Skipped when the binaries are missing. The 10,000-participant instance
// takes minutes there, so it only runs with FACHTAG_BENCH_EXTERNAL_LARGE=1.
func BenchmarkExternal(b *testing.B) {
	cases := benchCases[:1]
	if os.Getenv("FACHTAG_BENCH_EXTERNAL_LARGE") == "1" {
		cases = benchCases[:2]
	}
	for _, c := range cases {
		for _, name := range []string{"glpsol", "cbc"} {
			b.Run(c.name+"/"+name, func(b *testing.B) {
				bin := externalSolver(b, name)
				inst := benchInstance(c.name, c.opt)
				for b.Loop() {
					if _, err := solveLexMIP(inst, bin, b.TempDir()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
