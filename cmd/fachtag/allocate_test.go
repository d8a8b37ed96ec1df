package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets a test run the real command: with FACHTAG_TEST_MAIN set
// the test binary is fachtag itself (main, its exit status included).
func TestMain(m *testing.M) {
	if os.Getenv("FACHTAG_TEST_MAIN") == "1" {
		os.Args = append([]string{"fachtag"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fachtag runs the command with args and returns stdout, stderr and the
// exit status.
func fachtag(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FACHTAG_TEST_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	}
	t.Fatalf("run fachtag: %v", err)
	return "", "", 0
}

func TestAllocateBadInput(t *testing.T) {
	t.Parallel()
	const base = `{"slots": ["r1", "r2"],
	 "workshops": [{"key": "A1", "slot": "r1", "capacity": 1, "topic": "A"},
	               {"key": "A2", "slot": "r2", "capacity": 2, "topic": "A"},
	               {"key": "B2", "slot": "r2", "capacity": %CAP%}],
	 "participants": [{"id": "p0", "preferences": {"r1": ["A1"]}},
	                  {"id": "p1", "preferences": {"r2": ["B2"]}, "pinned": %PIN1%},
	                  {"id": "p2", "preferences": {"r1": ["A1"]}},
	                  {"id": "p3", "preferences": {"r1": %LIST3%}, "pinned": %PIN3%}]}`
	fill := func(kv ...string) string {
		s := base
		def := map[string]string{"%CAP%": "2", "%PIN1%": "{}", "%LIST3%": `["A1"]`, "%PIN3%": "{}"}
		for i := 0; i < len(kv); i += 2 {
			def[kv[i]] = kv[i+1]
		}
		for k, v := range def {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	tests := []struct {
		name, input, want string
	}{
		{"unknown workshop in a wish list", fill("%LIST3%", `["A1", "X9"]`),
			`participants[3].preferences.r1[1]: unknown workshop "X9"`},
		{"pin over capacity", fill("%PIN1%", `{"r1": "A1"}`, "%PIN3%", `{"r1": "A1"}`),
			`participants[3].pinned.r1: workshop "A1" is over capacity: 2 pins, capacity 1`},
		{"topic pinned twice", fill("%PIN3%", `{"r1": "A1", "r2": "A2"}`),
			`participants[3].pinned.r2: workshop "A2" has the same topic as "A1" pinned in slot "r1"`},
		{"negative capacity", fill("%CAP%", "-1"),
			`workshops[2].capacity: must be >= 0, got -1`},
		{"workshop of another slot", fill("%LIST3%", `["B2"]`),
			`participants[3].preferences.r1[0]: workshop "B2" belongs to slot "r2", not "r1"`},
		{"wrong JSON type", fill("%CAP%", `"two"`),
			`workshops.capacity: expected int, got JSON string`},
		{"broken JSON", `{"slots": [`, `invalid JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := filepath.Join(t.TempDir(), "instance.json")
			if err := os.WriteFile(in, []byte(tt.input), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := fachtag(t, "allocate", "--in", in)
			if code != 2 {
				t.Errorf("exit status %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

func TestAllocateTimeLimit(t *testing.T) {
	t.Parallel()
	in := filepath.Join("..", "..", "internal", "allocation", "testdata", "example.json")
	stdout, stderr, code := fachtag(t, "allocate", "--in", in, "--time-limit", "3s", "--no-certificate")
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	var res struct {
		Optimal   bool           `json:"optimal"`
		Profile   map[string]int `json:"profile"`
		ElapsedMS *int64         `json:"elapsed_ms"`
		Seed      *int64         `json:"seed"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("output: %v\n%s", err, stdout)
	}
	if !res.Optimal || res.Profile == nil || res.ElapsedMS == nil || res.Seed == nil {
		t.Errorf("output %+v lacks the contract fields", res)
	}
	if _, stderr, code := fachtag(t, "allocate", "--in", in, "--time-limit", "soon"); code != 2 || !strings.Contains(stderr, "time-limit") {
		t.Errorf("bad --time-limit: status %d, stderr %q", code, stderr)
	}
}
