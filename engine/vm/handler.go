package vm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/suggest"
	"github.com/callscript/callscript/engine/sdk"
	"github.com/callscript/callscript/engine/webhook"
)

// Handler is a script's handler, read from what its entry module exports: a function that
// receives every event, or an object of hooks, one per kind of event (SPEC §3). It belongs to
// the runtime it was read from.
type Handler struct {
	hooks hookSet
	this  goja.Value    // the object of hooks, `this` of each; undefined for a function
	funcs []handlerFunc // the hooks it has, in hookNames order, or the function export alone
}

type handlerFunc struct {
	hook  string // the hook's name; hookFunctionExport for the function export
	value goja.Value
	call  goja.Callable // cached: goja.AssertFunction allocates
}

// hookFunc is the function that runs hook, if the handler has it. (A handler has a few hooks
// and is read in every runtime a program starts: a slice costs less to build than a map.)
func (h *Handler) hookFunc(hook string) (handlerFunc, bool) {
	for _, f := range h.funcs {
		if f.hook == hook {
			return f, true
		}
	}
	return handlerFunc{}, false
}

// errNoHandler is why exports that are neither a function nor an object with a hook do not load.
const errNoHandler = "the entry must export a handler: a function, or an object with hooks such as onCallReceived"

// ResolveHandler reads the handler from a module's exports, as the engine reads a bundle's:
// the default export if there is one, else the exports themselves, which must be a function,
// or an object whose hooks are functions (at least one) and that has no other function whose
// name starts with "on", which would be a misspelt hook. The error says what is wrong in the
// author's terms.
func ResolveHandler(exports goja.Value) (*Handler, error) {
	v := exports
	if obj, ok := v.(*goja.Object); ok {
		if def := obj.Get("default"); def != nil && !goja.IsUndefined(def) && !goja.IsNull(def) {
			v = def
		}
	}
	if f, ok := goja.AssertFunction(v); ok {
		return &Handler{
			hooks: hookSet{function: true},
			this:  goja.Undefined(),
			funcs: []handlerFunc{{hook: hookFunctionExport, value: v, call: f}},
		}, nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("%s (got %s)", errNoHandler, sdk.Describe(v))
	}
	h := &Handler{this: obj}
	for i, name := range hookNames() {
		hook := obj.Get(name)
		if hook == nil || goja.IsUndefined(hook) {
			continue
		}
		f, ok := goja.AssertFunction(hook)
		if !ok {
			return nil, fmt.Errorf("hook %s must be a function, got %s", name, sdk.Describe(hook))
		}
		h.funcs = append(h.funcs, handlerFunc{hook: name, value: hook, call: f})
		h.hooks.has[i] = true
	}
	for _, key := range obj.Keys() {
		if hookIndex(key) >= 0 || !strings.HasPrefix(key, "on") {
			continue
		}
		if _, isFn := goja.AssertFunction(obj.Get(key)); !isFn {
			continue
		}
		if s := suggestHook(key); s != "" {
			return nil, fmt.Errorf("unknown hook %s: did you mean %s?", key, s)
		}
		names := hookNames()
		return nil, fmt.Errorf("unknown hook %s: the hooks are %s", key, strings.Join(names[:], ", "))
	}
	if len(h.funcs) == 0 {
		return nil, errors.New(errNoHandler + " (got an object without hooks)")
	}
	return h, nil
}

// HookFor says which hook handles an event, as Program.HookFor does.
func (h *Handler) HookFor(eventType, callStatus string) (hook string, ok bool) {
	return h.hooks.hookFor(eventType, callStatus)
}

// Func returns the function that runs hook (as HookFor names it) and the `this` to call it
// with, or ok false when the handler has no such hook.
func (h *Handler) Func(hook string) (fn, this goja.Value, ok bool) {
	f, ok := h.hookFunc(hook)
	return f.value, h.this, ok
}

// hookSet records which events a handler takes: every event for a function export, else
// those whose hooks it has.
type hookSet struct {
	function bool
	has      [numHooks]bool // has[i]: the handler has hookNames()[i]
}

// hookIndex is name's place in hookNames, or -1 for a name that is not a hook's.
func hookIndex(name string) int {
	for i, hook := range hookNames() {
		if hook == name {
			return i
		}
	}
	return -1
}

// hasHook says whether the handler has hook (an object export's).
func (s hookSet) hasHook(hook string) bool {
	i := hookIndex(hook)
	return i >= 0 && s.has[i]
}

// hookFor routes an event (SPEC §3): a function export handles every event; an object export
// routes CALL_ACTION by callStatus to onCallReceived / onActionCompleted, else to
// onCallAction, and the other event types to their own hook.
func (s hookSet) hookFor(eventType, callStatus string) (hook string, ok bool) {
	if s.function {
		return hookFunctionExport, true
	}
	switch eventType {
	case webhook.CallAction:
		switch {
		case callStatus == webhook.StatusCallReceived && s.hasHook(HookCallReceived):
			return HookCallReceived, true
		case callStatus == webhook.StatusActionCompleted && s.hasHook(HookActionCompleted):
			return HookActionCompleted, true
		case s.hasHook(HookCallAction):
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
	return hook, s.hasHook(hook)
}

// names lists the hooks in hookNames order, or nil for a function export.
func (s hookSet) names() []string {
	if s.function {
		return nil
	}
	var out []string
	for _, name := range hookNames() {
		if s.hasHook(name) {
			out = append(out, name)
		}
	}
	return out
}

// suggestHook names the hook an unknown "on…" export was probably meant to be.
func suggestHook(name string) string {
	hooks := hookNames()
	return suggest.Closest(name, hooks[:], 3)
}
