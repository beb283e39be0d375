package vm

import (
	"fmt"
	"time"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/webhook"
)

// The pieces of a call a handler sees, built the same way by the engine's runtimes and by any
// other runtime that runs handlers (the test runner's call simulator), so that the two cannot
// drift apart.

// Context is what the handler's ctx argument holds (SPEC §3).
type Context struct {
	Tenant, Version            string
	EventID, SessionID, CallID string
	// DTMF and ClientActionID are null in JavaScript when nil.
	DTMF, ClientActionID *string
}

// EventContext is the Context of a webhook for the handler of a tenant's version: the ids the
// event carries, the digits the caller entered and the previous answer's clientActionId.
func EventContext(tenant, version string, ev *webhook.Event) Context {
	c := Context{Tenant: tenant, Version: version, EventID: ev.EventID, SessionID: ev.SessionID, CallID: ev.CallID}
	if ev.HasDTMF {
		c.DTMF = &ev.DTMF
	}
	if ev.HasClientActionID {
		c.ClientActionID = &ev.ClientActionID
	}
	return c
}

// ScriptDeadline is when the handler of an event received at received must have finished,
// given the tenant's time budget: the budget less a small reserve for answering with the
// fallback, so that the fallback itself goes out within the budget.
func ScriptDeadline(received time.Time, budget time.Duration) time.Time {
	return received.Add(budget - min(budget/20, 50*time.Millisecond))
}

// Shared is what every ctx of one runtime shares: ctx.log (see InstallConsole), the deeply
// frozen ctx.env (see FrozenEnv) and ctx.fetch.
type Shared struct {
	Log   *goja.Object
	Env   goja.Value
	Fetch goja.Value
}

// NewContext builds a handler's ctx argument on rt (SPEC §3), ctx.session apart: the ids of c,
// the runtime's shared members, and ctx.deadline, the milliseconds left until deadline.
func NewContext(rt *goja.Runtime, c Context, shared Shared, deadline time.Time) *goja.Object {
	o := rt.NewObject()
	set := func(name string, v any) { _ = o.Set(name, v) }
	set("tenant", c.Tenant)
	set("version", c.Version)
	set("eventId", nullable(rt, c.EventID))
	set("sessionId", nullable(rt, c.SessionID))
	set("callId", nullable(rt, c.CallID))
	set("dtmf", optional(rt, c.DTMF))
	set("clientActionId", optional(rt, c.ClientActionID))
	set("log", shared.Log)
	set("env", shared.Env)
	set("fetch", shared.Fetch)
	_ = o.DefineAccessorProperty("deadline", rt.ToValue(func() int64 {
		return max(time.Until(deadline).Milliseconds(), 0)
	}), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return o
}

func nullable(rt *goja.Runtime, s string) goja.Value {
	if s == "" {
		return goja.Null()
	}
	return rt.ToValue(s)
}

func optional(rt *goja.Runtime, s *string) goja.Value {
	if s == nil {
		return goja.Null()
	}
	return rt.ToValue(*s)
}

// FrozenEnv makes ctx.env on rt: the JSON text of a tenant's settings env (empty for none),
// read with parse (JSON.parse as it was before author code ran) and deeply frozen, so that no
// call can change what the next one sees.
func FrozenEnv(rt *goja.Runtime, parse goja.Callable, text []byte) (goja.Value, error) {
	if len(text) == 0 {
		text = []byte("{}")
	}
	env, err := parse(goja.Undefined(), rt.ToValue(string(text)))
	if err != nil {
		return nil, fmt.Errorf("env: %w", scriptErrorOf(err))
	}
	freeze, _ := goja.AssertFunction(rt.Get("Object").ToObject(rt).Get("freeze"))
	var deepFreeze func(v goja.Value) error
	deepFreeze = func(v goja.Value) error {
		obj, ok := v.(*goja.Object)
		if !ok {
			return nil
		}
		for _, key := range obj.Keys() {
			if err := deepFreeze(obj.Get(key)); err != nil {
				return err
			}
		}
		_, err := freeze(goja.Undefined(), obj)
		return err
	}
	if err := deepFreeze(env); err != nil {
		return nil, fmt.Errorf("env: %w", err)
	}
	return env, nil
}

// SessionJSON reads ctx.session back after the handler: the JSON text of v, made with
// stringify (JSON.stringify as it was before author code ran). The handler must have left it
// a plain object of JSON values, of at most limit bytes of JSON; the error says otherwise, in
// the author's terms.
func SessionJSON(v goja.Value, stringify goja.Callable, limit int) ([]byte, error) {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ClassName() == "Array" || obj.ClassName() == "Function" {
		return nil, &ScriptError{Message: "TypeError: ctx.session must stay a plain object (it was replaced by " + describeValue(v) + ")"}
	}
	text, err := stringify(goja.Undefined(), obj)
	if err != nil {
		return nil, fmt.Errorf("ctx.session cannot be saved as JSON: %w", scriptErrorOf(err))
	}
	s := text.String()
	if len(s) > limit {
		return nil, &ScriptError{Message: fmt.Sprintf("RangeError: ctx.session is %d bytes of JSON, over the limit of %d bytes: keep only what the next webhooks of the call need", len(s), limit)}
	}
	return []byte(s), nil
}

// describeValue names a value's type for an error message.
func describeValue(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if obj, ok := v.(*goja.Object); ok {
		return "an " + obj.ClassName()
	}
	return "a " + v.ExportType().Kind().String()
}
