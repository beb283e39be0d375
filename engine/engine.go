// Package engine answers 8x8 voice webhooks with the callflows that per-tenant JavaScript and
// TypeScript scripts return. It is the library at the heart of callscript and has no HTTP in
// it: a Go program embeds it with New, hands it webhook bodies with Handle, and gets back the
// answer to send.
//
// The engine loads one tenant per folder of its scripts directory (the folder name is the 8x8
// subAccountId), bundles and compiles each into a version, runs events in pooled goja runtimes
// under a deadline, validates every callflow before it leaves, falls back to a safe answer when
// a script fails, remembers answers by eventId so duplicates never run twice, and reloads a
// tenant the moment its files change.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/fetch"
	"github.com/callscript/callscript/engine/internal/lrutable"
	"github.com/callscript/callscript/engine/logbuf"
	"github.com/callscript/callscript/engine/metrics"
	"github.com/callscript/callscript/engine/store"
	"github.com/callscript/callscript/engine/vm"
	"github.com/callscript/callscript/engine/watch"
)

// Defaults of Options.
const (
	DefaultScriptsDir     = "./scripts"
	DefaultTimeout        = 2 * time.Second
	DefaultIdempotencyTTL = 15 * time.Minute
	DefaultProgramCache   = 1024
	DefaultSessionTTL     = 4 * time.Hour
	DefaultRetained       = 256
	DefaultLogLines       = 200
	DefaultIdleRuntimes   = 1024
	maxLoggedTenants      = 20_000
	defaultSessionTTL     = 12 * time.Hour
	defaultSessionEntries = 200_000
	minTimeout            = 50 * time.Millisecond
	maxTimeout            = 60 * time.Second
)

// Options configure an Engine. The zero value serves ./scripts with the documented defaults.
type Options struct {
	// ScriptsDir is the folder of tenant folders (default ./scripts).
	ScriptsDir string
	// Tenants, when set, restricts loading to these tenant ids (the check and run commands).
	Tenants []string
	// Timeout is the time budget of one event unless a tenant's timeoutMs says otherwise (default 2s).
	Timeout time.Duration
	// Watch reloads tenants when their files change (the server sets it; one-shot commands do not).
	Watch bool
	// Poll, with Watch, polls the folder at this interval instead of using inotify.
	Poll time.Duration
	// Logger receives the engine's and the scripts' log lines (default: discard).
	Logger *slog.Logger
	// LookupEnv resolves ${NAME} in tenant.json (default os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// IdempotencyTTL is how long the answer to each event is remembered for duplicate
	// deliveries (default 15 minutes).
	IdempotencyTTL time.Duration
	// ProgramCache bounds the compiled programs kept by content hash (default 1024).
	ProgramCache int
	// Store keeps call sessions with the version each call started on, the answers given to
	// each event, and pinned versions' programs (default: in memory; Redis for replicas).
	Store store.Store
	// SessionTTL is how long a call's session lives after its last webhook (default 4h).
	SessionTTL time.Duration
	// RetainedVersions bounds the earlier versions kept loaded for calls that started on them
	// (default 256 across all tenants).
	RetainedVersions int
	// IdleRuntimes bounds the warm script runtimes kept between calls across all tenants
	// (default 1024); past it, the tenants called least recently give theirs up, and their
	// next call starts a runtime afresh (see vm.IdleRuntimes).
	IdleRuntimes int
	// LogLines is how many recent log lines are kept per tenant for Logs (default 200).
	LogLines int
	// Registerer receives the engine's Prometheus metrics (default: a private registry).
	Registerer prometheus.Registerer
	// TenantConcurrency is how many events of one tenant may run JavaScript at once (default:
	// one less than the cores, at least 1), so that a flooded tenant leaves a core to the
	// others: a slot cannot be taken back from a running script, so the share has to be kept
	// below the machine. A tenant whose events run short (under 10ms on average) may run more
	// on cores that no event uses (see vm.Gate), so one busy tenant can use the whole machine
	// while a slow one cannot. TenantQueueWait is how long an event waits for a slot before its
	// tenant's fallback answers it (default: half of Timeout, at most 1s).
	TenantConcurrency int
	TenantQueueWait   time.Duration
	// MemoryLimit is the process memory the scripts must stay under, in bytes: past 80% of it
	// the memory guard stops the runaway script (default: GOMEMLIMIT, else the cgroup's limit,
	// else half the machine's memory; negative: no guard).
	MemoryLimit int64
	// Fetch performs scripts' fetch calls (default: a client that refuses loopback, private,
	// link-local and metadata addresses); each tenant's tenant.json fetch policy applies.
	Fetch *fetch.Client
}

