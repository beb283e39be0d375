package vm_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/vm"
	"github.com/callscript/callscript/engine/webhook"
)

// eval runs JavaScript in rt and returns its value.
func eval(t *testing.T, rt *goja.Runtime, code string) goja.Value {
	t.Helper()
	v, err := rt.RunString(code)
	if err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	return v
}

func TestResolveHandlerRoutes(t *testing.T) {
	tests := []struct {
		name, exports            string
		eventType, callStatus    string
		wantHook                 string
		wantOK                   bool
		wantThisIsTheHooksObject bool
	}{
		{"function gets everything", `(function () {})`, webhook.SessionSummary, "", "", true, false},
		{"default export", `({ default: { onCallReceived() {} } })`, webhook.CallAction, webhook.StatusCallReceived, vm.HookCallReceived, true, true},
		{"received", `({ onCallReceived() {}, onCallAction() {} })`, webhook.CallAction, webhook.StatusCallReceived, vm.HookCallReceived, true, true},
		{"completed falls back to onCallAction", `({ onCallReceived() {}, onCallAction() {} })`, webhook.CallAction, webhook.StatusActionCompleted, vm.HookCallAction, true, true},
		{"no hook for the call", `({ onSessionSummary() {} })`, webhook.CallAction, webhook.StatusCallReceived, "", false, false},
		{"summary", `({ onCallAction() {}, onSessionSummary() {} })`, webhook.SessionSummary, "", vm.HookSessionSummary, true, true},
		{"no summary hook", `({ onCallAction() {} })`, webhook.SessionSummary, "", vm.HookSessionSummary, false, false},
		{"unknown event", `({ onCallAction() {} })`, "SOMETHING_NEW", "", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := goja.New()
			exports := eval(t, rt, tt.exports)
			h, err := vm.ResolveHandler(exports)
			if err != nil {
				t.Fatal(err)
			}
			hook, ok := h.HookFor(tt.eventType, tt.callStatus)
			if hook != tt.wantHook || ok != tt.wantOK {
				t.Fatalf("HookFor = %q, %v; want %q, %v", hook, ok, tt.wantHook, tt.wantOK)
			}
			if !ok {
				return
			}
			fn, this, found := h.Func(hook)
			if _, isFn := goja.AssertFunction(fn); !found || !isFn {
				t.Fatalf("Func(%q) = %v, %v", hook, fn, found)
			}
			_, isObject := this.(*goja.Object)
			if isObject != tt.wantThisIsTheHooksObject {
				t.Errorf("this is %v", this)
			}
		})
	}
}

func TestResolveHandlerErrors(t *testing.T) {
	tests := []struct{ exports, want string }{
		{`undefined`, "the entry must export a handler: a function, or an object with hooks such as onCallReceived (got undefined)"},
		{`42`, "the entry must export a handler"},
		{`({ helper: 1 })`, "(got an object without hooks)"},
		{`({ default: null, x: 1 })`, "(got an object without hooks)"},
		{`({ onCallReceived: "say hi" })`, "hook onCallReceived must be a function, got a string"},
		{`({ onCallReceived() {}, onCallRecieved() {} })`, "unknown hook onCallRecieved: did you mean onCallReceived?"},
		{`({ onCallAction() {}, onEverything() {} })`, "unknown hook onEverything: the hooks are onCallReceived, onActionCompleted"},
	}
	for _, tt := range tests {
		rt := goja.New()
		_, err := vm.ResolveHandler(eval(t, rt, tt.exports))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.exports, err, tt.want)
		}
	}
}

