// Package metrics owns fachtag's Prometheus metrics: one registry per
// process, the counters and histograms the layers above report into, and
// collectors that read the pool and the outbox when Prometheus scrapes.
// Every method is safe on a nil *Metrics, so code under test may run
// without metrics.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the registry and the instruments fachtag reports into.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	signups      *prometheus.CounterVec
	mailSent     *prometheus.CounterVec
	mailFailed   *prometheus.CounterVec
	smtpUp       prometheus.Gauge
	smtpDownFrom prometheus.Gauge
	allocation   prometheus.Histogram
	downSince    atomic.Int64 // unix time of the current SMTP outage's first failure
}

// New registers every instrument together with the Go runtime and process
// collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fachtag_http_requests_total",
			Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fachtag_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and method.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route", "method"}),
		signups: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fachtag_signups_total",
			Help: "Sign-ups by outcome: confirmed, waitlisted, received (wish phase) or rejected."}, []string{"outcome"}),
		mailSent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fachtag_mail_sent_total",
			Help: "Mails handed to the SMTP server, by kind."}, []string{"kind"}),
		mailFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fachtag_mail_failures_total",
			Help: "Failed SMTP sends by kind (temporary and permanent)."}, []string{"kind"}),
		smtpUp: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fachtag_smtp_up",
			Help: "1 while the last SMTP send succeeded, 0 after a failure."}),
		smtpDownFrom: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fachtag_smtp_down_since_seconds",
			Help: "Unix time of the first failure of the current SMTP outage; 0 while SMTP works."}),
		allocation: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "fachtag_allocation_run_seconds",
			Help: "Time of allocation runs, solver included.", Buckets: prometheus.ExponentialBuckets(.005, 4, 8)}),
	}
	m.smtpUp.Set(1)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.signups, m.mailSent, m.mailFailed, m.smtpUp, m.smtpDownFrom, m.allocation)
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request records one HTTP request; route is the router's pattern (never
// the raw path, which would carry personal-link tokens).
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// SignUp records the outcome of one sign-up attempt.
func (m *Metrics) SignUp(outcome string) {
	if m != nil {
		m.signups.WithLabelValues(outcome).Inc()
	}
}

// MailSent records a delivered mail and marks SMTP as working.
func (m *Metrics) MailSent(kind string) {
	if m == nil {
		return
	}
	m.mailSent.WithLabelValues(kind).Inc()
	m.smtpUp.Set(1)
	m.downSince.Store(0)
	m.smtpDownFrom.Set(0)
}

// MailFailed records a failed send. A temporary failure (connection
// refused, 4xx) marks SMTP as down since at, unless it already was; a
// permanent one (an unknown recipient) says nothing about the server.
func (m *Metrics) MailFailed(kind string, temporary bool, at time.Time) {
	if m == nil {
		return
	}
	m.mailFailed.WithLabelValues(kind).Inc()
	if !temporary {
		return
	}
	m.smtpUp.Set(0)
	if m.downSince.CompareAndSwap(0, at.Unix()) {
		m.smtpDownFrom.Set(float64(at.Unix()))
	}
}

// AllocationRun records the duration of one allocation run.
func (m *Metrics) AllocationRun(d time.Duration) {
	if m != nil {
		m.allocation.Observe(d.Seconds())
	}
}

// OutboxState is what the outbox collector reports at each scrape.
type OutboxState struct {
	Pending      int           // rows not yet sent and not failed
	Failed       int           // rows given up on
	OldestUnsent time.Duration // age of the oldest pending row; 0 when none
	StalledSince time.Time     // first deferral since the last mail went out; zero while mails flow
}

// WatchOutbox reads the outbox at each scrape through read, which gets a
// context bounded to two seconds.
func (m *Metrics) WatchOutbox(read func(context.Context) (OutboxState, error)) {
	if m != nil {
		m.reg.MustRegister(&outboxCollector{read: read})
	}
}

// WatchSignUpGate reports at each scrape how many sign-ups wait for their
// turn at their event's gate (SIGNUP_CONCURRENCY).
func (m *Metrics) WatchSignUpGate(waiting func() int) {
	if m != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fachtag_signup_gate_waiting",
			Help: "Sign-ups waiting for their turn to run their transaction (SIGNUP_CONCURRENCY per event)."},
			func() float64 { return float64(waiting()) }))
	}
}

// PoolStat is the part of a connection pool's statistics that is exported.
type PoolStat struct {
	Total, Idle, Acquired, Max int32
	AcquireCount, EmptyAcquire int64
	AcquireWait                time.Duration
}

// WatchPool reports the pool's statistics at each scrape.
func (m *Metrics) WatchPool(stat func() PoolStat) {
	if m != nil {
		m.reg.MustRegister(&poolCollector{stat: stat})
	}
}
