package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	outboxPending = prometheus.NewDesc("fachtag_outbox_pending", "Mails queued and not yet sent.", nil, nil)
	outboxFailed  = prometheus.NewDesc("fachtag_outbox_failed", "Mails given up on after permanent errors or too many attempts.", nil, nil)
	outboxOldest  = prometheus.NewDesc("fachtag_outbox_oldest_unsent_seconds", "Age of the oldest queued mail; 0 when the queue is empty.", nil, nil)
	outboxStalled = prometheus.NewDesc("fachtag_outbox_stalled_since_seconds", "Unix time since which queued mails are deferred and none went out (an SMTP outage); 0 while mails flow.", nil, nil)
	outboxUp      = prometheus.NewDesc("fachtag_outbox_scrape_ok", "1 when the outbox could be read at this scrape.", nil, nil)

	poolTotal    = prometheus.NewDesc("fachtag_db_pool_connections", "Open database connections.", nil, nil)
	poolIdle     = prometheus.NewDesc("fachtag_db_pool_idle_connections", "Idle database connections.", nil, nil)
	poolAcquired = prometheus.NewDesc("fachtag_db_pool_acquired_connections", "Database connections in use.", nil, nil)
	poolMax      = prometheus.NewDesc("fachtag_db_pool_max_connections", "Largest pool size allowed.", nil, nil)
	poolAcquires = prometheus.NewDesc("fachtag_db_pool_acquires_total", "Connections handed out by the pool.", nil, nil)
	poolWaits    = prometheus.NewDesc("fachtag_db_pool_empty_acquires_total", "Acquires that had to wait for a free connection.", nil, nil)
	poolWaitTime = prometheus.NewDesc("fachtag_db_pool_acquire_wait_seconds_total", "Time spent waiting for a free connection.", nil, nil)
)

type outboxCollector struct {
	read func(context.Context) (OutboxState, error)
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxPending
	ch <- outboxFailed
	ch <- outboxOldest
	ch <- outboxStalled
	ch <- outboxUp
}

// Collect reports the outbox, or only outbox_scrape_ok 0 when the database
// does not answer: a missing series is better than a made-up zero.
func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(outboxUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxUp, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(outboxPending, prometheus.GaugeValue, float64(s.Pending))
	ch <- prometheus.MustNewConstMetric(outboxFailed, prometheus.GaugeValue, float64(s.Failed))
	ch <- prometheus.MustNewConstMetric(outboxOldest, prometheus.GaugeValue, s.OldestUnsent.Seconds())
	var stalled float64
	if !s.StalledSince.IsZero() {
		stalled = float64(s.StalledSince.Unix())
	}
	ch <- prometheus.MustNewConstMetric(outboxStalled, prometheus.GaugeValue, stalled)
}

type poolCollector struct {
	stat func() PoolStat
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolTotal, poolIdle, poolAcquired, poolMax, poolAcquires, poolWaits, poolWaitTime} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(poolTotal, float64(s.Total))
	gauge(poolIdle, float64(s.Idle))
	gauge(poolAcquired, float64(s.Acquired))
	gauge(poolMax, float64(s.Max))
	counter(poolAcquires, float64(s.AcquireCount))
	counter(poolWaits, float64(s.EmptyAcquire))
	counter(poolWaitTime, s.AcquireWait.Seconds())
}