func TestEventContextAndNewContext(t *testing.T) {
	ev, err := webhook.Parse([]byte(`{"eventType":"CALL_ACTION","payload":{"eventId":"e1","sessionId":"s1","callStatus":"ACTION_COMPLETED","eventData":{"dtmf":"42"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	rt := goja.New()
	log := rt.NewObject()
	shared := vm.Shared{Log: log, Env: eval(t, rt, `Object.freeze({A: 1})`), Fetch: eval(t, rt, `(function fetch() {})`)}
	ctx := shared.NewContext(rt, vm.EventContext("acme", "v1", ev), time.Now().Add(time.Minute), nil)
	_ = rt.Set("ctx", ctx)
	got := eval(t, rt, `JSON.stringify([ctx.tenant, ctx.version, ctx.eventId, ctx.sessionId, ctx.callId, ctx.dtmf, ctx.clientActionId, ctx.env, ctx.deadline > 59000 && ctx.deadline <= 60000, typeof ctx.fetch])`).String()
	if want := `["acme","v1","e1","s1",null,"42",null,{"A":1},true,"function"]`; got != want {
		t.Errorf("ctx = %s, want %s", got, want)
	}
	if ctx.Get("log") != log {
		t.Error("ctx.log is not the shared log")
	}
	// Author code that replaces built-ins does not change how the next ctx is made.
	eval(t, rt, `Object.defineProperty(Object.prototype, "tenant", { set() { throw new Error("tampered") } }); Math.max = () => -1`)
	if got := shared.NewContext(rt, vm.EventContext("acme", "v1", ev), time.Now(), nil).Get("tenant").String(); got != "acme" {
		t.Fatalf("after tampering: ctx.tenant = %q", got)
	}
}

// TestContextBehavesAsAnObject: a ctx is made lazily by the host, but a script reads, lists,
// changes and extends it as a plain object; ctx.deadline counts down to its own call's
// deadline, also when the ctx is kept after the call.
func TestContextBehavesAsAnObject(t *testing.T) {
	ev, err := webhook.Parse([]byte(`{"eventType":"CALL_ACTION","payload":{"eventId":"e1","sessionId":"s1","callStatus":"ACTION_COMPLETED"}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, script, want string }{
		{"keys", `Object.keys(ctx).join()`, "tenant,version,eventId,sessionId,callId,dtmf,clientActionId,log,env,fetch,session,deadline"},
		{"keys without a session", `Object.keys(bare).includes("session") + " " + ("session" in bare) + " " + bare.session`, "false false undefined"},
		{"spread and JSON", `const c = {...ctx}; c.eventId + " " + c.dtmf + " " + JSON.stringify(ctx.session) + " " + JSON.parse(JSON.stringify(ctx)).tenant`, "e1 null {\"n\":1} acme"},
		{"same value each read", `ctx.session === ctx.session && ctx.eventId === ctx.eventId`, "true"},
		{"session replaced", `ctx.session = {m: 2}; ctx.session.m`, "2"},
		{"added and deleted", `ctx.mine = 1; delete ctx.callId; Object.keys(ctx).slice(-1)[0] + ctx.mine + ("callId" in ctx)`, "mine1false"},
		{"deadline counts down", `ctx.deadline > 50000 && ctx.deadline <= 60000 && late.deadline === 0`, "true"},
		{"deadline assigned", `ctx.deadline = 5; ctx.deadline`, "5"},
		{"prototype reached", `ctx.hasOwnProperty("dtmf") + " " + (ctx instanceof Object)`, "true true"},
		{"frozen", `try { Object.freeze(ctx); "frozen" } catch (e) { e.name }`, "TypeError"},
		{"number keys first", `ctx[5] = 1; Object.keys(ctx)[0]`, "5"},
		{"defined without a value", `ctx.dtmf = "9"; Object.defineProperty(ctx, "dtmf", {}); Object.defineProperty(ctx, "x", {enumerable: true}); ctx.dtmf + " " + ("x" in ctx) + " " + ctx.x`, "9 true undefined"},
		{"many keys", `for (let i = 0; i < 40; i++) ctx["k" + i] = i; delete ctx.k3; delete ctx.eventId; Object.keys(ctx).length + " " + ctx.k20 + " " + ("k3" in ctx) + " " + ctx.k39 + " " + ctx.dtmf`, "50 20 false 39 null"},
		{"kept past a call of another tenant id", `other.tenant + " " + ctx.tenant + " " + ctx.version`, "beta acme v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := goja.New()
			shared := vm.Shared{Log: rt.NewObject(), Env: rt.NewObject(), Fetch: rt.NewObject()}
			c := vm.EventContext("acme", "v1", ev)
			session := eval(t, rt, `({n: 1})`)
			_ = rt.Set("ctx", shared.NewContext(rt, c, time.Now().Add(time.Minute), session))
			_ = rt.Set("bare", shared.NewContext(rt, c, time.Now().Add(time.Minute), nil))
			_ = rt.Set("late", shared.NewContext(rt, c, time.Now().Add(-time.Second), session))
			// A _default runtime serves many tenant ids: the ctx of an earlier call keeps its own.
			_ = rt.Set("other", shared.NewContext(rt, vm.EventContext("beta", "v2", ev), time.Now().Add(time.Minute), nil))
			if got := eval(t, rt, tt.script).String(); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.script, got, tt.want)
			}
		})
	}
}

