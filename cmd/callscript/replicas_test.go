package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/httpapi"
	"github.com/callscript/callscript/engine/metrics"
	"github.com/callscript/callscript/engine/store/redisstore"
	"github.com/callscript/callscript/engine/store/redisstore/redistest"
)

// The tenant the replica tests serve. Each answer says which version answered ("one" or
// "two") and the digits the call collected so far, which live in ctx.session: a replica that
// lost the call's state, or ran it on the wrong version, answers differently.
const (
	replicaTimeout  = time.Second
	replicaSlack    = 100 * time.Millisecond // an answer is due within the tenant's timeout plus this
	replicaFallback = "Sorry, we cannot take your call right now"
	replicaSettings = `{
  "timeoutMs": 1000,
  "defaults": { "voiceProfile": "en-US-Standard-A" },
  "fallback": { "callflow": [ { "action": "say", "params": { "text": "` + replicaFallback + `" } }, { "action": "hangup" } ] }
}`
)

func replicaScript(tag string) string {
	return `import { sayAndCapture } from "callscript";
const TAG = "` + tag + `";
export default {
  onCallReceived(event, ctx) {
    ctx.session.digits = [];
    return { clientActionId: "menu", callflow: [sayAndCapture(TAG + ": pick a number", { maxDigits: 1 })] };
  },
  onActionCompleted(event, ctx) {
    console.log("ran " + ctx.eventId);
    if (ctx.clientActionId === "slow") {
      const end = Date.now() + 300; // long enough for a duplicate to arrive while this runs
      while (Date.now() < end) {}
    }
    ctx.session.digits.push(ctx.dtmf);
    return { clientActionId: "menu", callflow: [sayAndCapture(TAG + ": " + ctx.session.digits.join(","), { maxDigits: 1 })] };
  },
};
`
}

// writeReplicaTenant writes (or rewrites) the tenant "ivr" of a scripts folder at a version.
func writeReplicaTenant(t *testing.T, scripts, tag string) {
	t.Helper()
	writeFiles(t, scripts, map[string]string{
		"ivr/index.js":    replicaScript(tag),
		"ivr/tenant.json": replicaSettings,
	})
}

// replicaEvent is a CALL_ACTION of the tenant "ivr": the call's first event without digits,
// a later one with them.
func replicaEvent(call, step, digits, clientActionID string) []byte {
	payload := map[string]any{
		"eventId": call + "-" + step, "sessionId": call, "callId": call, "subAccountId": "ivr",
		"callStatus": "CALL_RECEIVED", "source": "+6591234567", "destination": "+6560001000",
	}
	if digits != "" {
		payload["callStatus"] = "ACTION_COMPLETED"
		payload["eventData"] = map[string]any{"dtmf": digits}
		payload["clientActionId"] = clientActionID
	}
	body, _ := json.Marshal(map[string]any{"eventType": "CALL_ACTION", "payload": payload})
	return body
}

// replicaAnswer is one webhook answer as 8x8 receives it.
type replicaAnswer struct {
	status   int
	body     []byte
	version  string
	fallback string
	took     time.Duration
}

// said is the text of the answer's first action.
func (a replicaAnswer) said() string {
	var flow struct {
		Callflow []struct {
			Params struct {
				Text          string `json:"text"`
				PromptMessage string `json:"promptMessage"`
			} `json:"params"`
		} `json:"callflow"`
	}
	if json.Unmarshal(a.body, &flow) != nil || len(flow.Callflow) == 0 {
		return ""
	}
	p := flow.Callflow[0].Params
	return p.Text + p.PromptMessage
}

// replica is one callscript answering over HTTP: an engine in this process, or a process.
type replica struct {
	name string
	url  string
	logs func() string // what it logged, JSON lines
}

func (r *replica) post(t *testing.T, body []byte) replicaAnswer {
	t.Helper()
	start := time.Now()
	resp, err := http.Post(r.url+"/webhooks/voice", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", r.name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", r.name, err)
	}
	return replicaAnswer{
		status: resp.StatusCode, body: data, took: time.Since(start),
		version:  resp.Header.Get(httpapi.HeaderVersion),
		fallback: resp.Header.Get(httpapi.HeaderFallback),
	}
}

// get returns the status and body of a GET.
func (r *replica) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(r.url + path)
	if err != nil {
		t.Fatalf("%s: %v", r.name, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func (r *replica) ready(t *testing.T) bool {
	status, _ := r.get(t, "/readyz")
	return status == http.StatusOK
}

// storeErrors is the replica's callscript_store_errors_total, summed over operations.
func (r *replica) storeErrors(t *testing.T) float64 {
	_, text := r.get(t, "/metrics")
	var sum float64
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, "callscript_store_errors_total{") {
			var v float64
			if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
				sum += v
			}
		}
	}
	return sum
}

