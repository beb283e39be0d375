package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/callflow"
	"github.com/callscript/callscript/engine/fetch"
	"github.com/callscript/callscript/engine/tenant"
	"github.com/callscript/callscript/engine/vm"
	"github.com/callscript/callscript/engine/watch"
)

// settingsFile is the optional per-tenant settings file (SPEC §6).
const settingsFile = "tenant.json"

// slot is one tenant folder: the release serving it, if any, and its last build error.
type slot struct {
	id      string
	gate    *vm.Gate // the tenant's fair share of execution slots
	current atomic.Pointer[release]
	failure atomic.Pointer[BuildError]
}

// release is one loaded version of a tenant with the settings it was loaded with. It is
// immutable: a reload swaps in a new one, and requests holding the old one finish on it.
type release struct {
	tenant     string
	version    string
	program    *vm.Program
	settings   *tenant.Settings
	defaults   callflow.Defaults
	fallback   []byte // the encoded fallback answer
	fetcher    *countingFetcher
	code       string // the bundle, kept in the store for replicas with calls pinned to it
	timeout    time.Duration
	sourceHash string
	files      []string
	loadedAt   time.Time
}

// BuildError is why a tenant's folder could not become a serving version.
type BuildError struct {
	Tenant   string
	Problems []Problem
	At       time.Time
}

// Problem is one error in a tenant's files, located where the author can find it.
type Problem struct {
	// File is relative to the tenant folder ("menus.ts", "tenant.json"); empty when the problem
	// concerns the folder as a whole.
	File         string
	Line, Column int // 1-based; 0 when unknown
	Message      string
}

// String renders the problem as "file:line:col: message".
func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Message
	case p.Line == 0:
		return p.File + ": " + p.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Message)
}

func (e *BuildError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "\n")
}

// TenantInfo describes one tenant folder for operators and tools.
type TenantInfo struct {
	ID string
	// Version is the serving version, "" when no version of the folder ever built.
	Version  string
	LoadedAt time.Time
	Files    []string // the source files of the serving version
	Hooks    []string // the exported hooks, nil for a function export
	// Error is the last failed build, nil when the newest files serve.
	Error *BuildError
}

// Tenants describes every tenant folder, sorted by id.
func (e *Engine) Tenants() []TenantInfo {
	e.mu.RLock()
	out := make([]TenantInfo, 0, len(e.tenants))
	for _, s := range e.tenants {
		out = append(out, s.info())
	}
	e.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Tenant describes one tenant folder.
func (e *Engine) Tenant(id string) (TenantInfo, bool) {
	s := e.slot(id)
	if s == nil {
		return TenantInfo{}, false
	}
	return s.info(), true
}

func (s *slot) info() TenantInfo {
	info := TenantInfo{ID: s.id, Error: s.failure.Load()}
	if r := s.current.Load(); r != nil {
		info.Version, info.LoadedAt, info.Files = r.version, r.loadedAt, r.files
		info.Hooks = r.program.Hooks()
	}
	return info
}

func (e *Engine) slot(id string) *slot {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.tenants[id]
}

// loadAll loads every tenant folder (or those of Options.Tenants), two at a time per core
// pair: bundling and compiling are CPU-bound.
func (e *Engine) loadAll(ctx context.Context) {
	ids := e.opts.Tenants
	if len(ids) == 0 {
		ids = e.listFolders()
	}
	work := make(chan string)
	var wg sync.WaitGroup
	for range max(2, min(8, len(ids)/50)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				e.reloadLocked(ctx, id)
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
}

// listFolders lists the top-level entries that may be tenant folders.
func (e *Engine) listFolders() []string {
	entries, err := os.ReadDir(e.root)
	if err != nil {
		e.logger.Error("cannot list the scripts folder", "dir", e.root, "err", err)
		return nil
	}
	var ids []string
	for _, entry := range entries {
		name := entry.Name()
		if strings.HasPrefix(name, ".") || tenant.ValidateID(name) != nil {
			continue // dot entries are Kubernetes' ..data machinery or editors' files
		}
		ids = append(ids, name)
	}
	return ids
}

// apply acts on a change the watcher reported.
func (e *Engine) apply(ctx context.Context, c watch.Change) {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	if c.All {
		present := make(map[string]bool)
		for _, id := range e.listFolders() {
			present[id] = true
			e.reloadLocked(ctx, id)
		}
		e.mu.RLock()
		var gone []string
		for id := range e.tenants {
			if !present[id] {
				gone = append(gone, id)
			}
		}
		e.mu.RUnlock()
		for _, id := range gone {
			e.unload(id, "its folder is gone")
		}
		return
	}
	for _, id := range c.Tenants {
		e.reloadLocked(ctx, id)
	}
}

// reloadLocked rebuilds one tenant from its folder: a new version swaps in atomically, a
// failed build keeps the last good version serving, and a vanished folder unloads the tenant.
func (e *Engine) reloadLocked(ctx context.Context, id string) {
	if tenant.ValidateID(id) != nil || (len(e.opts.Tenants) > 0 && !contains(e.opts.Tenants, id)) {
		return
	}
	dir := filepath.Join(e.root, id)
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !info.IsDir()) {
		e.unload(id, "its folder is gone")
		return
	}
	if err != nil {
		e.fail(id, &BuildError{Tenant: id, Problems: []Problem{{Message: err.Error()}}})
		return
	}
	src, err := bundle.ReadSource(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			e.unload(id, "its folder is gone")
			return
		}
		e.fail(id, &BuildError{Tenant: id, Problems: []Problem{{Message: err.Error()}}})
		return
	}
	if _, ok := src.Entry(); !ok {
		e.unload(id, "it has no entry file (index.ts, index.mjs, index.js or index.cjs)")
		return
	}
	s := e.ensureSlot(id)
	if cur := s.current.Load(); cur != nil && cur.sourceHash == src.Hash() && s.failure.Load() == nil {
		return // nothing that matters changed (a touch, an editor's temporary file)
	}
	start := time.Now()
	rel, berr := e.build(ctx, id, src)
	if berr != nil {
		e.fail(id, berr)
		return
	}
	e.install(id, rel, time.Since(start))
}

