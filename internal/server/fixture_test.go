package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fachtag/fachtag/internal/app"
	"github.com/fachtag/fachtag/internal/db/dbtest"
	"github.com/fachtag/fachtag/internal/event"
	"github.com/fachtag/fachtag/internal/mail"
	"github.com/fachtag/fachtag/internal/mail/mailtest"
	"github.com/fachtag/fachtag/internal/server"
)

// Slugs of the events every fixture holds.
const (
	slugOpen   = "fachtag-test"    // open, first_come, see openEvent
	slugDraft  = "fachtag-entwurf" // draft: does not exist publicly
	slugClosed = "fachtag-zu"      // status closed
	slugPassed = "fachtag-vorbei"  // open, but the registration window has passed
)

// fixture is a migrated database with the test events and a real HTTP
// server in front of it.
type fixture struct {
	t      *testing.T
	pool   *pgxpool.Pool
	ts     *httptest.Server
	srv    *server.Server
	url    string // the test server's address
	client *http.Client
	seq    atomic.Int64
	sink   *mailtest.Sink // set by the first startMail
}

type fixtureOpts struct {
	rateLimit int                     // RateLimitPerMinute; 0 turns it off
	baseURL   string                  // default: the test server's own URL
	mutate    func(f *event.File)     // changes the open event before import
	opts      func(o *server.Options) // last word on the server options
}

// openEvent is the open first_come event of every fixture: capacity 10,
// two slots with small workshops. A1 and A2 share topic A.
//
//	r1: A1 (1 seat, topic A), B1 (2 seats)
//	r2: A2 (2 seats, topic A), C2 (1 seat)
func openEvent(slug string) *event.File {
	now := time.Now()
	day := now.AddDate(0, 0, 14)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
	opens, closes := now.Add(-time.Hour), now.AddDate(0, 0, 7)
	return &event.File{
		Slug: slug, Title: "Fachtag Teilhabe", Description: "Vorträge und Workshops.",
		Organiser: event.Organiser{Name: "Netzwerk Teilhabe", Email: "team@example.org"},
		Timezone:  "Europe/Berlin", StartsAt: at(0), EndsAt: at(7),
		Venue: event.Venue{Name: "Rathaus", Address: "Markt 1, Erfurt"}, Capacity: 10, Languages: []string{"de", "en"},
		Registration: event.Registration{Mode: event.ModeFirstCome, OpensAt: &opens, ClosesAt: &closes, MaxPreferences: 3},
		Programme:    []event.Item{{StartsAt: at(0), EndsAt: at(1), Title: "Begrüßung", Kind: "talk"}},
		// Optional: most tests book one slot or none; tests of the
		// required choice clear the flag of the slot they need.
		Slots: []event.SlotFile{
			{Key: "r1", Title: "Runde 1", StartsAt: at(1), EndsAt: at(2), Optional: true},
			{Key: "r2", Title: "Runde 2", StartsAt: at(3), EndsAt: at(4), Optional: true},
		},
		Workshops: []event.WSFile{
			{Key: "A1", Slot: "r1", Title: "Beratung im ländlichen Raum", Capacity: 1, Topic: "A", Room: "101"},
			{Key: "B1", Slot: "r1", Title: "Ausbildung und Betrieb", Capacity: 2, Topic: "B", Room: "102"},
			{Key: "A2", Slot: "r2", Title: "Beratung (Wiederholung)", Capacity: 2, Topic: "A", Room: "101"},
			{Key: "C2", Slot: "r2", Title: "Kommunen als Akteure", Capacity: 1, Topic: "C", Room: "103"},
		},
		Questions: []event.Question{
			{Key: "diet", Type: "text", Label: event.Label{DE: "Ernährung", EN: "Diet"}},
		},
		RetentionDays: 30, Status: event.StatusOpen,
	}
}

