package sdk

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/jsfunc"
	"github.com/callscript/callscript/engine/internal/jsonscan"
	"github.com/callscript/callscript/engine/internal/suggest"
)

// The builders of "callscript" (say, sayAndCapture, playFile, makeCall, hangup, and
// defineHandler) are written in Go: every call of every tenant runs them, and in Go a builder
// costs half the time it costs in goja's JavaScript, and a runtime makes only the builders its
// tenant imports, each one function object, instead of the dozen helpers and tables the
// JavaScript needed. They behave as JavaScript functions would: each returns a new plain
// object, {action, params}, and throws a TypeError, which names the author's line, for a
// mistake that is certain at the call site (a misspelt option, a text that is not a string).
// Every other rule of the callflow, and the defaults from tenant.json (voiceProfile, and
// sayAndCapture's maxDigits, overallTimeout and noOfTries), are applied by the engine when
// the callflow is answered, so builders never invent values.

// BuilderNames lists the builders, in the order "callscript" exports them. Never modified.
var BuilderNames = []string{"say", "sayAndCapture", "playFile", "makeCall", "hangup", "defineHandler"}

// The options each builder accepts, in the order params lists them.
var (
	sayOptions           = []string{"voiceProfile", "repetition", "speed"}
	sayAndCaptureOptions = []string{"voiceProfile", "minDigits", "maxDigits", "digitTimeout", "overallTimeout", "completeOnHash", "noOfTries", "successMessage", "failureMessage", "speed", "repetition"}
	playFileOptions      = []string{"repetition"}
	makeCallOptions      = []string{"source", "destination", "callRecording"}
)

// optionSet is a builder's options and their positions.
type optionSet struct {
	names     []string
	positions map[string]int
}

func newOptionSet(names []string) optionSet {
	positions := make(map[string]int, len(names))
	for i, name := range names {
		positions[name] = i
	}
	return optionSet{names: names, positions: positions}
}

// The option sets, shared by every runtime; never modified.
var (
	sayOptionSet           = newOptionSet(sayOptions)
	sayAndCaptureOptionSet = newOptionSet(sayAndCaptureOptions)
	playFileOptionSet      = newOptionSet(playFileOptions)
	makeCallOptionSet      = newOptionSet(makeCallOptions)
)

// builders makes the Go part of one runtime's module (see Install), each piece the first time
// it is asked for, and keeps it, so that every import of a builder gets the same function.
type builders struct {
	rt       *goja.Runtime
	objProto *goja.Object // Object.prototype, read before author code runs
	made     map[string]goja.Value
}

func newBuilders(rt *goja.Runtime) *builders {
	return &builders{rt: rt, objProto: rt.NewObject().Prototype(), made: make(map[string]goja.Value, len(BuilderNames))}
}

// get returns the part of the module called name (see Install), or undefined if there is
// none.
func (b *builders) get(name string) goja.Value {
	if f, ok := b.made[name]; ok {
		return f
	}
	var fn func(goja.FunctionCall) goja.Value
	length := 2
	switch name {
	case "sayAndCaptureOptions":
		names := make([]any, len(sayAndCaptureOptions))
		for i, option := range sayAndCaptureOptions {
			names[i] = option
		}
		list := b.rt.NewArray(names...)
		b.made[name] = list
		return list
	case "describe":
		fn, length = b.describe, 1
	case "rejectUnknown":
		fn, length = b.rejectUnknown, 4
	case "say":
		fn = b.say
	case "sayAndCapture":
		fn = b.sayAndCapture
	case "playFile":
		fn = b.playFile
	case "makeCall":
		fn, length = b.makeCall, 1
	case "hangup":
		fn, length = b.hangup, 0
	case "defineHandler":
		fn, length = b.defineHandler, 1
	default:
		return goja.Undefined()
	}
	f := jsfunc.New(b.rt, name, length, fn)
	b.made[name] = f
	return f
}

// describe is Describe for the module's JavaScript.
func (b *builders) describe(call goja.FunctionCall) goja.Value {
	return b.rt.ToValue(Describe(call.Argument(0)))
}