// sessionTenants remembers the tenant of each recent call, by sessionId, for the events that
// name no tenant (CALL_RECORDING_STATUS). It is safe for concurrent use.
type sessionTenants struct {
	mu    sync.Mutex
	calls *lrutable.Table
}

// note records that sessionID is tenant's call.
func (s *sessionTenants) note(sessionID, tenant string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if known, _, ok := s.calls.Get(sessionID, now); ok && string(known) == tenant {
		return // the call's later events
	}
	s.calls.Put(sessionID, []byte(tenant), false, now.Add(defaultSessionTTL))
}

// tenant is the tenant of the call sessionID, or "".
func (s *sessionTenants) tenant(sessionID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	known, _, _ := s.calls.Get(sessionID, time.Now())
	return string(known)
}

// CompileSDK compiles the "callscript" module that every runtime runs before its tenant's
// program (see bundle.BuildSDK).
func CompileSDK() (*goja.Program, error) {
	prog, err := vm.Compile(bundle.SDKFile, bundle.SDKProgram())
	if err != nil {
		return nil, fmt.Errorf("the callscript module: %w", err)
	}
	return prog, nil
}

// workerIdleTime is how long a goroutine that ran a script waits for the next before it ends.
const workerIdleTime = 30 * time.Second

// Engine answers webhooks for every tenant of a scripts folder. It is safe for concurrent use.
type Engine struct {
	opts     Options
	root     string
	logger   *slog.Logger
	logs     *logbuf.Buffers
	metrics  *metrics.Metrics
	guard    *vm.MemoryGuard                   // nil when disabled
	workers  *vm.Workers                       // the goroutines scripts run on
	cores    *vm.Cores                         // the cores no script runs on, which short-running tenants may borrow
	programs *lru.Cache[string, *goja.Program] // compiled bundles by content hash
	sdk      *goja.Program                     // the "callscript" module, shared by every tenant
	idle     *vm.IdleRuntimes                  // the warm runtimes kept between calls, all tenants together
	sessions *sessionTenants                   // sessionId → tenant, for events that carry no subAccountId
	store    store.Store
	releases *lru.Cache[string, *release] // "tenant@version" → release, for calls pinned to it

	mu      sync.RWMutex
	tenants map[string]*slot

	reloadMu sync.Mutex // one rebuild at a time: builds are CPU-bound, and order must be kept
	ready    atomic.Bool
	cancel   context.CancelFunc
	done     chan struct{}
}

