// Package logging owns fachtag's log handler: text or JSON lines on one
// writer, with repeated warnings and errors folded, so that an outage (a
// database that does not answer, under load) writes a few lines a second
// instead of one per request.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// New is the process's logger: format "json" or "text", repeats of a
// warning or error folded per interval (see Fold).
func New(w io.Writer, format string, interval time.Duration) *slog.Logger {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if format == "json" {
		h = slog.NewJSONHandler(w, nil)
	}
	return slog.New(Fold(h, interval))
}

// volatile attributes differ between lines that say the same thing: they
// do not make a line new. The error text is among them because it carries
// client ports and addresses; the summary line shows the last one.
var volatile = map[string]bool{"err": true, "duration_ms": true, "request_id": true}

// Fold wraps h so that a warning or error identical to one already logged
// in the current interval (same level, message and attributes, leaving out
// the volatile ones) is counted instead of written. When the interval is
// over, the next record of any kind first writes one summary line per
// folded kind: the message with "repeated" (the count) and the last error.
// Records below Warn pass unchanged.
func Fold(h slog.Handler, interval time.Duration) slog.Handler {
	return &folder{h: h, st: &foldState{interval: interval, seen: map[string]*window{}}}
}

type folder struct {
	h      slog.Handler
	prefix string // the attributes added by WithAttrs and groups, as part of the key
	st     *foldState
}

type foldState struct {
	interval time.Duration
	mu       sync.Mutex
	seen     map[string]*window
	nextScan time.Time
}

// window is one kind of line within its interval.
type window struct {
	h       slog.Handler
	first   slog.Record
	ends    time.Time
	folded  int
	lastErr string
}

func (f *folder) Enabled(ctx context.Context, l slog.Level) bool { return f.h.Enabled(ctx, l) }

func (f *folder) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	for _, a := range as {
		if !volatile[a.Key] {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		}
	}
	return &folder{h: f.h.WithAttrs(as), prefix: f.prefix + b.String(), st: f.st}
}

func (f *folder) WithGroup(name string) slog.Handler {
	return &folder{h: f.h.WithGroup(name), prefix: f.prefix + " " + name + ".", st: f.st}
}

func (f *folder) Handle(ctx context.Context, r slog.Record) error {
	summaries := f.st.expired(r.Time)
	for _, s := range summaries {
		_ = s.h.Handle(ctx, s.summary())
	}
	if r.Level < slog.LevelWarn {
		return f.h.Handle(ctx, r)
	}
	if f.st.fold(f.key(r), f.h, r) {
		return nil
	}
	return f.h.Handle(ctx, r)
}

// key is what makes two records the same line.
func (f *folder) key(r slog.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s", r.Level, r.Message, f.prefix)
	r.Attrs(func(a slog.Attr) bool {
		if !volatile[a.Key] {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		}
		return true
	})
	return b.String()
}

// fold reports whether r repeats a record of the current interval, and
// counts it if so; otherwise r opens a new interval.
func (st *foldState) fold(key string, h slog.Handler, r slog.Record) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if w, ok := st.seen[key]; ok && r.Time.Before(w.ends) {
		w.folded++
		w.lastErr = errText(r)
		return true
	}
	ends := r.Time.Add(st.interval)
	st.seen[key] = &window{h: h, first: r.Clone(), ends: ends}
	if st.nextScan.IsZero() || ends.Before(st.nextScan) {
		st.nextScan = ends
	}
	return false
}

// expired removes the windows that ended by now and returns those with
// folded lines, to be summarised.
func (st *foldState) expired(now time.Time) []*window {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.nextScan.IsZero() || now.Before(st.nextScan) {
		return nil
	}
	var out []*window
	st.nextScan = time.Time{}
	for k, w := range st.seen {
		if now.Before(w.ends) {
			if st.nextScan.IsZero() || w.ends.Before(st.nextScan) {
				st.nextScan = w.ends
			}
			continue
		}
		delete(st.seen, k)
		if w.folded > 0 {
			out = append(out, w)
		}
	}
	return out
}

// summary is the line that stands for the folded repeats of w.
func (w *window) summary() slog.Record {
	r := slog.NewRecord(w.ends, w.first.Level, w.first.Message, 0)
	w.first.Attrs(func(a slog.Attr) bool {
		if !volatile[a.Key] {
			r.AddAttrs(a)
		}
		return true
	})
	r.AddAttrs(slog.Int("repeated", w.folded), slog.String("since", w.first.Time.Format(time.RFC3339)))
	if w.lastErr != "" {
		r.AddAttrs(slog.String("last_err", w.lastErr))
	}
	return r
}

func errText(r slog.Record) string {
	var s string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" {
			s = a.Value.String()
			return false
		}
		return true
	})
	return s
}