// rejectUnknown(where, object, known, noun), for the module's JavaScript, throws the
// TypeError for the first own key of object that is not in known, as a builder does for an
// unknown option; noun is "option" or "setting", as the author would call the key.
func (b *builders) rejectUnknown(call goja.FunctionCall) goja.Value {
	var known []string
	if err := b.rt.ExportTo(call.Argument(2), &known); err != nil {
		panic(b.rt.NewTypeError("rejectUnknown: %v", err))
	}
	for _, key := range call.Argument(1).ToObject(b.rt).Keys() {
		if !slices.Contains(known, key) {
			b.throwUnknown(call.Argument(0).String(), key, known, call.Argument(3).String())
		}
	}
	return goja.Undefined()
}

// say speaks text: say("Welcome", { voiceProfile: "en-US-Standard-A" }).
func (b *builders) say(call goja.FunctionCall) goja.Value {
	return b.withText("say", "text", call, sayOptionSet)
}

// sayAndCapture speaks promptMessage and collects DTMF digits; the digits come back as
// ctx.dtmf in the next CALL_ACTION.
func (b *builders) sayAndCapture(call goja.FunctionCall) goja.Value {
	return b.withText("sayAndCapture", "promptMessage", call, sayAndCaptureOptionSet)
}

// playFile plays the mp3 or wav file at an http(s) URL.
func (b *builders) playFile(call goja.FunctionCall) goja.Value {
	return b.withText("playFile", "fileUrl", call, playFileOptionSet)
}

// withText builds the action of a builder whose first argument, a string, is the param
// called field and whose second is its options.
func (b *builders) withText(action, field string, call goja.FunctionCall, options optionSet) goja.Value {
	text := call.Argument(0)
	b.requireString(action, field, text)
	params := b.rt.CreateObject(nil)
	_ = params.Set(field, text)
	b.copyOptions(action, call.Argument(1), options, params)
	return b.action(action, params)
}

// makeCall bridges the call: makeCall({ source: "+6560000000", destination: "+6560000001" }).
func (b *builders) makeCall(call goja.FunctionCall) goja.Value {
	options := call.Argument(0)
	if obj, ok := options.(*goja.Object); !ok || isArray(obj) || isFunction(obj) {
		b.throw("makeCall: expects an object such as { source: \"+6560000000\", destination: \"+6560000001\" }, got %s", Describe(options))
	}
	params := b.rt.CreateObject(nil)
	b.copyOptions("makeCall", options, makeCallOptionSet, params)
	obj := options.(*goja.Object)
	b.requireString("makeCall", "source", obj.Get("source"))
	b.requireString("makeCall", "destination", obj.Get("destination"))
	return b.action("makeCall", params)
}

// hangup ends the call; it belongs last in a callflow.
func (b *builders) hangup(goja.FunctionCall) goja.Value {
	return b.action("hangup", nil)
}

// defineHandler returns the handler it is given. It does nothing at run time: it exists so
// that TypeScript knows the types of event and ctx in
// `export default defineHandler({ onCallReceived(event, ctx) { ... } })`.
func (b *builders) defineHandler(call goja.FunctionCall) goja.Value {
	return call.Argument(0)
}

// action returns a new {action, params} object; nil params leaves params out. params was made
// without a prototype (see plain).
func (b *builders) action(name string, params *goja.Object) goja.Value {
	out := b.rt.CreateObject(nil)
	_ = out.Set("action", name)
	if params != nil {
		_ = out.Set("params", b.plain(params))
	}
	return b.plain(out)
}

// plain gives obj, made without a prototype and filled by assignments, Object.prototype as
// its prototype, as an object literal has. (Assigned to with Object.prototype already there,
// obj would call a setter a script put on Object.prototype.)
func (b *builders) plain(obj *goja.Object) *goja.Object {
	_ = obj.SetPrototype(b.objProto)
	return obj
}

// copyOptions copies the options that are not undefined into params, in the builder's order,
// and rejects any option the builder does not know. Options of a plain object are its own
// enumerable ones; a class instance, or an object made from another, may have its options
// inherited or as getters, which only reading every known option finds.
func (b *builders) copyOptions(action string, options goja.Value, known optionSet, params *goja.Object) {
	if goja.IsUndefined(options) || goja.IsNull(options) {
		return
	}
	obj, ok := options.(*goja.Object)
	if !ok || isArray(obj) || isFunction(obj) {
		b.throw("%s: options must be an object such as { %s: ... }, got %s", action, known.names[0], Describe(options))
	}
	names := obj.Keys()
	for _, name := range names {
		if _, ok := known.positions[name]; !ok {
			b.throwUnknown(action, name, known.names, "option")
		}
	}
	if proto := obj.Prototype(); proto != nil && proto != b.objProto {
		for _, name := range known.names {
			b.copy(obj, name, params)
		}
		return
	}
	if !slices.IsSortedFunc(names, func(x, y string) int { return known.positions[x] - known.positions[y] }) {
		slices.SortFunc(names, func(x, y string) int { return known.positions[x] - known.positions[y] })
	}
	for _, name := range names {
		b.copy(obj, name, params)
	}
}

