package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fachtag/fachtag/internal/logging"
)

// 25 s of one warning every 10 ms (errors that differ only in the client
// port) and an info line every second: every info line is written, the
// warning once per interval plus one summary each, and the counts add up.
func TestFoldRepeatedWarnings(t *testing.T) {
	var out bytes.Buffer
	h := logging.Fold(slog.NewJSONHandler(&out, nil), 10*time.Second)
	log := slog.New(h).With("component", "web")
	start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	const warnings = 2500
	for i := range warnings {
		at := start.Add(time.Duration(i) * 10 * time.Millisecond)
		r := slog.NewRecord(at, slog.LevelWarn, "database unavailable", 0)
		r.AddAttrs(slog.String("route", "/api/v1/events/{slug}"),
			slog.Any("err", fmt.Errorf("dial tcp 127.0.0.1:%d: connection refused", 40000+i)))
		if err := log.Handler().Handle(ctx, r); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			_ = log.Handler().Handle(ctx, slog.NewRecord(at, slog.LevelInfo, "request", 0))
		}
	}
	_ = log.Handler().Handle(ctx, slog.NewRecord(start.Add(time.Minute), slog.LevelInfo, "request", 0))

	var infos, full, summaries, counted int
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		switch {
		case rec["level"] == "INFO":
			infos++
		case rec["repeated"] != nil:
			summaries++
			counted += int(rec["repeated"].(float64))
			if rec["component"] != "web" || rec["last_err"] == nil {
				t.Errorf("summary lacks the logger's attributes or the last error: %s", line)
			}
		default:
			full++
		}
	}
	if infos != warnings/100+1 {
		t.Errorf("got %d info lines, want every one of %d", infos, warnings/100+1)
	}
	if full != 3 || summaries != 3 {
		t.Errorf("got %d full warnings and %d summaries, want 3 and 3 (one each per 10 s interval):\n%s", full, summaries, out.String())
	}
	if full+counted != warnings {
		t.Errorf("written %d + folded %d = %d, want %d", full, counted, full+counted, warnings)
	}
}

// Different warnings are not folded into each other.
func TestFoldKeepsDifferentLines(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(logging.Fold(slog.NewTextHandler(&out, nil), time.Minute))
	log.Warn("database unavailable", "route", "/a", "err", errors.New("x"))
	log.Warn("database unavailable", "route", "/b", "err", errors.New("x"))
	log.Error("database unavailable", "route", "/a", "err", errors.New("x"))
	log.Warn("database unavailable", "route", "/a", "err", errors.New("y"))
	if n := strings.Count(out.String(), "\n"); n != 3 {
		t.Errorf("got %d lines, want 3:\n%s", n, out.String())
	}
}