func TestScriptDeadline(t *testing.T) {
	received := time.Unix(1000, 0)
	for budget, reserve := range map[time.Duration]time.Duration{
		2 * time.Second: 50 * time.Millisecond, 500 * time.Millisecond: 25 * time.Millisecond, 100 * time.Millisecond: 5 * time.Millisecond,
	} {
		if got := vm.ScriptDeadline(received, budget); got != received.Add(budget-reserve) {
			t.Errorf("budget %v: deadline %v after receipt, want %v", budget, got.Sub(received), budget-reserve)
		}
	}
}

func TestFrozenEnvAndSessionJSON(t *testing.T) {
	rt := goja.New()
	jsonObj := rt.Get("JSON").ToObject(rt)
	parse, _ := goja.AssertFunction(jsonObj.Get("parse"))
	stringify, _ := goja.AssertFunction(jsonObj.Get("stringify"))

	env, err := vm.FrozenEnv(rt, parse, []byte(`{"list":[1,{"a":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = rt.Set("env", env)
	if frozen := eval(t, rt, `Object.isFrozen(env) && Object.isFrozen(env.list) && Object.isFrozen(env.list[1])`); !frozen.ToBoolean() {
		t.Error("ctx.env is not deeply frozen")
	}
	if empty, err := vm.FrozenEnv(rt, parse, nil); err != nil || len(empty.ToObject(rt).Keys()) != 0 {
		t.Errorf("no env: got %v, %v; want an empty object", empty, err)
	}

	tests := []struct {
		session, want, wantErr string
		limit                  int
	}{
		{`({step: 2})`, `{"step":2}`, "", 100},
		{`[1]`, "", "TypeError: ctx.session must stay a plain object (it was replaced by an array)", 100},
		{`null`, "", "(it was replaced by null)", 100},
		{`({big: "xxxxxxxxxx"})`, "", "RangeError: ctx.session is 20 bytes of JSON, over the limit of 10 bytes", 10},
		{`(() => { const o = {}; o.o = o; return o })()`, "", "ctx.session cannot be saved as JSON: ", 100},
	}
	for _, tt := range tests {
		got, err := vm.SessionJSON(eval(t, rt, tt.session), stringify, tt.limit)
		switch {
		case tt.wantErr == "" && (err != nil || string(got) != tt.want):
			t.Errorf("%s: got %s, %v; want %s", tt.session, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: got error %v, want %q", tt.session, err, tt.wantErr)
		}
	}
}

func TestInstallConsole(t *testing.T) {
	rt := goja.New()
	stringify, _ := goja.AssertFunction(rt.Get("JSON").ToObject(rt).Get("stringify"))
	type line struct {
		level       slog.Level
		msg, fields string
	}
	var lines []line
	log := vm.InstallConsole(rt, stringify, func(level slog.Level, msg, fields string) {
		lines = append(lines, line{level, msg, fields})
	})
	_ = rt.Set("log", log)
	eval(t, rt, `console.log("a", 1, {b: [2]}, undefined); console.warn(function f() {}); console.trace("t");
log.error("failed", {code: 7}); log.info({x: 1}, "not an object")`)
	want := []line{
		{slog.LevelInfo, `a 1 {"b":[2]} undefined`, ""},
		{slog.LevelWarn, "[Function]", ""},
		{slog.LevelDebug, "t", ""},
		{slog.LevelError, "failed", `{"code":7}`},
		{slog.LevelInfo, `{"x":1}`, ""},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %v, want %v", len(lines), lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, lines[i], want[i])
		}
	}
	if got := vm.Format(eval(t, rt, `new TypeError("boom")`), stringify); !strings.HasPrefix(got, "TypeError: boom") {
		t.Errorf("an error is formatted as %q, want its stack", got)
	}
}

// TestConsoleBehavesAsAnObject: console and ctx.log make their methods when first read, but
// a script sees objects it can read, list, change and extend as usual; what a host object
// cannot do (freeze) is a TypeError, and changes to one runtime's console stay there.
func TestConsoleBehavesAsAnObject(t *testing.T) {
	tests := []struct{ name, script, want string }{
		{"console methods", `Object.keys(console).join()`, "debug,trace,log,info,warn,error"},
		{"ctx.log methods", `Object.keys(log).join()`, "debug,info,warn,error"},
		{"same function each read", `console.log === console.log && log.info === log.info`, "true"},
		{"a function", `typeof console.error + " " + console.error.length`, "function 0"},
		{"in and hasOwnProperty", `("warn" in console) + " " + Object.prototype.hasOwnProperty.call(log, "warn") + " " + ("table" in console)`, "true true false"},
		{"replaced", `console.log = (m) => "mine " + m; console.log("x")`, "mine x"},
		{"added, in order", `console.table = 1; Object.keys(console).at(-1) + console.table`, "table1"},
		{"deleted", `delete console.warn; typeof console.warn + " " + Object.keys(console).includes("warn")`, "undefined false"},
		{"prototype reached", `typeof console.hasOwnProperty + " " + String(console)`, "function [object Object]"},
		{"spread", `Object.keys({...log}).join()`, "debug,info,warn,error"},
		{"frozen", `try { Object.freeze(console); "frozen" } catch (e) { e.name }`, "TypeError"},
		{"defined without a value", `Object.defineProperty(console, "foo", {enumerable: true}); typeof console.foo + " " + typeof console.warn`, "undefined function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := goja.New()
			stringify, _ := goja.AssertFunction(rt.Get("JSON").ToObject(rt).Get("stringify"))
			_ = rt.Set("log", vm.InstallConsole(rt, stringify, func(slog.Level, string, string) {}))
			if got := eval(t, rt, tt.script).String(); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.script, got, tt.want)
			}
		})
	}
}

// TestHostFunctionsLookBuiltIn: the functions callscript gives a script are named as
// JavaScript names them (not after their Go code), with the length a built-in has, and their
// name and length are not enumerable.
func TestHostFunctionsLookBuiltIn(t *testing.T) {
	p := loadScript(t, `export default () => ({ x: [fetch, console.log, console.error, Headers.prototype.set, "".repeat, "".padStart, [].join, [].fill, Array.from]
		.map((f) => f.name + "/" + f.length + "/" + Object.keys(f).length).join(" ") });`)
	res := p.Run(context.Background(), vm.Call{Event: []byte(`{"eventType":"CALL_ACTION","payload":{}}`), Deadline: time.Now().Add(time.Second), Answer: true})
	want := `{"x":"fetch/1/0 log/0/0 error/0/0 set/2/0 repeat/1/0 padStart/1/0 join/1/0 fill/1/0 from/1/0"}`
	if res.Err != nil || string(res.JSON) != want {
		t.Errorf("got %s %v, want %s", res.JSON, res.Err, want)
	}
}

// TestStackShowsOnlyTheAuthorsFrames: the host code that builds ctx and calls the hook is not
// in the stack trace an author sees.
func TestStackShowsOnlyTheAuthorsFrames(t *testing.T) {
	p := loadScript(t, "function fail() { throw new Error(\"boom\"); }\nexport default () => fail();\n")
	res := p.Run(context.Background(), vm.Call{Event: []byte(`{"eventType":"CALL_ACTION","payload":{}}`), Deadline: time.Now().Add(time.Second), Answer: true})
	var se *vm.ScriptError
	if !errors.As(res.Err, &se) {
		t.Fatalf("got %v, want a script error", res.Err)
	}
	if strings.Contains(se.Stack, "(native)") || !strings.Contains(se.Stack, "index.js:1") {
		t.Errorf("stack:\n%s", se.Stack)
	}
}
