package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/fetch"
	"github.com/callscript/callscript/engine/httpapi"
	"github.com/callscript/callscript/engine/metrics"
	"github.com/callscript/callscript/engine/vm"
)

// Defaults of the shutdown flags.
const (
	defaultShutdownGrace = 10 * time.Second
	minAdminTokenLength  = 16
)

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8080", "listen address")
	scripts := fs.String("scripts", engine.DefaultScriptsDir, "the tenants' folder: one folder per 8x8 subAccountId")
	timeout := fs.Duration("timeout", engine.DefaultTimeout, "default time budget per event (a tenant's timeoutMs overrides it)")
	maxBody := byteSize(httpapi.DefaultMaxBody)
	fs.Var(&maxBody, "max-body", "largest webhook body (KiB, MiB, GiB suffixes)")
	poll := fs.Duration("poll", 0, "poll the scripts folder at this interval instead of using inotify (e.g. 2s; for NFS and some container mounts)")
	logFormat := fs.String("log-format", "json", "log format: json or text")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	adminToken := fs.String("admin-token", "", fmt.Sprintf("enables the /admin/ routes for requests carrying \"Authorization: Bearer TOKEN\" (at least %d characters; prefer the environment variable to the flag, which other users can see in the process list)", minAdminTokenLength))
	var allowIPs, trustedProxies cidrList
	fs.Var(&allowIPs, "allow-ips", "comma-separated CIDRs or addresses allowed to call the webhook routes; others get 403 (8x8's published sources: "+httpapi.EightByEightWebhookSources+")")
	fs.Var(&trustedProxies, "trusted-proxies", "comma-separated CIDRs of the reverse proxies or load balancers whose X-Forwarded-For header is believed")
	grace := fs.Duration("shutdown-grace", defaultShutdownGrace, "on SIGTERM or SIGINT, how long requests in flight may take to finish before they are cut off")
	allowLoopback := fs.Bool("fetch-allow-loopback", false, "let scripts' fetch reach 127.0.0.0/8 and ::1 (local development and tests); private, link-local and metadata addresses stay refused")
	memoryLimit := byteSize(0)
	fs.Var(&memoryLimit, "memory-limit", "memory the process must stay under, e.g. 768MiB: the memory guard stops runaway scripts before it (default: GOMEMLIMIT, else the cgroup's limit, else half the machine's memory)")
	storeSpec := fs.String("store", "memory", "where call state, idempotency answers and pinned versions live: memory, or a Redis URL (redis://host:6379/0) shared by several replicas")
	delay := fs.Duration("shutdown-delay", 0, "on SIGTERM or SIGINT, how long to keep serving with /readyz answering 503 before the listener closes, so that load balancers stop sending first (e.g. 5s on Kubernetes)")
	idleRuntimes := fs.Int("idle-runtimes", engine.DefaultIdleRuntimes, "warm script runtimes kept between calls, all tenants together (about 35 KiB each): past it, the tenants called least recently start a runtime afresh on their next call (about 0.1 ms); raise it to the number of busy tenants if memory allows")
	debugAddr := fs.String("debug-addr", "", "serve Go's profiler (/debug/pprof/) on this separate address, e.g. 127.0.0.1:6060 (off by default; never expose it publicly)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	token := strings.TrimSpace(*adminToken) // a token read from a file often ends in a newline
	if token != "" && len(token) < minAdminTokenLength {
		return usageError{fmt.Sprintf("--admin-token: the token is %d characters long; use at least %d (for example: openssl rand -hex 32)", len(token), minAdminTokenLength)}
	}
	if *idleRuntimes <= 0 {
		return usageError{"--idle-runtimes must be at least 1"}
	}
	if *grace <= 0 || *delay < 0 {
		return usageError{"--shutdown-grace must be positive and --shutdown-delay must not be negative"}
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	if memoryLimit == 0 {
		memoryLimit = byteSize(vm.DefaultMemoryLimit())
	}
	// The Go runtime collects harder near the limit too, so that discarded runtimes are
	// returned before the guard has to stop anyone, and whatever headroom tuneGC gives the heap
	// stays under it (in a 128 MiB container, say).
	debug.SetMemoryLimit(int64(memoryLimit))
	routeRedisLogs(logger)
	st, closeStore, err := openStore(ctx, *storeSpec)
	if err != nil {
		return err
	}
	defer closeStore()
	registry := metrics.NewRegistry()
	eng, err := engine.New(ctx, engine.Options{
		Store:        st,
		MemoryLimit:  int64(memoryLimit),
		Fetch:        fetch.NewClient(fetch.Options{AllowLoopback: *allowLoopback}),
		ScriptsDir:   *scripts,
		Timeout:      *timeout,
		Watch:        true,
		Poll:         *poll,
		Logger:       logger,
		Registerer:   registry,
		IdleRuntimes: *idleRuntimes,
	})
	if err != nil {
		return err
	}
	defer eng.Close()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	var draining atomic.Bool
	srv := &http.Server{
		Handler: httpapi.New(eng, httpapi.Options{
			MaxBody:        int64(maxBody),
			Logger:         logger,
			AdminToken:     token,
			Metrics:        registry,
			AllowIPs:       allowIPs,
			TrustedProxies: trustedProxies,
			Draining:       draining.Load,
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      max(30*time.Second, 2**timeout),
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	tenants := eng.Tenants()
	broken := 0
	for _, t := range tenants {
		if t.Error != nil {
			broken++
		}
	}
	logger.Info("callscript serving", "addr", listener.Addr().String(), "scripts", eng.ScriptsDir(),
		"tenants", len(tenants), "broken", broken, "admin", token != "", "store", storeLabel(*storeSpec),
		"allowIPs", allowIPs.String(), "trustedProxies", trustedProxies.String())

	if *debugAddr != "" {
		stopDebug, err := serveProfiler(*debugAddr, logger)
		if err != nil {
			return err
		}
		defer stopDebug()
	}

	tuneCtx, stopTuning := context.WithCancel(ctx)
	defer stopTuning()
	go tuneGC(tuneCtx)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Readiness goes first, so that load balancers stop sending; then the listener closes and
	// the requests in flight get the grace period to finish.
	draining.Store(true)
	logger.Info("shutting down: /readyz answers 503 from now on", "delay", *delay, "grace", *grace)
	if *delay > 0 {
		time.Sleep(*delay)
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), *grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("requests still running after the %v shutdown grace were cut off (raise --shutdown-grace): %w", *grace, err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// serveProfiler serves net/http/pprof on its own listener, apart from the webhook routes, so
// that an operator can profile a live server (go tool pprof http://ADDR/debug/pprof/profile).
func serveProfiler(addr string, logger *slog.Logger) (stop func(), err error) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(listener) }()
	logger.Info("profiler serving", "addr", listener.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// cidrList is a flag holding comma-separated networks: "10.0.0.0/8,192.0.2.7".
type cidrList []netip.Prefix

func (l *cidrList) String() string {
	parts := make([]string, len(*l))
	for i, p := range *l {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

func (l *cidrList) Set(v string) error {
	nets, err := httpapi.ParseCIDRs(v)
	if err != nil {
		return err
	}
	*l = nets
	return nil
}
