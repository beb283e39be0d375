// Command scale measures callscript serve with many tenants: it writes N tenant folders (each
// the benchmark IVR with its own prompt, so no two share a compiled program), starts the
// server on them and reports
//
//   - the initial load: time from start to /readyz answering 200, and resident memory then;
//   - the first answer of each tenant, every tenant called once in turn on one connection
//     (p50/p99/max), and memory after;
//   - the first answer of tenants uploaded while serving through the admin API (PUT of the
//     file, which bundles, compiles and load-checks it before it returns, then the first
//     webhook): a cold tenant's first answer, bundle and compile included;
//   - the first answer of tenants added while serving (folder written, then polled until it
//     answers without a fallback: watcher debounce, bundle and compile included);
//   - the steady closed-loop req/s on one tenant, and spread over all tenants in turn, and
//     their ratio; and memory at the end.
//
// Every stage is bounded in time. Run from the repository root:
//
//	go build -o /tmp/callscript ./cmd/callscript && go run ./bench/scale -bin /tmp/callscript
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/callscript/callscript/bench/loadgen"
)

type config struct {
	bin, ivr, event, addr string
	tenants, added, conns int
	duration, loadTimeout time.Duration
	keep                  bool
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "", "callscript binary (default: go build ./cmd/callscript into a temporary folder)")
	flag.StringVar(&c.ivr, "ivr", "engine/testdata/bench/ivr/index.js", "the tenant script copied into every folder")
	flag.StringVar(&c.event, "event", "engine/webhook/testdata/events/ivr-action-completed-dtmf.json", "template event")
	flag.StringVar(&c.addr, "addr", "127.0.0.1:28280", "address the server listens on (must be free)")
	flag.IntVar(&c.tenants, "tenants", 10000, "tenant folders")
	flag.IntVar(&c.added, "added", 20, "tenants added while serving, to time their first answer")
	flag.IntVar(&c.conns, "conns", 16, "connections of the steady load")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "length of each steady load")
	flag.DurationVar(&c.loadTimeout, "load-timeout", 10*time.Minute, "bound on the initial load of all tenants")
	flag.BoolVar(&c.keep, "keep", false, "keep the generated scripts folder")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	work, err := os.MkdirTemp("", "callscript-scale-")
	if err != nil {
		return err
	}
	if c.keep {
		fmt.Println("scripts folder:", work)
	} else {
		defer os.RemoveAll(work)
	}
	if c.bin == "" {
		c.bin = filepath.Join(work, "callscript")
		build := exec.CommandContext(ctx, "go", "build", "-o", c.bin, "./cmd/callscript")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/callscript: %w", err)
		}
	}
	script, err := os.ReadFile(c.ivr)
	if err != nil {
		return err
	}
	template, err := os.ReadFile(c.event)
	if err != nil {
		return err
	}
	scripts := filepath.Join(work, "scripts")
	names := make([]string, c.tenants)
	t0 := time.Now()
	for i := range names {
		names[i] = tenantName(i)
		if err := writeTenant(scripts, names[i], script, i); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %d tenant folders in %v\n", c.tenants, time.Since(t0).Round(time.Millisecond))

	// Something else answering on the address would be measured instead of this server.
	if conn, err := net.DialTimeout("tcp", c.addr, time.Second); err == nil {
		conn.Close()
		return fmt.Errorf("%s is already in use: choose another -addr", c.addr)
	}
	srv, err := start(ctx, c.bin, c.addr, scripts)
	if err != nil {
		return err
	}
	defer srv.stop()

	// The initial load.
	loaded, err := srv.waitReady(ctx, c.loadTimeout)
	if err != nil {
		return err
	}
	rows := [][2]string{
		{"tenants", strconv.Itoa(c.tenants)},
		{"initial load (start to /readyz 200)", fmt.Sprintf("%.1f s (%.0f tenants/s)", loaded.Seconds(), float64(c.tenants)/loaded.Seconds())},
		{"RSS when ready", srv.memory()},
	}
	report := func() {
		fmt.Println()
		fmt.Println("| measure | value |")
		fmt.Println("|---|---|")
		for _, r := range rows {
			fmt.Printf("| %s | %s |\n", r[0], r[1])
		}
	}
	defer report()
	prefix := "scale" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	all, err := loadgen.NewEvents(template, names, prefix)
	if err != nil {
		return err
	}

	// Every tenant once, in turn, on one connection: each answer is that tenant's first.
	first, failed, took, err := callEach(ctx, c.addr, all, 0, len(names))
	if err != nil {
		return err
	}
	rows = append(rows,
		[2]string{"first answer of each tenant (every tenant once, 1 connection)", percentiles(first) + fmt.Sprintf("; %d failed; %.1f s in all", failed, took.Seconds())},
		[2]string{"RSS after every tenant answered once", srv.memory()})
	// The same tenants a second time, for comparison with a warm one.
	sample := min(len(names), 1000)
	second, _, _, err := callEach(ctx, c.addr, all, uint64(len(names)), sample)
	if err != nil {
		return err
	}
	rows = append(rows, [2]string{fmt.Sprintf("second answer (first %d tenants again)", sample), percentiles(second)})

	var uploaded []time.Duration
	if c.added > 0 {
		uploaded, err = uploadTenants(ctx, c, script, template, prefix)
		if err != nil {
			return err
		}
		rows = append(rows, [2]string{fmt.Sprintf("cold tenant uploaded while serving: PUT of its file (bundle, compile, load check) to its first answer (%d tenants)", c.added), percentiles(uploaded)})
	}
	var added []time.Duration
	if c.added > 0 {
		added, err = addTenants(ctx, c, scripts, script, template, prefix)
		if err != nil {
			return err
		}
		rows = append(rows, [2]string{fmt.Sprintf("tenant added while serving: folder renamed in to first answer (%d tenants; includes the watcher's debounce)", c.added), percentiles(added)})
	}

	// Steady load: one tenant, then all of them in turn.
	one, err := loadgen.NewEvents(template, names[:1], prefix+"one-")
	if err != nil {
		return err
	}
	if _, err := loadgen.Run(ctx, loadgen.Config{Addr: c.addr, Path: "/webhooks/voice", Events: one, Conns: c.conns, Duration: 2 * time.Second}); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	single, err := loadgen.Run(ctx, loadgen.Config{Addr: c.addr, Path: "/webhooks/voice", Events: one, Conns: c.conns, Duration: c.duration, First: 1 << 32})
	if err != nil {
		return fmt.Errorf("single-tenant load: %w", err)
	}
	fmt.Println("single tenant:", single)
	spreadEvents, err := loadgen.NewEvents(template, names, prefix+"spread-")
	if err != nil {
		return err
	}
	spread, err := loadgen.Run(ctx, loadgen.Config{Addr: c.addr, Path: "/webhooks/voice", Events: spreadEvents, Conns: c.conns, Duration: c.duration})
	if err != nil {
		return fmt.Errorf("spread load: %w", err)
	}
	fmt.Println("spread:", spread)
	rows = append(rows,
		[2]string{fmt.Sprintf("steady req/s, one tenant (%d connections, %v)", c.conns, c.duration), loadLine(single)},
		[2]string{fmt.Sprintf("steady req/s, spread over all %d tenants in turn", c.tenants), loadLine(spread)},
		[2]string{"spread / one tenant", fmt.Sprintf("%.2fx", spread.Throughput()/single.Throughput())},
		[2]string{"RSS at the end", srv.memory()})
	// One line for scripts (bench/run.sh checks the targets with it).
	_, peak, _ := srv.resident()
	fmt.Printf("summary peak_rss_mib=%.0f first_p99_ms=%.2f uploaded_p99_ms=%.2f added_p99_ms=%.2f spread_ratio=%.2f load_s=%.1f\n",
		peak, ms(pct(first, 0.99)), ms(pct(uploaded, 0.99)), ms(pct(added, 0.99)), spread.Throughput()/single.Throughput(), loaded.Seconds())
	return nil
}

