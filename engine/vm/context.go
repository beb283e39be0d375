package vm

import (
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/sdk"
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

// contextFile names contextSource's frames in stack traces (withoutHostFrames drops them).
const contextFile = "callscript:ctx"

// Shared is what every ctx of one runtime shares: ctx.log (see InstallConsole), the deeply
// frozen ctx.env (see FrozenEnv) and ctx.fetch. Prepare it on its runtime before author code
// runs there.
type Shared struct {
	Log   *goja.Object
	Env   goja.Value
	Fetch goja.Value

	makeContext goja.Callable // contextSource's context function
	invoke      goja.Callable // contextSource's invoke function
	hook        goja.Callable // the hook invoke calls now
	made        *goja.Object  // the ctx invoke made last
	deadline    time.Time     // the deadline of the call the runtime runs now: ctx.deadline's

	// The tenant and version of the runtime's last call, as goja values: a runtime serves one
	// tenant version, so they are made once rather than for every call.
	tenant, version           string
	tenantValue, versionValue goja.Value
}

// contextSource builds a ctx inside the VM: an object literal is made in one step, where
// setting its members one by one from Go cost a call into goja each, and invoke builds the ctx
// and calls the hook in one entry into the VM (goja gives its value stack back at every exit
// and grows it again at the next entry). It is run before author code, so that the built-in
// it captures (Object.freeze) is the real one, and it reads no global afterwards. The hook is
// called by callHook, a host function (so nothing is looked up at call time, and a runtime's
// start makes no bound function: Function.prototype.call.bind cost a tenth of it), which keeps
// the ctx for the host too. ctx.deadline is a getter on the ctx's (frozen) prototype, so that
// a ctx costs no function object of its own; it reads the deadline of the call the runtime
// runs, which a runtime runs one at a time.
var contextSource = goja.MustCompile(contextFile, `(function (remaining, callHook) {
  "use strict";
  const proto = Object.freeze({ get deadline() { return remaining(); } });
  function context(tenant, version, eventId, sessionId, callId, dtmf, clientActionId, log, env, fetch, session) {
    const ctx = {
      __proto__: proto,
      tenant, version, eventId, sessionId, callId, dtmf, clientActionId, log, env, fetch, session,
    };
    if (session === undefined) delete ctx.session;
    return ctx;
  }
  function invoke(self, event, tenant, version, eventId, sessionId, callId, dtmf, clientActionId, log, env, fetch, session) {
    return callHook(self, event, context(tenant, version, eventId, sessionId, callId, dtmf, clientActionId, log, env, fetch, session));
  }
  return [context, invoke];
})`, true)

// Prepare readies s to build ctx arguments on rt. Call it before any author code runs on rt.
func (s *Shared) Prepare(rt *goja.Runtime) error {
	factory, err := rt.RunProgram(contextSource)
	if err != nil {
		return fmt.Errorf("ctx: %w", err)
	}
	wrap, _ := goja.AssertFunction(factory)
	remaining := rt.ToValue(func(goja.FunctionCall) goja.Value {
		return rt.ToValue(max(time.Until(s.deadline).Milliseconds(), 0))
	})
	callHook := rt.ToValue(func(call goja.FunctionCall) goja.Value {
		s.made, _ = call.Argument(2).(*goja.Object)
		v, err := s.hook(call.Argument(0), call.Argument(1), call.Argument(2))
		if err != nil {
			panic(err) // the hook's exception, thrown on in invoke as it was
		}
		return v
	})
	made, err := wrap(goja.Undefined(), remaining, callHook)
	if err != nil {
		return fmt.Errorf("ctx: %w", err)
	}
	pair := made.ToObject(rt)
	s.makeContext, _ = goja.AssertFunction(pair.Get("0"))
	s.invoke, _ = goja.AssertFunction(pair.Get("1"))
	return nil
}

// contextArgs are the arguments of contextSource's functions after their first ones; it makes
// deadline the one ctx.deadline counts down to.
func (s *Shared) contextArgs(rt *goja.Runtime, args []goja.Value, c Context, deadline time.Time, session goja.Value) []goja.Value {
	if session == nil {
		session = goja.Undefined()
	}
	s.deadline = deadline
	if s.tenantValue == nil || s.tenant != c.Tenant || s.version != c.Version {
		s.tenant, s.version = c.Tenant, c.Version
		s.tenantValue, s.versionValue = rt.ToValue(c.Tenant), rt.ToValue(c.Version)
	}
	return append(args,
		s.tenantValue, s.versionValue,
		nullable(rt, c.EventID), nullable(rt, c.SessionID), nullable(rt, c.CallID),
		optional(rt, c.DTMF), optional(rt, c.ClientActionID),
		s.Log, s.Env, s.Fetch, session)
}

// NewContext builds a handler's ctx argument on rt, the runtime s was prepared on (SPEC §3):
// the ids of c, the shared members, ctx.deadline, the milliseconds left until deadline (for
// every ctx of the runtime: it runs one call at a time), and ctx.session when session is not
// nil.
func (s *Shared) NewContext(rt *goja.Runtime, c Context, deadline time.Time, session goja.Value) (*goja.Object, error) {
	if s.makeContext == nil {
		return nil, errors.New("ctx: the runtime was not prepared")
	}
	v, err := s.makeContext(goja.Undefined(), s.contextArgs(rt, make([]goja.Value, 0, 11), c, deadline, session)...)
	if err != nil {
		return nil, fmt.Errorf("ctx: %w", scriptErrorOf(err))
	}
	return v.(*goja.Object), nil
}

// Invoke calls hook with this as its `this`, the event, and the ctx NewContext would build, in
// one entry into rt. It returns what the hook returned and the ctx; an error is the script's
// (the ctx is still returned when the hook threw).
func (s *Shared) Invoke(rt *goja.Runtime, hook goja.Callable, this, event goja.Value, c Context, deadline time.Time, session goja.Value) (goja.Value, *goja.Object, error) {
	if s.invoke == nil {
		return nil, nil, errors.New("ctx: the runtime was not prepared")
	}
	var buf [13]goja.Value
	args := append(buf[:0], this, event)
	s.made, s.hook = nil, hook
	v, err := s.invoke(goja.Undefined(), s.contextArgs(rt, args, c, deadline, session)...)
	made := s.made
	s.made, s.hook = nil, nil
	return v, made, err
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
		return nil, &ScriptError{Message: "TypeError: ctx.session must stay a plain object (it was replaced by " + sdk.Describe(v) + ")"}
	}
	text, ok, err := stringifyJSON(obj, stringify)
	if err != nil {
		return nil, fmt.Errorf("ctx.session cannot be saved as JSON: %w", scriptErrorOf(err))
	}
	if !ok { // a toJSON that returns undefined
		return nil, &ScriptError{Message: "TypeError: ctx.session cannot be saved as JSON: it turns into undefined (a toJSON method?)"}
	}
	if len(text) > limit {
		return nil, &ScriptError{Message: fmt.Sprintf("RangeError: ctx.session is %d bytes of JSON, over the limit of %d bytes: keep only what the next webhooks of the call need", len(text), limit)}
	}
	return text, nil
}
