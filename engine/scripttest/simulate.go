package scripttest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/callflow"
	"github.com/callscript/callscript/engine/vm"
	"github.com/callscript/callscript/engine/webhook"
)

// maxShownCallflow bounds the returned JSON quoted in a failure's detail.
const maxShownCallflow = 600

// handler is a handler in the two shapes the engine accepts (SPEC §3): a function that
// receives every event, or an object of hooks.
type handler struct {
	fn    goja.Value            // the function export, or nil
	this  goja.Value            // the hooks object, `this` of a hook
	hooks map[string]goja.Value // hook name → function
}

// hookNames lists the hooks of an object export, as package vm knows them.
func hookNames() [7]string {
	return [7]string{vm.HookCallReceived, vm.HookActionCompleted, vm.HookCallAction, vm.HookSessionSummary,
		vm.HookCallStatus, vm.HookRecordingUpload, vm.HookNumbersUpdated}
}

// resolveHandler reads a handler value the way the engine reads a bundle's exports
// (vm.resolveHandler): a module namespace's default export if it has one, then a function or
// an object with at least one hook.
func (f *fileRun) resolveHandler(v goja.Value) (*handler, error) {
	const want = "the handler must be a function, or an object with hooks such as onCallReceived (pass the tenant's default export)"
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, errors.New(want + ", got " + describe(v))
	}
	if obj, ok := v.(*goja.Object); ok {
		if def := obj.Get("default"); def != nil && !goja.IsUndefined(def) && !goja.IsNull(def) {
			v = def
		}
	}
	if _, ok := goja.AssertFunction(v); ok {
		return &handler{fn: v, this: goja.Undefined()}, nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, errors.New(want + ", got " + describe(v))
	}
	h := &handler{this: obj, hooks: make(map[string]goja.Value)}
	for _, name := range hookNames() {
		hook := obj.Get(name)
		if hook == nil || goja.IsUndefined(hook) {
			continue
		}
		if _, ok := goja.AssertFunction(hook); !ok {
			return nil, fmt.Errorf("hook %s must be a function, got %s", name, describe(hook))
		}
		h.hooks[name] = hook
	}
	if len(h.hooks) == 0 {
		return nil, errors.New(want + ", got an object without hooks")
	}
	return h, nil
}

// route says which hook handles an event, by the engine's rules (vm.Program.HookFor).
func (h *handler) route(eventType, callStatus string) (string, bool) {
	if h.fn != nil {
		return "", true
	}
	var hook string
	switch eventType {
	case webhook.CallAction:
		switch {
		case callStatus == webhook.StatusCallReceived && h.hooks[vm.HookCallReceived] != nil:
			return vm.HookCallReceived, true
		case callStatus == webhook.StatusActionCompleted && h.hooks[vm.HookActionCompleted] != nil:
			return vm.HookActionCompleted, true
		case h.hooks[vm.HookCallAction] != nil:
			return vm.HookCallAction, true
		}
		return "", false
	case webhook.SessionSummary:
		hook = vm.HookSessionSummary
	case webhook.CallStatus:
		hook = vm.HookCallStatus
	case webhook.CallRecordingStatus:
		hook = vm.HookRecordingUpload
	case webhook.VirtualNumberUpdate:
		hook = vm.HookNumbersUpdated
	default:
		return "", false
	}
	return hook, h.hooks[hook] != nil
}

func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if obj, ok := v.(*goja.Object); ok {
		if obj.ClassName() == "Array" {
			return "an array"
		}
		return "an object"
	}
	return "a " + v.ExportType().Kind().String()
}