func tenantName(i int) string { return fmt.Sprintf("t%05d", i) }

// tenantScript is the IVR with a prompt of its own for tenant number i, so that no two tenants
// share a compiled program.
func tenantScript(script []byte, i int) []byte {
	return bytes.Replace(script, []byte("Welcome to ACME."), []byte("Welcome to ACME branch "+strconv.Itoa(i)+"."), 1)
}

// writeTenant writes the IVR into scripts/name with a prompt of its own.
func writeTenant(scripts, name string, script []byte, i int) error {
	dir := filepath.Join(scripts, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	own := tenantScript(script, i)
	return os.WriteFile(filepath.Join(dir, "index.js"), own, 0o644)
}

// callEach calls tenants from..from+count once each, in turn, and returns the latencies of
// the answers that came without a fallback.
func callEach(ctx context.Context, addr string, events *loadgen.Events, from uint64, count int) ([]time.Duration, int, time.Duration, error) {
	conn, err := loadgen.Dial(ctx, addr, "/webhooks/voice", 10*time.Second)
	if err != nil {
		return nil, 0, 0, err
	}
	defer conn.Close()
	var (
		took   []time.Duration
		failed int
		body   []byte
	)
	start := time.Now()
	for n := from; n < from+uint64(count); n++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, 0, err
		}
		body = events.Append(body[:0], n)
		t := time.Now()
		status, err := conn.Post(ctx, body)
		d := time.Since(t)
		if err != nil || status != http.StatusOK || conn.Header("X-Callscript-Fallback:") {
			failed++
			continue
		}
		took = append(took, d)
	}
	return took, failed, time.Since(start), nil
}

