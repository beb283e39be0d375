package vm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/fetch"
	"github.com/callscript/callscript/engine/sdk"
	"github.com/callscript/callscript/engine/webhook"
)

// runtime is one goja runtime that has run its program's module code. It belongs to one
// goroutine at a time: the pool hands it to exactly one call.
type runtime struct {
	vm        *goja.Runtime
	handler   *Handler
	parse     goja.Callable // JSON.parse as it was before any author code ran
	stringify goja.Callable // JSON.stringify, likewise
	shared    Shared        // ctx.log, ctx.env and ctx.fetch (the global fetch function)
	loop      eventLoop
	call      *callState // the call in progress, nil between calls
}

// callState is what the host functions of a runtime need to know about the call in progress.
type callState struct {
	ctx      context.Context
	deadline time.Time
	logger   *slog.Logger
	logAttrs []slog.Attr // added to every line
	logLines int
	dropped  int
	maxLines int
	fetcher  Fetcher // nil: fetch rejects
	fetches  int     // fetch calls made by this call so far
}

// Fetcher performs a script's fetch under its tenant's policy (engine/fetch). The request
// and response types are that package's.
type Fetcher interface {
	Fetch(ctx context.Context, req *fetch.Request) (*fetch.Response, error)
}

// newRuntime creates a runtime and runs the program's module code in it, under ctx: the
// runtime is interrupted when ctx ends.
func (p *Program) newRuntime(ctx context.Context) (rt *runtime, err error) {
	vm := goja.New()
	vm.SetMaxCallStackSize(p.cfg.MaxCallStack)
	rt = &runtime{vm: vm}
	// Capture the JSON functions before author code can replace them: the host relies on them
	// to hand the event in and to read the answer out.
	jsonObj := vm.Get("JSON").ToObject(vm)
	rt.parse, _ = goja.AssertFunction(jsonObj.Get("parse"))
	rt.stringify, _ = goja.AssertFunction(jsonObj.Get("stringify"))
	rt.installLimits()
	rt.shared.Log = InstallConsole(vm, rt.stringify, rt.writeLine)
	rt.installFetch()
	rt.loop.init()
	if rt.shared.Env, err = FrozenEnv(vm, rt.parse, p.cfg.Env); err != nil {
		return nil, err
	}

	stop := context.AfterFunc(ctx, func() { vm.Interrupt(ctx.Err()) })
	defer stop()
	// Lines logged by the module's top-level code go to the program's logger.
	rt.call = &callState{ctx: ctx, logger: p.cfg.Logger, maxLines: p.cfg.MaxLogLines}
	created := rt
	defer func() { created.call = nil }()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("module initialisation crashed: %v", r)
		}
	}()
	if err := InstallSDK(vm, p.cfg.SDK); err != nil {
		return nil, err
	}
	if _, err := vm.RunProgram(p.cfg.Program); err != nil {
		return nil, fmt.Errorf("module initialisation failed: %w", scriptErrorOf(err))
	}
	if rt.handler, err = ResolveHandler(vm.Get(bundle.ExportsGlobal)); err != nil {
		return nil, err
	}
	return rt, nil
}

// InstallSDK gives rt the "callscript" module (sdk.Install) from its compiled program (see
// bundle.SDKProgram), before any tenant program, whose imports of the module read it. A nil
// program does nothing.
func InstallSDK(rt *goja.Runtime, program *goja.Program) error {
	if program == nil {
		return nil
	}
	if err := sdk.Install(rt, program); err != nil {
		return fmt.Errorf("the callscript module failed to start: %w", scriptErrorOf(err))
	}
	return nil
}

