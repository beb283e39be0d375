package scripttest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"time"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/internal/jsfunc"
	"github.com/callscript/callscript/engine/sdk"
	"github.com/callscript/callscript/engine/vm"
)

// hostGlobal is the global through which "callscript/test" reaches the runner.
const hostGlobal = "__callscript_test_host"

// Bounds of one test file's runtime, as the engine's runtimes have them.
const (
	maxCallStack    = 2000 // frames, the engine's default
	maxLogLines     = 1000 // per test; the rest are counted
	maxLogMessage   = 8 << 10
	unsettledReason = "its promise never settles: it awaits something that nothing resolves (a mocked fetch that never answers?)"
)

// registered is a test the file registered with test().
type registered struct {
	name    string
	fn      goja.Callable
	pos     Position
	timeout time.Duration // 0: Options.Timeout
	mode    string        // "", "skip" or "only"
}

// tag is what "callscript/test" attached to an error it threw: where the failure is in the
// author's test, and further lines to show.
type tag struct {
	site   Position
	detail string
}

// fileRun is one test file's runtime and what its host functions share. It is used by one
// goroutine; only interrupts come from others.
type fileRun struct {
	t         *tenantUnderTest
	b         *bundle.Bundle
	vm        *goja.Runtime
	parse     goja.Callable // JSON.parse before any author code ran
	stringify goja.Callable // JSON.stringify, likewise
	shared    vm.Shared     // ctx.log, ctx.env and ctx.fetch (the global fetch)
	fetchImpl goja.Callable // set by "callscript/test"
	// tenantHandler is the module namespace of the tenant's entry: the handler simulateCall
	// runs when the test names none. Nil until the file's module code has run.
	tenantHandler goja.Value
	reset         goja.Callable // set by "callscript/test": called before each test

	tests   []*registered
	running bool // a test is running: test() may not be called now
	tags    map[*goja.Object]tag
	// rejected holds the promises rejected with nothing to handle them, during one test.
	rejected map[*goja.Promise]bool

	clockAt *time.Time // the stopped clock's time; nil when the clock runs on real time
	logs    []logLine  // the current test's lines
	dropped int
}

// logLine is one line written through console or ctx.log.
type logLine struct {
	level   string
	message string
	fields  string // JSON, or ""
	source  string // the author's file:line, or ""
}

func (l logLine) String() string {
	s := l.level + ": " + l.message
	if l.source != "" {
		s = l.source + ": " + s
	}
	if l.fields != "" {
		s += " " + l.fields
	}
	return s
}

// runnerEntry is the entry of a test file's bundle: a module the runner adds to the tenant's
// files, which loads "callscript/test", then the tenant's entry (whose exports become the
// handler that simulateCall() uses by default), then the test file. A dot-file, it can be
// the name of no file ReadSource reads; its name marks it as a test file for the bundler.
const runnerEntry = ".callscript-runner.test.js"

// runnerSource is the tenant snapshot with the runner's entry for the test file name added.
func runnerSource(src *bundle.Source, name string) *bundle.Source {
	entry, _ := src.Entry()
	files := maps.Clone(src.Files)
	files[runnerEntry] = []byte(fmt.Sprintf("import %q;\nexport * as handler from %q;\nimport %q;\n",
		sdk.TestModuleName, "./"+entry, "./"+name))
	return &bundle.Source{Files: files}
}

// runFile bundles the test file name of the tenant snapshot src and runs its tests.
func runFile(ctx context.Context, t *tenantUnderTest, src *bundle.Source, name string, opts Options) FileResult {
	res := FileResult{File: name}
	b, err := bundle.Build(ctx, runnerSource(src, name), runnerEntry)
	if err != nil {
		res.Problems = bundleProblems(err)
		return res
	}
	prog, err := vm.Compile(bundle.ProgramName, b.Code)
	if err != nil {
		res.Problems = []engine.Problem{{File: name, Message: err.Error()}}
		return res
	}
	f, err := newFileRun(t, b)
	if err != nil {
		res.Problems = []engine.Problem{{File: name, Message: err.Error()}}
		return res
	}
	stop := context.AfterFunc(ctx, func() { f.vm.Interrupt(ctx.Err()) })
	defer stop()

	if failure := f.runModule(prog, opts.Timeout); failure != nil {
		res.Problems = []engine.Problem{failure.problem(name)}
		return res
	}
	only := false
	for _, r := range f.tests {
		only = only || r.mode == "only"
	}
	for _, r := range f.tests {
		if opts.Match != nil && !opts.Match.MatchString(r.name) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		if r.mode == "skip" || (only && r.mode != "only") {
			res.Tests = append(res.Tests, TestResult{Name: r.name, Pos: r.pos, Outcome: Skipped})
			continue
		}
		timeout := r.timeout
		if timeout <= 0 {
			timeout = opts.Timeout
		}
		res.Tests = append(res.Tests, f.runTest(r, timeout))
	}
	return res
}