// replicaStarter starts a replica serving a scripts folder with its state in the Redis of
// storeURL.
type replicaStarter func(t *testing.T, name, scripts, storeURL string) *replica

// startEngineReplica runs an engine on its own Redis connections behind the HTTP API, in this
// process: what serve does, without the flag.
func startEngineReplica(t *testing.T, name, scripts, storeURL string) *replica {
	t.Helper()
	st, closeStore, err := openStore(context.Background(), storeURL)
	if err != nil {
		t.Fatal(err)
	}
	logs := new(replicaLogs)
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	registry := metrics.NewRegistry()
	eng, err := engine.New(context.Background(), engine.Options{
		ScriptsDir: scripts, Watch: true, Store: st, Logger: logger, Registerer: registry,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(eng, httpapi.Options{Logger: logger, Metrics: registry}))
	t.Cleanup(func() {
		srv.Close()
		_ = eng.Close()
		_ = closeStore()
	})
	return &replica{name: name, url: srv.URL, logs: logs.String}
}

// replicaLogs collects log lines written from many goroutines.
type replicaLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *replicaLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *replicaLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// processStarter starts `callscript serve` processes of the binary bin.
func processStarter(bin string) replicaStarter {
	return func(t *testing.T, name, scripts, storeURL string) *replica {
		t.Helper()
		logs := new(replicaLogs)
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--scripts", scripts, "--store", storeURL,
			"--log-format", "json", "--log-level", "info")
		cmd.Env = replicaEnv()
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		addr := make(chan string, 1)
		go func() {
			// Copy the log, and pick the listening address out of the startup line.
			scanner := bufio.NewScanner(stderr)
			scanner.Buffer(make([]byte, 64<<10), 1<<20)
			for scanner.Scan() {
				line := scanner.Bytes()
				_, _ = logs.Write(append(line, '\n'))
				var rec struct{ Msg, Addr string }
				if json.Unmarshal(line, &rec) == nil && rec.Msg == "callscript serving" {
					addr <- rec.Addr
				}
			}
			_ = cmd.Wait()
			close(exited)
		}()
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})
		select {
		case a := <-addr:
			r := &replica{name: name, url: "http://" + a, logs: logs.String}
			replicaWait(t, 10*time.Second, name+" to be ready", func() bool { return r.ready(t) })
			return r
		case <-exited:
			t.Fatalf("%s exited at startup:\n%s", name, logs.String())
		case <-time.After(30 * time.Second):
			t.Fatalf("%s did not start listening within 30s:\n%s", name, logs.String())
		}
		return nil
	}
}

// replicaEnv is the test's environment without CALLSCRIPT_ settings that would change the
// replicas' behaviour.
func replicaEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			env = append(env, kv)
		}
	}
	return env
}

func replicaWait(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestReplicasInProcess: two engines on one Redis, each with its own connections, behave as one
// server. The same scenarios as TestReplicaProcesses, without the serve command.
func TestReplicasInProcess(t *testing.T) {
	runReplicaScenarios(t, startEngineReplica)
}

// TestReplicaProcesses: two `callscript serve --store redis://…` processes on one Redis.
func TestReplicaProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the callscript binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build callscript")
	}
	bin := filepath.Join(t.TempDir(), "callscript")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	help, _ := exec.Command(bin, "serve", "--help").CombinedOutput()
	if !strings.Contains(string(help), "--store") {
		t.Skip("callscript serve does not accept --store yet (serve --help does not list it): the replica process tests start running once it does")
	}
	runReplicaScenarios(t, processStarter(bin))
}

