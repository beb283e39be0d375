package vm

import (
	"fmt"
	"slices"
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

// Shared is what every ctx of one runtime shares: ctx.log (see InstallConsole), the deeply
// frozen ctx.env (see FrozenEnv) and ctx.fetch.
type Shared struct {
	Log   *goja.Object
	Env   goja.Value
	Fetch goja.Value

	// The tenant and version of the runtime's last call, as goja values: a runtime serves one
	// tenant version, so they are made once rather than for every call.
	tenant, version           string
	tenantValue, versionValue goja.Value
}

// contextKeys are the properties of a ctx, in the order Object.keys lists them; a ctx without
// a session has all but "session". Never modified.
var (
	contextKeys          = [...]string{"tenant", "version", "eventId", "sessionId", "callId", "dtmf", "clientActionId", "log", "env", "fetch", "session", "deadline"}
	contextKeysNoSession = slices.DeleteFunc(slices.Clone(contextKeys[:]), func(k string) bool { return k == "session" })
)

// callContext backs a handler's ctx (a goja.DynamicObject, see members): its values are made
// the first time the script reads them, and ctx.deadline counts down to the deadline of its own
// call at every read until the script assigns it. Building the ctx as an object literal in the
// VM cost two JavaScript calls, a dozen property writes and a hash table per event, and a
// runtime's start a factory of closures. ctx.session may be replaced, as on a plain object.
type callContext struct {
	members
	rt       *goja.Runtime
	shared   *Shared
	c        Context
	deadline time.Time
	store    [len(contextKeys)]goja.Value // the values of contextKeys: a ctx makes one allocation less
}

func (cc *callContext) Get(key string) goja.Value {
	i := cc.index(key)
	if i < 0 {
		return nil
	}
	if v := cc.values[i]; v != nil {
		return v
	}
	var v goja.Value
	switch key {
	case "tenant": // the runtime's value, unless the ctx was kept past a call of another tenant id
		if v = cc.shared.tenantValue; cc.shared.tenant != cc.c.Tenant {
			v = cc.rt.ToValue(cc.c.Tenant)
		}
	case "version":
		if v = cc.shared.versionValue; cc.shared.version != cc.c.Version {
			v = cc.rt.ToValue(cc.c.Version)
		}
	case "eventId":
		v = nullable(cc.rt, cc.c.EventID)
	case "sessionId":
		v = nullable(cc.rt, cc.c.SessionID)
	case "callId":
		v = nullable(cc.rt, cc.c.CallID)
	case "dtmf":
		v = optional(cc.rt, cc.c.DTMF)
	case "clientActionId":
		v = optional(cc.rt, cc.c.ClientActionID)
	case "log":
		v = cc.shared.Log
	case "env":
		v = cc.shared.Env
	case "fetch":
		v = cc.shared.Fetch
	case "deadline":
		return cc.rt.ToValue(max(time.Until(cc.deadline).Milliseconds(), 0))
	default:
		return goja.Undefined() // a property the script added and set to nothing
	}
	cc.values[i] = v
	return v
}

// NewContext builds a handler's ctx argument on rt, the runtime whose ctx members s holds
// (SPEC §3): the ids of c, the shared members, ctx.deadline, the milliseconds left until
// deadline, and ctx.session when session is not nil.
func (s *Shared) NewContext(rt *goja.Runtime, c Context, deadline time.Time, session goja.Value) *goja.Object {
	if s.tenantValue == nil || s.tenant != c.Tenant || s.version != c.Version {
		s.tenant, s.version = c.Tenant, c.Version
		s.tenantValue, s.versionValue = rt.ToValue(c.Tenant), rt.ToValue(c.Version)
	}
	keys := contextKeysNoSession
	cc := &callContext{rt: rt, shared: s, c: c, deadline: deadline}
	if session != nil {
		keys = contextKeys[:]
		cc.store[slices.Index(keys, "session")] = session
	}
	cc.members = members{propertyNames: propertyNames{names: keys, shared: true}, values: cc.store[:len(keys)]}
	return rt.NewDynamicObject(cc)
}

// Invoke calls hook with this as its `this`, the event, and the ctx NewContext builds. It
// returns what the hook returned and the ctx; an error is the script's (the ctx is still
// returned when the hook threw).
func (s *Shared) Invoke(rt *goja.Runtime, hook goja.Callable, this, event goja.Value, c Context, deadline time.Time, session goja.Value) (goja.Value, *goja.Object, error) {
	ctx := s.NewContext(rt, c, deadline, session)
	v, err := hook(this, event, ctx)
	return v, ctx, err
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
