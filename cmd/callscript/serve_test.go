package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// logLines collects what serve writes to stderr (JSON lines) and lets a test wait for a line.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor returns the first log line whose msg is msg, failing the test after a while.
func (l *logLines) waitFor(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for line := range strings.Lines(l.String()) {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
				return rec
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no log line %q in:\n%s", msg, l.String())
	return nil
}

// running is a serve started by a test.
type running struct {
	addr   string // host:port it listens on
	logs   *logLines
	cancel context.CancelFunc // the signal path: main cancels serve's context on SIGTERM/SIGINT
	done   chan error         // serve's result
}

// startServe runs serve on 127.0.0.1:0 with args and waits until it listens.
func startServe(t *testing.T, scripts string, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{logs: &logLines{}, cancel: cancel, done: make(chan error, 1)}
	args = append([]string{"--addr", "127.0.0.1:0", "--scripts", scripts, "--log-format", "json"}, args...)
	go func() { r.done <- serve(ctx, args, r.logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not return")
		}
	})
	r.addr = r.logs.waitFor(t, "callscript serving")["addr"].(string)
	return r
}

func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return")
		return nil
	}
}

type httpResult struct {
	status int
	body   string
	err    error
}

func request(method, url, body string, header ...string) httpResult {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return httpResult{err: err}
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// A client of its own: no connection kept from one test to the next.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return httpResult{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return httpResult{resp.StatusCode, string(b), err}
}

// busyTenant logs when it starts, then keeps the CPU busy for about 300ms.
const busyTenant = `export default (event) => {
  console.log("busy handler started");
  const end = Date.now() + 300;
  while (Date.now() < end) {}
  return [{ action: "say", params: { text: "finished" } }];
};`

const busyEvent = `{"eventType":"CALL_ACTION","payload":{"eventId":"e1","sessionId":"s1","subAccountId":"busy","callStatus":"CALL_RECEIVED"}}`

// TestServeShutsDownGracefully cancels serve's context (what SIGTERM does) while a request is
// running: the request must finish with its answer, new connections must be refused, and serve
// must return nil.
func TestServeShutsDownGracefully(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"busy/index.js": busyTenant})
	srv := startServe(t, root)

	inFlight := make(chan httpResult, 1)
	go func() { inFlight <- request("POST", "http://"+srv.addr+"/webhooks/voice", busyEvent) }()
	srv.logs.waitFor(t, "busy handler started")
	srv.cancel()

	res := <-inFlight
	if res.err != nil || res.status != 200 || !strings.Contains(res.body, "finished") {
		t.Fatalf("the request in flight: %d %q %v", res.status, res.body, res.err)
	}
	if conn, err := net.DialTimeout("tcp", srv.addr, time.Second); err == nil {
		conn.Close()
		t.Fatal("a new connection was accepted after the shutdown began")
	}
	if err := srv.wait(t); err != nil {
		t.Fatalf("serve returned %v, want nil", err)
	}
	logs := srv.logs.String()
	if !strings.Contains(logs, `"msg":"shutting down`) || !strings.Contains(logs, `"msg":"stopped"`) {
		t.Errorf("the shutdown was not logged:\n%s", logs)
	}
}

// TestServeDrainsBeforeClosing: with --shutdown-delay, /readyz answers 503 while the server
// still serves, and the listener closes afterwards.
func TestServeDrainsBeforeClosing(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"busy/index.js": busyTenant})
	srv := startServe(t, root, "--shutdown-delay", "500ms")
	if res := request("GET", "http://"+srv.addr+"/readyz", ""); res.status != 200 {
		t.Fatalf("/readyz before the shutdown: %d %v", res.status, res.err)
	}
	start := time.Now()
	srv.cancel()
	srv.logs.waitFor(t, "shutting down: /readyz answers 503 from now on")
	if res := request("GET", "http://"+srv.addr+"/readyz", ""); res.status != 503 || !strings.Contains(res.body, "draining") {
		t.Fatalf("/readyz while draining: %d %q %v", res.status, res.body, res.err)
	}
	if res := request("POST", "http://"+srv.addr+"/webhooks/voice", busyEvent); res.status != 200 {
		t.Fatalf("a webhook while draining: %d %q %v", res.status, res.body, res.err)
	}
	if err := srv.wait(t); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("serve stopped %v after the signal, before the 500ms delay", took)
	}
	if _, err := net.DialTimeout("tcp", srv.addr, time.Second); err == nil {
		t.Error("the listener is still open after serve returned")
	}
}

// TestServeCutsOffAfterTheGrace: a request longer than --shutdown-grace is cut off, and serve
// says so.
func TestServeCutsOffAfterTheGrace(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"busy/index.js": busyTenant})
	srv := startServe(t, root, "--shutdown-grace", "50ms")
	inFlight := make(chan httpResult, 1)
	go func() { inFlight <- request("POST", "http://"+srv.addr+"/webhooks/voice", busyEvent) }()
	srv.logs.waitFor(t, "busy handler started")
	srv.cancel()
	err := srv.wait(t)
	if err == nil || !strings.Contains(err.Error(), "--shutdown-grace") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("serve returned %v, want the grace named", err)
	}
	if res := <-inFlight; res.err == nil {
		t.Errorf("the request outliving the grace got an answer: %d", res.status)
	}
}

