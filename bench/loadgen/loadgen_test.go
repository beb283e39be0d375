package loadgen

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const template = `{"eventType":"CALL_ACTION","payload":{"eventId":"E1","callId":"C1","sessionId":"S1","subAccountId":"acme","eventData":{"dtmf":"2"}}}`

type payload struct {
	EventID, CallID, SessionID, SubAccountID string
	EventData                                struct{ DTMF string }
}

func decode(t *testing.T, body []byte) payload {
	t.Helper()
	var ev struct{ Payload payload }
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	return ev.Payload
}

func TestEventsAppend(t *testing.T) {
	events, err := NewEvents([]byte(template), []string{"t0", "t1", "t2"}, "run-")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n      uint64
		tenant string
	}{{0, "t0"}, {1, "t1"}, {5, "t2"}, {1 << 40, "t1"}} {
		got := decode(t, events.Append(nil, tc.n))
		id := strings.TrimPrefix(got.EventID, "run-ev-")
		if id == got.EventID || got.SessionID != "run-s-"+id || got.SubAccountID != tc.tenant {
			t.Errorf("request %d: eventId %q, sessionId %q, subAccountId %q; want run-ev-%d, run-s-%d, %s",
				tc.n, got.EventID, got.SessionID, got.SubAccountID, tc.n, tc.n, tc.tenant)
		}
		if got.CallID != "C1" || got.EventData.DTMF != "2" {
			t.Errorf("request %d changed other fields: %+v", tc.n, got)
		}
	}
}

func TestNewEventsRefusesTemplatesWithoutIDs(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":          `{"payload":`,
		"no eventId":        `{"payload":{"sessionId":"S","subAccountId":"a"}}`,
		"no subAccountId":   `{"payload":{"eventId":"E","sessionId":"S"}}`,
		"ids are the same":  `{"payload":{"eventId":"X","sessionId":"X","subAccountId":"a"}}`,
		"eventId not a str": `{"payload":{"eventId":1,"sessionId":"S","subAccountId":"a"}}`,
	} {
		if _, err := NewEvents([]byte(body), []string{"a"}, ""); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewEvents([]byte(template), nil, ""); err == nil {
		t.Error("no tenants: no error")
	}
}

func TestConnReadsEveryFraming(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch string(body) {
		case "chunked":
			w.Write([]byte("part one, "))
			w.(http.Flusher).Flush()
			w.Write([]byte("part two"))
		case "close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		case "fallback":
			w.Header().Set("X-Callscript-Fallback", "script-error")
			w.WriteHeader(http.StatusOK)
		case "missing":
			http.NotFound(w, r)
		default:
			w.Write(body)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	c, err := Dial(ctx, strings.TrimPrefix(srv.URL, "http://"), "/webhooks/voice", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// In this order on one Conn: a response misread would leave bytes that break the next.
	for _, tc := range []struct {
		body     string
		status   int
		fallback bool
	}{
		{"plain", 200, false},
		{"chunked", 200, false},
		{"plain", 200, false},
		{"fallback", 200, true},
		{"missing", 404, false},
		{"close", 200, false},
		{"plain", 200, false}, // on a new connection
	} {
		status, err := c.Post(ctx, []byte(tc.body))
		if err != nil || status != tc.status {
			t.Fatalf("post %q: status %d, err %v; want %d", tc.body, status, err, tc.status)
		}
		if got := c.Header("X-Callscript-Fallback:"); got != tc.fallback {
			t.Errorf("post %q: fallback header %v, want %v", tc.body, got, tc.fallback)
		}
	}
}

// server answers after delay and records the eventIds it saw.
type server struct {
	delay time.Duration
	mu    sync.Mutex
	seen  map[string]int
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ev struct{ Payload payload }
	_ = json.Unmarshal(body, &ev)
	s.mu.Lock()
	s.seen[ev.Payload.EventID]++
	s.mu.Unlock()
	time.Sleep(s.delay)
	w.Write([]byte(`{}`))
}

func TestRunClosedLoopSendsDistinctEvents(t *testing.T) {
	s := &server{seen: map[string]int{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	events, _ := NewEvents([]byte(template), []string{"acme"}, "")
	res, err := Run(context.Background(), Config{
		Addr: strings.TrimPrefix(srv.URL, "http://"), Path: "/", Events: events, Conns: 4, Duration: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK == 0 || res.Failed != 0 || res.Fallbacks != 0 || res.OK != len(s.seen) {
		t.Fatalf("ok %d, failed %d, distinct eventIds at the server %d: want every answered request a distinct event", res.OK, res.Failed, len(s.seen))
	}
	for id, n := range s.seen {
		if n != 1 {
			t.Errorf("eventId %s sent %d times", id, n)
		}
	}
}

// TestRunOpenLoopCountsQueueing is the coordinated-omission check: a server that takes 20 ms
// per request on one connection, offered 100 requests per second, falls further behind with
// each request. A closed-loop measurement would report 20 ms for every request; from the
// scheduled send times the last requests waited for about half a second.
func TestRunOpenLoopCountsQueueing(t *testing.T) {
	s := &server{delay: 20 * time.Millisecond, seen: map[string]int{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	events, _ := NewEvents([]byte(template), []string{"acme"}, "")
	res, err := Run(context.Background(), Config{
		Addr: strings.TrimPrefix(srv.URL, "http://"), Path: "/", Events: events,
		Conns: 1, Duration: 500 * time.Millisecond, Rate: 100, Timeout: 3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK != 50 || res.Late != 0 {
		t.Fatalf("answered %d, late %d: want all 50 scheduled requests answered", res.OK, res.Late)
	}
	if p50, p99 := res.Percentile(0.5), res.Percentile(0.99); p50 < 150*time.Millisecond || p99 < 400*time.Millisecond {
		t.Errorf("p50 %v, p99 %v: want the queueing counted (about 270 ms and 510 ms)", p50, p99)
	}
	if got := res.Throughput(); got < 40 || got > 60 {
		t.Errorf("achieved %.0f req/s; want about 50, the server's capacity", got)
	}
}

func TestRunOpenLoopKeepsTheOfferedRate(t *testing.T) {
	s := &server{seen: map[string]int{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	events, _ := NewEvents([]byte(template), []string{"acme"}, "")
	res, err := Run(context.Background(), Config{
		Addr: strings.TrimPrefix(srv.URL, "http://"), Path: "/", Events: events,
		Conns: 4, Duration: 500 * time.Millisecond, Rate: 400,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK != 200 || len(s.seen) != 200 {
		t.Fatalf("answered %d, server saw %d: want the 200 scheduled", res.OK, len(s.seen))
	}
	if got := res.Throughput(); got < 360 || got > 440 {
		t.Errorf("achieved %.0f req/s, offered 400", got)
	}
}