// New loads every tenant of the scripts folder and, with Options.Watch, keeps them up to date
// until Close. A tenant that fails to build is reported in Tenants and does not stop the others.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if opts.ScriptsDir == "" {
		opts.ScriptsDir = DefaultScriptsDir
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Timeout < minTimeout || opts.Timeout > maxTimeout {
		return nil, fmt.Errorf("timeout %v: must be between %v and %v", opts.Timeout, minTimeout, maxTimeout)
	}
	if opts.Poll < 0 {
		return nil, fmt.Errorf("poll interval %v: must not be negative", opts.Poll)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	if opts.IdempotencyTTL <= 0 {
		opts.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if opts.ProgramCache <= 0 {
		opts.ProgramCache = DefaultProgramCache
	}
	if opts.Store == nil {
		opts.Store = store.NewMemory(0)
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.IdleRuntimes <= 0 {
		opts.IdleRuntimes = DefaultIdleRuntimes
	}
	if opts.RetainedVersions <= 0 {
		opts.RetainedVersions = DefaultRetained
	}
	if opts.LogLines <= 0 {
		opts.LogLines = DefaultLogLines
	}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = vm.DefaultMemoryLimit()
	}
	if opts.Fetch == nil {
		opts.Fetch = fetch.NewClient(fetch.Options{})
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	if opts.TenantConcurrency <= 0 {
		opts.TenantConcurrency = max(1, runtime.GOMAXPROCS(0)-1)
	}
	if opts.TenantQueueWait <= 0 {
		opts.TenantQueueWait = min(opts.Timeout/2, time.Second)
	}
	root, err := filepath.Abs(opts.ScriptsDir)
	if err != nil {
		return nil, fmt.Errorf("scripts folder %q: %w", opts.ScriptsDir, err)
	}
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("scripts folder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("scripts folder %s is not a folder", root)
	}
	programs, err := lru.New[string, *goja.Program](opts.ProgramCache)
	if err != nil {
		return nil, fmt.Errorf("program cache: %w", err)
	}
	sdk, err := CompileSDK()
	if err != nil {
		return nil, err
	}
	var e *Engine
	releases, err := lru.NewWithEvict(opts.RetainedVersions, func(_ string, rel *release) {
		if s := e.slot(rel.tenant); s != nil && s.current.Load() == rel {
			return // still serving: only versions no longer current give their runtimes up
		}
		rel.program.Retire() // its warm runtimes go back to the budget; a running call keeps its own
	})
	if err != nil {
		return nil, fmt.Errorf("version cache: %w", err)
	}
	logs := logbuf.New(opts.LogLines, maxLoggedTenants)
	e = &Engine{
		opts:     opts,
		root:     root,
		logs:     logs,
		metrics:  metrics.New(opts.Registerer),
		logger:   slog.New(logs.Handler(opts.Logger.Handler())),
		programs: programs,
		sdk:      sdk,
		idle:     vm.NewIdleRuntimes(opts.IdleRuntimes),
		releases: releases,
		store:    opts.Store,
		sessions: &sessionTenants{calls: lrutable.New(defaultSessionEntries)},
		tenants:  make(map[string]*slot),
		done:     make(chan struct{}),
		workers:  vm.NewWorkers(workerIdleTime),
		cores:    vm.NewCores(runtime.GOMAXPROCS(0)),
	}

	// Watches are set up before the first load, so that no change made during it is missed.
	var watcher *watch.Watcher
	if opts.Watch {
		watcher, err = watch.New(root, watch.Options{Poll: opts.Poll, Logger: opts.Logger})
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", root, err)
		}
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	if opts.MemoryLimit > 0 {
		e.guard = vm.NewMemoryGuard(opts.MemoryLimit, func(tenant string) {
			e.metrics.Interrupts.WithLabelValues(tenant, "memory").Inc()
		})
		go e.guard.Run(runCtx)
	}
	e.loadAll(ctx)
	e.ready.Store(true)
	if watcher == nil {
		close(e.done)
		return e, nil
	}
	go func() {
		defer close(e.done)
		err := watcher.Run(runCtx, func(c watch.Change) { e.apply(runCtx, c) })
		if err != nil && !errors.Is(err, context.Canceled) {
			e.logger.Error("watching the scripts folder stopped; edits are no longer picked up", "err", err)
		}
	}()
	return e, nil
}

// Close stops watching the scripts folder. Requests in flight finish normally.
func (e *Engine) Close() error {
	e.cancel()
	<-e.done
	return nil
}

// Ready reports whether the first load of all tenants is done.
func (e *Engine) Ready() bool { return e.ready.Load() }

// Logs returns up to limit of a tenant's recent log lines (console output, ctx.log, errors,
// fallbacks, loads), newest first.
func (e *Engine) Logs(id string, limit int) []logbuf.Line { return e.logs.Recent(id, limit) }

// ScriptsDir is the absolute path of the scripts folder.
func (e *Engine) ScriptsDir() string { return e.root }

// CheckReady reports why the engine cannot serve yet, or nil: the first load of all tenants
// must be done, and the store must answer.
func (e *Engine) CheckReady(ctx context.Context) error {
	if !e.ready.Load() {
		return errors.New("the tenants are still loading")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := e.store.Ping(ctx); err != nil {
		return fmt.Errorf("the store does not answer: %w", err)
	}
	return nil
}