// prepare is the first half of one step of a simulated call: prepare(handler, eventJSON,
// sessionJSON). It reads the webhook as the engine does, finds the hook, and builds the event
// and ctx the handler gets. "callscript/test" calls the hook itself (so that its promise is
// awaited like any other), then hands the outcome to finish.
//
// The result is {error} when the server would not even run the script, else {hook, fn,
// thisArg, event, ctx, finish}; fn is null when the handler has no hook for an event that
// needs none.
func (f *fileRun) prepare(handlerValue goja.Value, eventJSON string, sessionJSON goja.Value) goja.Value {
	rt := f.vm
	out := rt.NewObject()
	fail := func(msg string) goja.Value {
		_ = out.Set("error", msg)
		return out
	}
	ev, err := webhook.Parse([]byte(eventJSON))
	if err != nil {
		return fail("the simulated webhook would be refused: " + err.Error())
	}
	h, err := f.resolveHandler(handlerValue)
	if err != nil {
		return fail(err.Error())
	}
	isCall := ev.EventType == webhook.CallAction
	hook, ok := h.route(ev.EventType, ev.CallStatus)
	if !ok {
		if isCall {
			return fail(fmt.Sprintf("the handler has no hook for this CALL_ACTION (callStatus %q): export onCallReceived and onActionCompleted, or onCallAction; the server would answer with the fallback", ev.CallStatus))
		}
		_ = out.Set("hook", goja.Null())
		_ = out.Set("fn", goja.Null())
		_ = out.Set("finish", func(goja.Value) goja.Value { return f.stepResult(nil, nil, 0) })
		return out
	}

	event, err := f.parse(goja.Undefined(), rt.ToValue(eventJSON))
	if err != nil {
		return fail("the simulated webhook is not JSON: " + err.Error())
	}
	start := time.Now()
	deadline := scriptDeadline(start, f.t.budget)
	ctx := f.newContext(ev, deadline)
	if ev.SessionID != "" {
		var state goja.Value = rt.NewObject()
		if sessionJSON != nil && !goja.IsNull(sessionJSON) && !goja.IsUndefined(sessionJSON) {
			if state, err = f.parse(goja.Undefined(), sessionJSON); err != nil {
				return fail("the saved session is not JSON: " + err.Error())
			}
		}
		_ = ctx.Set("session", state)
	}
	name := hook
	fn := h.fn
	this := h.this
	if fn == nil {
		fn = h.hooks[hook]
	} else {
		name = "the handler"
	}
	mark := len(f.logs)

	_ = out.Set("hook", nullable(rt, hook))
	_ = out.Set("fn", fn)
	_ = out.Set("thisArg", this)
	_ = out.Set("event", event)
	_ = out.Set("ctx", ctx)
	_ = out.Set("finish", func(value goja.Value) goja.Value {
		return f.finish(name, ev, isCall, ctx, value, start, deadline, mark)
	})
	return out
}

// finish is the second half of a step: it applies to what the handler did the checks the
// engine applies after the handler returned (engine/handle.go, run), and returns {answer,
// session, logs}, or {error, detail} when the server would have answered with the fallback.
// ctx.session is saved only when the whole step succeeded.
func (f *fileRun) finish(name string, ev *webhook.Event, isCall bool, ctx *goja.Object, value goja.Value, start, deadline time.Time, mark int) goja.Value {
	rt := f.vm
	out := rt.NewObject()
	fail := func(msg, detail string) goja.Value {
		_ = out.Set("error", msg)
		_ = out.Set("detail", detail)
		return out
	}
	if now := time.Now(); now.After(deadline) {
		return fail(fmt.Sprintf("%s ran for %v, past the tenant's time budget of %v: the server would have interrupted it and answered with the fallback",
			name, now.Sub(start).Round(time.Millisecond), f.t.budget), "")
	}
	var session []byte
	if ev.SessionID != "" {
		var msg string
		if session, msg = f.sessionJSON(ctx.Get("session")); msg != "" {
			return fail(name+": "+msg, "")
		}
	}
	var answer []byte
	if isCall {
		const noCallflow = " returned no callflow for this CALL_ACTION; return an array of actions such as [say(\"Goodbye\"), hangup()]: the server would answer with the fallback"
		if value == nil || goja.IsUndefined(value) || goja.IsNull(value) {
			return fail(name+noCallflow, "")
		}
		text, err := f.stringify(goja.Undefined(), value)
		if err != nil {
			return fail(fmt.Sprintf("%s returned a value that cannot be turned into JSON: %s", name, f.describeError(exceptionValue(err))), "")
		}
		if goja.IsUndefined(text) {
			return fail(name+noCallflow, "")
		}
		flow, err := callflow.ParseString(text.String(), f.t.defaults)
		if err != nil {
			return fail(fmt.Sprintf("%s returned an invalid callflow (the server would answer with the fallback): %v", name, err), "it returned: "+shorten(text.String(), maxShownCallflow))
		}
		answer = flow.Encode()
	}
	return f.stepResult(answer, session, mark)
}

