// Package vm runs one tenant version's bundled program in pooled goja runtimes.
//
// A runtime has run exactly one program (a tenant version's bundle) once, at creation, and
// afterwards only ever calls that program's handler: no other code enters it. Every call runs
// under a deadline on a goroutine of its own, so that even a native call goja cannot interrupt
// (a huge String.prototype.repeat, a catastrophic regular expression) cannot hold up the answer;
// a runtime that was interrupted, overran its deadline or panicked is thrown away, never reused.
package vm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/webhook"
)

// The hooks an object export may define, one per kind of 8x8 webhook (SPEC §3).
const (
	HookCallReceived     = "onCallReceived"
	HookActionCompleted  = "onActionCompleted"
	HookCallAction       = "onCallAction"
	HookSessionSummary   = "onSessionSummary"
	HookCallStatus       = "onCallStatus"
	HookRecordingUpload  = "onRecordingUploaded"
	HookNumbersUpdated   = "onNumbersUpdated"
	hookFunctionExport   = "" // the handler is the exported function itself
	defaultMaxIdle       = 4
	defaultInitTimeout   = 2 * time.Second
	defaultMaxCallStack  = 2000
	defaultMaxLogPerCall = 200
)

// hookNames lists every hook in a fixed order; it is a function so that no package-level
// slice can be mutated.
func hookNames() [7]string {
	return [7]string{HookCallReceived, HookActionCompleted, HookCallAction, HookSessionSummary,
		HookCallStatus, HookRecordingUpload, HookNumbersUpdated}
}

// Config describes the program to load.
type Config struct {
	Tenant, Version string
	// Program is the compiled bundle (see Compile); it is shared by every runtime of the version.
	Program *goja.Program
	// Logger receives console output and script log lines; nil discards them.
	Logger *slog.Logger
	// MaxIdle bounds the warm runtimes kept between calls (default 4).
	MaxIdle int
	// InitTimeout bounds the module's top-level code when a runtime is created (default 2s).
	InitTimeout time.Duration
	// MaxCallStack bounds the JavaScript call depth (default 2000 frames).
	MaxCallStack int
	// MaxLogLines bounds the log lines one call may write (default 200); the rest are counted
	// and reported in one line, so a script logging in a loop cannot flood the server's logs.
	MaxLogLines int
	// Env is the JSON text of the tenant's settings env, given to scripts as a deeply frozen
	// ctx.env; empty gives an empty object.
	Env []byte
}

// Program is a load-checked tenant version, ready to run events. It is safe for concurrent use.
type Program struct {
	cfg    Config
	isFunc bool
	hooks  map[string]bool
	idle   chan *runtime
}

// Compile compiles a bundle's code. The inline source map it carries makes every position
// goja reports (stack traces, errors) point at the author's own file, line and column.
func Compile(name, code string) (*goja.Program, error) {
	prog, err := goja.Compile(name, code, false)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	return prog, nil
}