func runReplicaScenarios(t *testing.T, start replicaStarter) {
	t.Run("CallAlternatesBetweenReplicas", func(t *testing.T) {
		t.Parallel()
		redis := redistest.Start(t)
		scripts := t.TempDir()
		writeReplicaTenant(t, scripts, "one")
		a := start(t, "replica A", scripts, redis.URL())
		b := start(t, "replica B", scripts, redis.URL())
		steps := []struct {
			on     *replica
			body   []byte
			want   string
			answer replicaAnswer
		}{
			{on: a, body: replicaEvent("call-1", "1", "", ""), want: "one: pick a number"},
			{on: b, body: replicaEvent("call-1", "2", "4", "menu"), want: "one: 4"},
			{on: a, body: replicaEvent("call-1", "3", "2", "menu"), want: "one: 4,2"},
		}
		for i, step := range steps {
			got := step.on.post(t, step.body)
			if got.status != http.StatusOK || got.fallback != "" || got.said() != step.want {
				t.Fatalf("step %d on %s: %d fallback=%q said %q, want %q\n%s", i+1, step.on.name, got.status, got.fallback, got.said(), step.want, step.on.logs())
			}
		}
	})

	t.Run("DuplicateToBothRunsOnce", func(t *testing.T) {
		t.Parallel()
		redis := redistest.Start(t)
		scripts := t.TempDir()
		writeReplicaTenant(t, scripts, "one")
		a := start(t, "replica A", scripts, redis.URL())
		b := start(t, "replica B", scripts, redis.URL())
		if got := a.post(t, replicaEvent("call-dup", "1", "", "")); got.status != http.StatusOK || got.fallback != "" {
			t.Fatalf("first event: %d %q %s", got.status, got.fallback, got.body)
		}
		// 8x8 delivers the same webhook twice, and the load balancer sends one copy to each.
		dup := replicaEvent("call-dup", "2", "7", "slow")
		answers := make([]replicaAnswer, 2)
		var wg sync.WaitGroup
		begin := make(chan struct{})
		for i, r := range []*replica{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-begin
				answers[i] = r.post(t, dup)
			}()
		}
		close(begin)
		wg.Wait()
		for i, got := range answers {
			if got.status != http.StatusOK || got.fallback != "" || got.said() != "one: 7" {
				t.Errorf("copy %d: %d fallback=%q said %q, want \"one: 7\"", i+1, got.status, got.fallback, got.said())
			}
		}
		if !bytes.Equal(answers[0].body, answers[1].body) || answers[0].version != answers[1].version {
			t.Errorf("the two copies were answered differently:\n%s (version %s)\n%s (version %s)",
				answers[0].body, answers[0].version, answers[1].body, answers[1].version)
		}
		runs := strings.Count(a.logs(), "ran call-dup-2") + strings.Count(b.logs(), "ran call-dup-2")
		if runs != 1 {
			t.Errorf("the script ran %d times for one event delivered twice, want once\nA:\n%s\nB:\n%s", runs, a.logs(), b.logs())
		}
		// The call's state holds the digit once.
		if got := b.post(t, replicaEvent("call-dup", "3", "8", "menu")); got.said() != "one: 7,8" {
			t.Errorf("next event said %q, want \"one: 7,8\"", got.said())
		}
	})

	t.Run("PinnedVersionAcrossReplicas", func(t *testing.T) {
		t.Parallel()
		redis := redistest.Start(t)
		scripts := t.TempDir() // one folder, as a shared volume or a ConfigMap is
		writeReplicaTenant(t, scripts, "one")
		a := start(t, "replica A", scripts, redis.URL())
		first := a.post(t, replicaEvent("call-pin", "1", "", ""))
		if first.said() != "one: pick a number" || first.version == "" {
			t.Fatalf("first event: said %q, version %q", first.said(), first.version)
		}
		writeReplicaTenant(t, scripts, "two")
		// B has only ever seen version two; the call it receives started on version one.
		b := start(t, "replica B", scripts, redis.URL())
		fresh := b.post(t, replicaEvent("call-new", "1", "", ""))
		if fresh.said() != "two: pick a number" || fresh.version == first.version {
			t.Fatalf("a new call on B: said %q on version %q, want version two", fresh.said(), fresh.version)
		}
		got := b.post(t, replicaEvent("call-pin", "2", "5", "menu"))
		if got.said() != "one: 5" || got.version != first.version || got.fallback != "" {
			t.Errorf("the pinned call on B said %q on version %q (fallback %q), want \"one: 5\" on %s\n%s",
				got.said(), got.version, got.fallback, first.version, b.logs())
		}
		got = a.post(t, replicaEvent("call-pin", "3", "6", "menu"))
		if got.said() != "one: 5,6" || got.version != first.version {
			t.Errorf("back on A the call said %q on version %q, want \"one: 5,6\" on %s", got.said(), got.version, first.version)
		}
	})

	t.Run("RedisDownAndBack", func(t *testing.T) {
		t.Parallel()
		redis := redistest.Start(t)
		scripts := t.TempDir()
		writeReplicaTenant(t, scripts, "one")
		a := start(t, "replica A", scripts, redis.URL())
		if got := a.post(t, replicaEvent("call-before", "1", "", "")); got.fallback != "" {
			t.Fatalf("before the outage: fallback %q", got.fallback)
		}
		errorsBefore := a.storeErrors(t)

		// Every answer during an outage is the tenant's fallback, within the tenant's timeout.
		checkOutage := func(what string) {
			t.Helper()
			for i := range 3 {
				for _, body := range [][]byte{
					replicaEvent(fmt.Sprintf("call-%s-%d", what, i), "1", "", ""),
					replicaEvent("call-before", fmt.Sprintf("%s-%d", what, i), "1", "menu"),
				} {
					got := a.post(t, body)
					if got.status != http.StatusOK || got.fallback != engine.FallbackStoreUnavailable || got.said() != replicaFallback {
						t.Errorf("Redis %s: %d fallback=%q said %q, want the tenant's fallback with %s=%s",
							what, got.status, got.fallback, got.said(), httpapi.HeaderFallback, engine.FallbackStoreUnavailable)
					}
					if got.took > replicaTimeout+replicaSlack {
						t.Errorf("Redis %s: answered after %v, past the tenant's %v timeout", what, got.took, replicaTimeout)
					}
				}
			}
			replicaWait(t, 5*time.Second, "/readyz to report the store down (Redis "+what+")", func() bool { return !a.ready(t) })
			if after := a.storeErrors(t); after <= errorsBefore {
				t.Errorf("Redis %s: callscript_store_errors_total stayed at %v", what, after)
			}
		}
		checkRecovery := func(what string) {
			t.Helper()
			n := 0
			replicaWait(t, 10*time.Second, "normal answers after Redis "+what, func() bool {
				n++
				got := a.post(t, replicaEvent(fmt.Sprintf("call-after-%s-%d", what, n), "1", "", ""))
				return got.fallback == "" && got.said() == "one: pick a number"
			})
			replicaWait(t, 5*time.Second, "/readyz to report ready after Redis "+what, func() bool { return a.ready(t) })
			call := "call-after-" + what
			a.post(t, replicaEvent(call, "1", "", ""))
			if got := a.post(t, replicaEvent(call, "2", "3", "menu")); got.said() != "one: 3" {
				t.Errorf("a call after Redis %s said %q, want \"one: 3\"", what, got.said())
			}
		}

		redis.Stop()
		checkOutage("stopped")
		redis.Restart()
		checkRecovery("restarted")

		errorsBefore = a.storeErrors(t)
		redis.Freeze() // accepts connections, answers nothing
		checkOutage("stalled")
		redis.Thaw()
		checkRecovery("resumed")
	})
}

