package vm

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dop251/goja"
)

// maxLogMessage bounds one log line's message, so a script cannot write megabytes per line.
const maxLogMessage = 8 << 10

// InstallConsole gives rt the global console (log, info, debug, warn, error, trace) and
// returns the ctx.log object (debug, info, warn, error). Both hand each line to write: its
// level, its message (console's arguments formatted by Format and joined by spaces, or
// ctx.log's message formatted), and for ctx.log the JSON of its fields argument, "" when
// there is none. stringify is JSON.stringify as it was before author code ran.
func InstallConsole(rt *goja.Runtime, stringify goja.Callable, write func(level slog.Level, msg, fields string)) (log *goja.Object) {
	// Every runtime makes these, so methods of one level share one function (console.log is
	// console.info), and each is a plain native function, which goja makes and calls faster
	// than one it wraps by reflection.
	consoleMethod := func(level slog.Level) goja.Value {
		return rt.ToValue(func(fc goja.FunctionCall) goja.Value {
			parts := make([]string, len(fc.Arguments))
			for i, arg := range fc.Arguments {
				parts[i] = Format(arg, stringify)
			}
			write(level, strings.Join(parts, " "), "")
			return goja.Undefined()
		})
	}
	logMethod := func(level slog.Level) goja.Value {
		return rt.ToValue(func(fc goja.FunctionCall) goja.Value {
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
	console, log := rt.NewObject(), rt.NewObject()
	for _, m := range logLevels {
		c := consoleMethod(m.level)
		for _, name := range m.console {
			_ = console.Set(name, c)
		}
		_ = log.Set(m.log, logMethod(m.level))
	}
	_ = rt.Set("console", console)
	return log
}

// logLevels lists the methods of console and ctx.log by level. Never modified.
var logLevels = []struct {
	level   slog.Level
	console []string
	log     string
}{
	{slog.LevelDebug, []string{"debug", "trace"}, "debug"},
	{slog.LevelInfo, []string{"log", "info"}, "info"},
	{slog.LevelWarn, []string{"warn"}, "warn"},
	{slog.LevelError, []string{"error"}, "error"},
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