func newFixture(t *testing.T, o fixtureOpts) *fixture {
	t.Helper()
	pool := dbtest.NewChecked(t)
	ctx := context.Background()
	open := openEvent(slugOpen)
	if o.mutate != nil {
		o.mutate(open)
	}
	draft := openEvent(slugDraft)
	draft.Status = event.StatusDraft
	closed := openEvent(slugClosed)
	closed.Status = event.StatusClosed
	passed := openEvent(slugPassed)
	o1, c1 := time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	passed.Registration.OpensAt, passed.Registration.ClosesAt = &o1, &c1
	for _, f := range []*event.File{open, draft, closed, passed} {
		if _, err := event.Import(ctx, pool, f); err != nil {
			t.Fatalf("import %s: %v", f.Slug, err)
		}
	}

	return serve(t, pool, o)
}

// serve starts a server on pool, built as cmd/fachtag builds one: a
// second call on the same pool is a second replica.
func serve(t *testing.T, pool *pgxpool.Pool, o fixtureOpts) *fixture {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	opts := server.Options{BaseURL: base, RateLimitPerMinute: o.rateLimit, Logger: quietLogger(t)}
	if o.baseURL != "" {
		opts.BaseURL = o.baseURL
	}
	if o.opts != nil {
		o.opts(&opts)
	}
	srv, err := server.New(app.New(pool, testAuth), opts)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &fixture{t: t, pool: pool, ts: ts, srv: srv, url: ts.URL, client: client}
}

func quietLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// reply is a finished HTTP exchange.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// do sends a request to the test server; header pairs are name, value.
func (f *fixture) do(method, path string, body io.Reader, header ...string) reply {
	f.t.Helper()
	req, err := http.NewRequest(method, f.url+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (f *fixture) get(path string, header ...string) reply {
	f.t.Helper()
	return f.do(http.MethodGet, path, nil, header...)
}

// postJSON sends v (a string or []byte as is, anything else encoded).
func (f *fixture) postJSON(path string, v any, header ...string) reply {
	f.t.Helper()
	return f.sendJSON(http.MethodPost, path, v, header...)
}

func (f *fixture) sendJSON(method, path string, v any, header ...string) reply {
	f.t.Helper()
	var body []byte
	switch b := v.(type) {
	case string:
		body = []byte(b)
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			f.t.Fatal(err)
		}
	}
	return f.do(method, path, bytes.NewReader(body), append([]string{"Content-Type", "application/json"}, header...)...)
}

func (f *fixture) postForm(path string, form url.Values, header ...string) reply {
	f.t.Helper()
	return f.do(http.MethodPost, path, strings.NewReader(form.Encode()),
		append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}

// person is a valid registration body with a fresh e-mail address.
func (f *fixture) person(choices map[string]string) map[string]any {
	n := f.seq.Add(1)
	body := map[string]any{
		"name": fmt.Sprintf("Teilnehmerin %d", n), "email": fmt.Sprintf("person%d@example.org", n),
		"organisation": "Jobcenter Erfurt", "role": "Beratung",
		"consents": map[string]any{"privacy": true, "photos": false},
	}
	if choices != nil {
		body["choices"] = choices
	}
	return body
}

func regPath(slug string) string { return "/api/v1/events/" + slug + "/registrations" }

// register signs body up at the open event and wants 201.
func (f *fixture) register(body map[string]any, header ...string) registrationJSON {
	f.t.Helper()
	r := f.postJSON(regPath(slugOpen), body, header...)
	if r.status != http.StatusCreated {
		f.t.Fatalf("register: got %v, want 201", r)
	}
	return decode[registrationJSON](f.t, r)
}

// registrationJSON mirrors the contract of the 201 reply.
type registrationJSON struct {
	ID               string        `json:"id"`
	Event            string        `json:"event"`
	Status           string        `json:"status"`
	WaitlistPosition int           `json:"waitlist_position"`
	Token            string        `json:"token"`
	ManageURL        string        `json:"manage_url"`
	Name             string        `json:"name"`
	Email            string        `json:"email"`
	Language         string        `json:"language"`
	Bookings         []bookingJSON `json:"bookings"`
}

type bookingJSON struct {
	Slot             string `json:"slot"`
	Workshop         string `json:"workshop"`
	Status           string `json:"status"`
	WaitlistPosition int    `json:"waitlist_position"`
}

func (r registrationJSON) booking(slot, status string) (bookingJSON, bool) {
	for _, b := range r.Bookings {
		if b.Slot == slot && b.Status == status {
			return b, true
		}
	}
	return bookingJSON{}, false
}

type errorJSON struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

type eventJSON struct {
	Slug         string `json:"slug"`
	Title        string `json:"title"`
	Status       string `json:"status"`
	Capacity     int    `json:"capacity"`
	SeatsLeft    int    `json:"seats_left"`
	Registration struct {
		Mode string `json:"mode"`
		Open bool   `json:"open"`
	} `json:"registration"`
	Slots []struct {
		Key   string `json:"key"`
		Title string `json:"title"`
	} `json:"slots"`
	Workshops []struct {
		Key       string `json:"key"`
		Slot      string `json:"slot"`
		Capacity  int    `json:"capacity"`
		SeatsLeft int    `json:"seats_left"`
		Waitlist  int    `json:"waitlist"`
		Topic     string `json:"topic"`
	} `json:"workshops"`
}

func (e eventJSON) seatsLeft(key string) int {
	for _, w := range e.Workshops {
		if w.Key == key {
			return w.SeatsLeft
		}
	}
	return -1
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %T from %v: %v", v, r, err)
	}
	return v
}

func (f *fixture) event(slug string) eventJSON {
	f.t.Helper()
	r := f.get("/api/v1/events/" + slug)
	if r.status != http.StatusOK {
		f.t.Fatalf("GET event %s: got %v, want 200", slug, r)
	}
	return decode[eventJSON](f.t, r)
}

// counts are the rows a rejected request must not touch.
type counts struct{ registrations, bookings, outbox, tokens, idempotency int }

func (f *fixture) counts() counts {
	f.t.Helper()
	var c counts
	err := f.pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM registrations), (SELECT count(*) FROM bookings),
		(SELECT count(*) FROM outbox), (SELECT count(*) FROM tokens),
		(SELECT count(*) FROM idempotency_keys)`).
		Scan(&c.registrations, &c.bookings, &c.outbox, &c.tokens, &c.idempotency)
	if err != nil {
		f.t.Fatalf("count rows: %v", err)
	}
	return c
}

// startMail runs a real outbox worker against an in-process SMTP sink
// until the test ends; links in mails point at the test server.
func (f *fixture) startMail() *mailtest.Sink {
	f.t.Helper()
	if f.sink != nil {
		return f.sink
	}
	sink := mailtest.Start(f.t)
	f.sink = sink
	f.startWorker(sink)
	return sink
}

// startWorker runs the server's own outbox worker, as serve does in
// cmd/fachtag, sending to sink until the test ends.
func (f *fixture) startWorker(sink *mailtest.Sink) {
	f.t.Helper()
	sender, err := mail.NewSMTPSender(mail.SMTPConfig{Host: sink.Host(), Port: sink.Port(), TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		f.t.Fatalf("NewSMTPSender: %v", err)
	}
	w := mail.NewWorker(f.pool, sender, mail.WorkerConfig{PersonalLink: server.ManageLink(f.url), AnswerLink: server.AnswerLink(f.url), LegalLinks: f.srv.MailLegalLinks, CertificatePDF: f.srv.MailCertificate, From: "fachtag <noreply@fachtag.test>",
		PollInterval: 20 * time.Millisecond, RetryBase: 100 * time.Millisecond}, quietLogger(f.t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	f.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			f.t.Errorf("worker: %v", err)
		}
		_ = sender.Close()
	})
}

// drainOutbox waits until every outbox row is sent and returns the mails
// the sink holds then (the sink stores a mail before it answers the
// worker, so a sent row's mail is always there).
func (f *fixture) drainOutbox(sink *mailtest.Sink) []mailtest.Received {
	f.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var open, failed int
		err := f.pool.QueryRow(context.Background(),
			`SELECT count(*) FILTER (WHERE status <> 'sent'), count(*) FILTER (WHERE status = 'failed') FROM outbox`).Scan(&open, &failed)
		if err != nil {
			f.t.Fatalf("outbox: %v", err)
		}
		if failed > 0 {
			f.t.Fatalf("outbox: %d rows failed", failed)
		}
		if open == 0 {
			return sink.Messages()
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("outbox: %d rows still unsent", open)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mailsTo filters mails by recipient.
func mailsTo(msgs []mailtest.Received, addr string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range msgs {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