// TestServeWiring checks that the flags reach the HTTP layer: metrics from the engine's
// registry, the admin routes, and the allow list.
func TestServeWiring(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"acme/index.js": `export default () => [{ action: "hangup" }];`})
	event := `{"eventType":"CALL_ACTION","payload":{"eventId":"w1","sessionId":"w1","subAccountId":"acme","callStatus":"CALL_RECEIVED"}}`
	const token = "0123456789abcdef-token"

	t.Run("metrics and admin", func(t *testing.T) {
		t.Setenv("CALLSCRIPT_ADMIN_TOKEN", token+"\n") // as read from a secret file
		srv := startServe(t, root, "--allow-ips", "127.0.0.1/32")
		base := "http://" + srv.addr
		if res := request("POST", base+"/webhooks/voice", event); res.status != 200 {
			t.Fatalf("webhook from an allowed address: %d %s %v", res.status, res.body, res.err)
		}
		res := request("GET", base+"/metrics", "")
		if res.status != 200 || !strings.Contains(res.body, `callscript_webhooks_total{event_type="CALL_ACTION",outcome="answered",reason="",tenant="acme"} 1`) {
			t.Fatalf("/metrics does not count the webhook: %d\n%s", res.status, res.body)
		}
		if res := request("GET", base+"/admin/tenants", "", "Authorization", "Bearer "+token); res.status != 200 || !strings.Contains(res.body, `"id":"acme"`) {
			t.Fatalf("admin with the token: %d %s", res.status, res.body)
		}
		if res := request("GET", base+"/admin/tenants", ""); res.status != 401 {
			t.Fatalf("admin without the token: %d %s", res.status, res.body)
		}
	})
	t.Run("refused address, no admin", func(t *testing.T) {
		srv := startServe(t, root, "--allow-ips", "18.140.80.2/32,52.220.253.234/32")
		base := "http://" + srv.addr
		if res := request("POST", base+"/webhooks/voice", event); res.status != 403 || !strings.Contains(res.body, "127.0.0.1") {
			t.Fatalf("webhook from a refused address: %d %s", res.status, res.body)
		}
		if res := request("GET", base+"/healthz", ""); res.status != 200 {
			t.Fatalf("/healthz: %d", res.status)
		}
		if res := request("GET", base+"/admin/tenants", "", "Authorization", "Bearer "+token); res.status != 404 {
			t.Fatalf("admin routes without --admin-token: %d %s", res.status, res.body)
		}
	})
}

func TestServeRefusesBadSettings(t *testing.T) {
	cases := []struct {
		name string
		env  [2]string
		args []string
		want string
	}{
		{"bad CIDR flag", [2]string{}, []string{"--allow-ips", "10.0.0.0/33"}, `"10.0.0.0/33" is not a CIDR`},
		{"host name in the list", [2]string{}, []string{"--trusted-proxies", "10.0.0.0/8,lb.internal"}, `"lb.internal"`},
		{"bad CIDR in the environment", [2]string{"CALLSCRIPT_ALLOW_IPS", "18.140.80.2/40"}, nil, "$CALLSCRIPT_ALLOW_IPS"},
		{"short admin token", [2]string{}, []string{"--admin-token", "secret"}, "at least 16"},
		{"short admin token in the environment", [2]string{"CALLSCRIPT_ADMIN_TOKEN", "secret"}, nil, "at least 16"},
		{"no grace", [2]string{}, []string{"--shutdown-grace", "0s"}, "--shutdown-grace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env[0] != "" {
				t.Setenv(tc.env[0], tc.env[1])
			}
			args := append([]string{"serve", "--scripts", t.TempDir(), "--addr", "127.0.0.1:0"}, tc.args...)
			code, _, stderr := runCLI(args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want 2 and %q in:\n%s", code, tc.want, stderr)
			}
		})
	}
}

func TestServeHelpListsTheFlags(t *testing.T) {
	code, _, stderr := runCLI("serve", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"--admin-token", "$CALLSCRIPT_ADMIN_TOKEN", "--allow-ips", "$CALLSCRIPT_ALLOW_IPS",
		"--trusted-proxies", "$CALLSCRIPT_TRUSTED_PROXIES", "--shutdown-grace", "(default 10s)",
		"$CALLSCRIPT_SHUTDOWN_DELAY", "18.140.80.2/32",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, stderr)
		}
	}
}

func TestGCPercentFor(t *testing.T) {
	for _, tt := range []struct {
		live uint64
		want int
	}{
		{0, maxGCPercent},
		{32 << 20, maxGCPercent}, // a small heap: the headroom would be 800%, capped
		{128 << 20, 200},         // 256 MiB of headroom
		{512 << 20, 50},          // 256 MiB, half the live heap
		{4 << 30, minGCPercent},  // a large heap: 30% of it
	} {
		if got := gcPercentFor(tt.live); got != tt.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", tt.live>>20, got, tt.want)
		}
	}
}
