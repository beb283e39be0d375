package loadgen

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one load run against one server.
type Config struct {
	Addr     string        // host:port
	Path     string        // e.g. /webhooks/voice
	Events   *Events       // the bodies
	Conns    int           // connections, each with at most one request in flight
	Duration time.Duration // how long requests are started
	// Rate is the offered rate in requests per second for an open loop; 0 runs a closed loop
	// (each connection sends its next request as soon as the previous one is answered).
	Rate float64
	// Timeout bounds each request; in an open loop it also bounds how long after Duration the
	// run waits for requests still queued (they count as Late).
	Timeout time.Duration
	// First is the number of the first request, so that runs against one server never repeat
	// an eventId.
	First uint64
}

// Result is what a run measured.
type Result struct {
	Rate      float64         // the offered rate (0 for a closed loop)
	Elapsed   time.Duration   // from the first scheduled send to the last answer
	OK        int             // answered 200
	Fallbacks int             // of those, answered by callscript without the script (X-Callscript-Fallback)
	Failed    int             // answered another status, or failed on the connection
	Late      int             // open loop: scheduled but never sent within the run's bound
	Statuses  map[int]int     // non-200 status codes seen
	FirstErr  error           // the first connection error, if any
	Latencies []time.Duration // of the 200 answers, sorted
	// Lags are, in an open loop, how late the requests that found their connection idle left
	// against their schedule (sorted): the generator's own delay (timer resolution, CPU),
	// already included in Latencies. A request that had to wait for a busy connection is not
	// counted here: that wait is the server's, also in Latencies.
	Lags []time.Duration
	Next uint64 // the number after the last request made
}

// Throughput is the answered requests per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK+r.Failed) / r.Elapsed.Seconds()
}

// Percentile returns the latency below which a fraction p (0..1) of the answers came.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(p * float64(len(r.Latencies)))
	return r.Latencies[min(i, len(r.Latencies)-1)]
}

// String renders the result as one line of key=value pairs, latencies in milliseconds.
func (r Result) String() string {
	var b strings.Builder
	if r.Rate > 0 {
		fmt.Fprintf(&b, "offered=%.0f ", r.Rate)
	}
	fmt.Fprintf(&b, "rps=%.0f ok=%d failed=%d fallbacks=%d", r.Throughput(), r.OK, r.Failed, r.Fallbacks)
	if r.Rate > 0 {
		fmt.Fprintf(&b, " late=%d", r.Late)
	}
	for _, p := range []struct {
		name string
		at   float64
	}{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"p999", 0.999}} {
		fmt.Fprintf(&b, " %s=%.3f", p.name, ms(r.Percentile(p.at)))
	}
	if n := len(r.Latencies); n > 0 {
		fmt.Fprintf(&b, " max=%.3f", ms(r.Latencies[n-1]))
	}
	if n := len(r.Lags); n > 0 {
		fmt.Fprintf(&b, " lag_p50=%.3f lag_p99=%.3f", ms(r.Lags[n/2]), ms(r.Lags[min(n*99/100, n-1)]))
	}
	for code, n := range r.Statuses {
		fmt.Fprintf(&b, " status%d=%d", code, n)
	}
	if r.FirstErr != nil {
		fmt.Fprintf(&b, " error=%q", r.FirstErr.Error())
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// worker is one connection's share of a run; merged at the end so that the hot loop shares
// nothing but the request counter.
type worker struct {
	latencies []time.Duration
	lags      []time.Duration
	failed    int
	fallbacks int
	statuses  map[int]int
	err       error
	last      time.Time
}

// Run runs the load described by cfg and waits for it to finish: at most Duration plus
// Timeout after it starts, whatever the server does.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Conns <= 0 || cfg.Duration <= 0 || cfg.Events == nil {
		return Result{}, fmt.Errorf("load: need conns > 0, duration > 0 and events")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	conns := make([]*Conn, cfg.Conns)
	defer func() {
		for _, c := range conns {
			if c != nil {
				_ = c.Close()
			}
		}
	}()
	for i := range conns {
		c, err := Dial(ctx, cfg.Addr, cfg.Path, cfg.Timeout)
		if err != nil {
			return Result{}, err
		}
		conns[i] = c
	}

	var (
		next     atomic.Uint64 // requests claimed so far
		late     atomic.Int64
		interval time.Duration
		total    uint64
	)
	if cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) / cfg.Rate)
		total = uint64(cfg.Duration / interval)
	}
	start := time.Now()
	end := start.Add(cfg.Duration)
	hardEnd := end.Add(cfg.Timeout)
	workers := make([]worker, cfg.Conns)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(w *worker, c *Conn) {
			defer wg.Done()
			w.statuses = map[int]int{}
			body := make([]byte, 0, 4096)
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				var scheduled time.Time
				if cfg.Rate > 0 {
					if n >= total {
						return
					}
					// The send time is fixed by the schedule, not by when this connection came
					// free: a request waiting for a connection counts its wait as latency.
					scheduled = start.Add(time.Duration(n) * interval)
					if wait := time.Until(scheduled); wait > 0 {
						time.Sleep(wait)
						w.lags = append(w.lags, time.Since(scheduled))
					} else if time.Now().After(hardEnd) {
						late.Add(int64(total - n))
						next.Store(total) // the other workers stop too
						return
					}
				} else {
					scheduled = time.Now()
					if scheduled.After(end) {
						return
					}
				}
				body = cfg.Events.Append(body[:0], cfg.First+n)
				status, err := c.Post(ctx, body)
				now := time.Now()
				w.last = now
				switch {
				case err != nil:
					w.failed++
					if w.err == nil {
						w.err = err
					}
				case status != 200:
					w.failed++
					w.statuses[status]++
				default:
					w.latencies = append(w.latencies, now.Sub(scheduled))
					if c.Header("X-Callscript-Fallback:") {
						w.fallbacks++
					}
				}
			}
		}(&workers[w], conns[w])
	}
	wg.Wait()

	res := Result{Rate: cfg.Rate, Statuses: map[int]int{}, Late: int(late.Load())}
	last := start
	for _, w := range workers {
		res.Latencies = append(res.Latencies, w.latencies...)
		res.Lags = append(res.Lags, w.lags...)
		res.Failed += w.failed
		res.Fallbacks += w.fallbacks
		for code, n := range w.statuses {
			res.Statuses[code] += n
		}
		if res.FirstErr == nil {
			res.FirstErr = w.err
		}
		if w.last.After(last) {
			last = w.last
		}
	}
	res.OK = len(res.Latencies)
	res.Elapsed = last.Sub(start)
	res.Next = cfg.First + next.Load()
	slices.Sort(res.Latencies)
	slices.Sort(res.Lags)
	return res, ctx.Err()
}
