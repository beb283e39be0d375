// Command load posts the benchmark event to a webhook server at a fixed offered rate (open
// loop) or as fast as it answers (closed loop, -rate 0), each request with a fresh eventId and
// sessionId, and prints the achieved rate and latency percentiles on one line of key=value
// pairs (milliseconds).
//
// In the open loop each request has a send time fixed in advance (start + n/rate), and its
// latency runs from that time, not from when a connection came free: a slow answer delays the
// requests behind it, and that delay is measured (no coordinated omission).
//
//	go run ./bench/load -addr 127.0.0.1:18080 -rate 5000 -duration 10s -conns 32
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/callscript/callscript/bench/loadgen"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "server address (host:port)")
	path := flag.String("path", "/webhooks/voice", "webhook path")
	event := flag.String("event", "engine/webhook/testdata/events/ivr-action-completed-dtmf.json", "template event (its payload eventId, sessionId and subAccountId are replaced)")
	tenants := flag.String("tenants", "ivr", "comma-separated subAccountIds, used in turn")
	rate := flag.Float64("rate", 0, "offered requests per second (0: closed loop)")
	duration := flag.Duration("duration", 10*time.Second, "how long requests are started")
	conns := flag.Int("conns", 32, "connections")
	timeout := flag.Duration("timeout", 5*time.Second, "bound on each request, and on the wait for queued requests after -duration")
	flag.Parse()
	if err := run(*addr, *path, *event, strings.Split(*tenants, ","), *rate, *duration, *conns, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(addr, path, eventFile string, tenants []string, rate float64, duration time.Duration, conns int, timeout time.Duration) error {
	template, err := os.ReadFile(eventFile)
	if err != nil {
		return err
	}
	// Ids unique to this run: the server may still hold the answers of an earlier one.
	prefix := "load" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	events, err := loadgen.NewEvents(template, tenants, prefix)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := loadgen.Run(ctx, loadgen.Config{
		Addr: addr, Path: path, Events: events, Conns: conns, Duration: duration, Rate: rate, Timeout: timeout,
	})
	if err != nil {
		return err
	}
	fmt.Println(res)
	if res.OK == 0 {
		return fmt.Errorf("no request was answered 200")
	}
	return nil
}