// Load runs the program's module code once in a fresh runtime and checks that it exports a
// handler: a function, or an object whose hooks are functions. Only a program that passes may
// serve. The runtime of the check becomes the first warm runtime of the pool.
func Load(ctx context.Context, cfg Config) (*Program, error) {
	if cfg.Program == nil {
		return nil, errors.New("vm: no program")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxIdle <= 0 {
		cfg.MaxIdle = defaultMaxIdle
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = defaultInitTimeout
	}
	if cfg.MaxCallStack <= 0 {
		cfg.MaxCallStack = defaultMaxCallStack
	}
	if cfg.MaxLogLines <= 0 {
		cfg.MaxLogLines = defaultMaxLogPerCall
	}
	p := &Program{cfg: cfg, idle: make(chan *runtime, cfg.MaxIdle)}
	ctx, cancel := context.WithTimeout(ctx, cfg.InitTimeout)
	defer cancel()
	type created struct {
		rt  *runtime
		err error
	}
	done := make(chan created, 1)
	go func() {
		rt, err := p.newRuntime(ctx)
		done <- created{rt, err}
	}()
	var c created
	select {
	case c = <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("module initialisation did not finish within %v", cfg.InitTimeout)
	}
	if c.err != nil {
		return nil, c.err
	}
	p.isFunc = c.rt.fn != nil
	p.hooks = make(map[string]bool, len(c.rt.hooks))
	for name := range c.rt.hooks {
		p.hooks[name] = true
	}
	p.put(c.rt)
	return p, nil
}

// Tenant is the tenant the program belongs to.
func (p *Program) Tenant() string { return p.cfg.Tenant }

// Version is the program's version id.
func (p *Program) Version() string { return p.cfg.Version }

// Hooks lists the hooks the program exports, or nil for a function export.
func (p *Program) Hooks() []string {
	if p.isFunc {
		return nil
	}
	var out []string
	for _, name := range hookNames() {
		if p.hooks[name] {
			out = append(out, name)
		}
	}
	return out
}

// HookFor says which hook handles an event (SPEC §3): a function export handles every event;
// an object export routes CALL_ACTION by callStatus to onCallReceived / onActionCompleted, else
// to onCallAction, and the other event types to their own hook. ok is false when nothing in the
// program handles the event.
func (p *Program) HookFor(eventType, callStatus string) (hook string, ok bool) {
	if p.isFunc {
		return hookFunctionExport, true
	}
	switch eventType {
	case webhook.CallAction:
		switch {
		case callStatus == webhook.StatusCallReceived && p.hooks[HookCallReceived]:
			return HookCallReceived, true
		case callStatus == webhook.StatusActionCompleted && p.hooks[HookActionCompleted]:
			return HookActionCompleted, true
		case p.hooks[HookCallAction]:
			return HookCallAction, true
		}
		return "", false
	case webhook.SessionSummary:
		hook = HookSessionSummary
	case webhook.CallStatus:
		hook = HookCallStatus
	case webhook.CallRecordingStatus:
		hook = HookRecordingUpload
	case webhook.VirtualNumberUpdate:
		hook = HookNumbersUpdated
	default:
		return "", false
	}
	return hook, p.hooks[hook]
}

// get hands out a warm runtime, or nil when the pool is empty.
func (p *Program) get() *runtime {
	select {
	case rt := <-p.idle:
		return rt
	default:
		return nil
	}
}

// put returns a clean runtime to the pool, dropping it when the pool is full.
func (p *Program) put(rt *runtime) {
	rt.vm.ClearInterrupt()
	select {
	case p.idle <- rt:
	default:
	}
}

// suggestHook names the hook an unknown "on…" export was probably meant to be.
func suggestHook(name string) string {
	best, bestDist := "", 4
	for _, h := range hookNames() {
		if d := editDistance(strings.ToLower(name), strings.ToLower(h)); d < bestDist {
			best, bestDist = h, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// resolveHandler finds the handler among the bundle's exports: an ES module's default export,
// else its named exports, else CommonJS module.exports.
func resolveHandler(vm *goja.Runtime) (fn goja.Callable, this goja.Value, hooks map[string]goja.Callable, err error) {
	exports := vm.Get(bundle.ExportsGlobal)
	const want = "the entry must export a handler: a function, or an object with hooks such as onCallReceived"
	if exports == nil || goja.IsUndefined(exports) || goja.IsNull(exports) {
		return nil, nil, nil, errors.New(want)
	}
	handler := exports
	if obj, ok := exports.(*goja.Object); ok {
		if def := obj.Get("default"); def != nil && !goja.IsUndefined(def) && !goja.IsNull(def) {
			handler = def
		}
	}
	if f, ok := goja.AssertFunction(handler); ok {
		return f, goja.Undefined(), nil, nil
	}
	obj, ok := handler.(*goja.Object)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%s (it exports a %s)", want, handler.ExportType())
	}
	hooks = make(map[string]goja.Callable)
	known := make(map[string]bool)
	for _, name := range hookNames() {
		known[name] = true
		v := obj.Get(name)
		if v == nil || goja.IsUndefined(v) {
			continue
		}
		f, ok := goja.AssertFunction(v)
		if !ok {
			return nil, nil, nil, fmt.Errorf("hook %s must be a function", name)
		}
		hooks[name] = f
	}
	for _, key := range obj.Keys() {
		if known[key] || !strings.HasPrefix(key, "on") {
			continue
		}
		if _, isFn := goja.AssertFunction(obj.Get(key)); !isFn {
			continue
		}
		if s := suggestHook(key); s != "" {
			return nil, nil, nil, fmt.Errorf("unknown hook %s: did you mean %s?", key, s)
		}
		return nil, nil, nil, fmt.Errorf("unknown hook %s: the hooks are %s", key, strings.Join(func() []string { a := hookNames(); return a[:] }(), ", "))
	}
	if len(hooks) == 0 {
		return nil, nil, nil, errors.New(want)
	}
	return nil, obj, hooks, nil
}