// addTenants adds tenant folders while the server runs, one at a time, and times each from
// the rename that makes it appear to its first answer without a fallback.
func addTenants(ctx context.Context, c config, scripts string, script, template []byte, prefix string) ([]time.Duration, error) {
	staging := filepath.Join(filepath.Dir(scripts), "staging")
	var took []time.Duration
	for i := range c.added {
		name := fmt.Sprintf("new%05d", i)
		if err := writeTenant(staging, name, script, c.tenants+i); err != nil {
			return nil, err
		}
		d, err := timeFirstAnswer(ctx, c.addr, name, template, prefix, func() error {
			return os.Rename(filepath.Join(staging, name), filepath.Join(scripts, name))
		})
		if err != nil {
			return nil, err
		}
		took = append(took, d)
	}
	return took, nil
}

// adminToken is the admin API token the server under test is started with.
const adminToken = "scale-benchmark-admin-token-0123456789"

// uploadTenants uploads new tenants through the admin API, one at a time, and times each from
// the start of the upload to its first answer without a fallback.
func uploadTenants(ctx context.Context, c config, script, template []byte, prefix string) ([]time.Duration, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	var took []time.Duration
	for i := range c.added {
		name := fmt.Sprintf("up%05d", i)
		body := tenantScript(script, c.tenants+c.added+i)
		d, err := timeFirstAnswer(ctx, c.addr, name, template, prefix, func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+c.addr+"/admin/tenants/"+name+"/files/index.js", bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+adminToken)
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("upload %s: %w", name, err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("upload %s: %s", name, resp.Status)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		took = append(took, d)
	}
	return took, nil
}

// timeFirstAnswer makes tenant name appear (appear: a folder renamed in, an upload) and times
// it, from just before appear, to the tenant's first answer without a fallback, posting on one
// kept-alive connection until it comes.
func timeFirstAnswer(ctx context.Context, addr, name string, template []byte, prefix string, appear func() error) (time.Duration, error) {
	events, err := loadgen.NewEvents(template, []string{name}, prefix+name+"-")
	if err != nil {
		return 0, err
	}
	conn, err := loadgen.Dial(ctx, addr, "/webhooks/voice", 10*time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	start := time.Now()
	if err := appear(); err != nil {
		return 0, err
	}
	var body []byte
	for n := uint64(0); ; n++ {
		if time.Since(start) > 10*time.Second {
			return 0, fmt.Errorf("tenant %s, made at %v, never answered", name, start.Format(time.TimeOnly))
		}
		body = events.Append(body[:0], n)
		status, err := conn.Post(ctx, body)
		if err == nil && status == http.StatusOK && !conn.Header("X-Callscript-Fallback:") {
			return time.Since(start), nil
		}
		time.Sleep(500 * time.Microsecond)
	}
}

func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no answer"
	}
	return fmt.Sprintf("p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)", ms(pct(ds, 0.5)), ms(pct(ds, 0.99)), ms(pct(ds, 1)), len(ds))
}

// pct is the latency below which a fraction p of ds fall; 0 for none.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(int(p*float64(len(s))), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func loadLine(r loadgen.Result) string {
	return fmt.Sprintf("%.0f req/s (p50 %.2f ms, p99 %.2f ms, %d failed, %d fallbacks)", r.Throughput(),
		ms(r.Percentile(0.5)), ms(r.Percentile(0.99)), r.Failed, r.Fallbacks)
}

// server is the callscript serve process under test.
type server struct {
	cmd   *exec.Cmd
	addr  string
	start time.Time
	done  chan struct{}
}

func start(ctx context.Context, bin, addr, scripts string) (*server, error) {
	cmd := exec.Command(bin, "serve", "--addr", addr, "--scripts", scripts, "--log-level", "error")
	cmd.Env = append(os.Environ(), "CALLSCRIPT_ADMIN_TOKEN="+adminToken)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	s := &server{cmd: cmd, addr: addr, start: time.Now(), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = cmd.Wait(); close(s.done) }()
	return s, nil
}

// waitReady polls /readyz until it answers 200 and returns the time since the start.
func (s *server) waitReady(ctx context.Context, limit time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second}
	for time.Since(s.start) < limit {
		select {
		case <-s.done:
			return 0, errors.New("callscript serve exited before it was ready")
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		resp, err := client.Get("http://" + s.addr + "/readyz")
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return time.Since(s.start), nil
		}
	}
	return 0, fmt.Errorf("not ready after %v", limit)
}

// memory reads the process's resident set now and at its peak.
func (s *server) memory() string {
	rss, peak, err := s.resident()
	if err != nil {
		return "unknown: " + err.Error()
	}
	return fmt.Sprintf("%.0f MiB (peak %.0f MiB)", rss, peak)
}

// resident returns VmRSS and VmHWM in MiB.
func (s *server) resident() (rss, peak float64, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	mib := func(field string) float64 {
		for line := range strings.Lines(string(status)) {
			if rest, ok := strings.CutPrefix(line, field+":"); ok {
				v, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				return v / 1024
			}
		}
		return 0
	}
	return mib("VmRSS"), mib("VmHWM"), nil
}

// stop ends the server: SIGTERM, then SIGKILL if it is still there after its grace.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}