// install swaps a built release in as the tenant's serving version.
func (e *Engine) install(id string, rel *release, took time.Duration) {
	s := e.ensureSlot(id)
	old := s.current.Swap(rel)
	s.failure.Store(nil)
	e.releases.Add(id+"@"+rel.version, rel)
	// Calls pinned to this version may continue on replicas that never loaded it.
	storeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	if err := e.store.SaveBundle(storeCtx, id, rel.version, []byte(rel.code), e.opts.SessionTTL); err != nil {
		e.metrics.StoreErrors.WithLabelValues("save-bundle").Inc()
		e.logger.Warn("could not keep the version's program in the store; other replicas cannot run calls pinned to it", "tenant", id, "version", rel.version, "err", err)
	}
	cancel()
	e.metrics.Reloads.WithLabelValues(id, "ok").Inc()
	if old != nil && old.version != rel.version {
		// By its labels, not by a partial match: that scans every tenant's series.
		e.metrics.Version.DeleteLabelValues(id, old.version)
	}
	e.metrics.Version.WithLabelValues(id, rel.version).Set(1)
	attrs := []any{"tenant", id, "version", rel.version, "took", took.Round(time.Microsecond)}
	if old != nil {
		attrs = append(attrs, "previous", old.version)
	}
	e.logger.Info("tenant loaded", attrs...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (e *Engine) ensureSlot(id string) *slot {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.tenants[id]
	if s == nil {
		s = &slot{id: id, gate: vm.NewGate(e.opts.TenantConcurrency, e.opts.TenantQueueWait, e.cores)}
		e.tenants[id] = s
	}
	return s
}

// fail records a failed build; the last good version, if any, keeps serving.
func (e *Engine) fail(id string, berr *BuildError) {
	berr.At = time.Now()
	e.metrics.Reloads.WithLabelValues(id, "error").Inc()
	s := e.ensureSlot(id)
	s.failure.Store(berr)
	attrs := []any{"tenant", id, "err", berr.Error()}
	if cur := s.current.Load(); cur != nil {
		attrs = append(attrs, "serving", cur.version)
		e.logger.Error("tenant build failed; the last good version keeps serving", attrs...)
		return
	}
	e.logger.Error("tenant build failed; it has no version to serve", attrs...)
}

func (e *Engine) unload(id, why string) {
	e.mu.Lock()
	_, had := e.tenants[id]
	delete(e.tenants, id)
	e.mu.Unlock()
	if had {
		e.metrics.ForgetTenant(id)
		e.logger.Info("tenant unloaded: "+why, "tenant", id)
	}
}

// build turns a snapshot of a tenant folder into a release: settings, bundle, compiled
// program, load check.
func (e *Engine) build(ctx context.Context, id string, src *bundle.Source) (*release, *BuildError) {
	fail := func(p ...Problem) (*release, *BuildError) { return nil, &BuildError{Tenant: id, Problems: p} }
	settings := &tenant.Settings{}
	if raw, ok := src.Files[settingsFile]; ok {
		var err error
		settings, err = tenant.ParseSettings(raw, e.opts.LookupEnv)
		if err != nil {
			return fail(settingsProblem(err))
		}
	}
	defaults := settings.Defaults.Callflow()
	fallback := callflow.Fallback(defaults)
	if len(settings.Fallback) > 0 {
		answer, err := callflow.Parse(settings.Fallback, defaults)
		if err != nil {
			return fail(Problem{File: settingsFile, Message: "fallback: " + err.Error()})
		}
		fallback = answer
	}
	timeout := e.opts.Timeout
	if settings.Timeout > 0 {
		timeout = settings.Timeout
	}

	entry, _ := src.Entry()
	b, err := bundle.Build(ctx, src, entry)
	if err != nil {
		return fail(bundleProblems(err)...)
	}
	version := b.Version()
	program, err := e.loadProgram(ctx, id, version, b.Hash, b.Code, settings, timeout)
	if err != nil {
		return fail(scriptProblem(err))
	}
	return &release{
		tenant:     id,
		version:    version,
		program:    program,
		settings:   settings,
		defaults:   defaults,
		fallback:   fallback.Encode(),
		timeout:    timeout,
		sourceHash: src.Hash(),
		fetcher: &countingFetcher{
			policy:  e.opts.Fetch.For(fetch.Policy{Allow: settings.Fetch.Allow, MaxBytes: settings.Fetch.MaxBytes}),
			tenant:  id,
			metrics: e.metrics,
		},
		files:    b.Files,
		code:     b.Code,
		loadedAt: time.Now(),
	}, nil
}

// loadProgram compiles a bundle (or takes it from the cache of compiled programs, by content
// hash) and load-checks it with the tenant's settings.
func (e *Engine) loadProgram(ctx context.Context, id, version, hash, code string, settings *tenant.Settings, timeout time.Duration) (*vm.Program, error) {
	prog, ok := e.programs.Get(hash)
	if !ok {
		var err error
		if prog, err = vm.Compile(bundle.ProgramName, code); err != nil {
			return nil, err
		}
		e.programs.Add(hash, prog)
	}
	env, err := settings.EnvJSON()
	if err != nil {
		return nil, err
	}
	return vm.Load(ctx, vm.Config{
		Env:         env,
		Tenant:      id,
		Version:     version,
		Program:     prog,
		SDK:         e.sdk,
		Idle:        e.idle,
		Logger:      e.logger.With(slog.String("tenant", id), slog.String("version", version)),
		InitTimeout: timeout,
	})
}

// pinned finds the release a call started on: one this engine holds, else the version's
// program kept in the store (another replica loaded it, or this one before a restart), loaded
// with the tenant's current settings. ok is false when the version is gone everywhere.
func (e *Engine) pinned(ctx context.Context, current *release, version string) (*release, bool) {
	if rel, ok := e.releases.Get(current.tenant + "@" + version); ok {
		return rel, true
	}
	code, ok, err := e.store.LoadBundle(ctx, current.tenant, version)
	if err != nil {
		e.metrics.StoreErrors.WithLabelValues("load-bundle").Inc()
		return nil, false
	}
	sum := sha256.Sum256(code)
	hash := hex.EncodeToString(sum[:])
	if !ok || !strings.HasPrefix(hash, version) {
		return nil, false
	}
	program, err := e.loadProgram(ctx, current.tenant, version, hash, string(code), current.settings, current.timeout)
	if err != nil {
		e.logger.Error("a pinned version from the store does not load", "tenant", current.tenant, "version", version, "err", err)
		return nil, false
	}
	rel := *current
	rel.version, rel.program, rel.code, rel.files = version, program, string(code), nil
	e.releases.Add(current.tenant+"@"+version, &rel)
	e.logger.Info("loaded a pinned version from the store", "tenant", current.tenant, "version", version)
	return &rel, true
}

// settingsProblem locates an error of tenant.json.
func settingsProblem(err error) Problem {
	var serr *tenant.SettingsError
	if !errors.As(err, &serr) {
		return Problem{File: settingsFile, Message: err.Error()}
	}
	msg := serr.Msg
	if serr.Path != "" {
		msg = serr.Path + ": " + msg
	}
	return Problem{File: settingsFile, Line: serr.Line, Column: serr.Column, Message: msg}
}

// bundleProblems turns a bundler error into the author's problems.
func bundleProblems(err error) []Problem {
	var berr *bundle.BuildError
	if errors.As(err, &berr) {
		out := make([]Problem, len(berr.Errors))
		for i, be := range berr.Errors {
			out[i] = Problem{File: be.File, Line: be.Line, Column: be.Column, Message: be.Message}
		}
		return out
	}
	return []Problem{{Message: err.Error()}}
}

// scriptProblem locates an error raised while compiling or initialising the program.
func scriptProblem(err error) Problem {
	var se *vm.ScriptError
	if errors.As(err, &se) {
		msg := se.Message
		if prefix, _, ok := strings.Cut(err.Error(), ": "+se.Error()); ok && prefix != "" {
			msg = prefix + ": " + msg
		}
		return Problem{File: se.File, Line: se.Line, Column: se.Column, Message: msg}
	}
	return Problem{Message: err.Error()}
}