// Call is one event for the program's handler.
type Call struct {
	// Hook is the hook to call, from HookFor ("" for a function export).
	Hook string
	// Event is the webhook body exactly as posted; the handler sees it through JSON.parse.
	Event []byte
	// EventMembers are Event's top-level members as webhook.Parse found them, which spares
	// the event a second scan; nil: Event is scanned (and must be a JSON object).
	EventMembers []webhook.Member
	// Context holds the members of the handler's ctx argument.
	Context Context
	// Deadline is when the script must have finished; it is interrupted then.
	Deadline time.Time
	// Answer asks for the handler's return value (CALL_ACTION); other hooks' values are ignored.
	Answer bool
	// Logger receives console output, with LogAttrs (the tenant, version and event ids) added
	// to every line.
	Logger   *slog.Logger
	LogAttrs []slog.Attr
	// Session is the JSON text of the call's ctx.session object; nil starts an empty one.
	Session []byte
	// SessionLimit bounds the JSON size of ctx.session after the handler (0: no session is
	// read back).
	SessionLimit int
	// Fetch performs the script's fetch calls; nil makes every fetch reject.
	Fetch Fetcher
	// Gate is the tenant's fair share of execution slots; nil runs without a bound.
	Gate *Gate
	// Guard stops the script if the process nears its memory limit while it runs; nil: no guard.
	Guard *MemoryGuard
	// Workers runs the call; nil runs it on a new goroutine.
	Workers *Workers
}

// Result is the outcome of one call.
type Result struct {
	// JSON is JSON.stringify of the returned value when Call.Answer was set; nil when the
	// handler returned undefined or null (or a value JSON cannot represent).
	JSON []byte
	// Err is nil, a *ScriptError, or an error wrapping ErrDeadline.
	Err error
	// Session is the JSON text of ctx.session after the handler returned, and SessionChanged
	// whether it differs from Call.Session. Both are unset when the handler failed.
	Session        []byte
	SessionChanged bool
	// Waited is how long the event waited for an execution slot of its tenant.
	Waited time.Duration
}

// ErrDeadline reports a script still running when its deadline came.
var ErrDeadline = errors.New("the script was still running at its deadline")

// Run runs one event through the handler and waits for it, but never past the call's
// deadline: a script that has not finished by then is interrupted, its runtime discarded, and
// Run returns an error wrapping ErrDeadline at once.
func (p *Program) Run(ctx context.Context, c Call) Result {
	if c.Logger == nil {
		c.Logger = p.cfg.Logger
	}
	runCtx := ctx
	if d, ok := ctx.Deadline(); !ok || d.After(c.Deadline) { // else ctx ends in time: no second timer
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, c.Deadline)
		defer cancel()
	}
	done := make(chan Result, 1)
	c.Workers.Go(func() { done <- p.runOn(runCtx, c) })
	select {
	case res := <-done:
		return res
	case <-runCtx.Done():
	}
	// The interrupt has been sent (runOn arms it on the same context). Give the runtime a moment
	// to return, so the error can say where the script was; a native call that does not come back
	// is abandoned, and its runtime with it.
	grace := time.NewTimer(10 * time.Millisecond)
	defer grace.Stop()
	select {
	case res := <-done:
		return res
	case <-grace.C:
		return Result{Err: deadlineError(ctx, c.Deadline, nil)}
	}
}