// problem turns a failure of the module code into a problem of the file.
func (fl *Failure) problem(file string) engine.Problem {
	p := engine.Problem{File: fl.Pos.File, Line: fl.Pos.Line, Column: fl.Pos.Column, Message: fl.Message}
	if p.File == "" {
		p.File = file
	}
	return p
}

// newFileRun creates the runtime of a test file, with the engine's globals and the host
// object of "callscript/test".
func newFileRun(t *tenantUnderTest, b *bundle.Bundle) (*fileRun, error) {
	rt := goja.New()
	rt.SetMaxCallStackSize(maxCallStack)
	vm.InstallLimits(rt) // the server's bounds on built-ins, so a test fails where the server would
	f := &fileRun{t: t, b: b, vm: rt, tags: make(map[*goja.Object]tag)}
	rt.SetTimeSource(f.now)
	rt.SetPromiseRejectionTracker(f.trackRejection)
	jsonObj := rt.Get("JSON").ToObject(rt)
	f.parse, _ = goja.AssertFunction(jsonObj.Get("parse"))
	f.stringify, _ = goja.AssertFunction(jsonObj.Get("stringify"))
	f.shared.Log = vm.InstallConsole(rt, f.stringify, f.write)
	f.shared.Fetch = jsfunc.New(rt, "fetch", 1, f.fetchGlobal)
	if err := rt.Set("fetch", f.shared.Fetch); err != nil {
		return nil, err
	}
	env, err := f.t.settings.EnvJSON()
	if err == nil {
		f.shared.Env, err = vm.FrozenEnv(rt, f.parse, env)
	}
	if err != nil {
		return nil, fmt.Errorf("tenant.json: %w", err)
	}
	if err := vm.InstallSDK(rt, t.sdk); err != nil {
		return nil, err
	}
	host := f.newHost()
	if err := rt.GlobalObject().DefineDataProperty(hostGlobal, host, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		return nil, err
	}
	return f, nil
}

// now is the runtime's clock: Date.now(), new Date() and Date().
func (f *fileRun) now() time.Time {
	if f.clockAt != nil {
		return *f.clockAt
	}
	return time.Now()
}

func (f *fileRun) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	if f.rejected == nil {
		return
	}
	switch op {
	case goja.PromiseRejectionReject:
		f.rejected[p] = true
	case goja.PromiseRejectionHandle:
		delete(f.rejected, p)
	}
}

// errTimeout is what a test's interrupt carries.
var errTimeout = errors.New("test timeout")

// runModule runs the test file's module code, which registers its tests.
func (f *fileRun) runModule(prog *goja.Program, timeout time.Duration) (failure *Failure) {
	disarm := f.arm(timeout)
	defer disarm()
	defer func() {
		if r := recover(); r != nil {
			failure = &Failure{Message: fmt.Sprintf("internal error in the script runtime: %v", r)}
		}
	}()
	_, err := f.vm.RunProgram(prog)
	if err != nil {
		fl := f.failureOf(err, timeout)
		fl.Message = "the file's top-level code failed: " + fl.Message
		return fl
	}
	if exports, ok := f.vm.Get(bundle.ExportsGlobal).(*goja.Object); ok {
		f.tenantHandler = exports.Get("handler")
	}
	return nil
}

// arm interrupts the runtime after timeout; the returned function disarms it, and must be
// called before the runtime runs anything else.
func (f *fileRun) arm(timeout time.Duration) (disarm func()) {
	fired := make(chan struct{})
	timer := time.AfterFunc(timeout, func() {
		f.vm.Interrupt(errTimeout)
		close(fired)
	})
	return func() {
		if !timer.Stop() {
			<-fired
		}
		f.vm.ClearInterrupt()
	}
}

