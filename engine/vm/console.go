package vm

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/jsfunc"
)

// maxLogMessage bounds one log line's message, so a script cannot write megabytes per line.
const maxLogMessage = 8 << 10

// InstallConsole gives rt the global console (log, info, debug, warn, error, trace) and
// returns the ctx.log object (debug, info, warn, error). Both hand each line to write: its
// level, its message (console's arguments formatted by Format and joined by spaces, or
// ctx.log's message formatted), and for ctx.log the JSON of its fields argument, "" when
// there is none. stringify is JSON.stringify as it was before author code ran.
//
// Both are host objects whose methods are made the first time a script reads them (see
// methodObject): every runtime has them, most scripts log little, and ten native functions
// made up front were an eighth of a runtime's start and of the memory a warm runtime keeps.
func InstallConsole(rt *goja.Runtime, stringify goja.Callable, write func(level slog.Level, msg, fields string)) (log *goja.Object) {
	consoleMethod := func(name string) goja.Value {
		level := levelOf(consoleMethods, name)
		return jsfunc.New(rt, name, 0, func(fc goja.FunctionCall) goja.Value {
			parts := make([]string, len(fc.Arguments))
			for i, arg := range fc.Arguments {
				parts[i] = Format(arg, stringify)
			}
			write(level, strings.Join(parts, " "), "")
			return goja.Undefined()
		})
	}
	logMethod := func(name string) goja.Value {
		level := levelOf(logMethods, name)
		return jsfunc.New(rt, name, 2, func(fc goja.FunctionCall) goja.Value {
			text := ""
			if obj, ok := fc.Argument(1).(*goja.Object); ok {
				if s, err := stringify(goja.Undefined(), obj); err == nil && !goja.IsUndefined(s) {
					text = s.String()
				}
			}
			write(level, Format(fc.Argument(0), stringify), text)
			return goja.Undefined()
		})
	}
	_ = rt.Set("console", newMethodObject(rt, consoleNames, consoleMethod))
	return newMethodObject(rt, logNames, logMethod)
}

// logMethod is a method of console or ctx.log and the level of its lines.
type logMethod struct {
	name  string
	level slog.Level
}

// consoleMethods and logMethods are the methods of console and of ctx.log, in the order
// Object.keys lists them. Never modified.
var (
	consoleMethods = []logMethod{{"debug", slog.LevelDebug}, {"trace", slog.LevelDebug}, {"log", slog.LevelInfo},
		{"info", slog.LevelInfo}, {"warn", slog.LevelWarn}, {"error", slog.LevelError}}
	logMethods = []logMethod{{"debug", slog.LevelDebug}, {"info", slog.LevelInfo}, {"warn", slog.LevelWarn}, {"error", slog.LevelError}}
	// Their names, which every console (ctx.log) starts with.
	consoleNames, logNames = methodNames(consoleMethods), methodNames(logMethods)
)

func methodNames(methods []logMethod) []string {
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.name
	}
	return names
}

// levelOf is the level of the method called name among methods.
func levelOf(methods []logMethod, name string) slog.Level {
	for _, m := range methods {
		if m.name == name {
			return m.level
		}
	}
	return slog.LevelInfo
}

// methodObject backs console and ctx.log: its properties start as the method names, and each
// method is made by make the first time it is read (see members).
type methodObject struct {
	members
	make func(name string) goja.Value
}

func newMethodObject(rt *goja.Runtime, names []string, makeMethod func(name string) goja.Value) *goja.Object {
	return rt.NewDynamicObject(&methodObject{members: members{propertyNames: propertyNames{names: names, shared: true}, values: make([]goja.Value, len(names))}, make: makeMethod})
}

func (o *methodObject) Get(key string) goja.Value {
	i := o.index(key)
	if i < 0 {
		return nil
	}
	if o.values[i] == nil {
		o.values[i] = o.make(key)
	}
	return o.values[i]
}

// rawJSON is JSON text that a slog JSON handler embeds as is.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// Format renders one console argument as Node does, roughly: strings as they are, errors with
// their stack, functions as [Function], other values as JSON where possible (made with
// stringify, JSON.stringify as it was before author code ran).
func Format(v goja.Value, stringify goja.Callable) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return v.String()
	}
	if stack := obj.Get("stack"); stack != nil && !goja.IsUndefined(stack) && obj.Get("message") != nil {
		return stack.String()
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		return "[Function]"
	}
	text, err := stringify(goja.Undefined(), obj)
	if err != nil || goja.IsUndefined(text) {
		return v.String()
	}
	return text.String()
}

// writeLine is where the runtime's console and ctx.log write: the logger of the call.
func (rt *runtime) writeLine(level slog.Level, msg, fields string) {
	var attrs []slog.Attr
	if fields != "" {
		attrs = append(attrs, slog.Any("fields", rawJSON(fields)))
	}
	rt.write(level, msg, attrs)
}

// write sends one line to the call's logger. Outside a call (module initialisation) lines go
// nowhere but are still bounded.
func (rt *runtime) write(level slog.Level, msg string, attrs []slog.Attr) {
	call := rt.call
	if call == nil || call.logger == nil {
		return
	}
	if call.logLines >= call.maxLines {
		call.dropped++
		return
	}
	call.logLines++
	if len(msg) > maxLogMessage {
		msg = msg[:maxLogMessage] + "…(truncated)"
	}
	if src := rt.source(); src != "" {
		attrs = append(attrs, slog.String("source", src))
	}
	call.logger.LogAttrs(context.Background(), level, msg, append(call.logAttrs[:len(call.logAttrs):len(call.logAttrs)], attrs...)...)
}

// flushDroppedLogs reports, in one line, the log lines a call wrote beyond its bound.
func (rt *runtime) flushDroppedLogs() {
	call := rt.call
	if call == nil || call.dropped == 0 || call.logger == nil {
		return
	}
	call.logger.LogAttrs(context.Background(), slog.LevelWarn,
		fmt.Sprintf("%d more log lines of this event were dropped (at most %d per event)", call.dropped, call.maxLines), call.logAttrs...)
}

// source is the author's file:line of the JavaScript code that called the host function.
func (rt *runtime) source() string {
	var buf [4]goja.StackFrame
	for _, frame := range rt.vm.CaptureCallStack(4, buf[:0]) {
		pos := frame.Position()
		if pos.Filename != "" && pos.Line > 0 {
			return fmt.Sprintf("%s:%d", pos.Filename, pos.Line)
		}
	}
	return ""
}