// runOn runs the call on a runtime from the pool (or a new one) on the current goroutine,
// holding one of the tenant's execution slots while JavaScript runs.
func (p *Program) runOn(ctx context.Context, c Call) (res Result) {
	held, waited, err := c.Gate.acquire(ctx)
	if err != nil {
		if errors.Is(err, ErrOverloaded) {
			return Result{Err: ErrOverloaded, Waited: waited}
		}
		return Result{Err: deadlineError(ctx, c.Deadline, nil), Waited: waited}
	}
	holding := true
	defer func() {
		if holding {
			c.Gate.release(held)
		}
	}()
	defer func() { res.Waited = waited }()
	rt := p.get()
	interrupted := false
	defer func() {
		if r := recover(); r != nil {
			res = Result{Err: &ScriptError{Message: fmt.Sprintf("internal error in the script runtime: %v", r)}}
			return
		}
		if rt != nil && !interrupted && ctx.Err() == nil {
			rt.call = nil
			p.put(rt)
		}
	}()
	if rt == nil {
		var err error
		rt, err = p.newRuntime(ctx)
		if err != nil {
			rt = nil
			if ctx.Err() != nil {
				return Result{Err: deadlineError(ctx, c.Deadline, err)}
			}
			return Result{Err: err}
		}
	}
	c.Guard.enter(rt, p.cfg.Tenant)
	defer c.Guard.leave(rt)
	stop := context.AfterFunc(ctx, func() { rt.vm.Interrupt(ErrDeadline) })
	defer func() {
		if !stop() {
			interrupted = true // the interrupt fired or is firing: this runtime is not reused
		}
	}()
	rt.call = &callState{ctx: ctx, deadline: c.Deadline, logger: c.Logger, logAttrs: c.LogAttrs, maxLines: p.cfg.MaxLogLines, fetcher: c.Fetch}
	// While the handler awaits host work, its slot is free for the tenant's other events.
	rt.loop.yield = func() { c.Gate.release(held); holding = false }
	rt.loop.resume = func() error {
		h, err := c.Gate.reacquire(ctx)
		if err != nil {
			return err
		}
		held, holding = h, true
		return nil
	}
	defer rt.flushDroppedLogs()

	out, session, err := rt.invoke(ctx, c)
	if err != nil {
		var se *ScriptError
		if errors.As(err, &se) && se.interrupted {
			interrupted = true
			return Result{Err: deadlineError(ctx, c.Deadline, se)}
		}
		if errors.As(err, &se) && se.fatal {
			interrupted = true // stack overflow and the like leave the runtime in doubt
		}
		return Result{Err: err}
	}
	res = Result{JSON: out}
	if c.SessionLimit > 0 {
		res.Session = session
		res.SessionChanged = c.Session == nil || string(session) != string(c.Session)
	}
	return res
}

// invoke calls the handler, settles its promise, and serialises the answer and ctx.session.
func (rt *runtime) invoke(ctx context.Context, c Call) (answer, session []byte, err error) {
	var event goja.Value
	if c.EventMembers != nil {
		event = lazyObjectOf(rt.vm, c.Event, c.EventMembers)
	} else if event, err = DecodeEvent(rt.vm, c.Event); err != nil {
		return nil, nil, fmt.Errorf("the event is not valid JSON: %w", scriptErrorOf(err))
	}
	var state goja.Value // no ctx.session
	if c.SessionLimit > 0 {
		state = rt.vm.NewObject()
		if c.Session != nil {
			if state, err = decodeJSON(rt.vm, c.Session); err != nil {
				return nil, nil, fmt.Errorf("the stored session is not valid JSON: %w", scriptErrorOf(err))
			}
		}
	}
	fn, ok := rt.handler.hookFunc(c.Hook)
	if !ok {
		return nil, nil, &ScriptError{Message: fmt.Sprintf("the script has no %s hook", c.Hook)}
	}
	value, ctxObj, err := rt.shared.Invoke(rt.vm, fn.call, rt.handler.this, event, c.Context, c.Deadline, state)
	if err != nil {
		return nil, nil, scriptErrorOf(err)
	}
	value, err = rt.loop.settle(ctx, rt.vm, value)
	if err != nil {
		return nil, nil, err
	}
	if c.SessionLimit > 0 {
		if session, err = SessionJSON(ctxObj.Get("session"), rt.stringify, c.SessionLimit); err != nil {
			return nil, nil, err
		}
	}
	if !c.Answer || value == nil || goja.IsUndefined(value) || goja.IsNull(value) {
		return nil, session, nil
	}
	text, ok, err := stringifyJSON(value, rt.stringify)
	if err != nil {
		return nil, nil, fmt.Errorf("the returned value cannot be turned into JSON: %w", scriptErrorOf(err))
	}
	if !ok {
		return nil, session, nil
	}
	return text, session, nil
}

// deadlineError describes a call cut at its deadline, keeping where the script was if known.
// It unwraps to ErrDeadline.
func deadlineError(ctx context.Context, deadline time.Time, cause error) error {
	out := &ScriptError{interrupted: true, Message: ErrDeadline.Error() + " (an endless loop, or waiting too long?)"}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		out.Message = ErrDeadline.Error() + ": the request was cancelled"
	}
	var se *ScriptError
	if errors.As(cause, &se) {
		out.File, out.Line, out.Column, out.Stack = se.File, se.Line, se.Column, se.Stack
	}
	return out
}
