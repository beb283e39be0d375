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
	body := []byte(eventJSON)
	ev, err := webhook.Parse(body)
	if err != nil {
		return fail("the simulated webhook would be refused: " + err.Error())
	}
	h, err := vm.ResolveHandler(handlerValue)
	if err != nil {
		return fail(err.Error())
	}
	isCall := ev.EventType == webhook.CallAction
	hook, ok := h.HookFor(ev.EventType, ev.CallStatus)
	if !ok {
		if isCall {
			return fail(fmt.Sprintf("the handler has no hook for this CALL_ACTION (callStatus %q): export onCallReceived and onActionCompleted, or onCallAction; the server would answer with the fallback", ev.CallStatus))
		}
		_ = out.Set("hook", goja.Null())
		_ = out.Set("fn", goja.Null())
		_ = out.Set("finish", func(goja.Value) goja.Value { return f.stepResult(nil, nil, 0) })
		return out
	}

	event, err := vm.DecodeEvent(rt, body)
	if err != nil {
		return fail("the simulated webhook is not JSON: " + err.Error())
	}
	start := time.Now()
	deadline := vm.ScriptDeadline(start, f.t.budget)
	var session goja.Value // no ctx.session
	if ev.SessionID != "" {
		session = rt.NewObject()
		if sessionJSON != nil && !goja.IsNull(sessionJSON) && !goja.IsUndefined(sessionJSON) {
			if session, err = f.parse(goja.Undefined(), sessionJSON); err != nil {
				return fail("the saved session is not JSON: " + err.Error())
			}
		}
	}
	ctx := f.shared.NewContext(rt, vm.EventContext(f.t.id, f.t.version, ev), deadline, session)
	fn, this, _ := h.Func(hook)
	name, hookName := hook, rt.ToValue(hook)
	if hook == "" { // a function export
		name, hookName = "the handler", goja.Null()
	}
	mark := len(f.logs)

	_ = out.Set("hook", hookName)
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
		var err error
		if session, err = vm.SessionJSON(ctx.Get("session"), f.stringify, engine.MaxSessionBytes); err != nil {
			return fail(name+": "+err.Error()+"; the server would answer with the fallback", "")
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
		flow, err := callflow.ParseString(text.String(), f.t.settings.Defaults.Callflow())
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