// TestOpenStore: what --store accepts.
func TestOpenStore(t *testing.T) {
	for _, spec := range []string{"memory", "", " memory "} {
		s, closeStore, err := openStore(context.Background(), spec)
		if err != nil || s == nil {
			t.Fatalf("openStore(%q): %v", spec, err)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("openStore(%q): Ping: %v", spec, err)
		}
		_ = closeStore()
	}
	for _, tc := range []struct{ spec, want string }{
		{"memcached://cache:11211", `"memcached://…" is neither "memory" nor a Redis URL`},
		{"https://user:s3cret@redis", `"https://…" is neither`},
		{"redis", `"redis" is neither "memory" nor a Redis URL (redis://host:6379/0`},
		{"redis://:s3cret@redis:6379/zero", `--store: the Redis URL redis://:xxxxx@redis:6379/zero: redis: invalid database number`},
	} {
		_, _, err := openStore(context.Background(), tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("openStore(%q) = %v, want an error saying %s (and not the password)", tc.spec, err, tc.want)
		}
	}

	for spec, want := range map[string]string{
		"memory": "memory", "": "memory",
		"redis://:s3cret@redis:6379/0": "redis://:xxxxx@redis:6379/0",
		"rediss://cache.example.com/2": "rediss://cache.example.com/2",
	} {
		if got := storeLabel(spec); got != want {
			t.Errorf("storeLabel(%q) = %q, want %q", spec, got, want)
		}
	}

	redis := redistest.Start(t)
	s, closeStore, err := openStore(context.Background(), redis.URL())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*redisstore.Store); !ok {
		t.Errorf("openStore(%s) = %T, want the Redis store", redis.URL(), s)
	}
	if err := closeStore(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("the store still answers after its close func ran")
	}
	redis.Stop()
	// The Redis client's own lines go to serve's logger, structured, at debug level.
	clientLog := new(replicaLogs)
	routeRedisLogs(slog.New(slog.NewJSONHandler(clientLog, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer routeRedisLogs(slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, _, err := openStore(ctx, redis.URL()); err == nil || !strings.Contains(err.Error(), "--store: redis at "+redis.Addr()+" does not answer") {
		t.Errorf("a stopped Redis: %v", err)
	}
	if line := clientLog.String(); !strings.Contains(line, `"level":"DEBUG"`) || !strings.Contains(line, `"component":"redis"`) || !strings.Contains(line, "connection refused") {
		t.Errorf("the Redis client's log lines were not routed to the logger: %q", line)
	}
}