// copy sets params[name] to options[name] unless that is undefined.
func (b *builders) copy(options *goja.Object, name string, params *goja.Object) {
	if v := options.Get(name); v != nil && !goja.IsUndefined(v) {
		_ = params.Set(name, v)
	}
}

func (b *builders) requireString(action, name string, value goja.Value) {
	if !isString(value) {
		b.throw("%s: %s must be a string, got %s", action, name, Describe(value))
	}
}

// throwUnknown throws the TypeError for an unknown key name, with the closest known key as a
// hint. noun is "option" or "setting", as the author would call the key.
func (b *builders) throwUnknown(where, name string, known []string, noun string) {
	if hint := suggest.Closest(name, known, 2); hint != "" {
		b.throw("%s: unknown %s \"%s\"; did you mean \"%s\"?", where, noun, name, hint)
	}
	b.throw("%s: unknown %s \"%s\"; the %ss are %s", where, noun, name, noun, strings.Join(known, ", "))
}

// throw throws a TypeError in the builder's runtime; goja turns the panic into the exception
// the script sees, at the author's call.
func (b *builders) throw(format string, args ...any) {
	panic(b.rt.NewTypeError("%s", fmt.Sprintf(format, args...)))
}

// Describe names a value's type for an error message an author reads, as the module's
// JavaScript does: "undefined", "null", "a number (42)", "a string ("hi")" (cut after 40
// characters), "a boolean (true)", "a bigint (1)", "a symbol", "an array", "a function" or
// "an object".
func Describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if obj, ok := v.(*goja.Object); ok {
		switch {
		case isArray(obj):
			return "an array"
		case isFunction(obj):
			return "a function"
		}
		return "an object"
	}
	if s, ok := v.(goja.String); ok {
		const shown = 40 // UTF-16 units, as String.prototype.slice counts
		text := quoteUTF16(s, min(s.Length(), shown))
		if s.Length() > shown {
			text = text[:len(text)-1] + `..."`
		}
		return "a string (" + text + ")"
	}
	switch v.ExportType().Kind() {
	case reflect.Bool:
		return "a boolean (" + v.String() + ")"
	case reflect.Int64, reflect.Float64:
		return "a number (" + v.String() + ")"
	case reflect.Ptr: // *big.Int
		return "a bigint (" + v.String() + ")"
	}
	return "a symbol"
}

// quoteUTF16 is JSON.stringify of the first n UTF-16 units of s: a lone surrogate is written
// as a \uXXXX escape, where a Go string would hold U+FFFD.
func quoteUTF16(s goja.String, n int) string {
	out := []byte{'"'}
	for i := 0; i < n; i++ {
		c := rune(s.CharAt(i))
		if utf16.IsSurrogate(c) {
			if i+1 < n {
				if r := utf16.DecodeRune(c, rune(s.CharAt(i+1))); r != unicode.ReplacementChar {
					out = utf8.AppendRune(out, r)
					i++
					continue
				}
			}
			out = fmt.Appendf(out, `\u%04x`, c)
			continue
		}
		q := jsonscan.AppendQuoted(nil, string(c), false)
		out = append(out, q[1:len(q)-1]...)
	}
	return string(append(out, '"'))
}

func isString(v goja.Value) bool {
	_, ok := v.(goja.String)
	return ok
}

// isArray is Array.isArray: true for an array and for a proxy of one.
func isArray(obj *goja.Object) bool {
	for obj != nil && obj.ExportType() == proxyType {
		obj = obj.Export().(goja.Proxy).Target() // nil once revoked
	}
	return obj != nil && obj.ClassName() == "Array"
}

var proxyType = reflect.TypeFor[goja.Proxy]()

func isFunction(obj *goja.Object) bool {
	_, ok := goja.AssertFunction(obj)
	return ok
}