// stepResult is the outcome of a step that succeeded: {answer, session, logs}.
func (f *fileRun) stepResult(answer, session []byte, mark int) goja.Value {
	rt := f.vm
	out := rt.NewObject()
	_ = out.Set("answer", nullableBytes(rt, answer))
	_ = out.Set("session", nullableBytes(rt, session))
	lines := make([]any, 0, len(f.logs)-mark)
	for _, l := range f.logs[mark:] {
		line := rt.NewObject()
		_ = line.Set("level", l.level)
		_ = line.Set("message", l.message)
		if l.fields != "" {
			if v, err := f.parse(goja.Undefined(), rt.ToValue(l.fields)); err == nil {
				_ = line.Set("fields", v)
			}
		}
		lines = append(lines, line)
	}
	_ = out.Set("logs", rt.NewArray(lines...))
	return out
}

// sessionJSON serialises ctx.session after the handler as the engine does (vm, sessionJSON):
// it must have stayed a plain object of JSON values, within engine.MaxSessionBytes. A problem
// comes back as a message.
func (f *fileRun) sessionJSON(v goja.Value) ([]byte, string) {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ClassName() == "Array" || obj.ClassName() == "Function" {
		return nil, "TypeError: ctx.session must stay a plain object (it was replaced by " + describe(v) + "); the server would answer with the fallback"
	}
	text, err := f.stringify(goja.Undefined(), obj)
	if err != nil {
		return nil, "ctx.session cannot be saved as JSON: " + f.describeError(exceptionValue(err))
	}
	s := text.String()
	if len(s) > engine.MaxSessionBytes {
		return nil, fmt.Sprintf("RangeError: ctx.session is %d bytes of JSON, over the limit of %d bytes: keep only what the next webhooks of the call need", len(s), engine.MaxSessionBytes)
	}
	return []byte(s), ""
}

// newContext builds the handler's ctx for one event with the members the engine gives it
// (vm, newContext; SPEC §3), ctx.session apart.
func (f *fileRun) newContext(ev *webhook.Event, deadline time.Time) *goja.Object {
	rt := f.vm
	o := rt.NewObject()
	set := func(name string, v any) { _ = o.Set(name, v) }
	set("tenant", f.t.id)
	set("version", f.t.version)
	set("eventId", nullable(rt, ev.EventID))
	set("sessionId", nullable(rt, ev.SessionID))
	set("callId", nullable(rt, ev.CallID))
	set("dtmf", optional(rt, ev.DTMF, ev.HasDTMF))
	set("clientActionId", optional(rt, ev.ClientActionID, ev.HasClientActionID))
	set("log", f.log)
	set("env", f.env)
	set("fetch", f.fetch)
	_ = o.DefineAccessorProperty("deadline", rt.ToValue(func() int64 {
		return max(time.Until(deadline).Milliseconds(), 0)
	}), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return o
}

// scriptDeadline is when the engine interrupts a script that received an event at received
// (engine/handle.go): the budget less a small reserve for answering with the fallback.
func scriptDeadline(received time.Time, budget time.Duration) time.Time {
	return received.Add(budget - min(budget/20, 50*time.Millisecond))
}

func nullable(rt *goja.Runtime, s string) goja.Value {
	if s == "" {
		return goja.Null()
	}
	return rt.ToValue(s)
}

func optional(rt *goja.Runtime, s string, present bool) goja.Value {
	if !present {
		return goja.Null()
	}
	return rt.ToValue(s)
}

func nullableBytes(rt *goja.Runtime, b []byte) goja.Value {
	if b == nil {
		return goja.Null()
	}
	return rt.ToValue(string(b))
}

// exceptionValue is the thrown value of an error from a call into the runtime.
func exceptionValue(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	return goja.Undefined()
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