// runTest runs one test to its end, its timeout, or the end of the run.
func (f *fileRun) runTest(r *registered, timeout time.Duration) (res TestResult) {
	res = TestResult{Name: r.name, Pos: r.pos, Outcome: Passed}
	f.logs, f.dropped = nil, 0
	clear(f.tags)
	f.rejected = make(map[*goja.Promise]bool)
	start := time.Now()
	defer func() {
		res.Duration = time.Since(start)
		if f.dropped > 0 {
			f.logs = append(f.logs, logLine{level: "warn", message: fmt.Sprintf("%d more log lines were dropped (at most %d per test)", f.dropped, maxLogLines)})
		}
		for _, l := range f.logs {
			res.Logs = append(res.Logs, l.String())
		}
		f.rejected = nil
		if res.Failure != nil {
			res.Outcome = Failed
			if res.Failure.Pos.File == "" {
				res.Failure.Pos = r.pos
			}
		}
	}()
	disarm := f.arm(timeout)
	defer disarm()
	defer func() {
		if p := recover(); p != nil {
			res.Failure = &Failure{Message: fmt.Sprintf("internal error in the script runtime: %v", p)}
		}
	}()

	if f.reset != nil {
		if _, err := f.reset(goja.Undefined()); err != nil {
			res.Failure = f.failureOf(err, timeout)
			return res
		}
	}
	f.running = true
	value, err := r.fn(goja.Undefined())
	f.running = false
	if err != nil {
		res.Failure = f.failureOf(err, timeout)
		return res
	}
	// goja has run every promise job by the time the call returns; nothing of the test
	// runtime works off the VM, so a promise still pending now never settles.
	if obj, ok := value.(*goja.Object); ok {
		if p, ok := obj.Export().(*goja.Promise); ok {
			delete(f.rejected, p)
			switch p.State() {
			case goja.PromiseStatePending:
				res.Failure = &Failure{Message: "the test did not finish: " + unsettledReason}
				return res
			case goja.PromiseStateRejected:
				res.Failure = f.failureOfValue(p.Result())
				return res
			}
		}
	}
	for p := range f.rejected {
		fl := f.failureOfValue(p.Result())
		fl.Message = "a promise was rejected and nothing awaited it (a missing await?): " + fl.Message
		res.Failure = fl
		return res
	}
	return res
}

// failureOf describes an error a call into the runtime returned.
func (f *fileRun) failureOf(err error, timeout time.Duration) *Failure {
	var interrupted *goja.InterruptedError
	if errors.As(err, &interrupted) {
		fl := &Failure{Message: fmt.Sprintf("timed out after %v (an endless loop?)", timeout)}
		if v, ok := interrupted.Value().(error); ok && !errors.Is(v, errTimeout) {
			fl.Message = "stopped: " + v.Error()
		}
		fl.Pos, fl.Detail = f.authorFrames(interrupted.Stack())
		return fl
	}
	var overflow *goja.StackOverflowError
	if errors.As(err, &overflow) {
		fl := &Failure{Message: "RangeError: Maximum call stack size exceeded (endless recursion?)"}
		fl.Pos, fl.Detail = f.authorFrames(overflow.Stack())
		return fl
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return f.failureOfValue(ex.Value())
	}
	return &Failure{Message: err.Error()}
}

// failureOfValue describes a thrown value or a rejection reason.
func (f *fileRun) failureOfValue(v goja.Value) *Failure {
	fl := &Failure{Message: f.describeError(v)}
	obj, ok := v.(*goja.Object)
	if !ok {
		return fl
	}
	if t, ok := f.tags[obj]; ok {
		fl.Pos, fl.Detail = t.site, t.detail
		return fl
	}
	fl.Pos, fl.Detail = f.locateStack(stackText(obj))
	return fl
}

// describeError renders a thrown value as the author would print it: "TypeError: x is not a
// function", or the value itself.
func (f *fileRun) describeError(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined was thrown"
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return "Uncaught " + v.String()
	}
	if name, msg := obj.Get("name"), obj.Get("message"); msg != nil && !goja.IsUndefined(msg) {
		if name != nil && !goja.IsUndefined(name) && name.String() != "AssertionError" && name.String() != "StepError" {
			return name.String() + ": " + msg.String()
		}
		return msg.String()
	}
	return "Uncaught " + vm.Format(v, f.stringify)
}

// stackRE matches one frame of a goja stack: "at fn (file:line:col(pc))" or
// "at file:line:col(pc)".
var stackRE = regexp.MustCompile(`at (?:([^\s(]+) \()?([^\s()]+):(\d+):(\d+)`)
