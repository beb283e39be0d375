// Package vm runs one tenant version's bundled program in pooled goja runtimes.
//
// A runtime has run exactly one program (a tenant version's bundle) once, at creation, and
// afterwards only ever calls that program's handler: no other code enters it. Every call runs
// under a deadline on a goroutine of its own, so that even a native call goja cannot interrupt
// (a huge String.prototype.repeat, a catastrophic regular expression) cannot hold up the answer;
// a runtime that was interrupted, overran its deadline or panicked is thrown away, never reused.
package vm

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dop251/goja"
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

// numHooks is the number of hooks an object export may define.
const numHooks = 7

// hookNames lists every hook in a fixed order; it is a function so that no package-level
// slice can be mutated.
func hookNames() [numHooks]string {
	return [numHooks]string{HookCallReceived, HookActionCompleted, HookCallAction, HookSessionSummary,
		HookCallStatus, HookRecordingUpload, HookNumbersUpdated}
}

// Config describes the program to load.
type Config struct {
	Tenant, Version string
	// Program is the compiled bundle (see Compile); it is shared by every runtime of the version.
	Program *goja.Program
	// SDK is the compiled "callscript" module (bundle.BuildSDK), run in each runtime before
	// Program, whose imports of the module read it; nil for a program that imports nothing.
	SDK *goja.Program
	// Logger receives console output and script log lines; nil discards them.
	Logger *slog.Logger
	// MaxIdle bounds the warm runtimes kept between calls (default 4).
	MaxIdle int
	// Idle bounds the warm runtimes kept across programs (nil: only MaxIdle bounds them).
	Idle *IdleRuntimes
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
	hooks  hookSet    // the handler's, as the load check found it
	idle   []*runtime // warm runtimes, the most recently used last; guarded by cfg.Idle
	inIdle *list.Element
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
// serve.
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
	if cfg.Idle == nil {
		cfg.Idle = NewIdleRuntimes(cfg.MaxIdle)
	}
	p := &Program{cfg: cfg}
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
	p.hooks = c.rt.handler.hooks
	// The check's runtime is not kept: with thousands of tenants, a warm runtime for each, most
	// of them idle, would cost hundreds of megabytes. The first event creates one (the module
	// runs again, well within its budget) and the pool keeps it from then on.
	return p, nil
}

// Tenant is the tenant the program belongs to.
func (p *Program) Tenant() string { return p.cfg.Tenant }

// Version is the program's version id.
func (p *Program) Version() string { return p.cfg.Version }

// Hooks lists the hooks the program exports, or nil for a function export.
func (p *Program) Hooks() []string { return p.hooks.names() }

// HookFor says which hook handles an event (SPEC §3): a function export handles every event;
// an object export routes CALL_ACTION by callStatus to onCallReceived / onActionCompleted, else
// to onCallAction, and the other event types to their own hook. ok is false when nothing in the
// program handles the event.
func (p *Program) HookFor(eventType, callStatus string) (hook string, ok bool) {
	return p.hooks.hookFor(eventType, callStatus)
}

// get hands out a warm runtime, or nil when the pool is empty.
func (p *Program) get() *runtime { return p.cfg.Idle.take(p) }

// put returns a clean runtime to the pool, dropping it when the pool is full.
func (p *Program) put(rt *runtime) {
	rt.vm.ClearInterrupt()
	p.cfg.Idle.keep(p, rt)
}

// Retire gives up the program's warm runtimes: its version will not serve again. A call
// still running keeps its runtime and returns it afterwards.
func (p *Program) Retire() { p.cfg.Idle.drop(p) }
