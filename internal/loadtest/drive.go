package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// drive sends o.Signups sign-ups from o.Clients goroutines, each with its
// own keep-alive connection, and records every latency. Without a rate the
// clients send back to back (closed loop: the highest throughput). With
// o.Rate the clients together offer that many sign-ups per second (open
// loop) and each latency is measured from the moment the request was due,
// so a slow server cannot hide its queueing delay.
func drive(ctx context.Context, baseURL, slug string, o Options, rep *Report) error {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: o.Clients, MaxIdleConnsPerHost: o.Clients, IdleConnTimeout: time.Minute}}
	url := baseURL + "/api/v1/events/" + slug + "/registrations"
	var next atomic.Int64
	latencies := make([][]time.Duration, o.Clients)
	statuses := make([]map[int]int, o.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	var interval time.Duration
	if o.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(o.Clients) / o.Rate)
	}
	for c := 0; c < o.Clients; c++ {
		statuses[c] = map[int]int{}
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			due := start.Add(interval * time.Duration(c) / time.Duration(o.Clients))
			for ctx.Err() == nil {
				i := int(next.Add(1))
				if i > o.Signups {
					return
				}
				if interval > 0 {
					time.Sleep(time.Until(due))
				} else {
					due = time.Now()
				}
				status := signup(ctx, client, url, i, o.Workshops)
				latencies[c] = append(latencies[c], time.Since(due))
				statuses[c][status]++
				due = due.Add(interval)
			}
		}(c)
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	rep.collect(latencies, statuses)
	if rep.Statuses[http.StatusCreated] != o.Signups {
		return fmt.Errorf("only %d of %d sign-ups succeeded: %v", rep.Statuses[http.StatusCreated], o.Signups, rep.Statuses)
	}
	return ctx.Err()
}

func signup(ctx context.Context, client *http.Client, url string, i, workshops int) int {
	body, _ := json.Marshal(map[string]any{
		"name": fmt.Sprintf("Teilnehmerin %d", i), "email": fmt.Sprintf("p%d@bench.example", i),
		"organisation": "Lasttest", "language": "de", "consents": map[string]bool{"privacy": true},
		"choices": map[string]string{"s1": fmt.Sprintf("W%d", 1+i%workshops)},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func (r *Report) collect(latencies [][]time.Duration, statuses []map[int]int) {
	r.Statuses = map[int]int{}
	var all []time.Duration
	for c := range latencies {
		all = append(all, latencies[c]...)
		for s, n := range statuses[c] {
			r.Statuses[s] += n
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r.Requests = len(all)
	if len(all) > 0 {
		r.P50 = all[len(all)/2]
		r.P99 = all[len(all)*99/100]
		r.Max = all[len(all)-1]
	}
}
