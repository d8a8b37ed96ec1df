package reconfirm

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkAsk measures the question step for an event of 1,000
// confirmed participants: one Tick at the send time asks them all, in
// transactions of batchSize that hold the event's row lock. It reports
// the questions per second and the mean time one batch holds the lock.
func BenchmarkAsk(b *testing.B) {
	const people = 1000
	fx := newFixture(b, people, people)
	for i := range people {
		fx.register(fmt.Sprintf("p%d@example.org", i), []string{"A1", "B1"}[i%2])
	}
	plan := fx.configure(true, false)
	ctx := context.Background()
	var asked int
	var spent time.Duration
	for b.Loop() {
		b.StopTimer()
		if _, err := fx.pool.Exec(ctx, `DELETE FROM outbox WHERE kind = 'reconfirm'; DELETE FROM reconfirm_requests`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		d, err := Tick(ctx, fx.pool, plan.SendAt)
		if err != nil || d.Asked != people {
			b.Fatalf("Tick = %+v, %v; want %d asked", d, err, people)
		}
		spent += time.Since(start)
		asked += d.Asked
	}
	b.ReportMetric(float64(asked)/spent.Seconds(), "questions/s")
	b.ReportMetric(float64(spent.Milliseconds())/float64(asked/batchSize), "ms/batch")
}
