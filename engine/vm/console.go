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

// installConsole gives the runtime console.log/info/warn/error/debug and the ctx.log object.
// Both write structured lines to the call's logger, with the author's file:line as "source".
func (rt *runtime) installConsole() {
	vm := rt.vm
	console := vm.NewObject()
	for name, level := range map[string]slog.Level{
		"log": slog.LevelInfo, "info": slog.LevelInfo, "debug": slog.LevelDebug,
		"warn": slog.LevelWarn, "error": slog.LevelError, "trace": slog.LevelDebug,
	} {
		_ = console.Set(name, func(fc goja.FunctionCall) goja.Value {
			parts := make([]string, len(fc.Arguments))
			for i, arg := range fc.Arguments {
				parts[i] = rt.format(arg)
			}
			rt.write(level, strings.Join(parts, " "), nil)
			return goja.Undefined()
		})
	}
	_ = vm.Set("console", console)
	rt.console = console

	log := vm.NewObject()
	for name, level := range map[string]slog.Level{
		"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
	} {
		_ = log.Set(name, func(msg goja.Value, fields goja.Value) goja.Value {
			var attrs []slog.Attr
			if obj, ok := fields.(*goja.Object); ok && !goja.IsUndefined(fields) && !goja.IsNull(fields) {
				text, err := rt.stringify(goja.Undefined(), obj)
				if err == nil && !goja.IsUndefined(text) {
					attrs = append(attrs, slog.Any("fields", rawJSON(text.String())))
				}
			}
			rt.write(level, rt.format(msg), attrs)
			return goja.Undefined()
		})
	}
	rt.log = log
}

// rawJSON is JSON text that a slog JSON handler embeds as is.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// format renders one console argument as Node does, roughly: strings as they are, errors with
// their stack, other values as JSON where possible.
func (rt *runtime) format(v goja.Value) string {
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
	text, err := rt.stringify(goja.Undefined(), obj)
	if err != nil || goja.IsUndefined(text) {
		return v.String()
	}
	return text.String()
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
	call.logger.LogAttrs(context.Background(), level, msg, attrs...)
}

// flushDroppedLogs reports, in one line, the log lines a call wrote beyond its bound.
func (rt *runtime) flushDroppedLogs() {
	call := rt.call
	if call == nil || call.dropped == 0 || call.logger == nil {
		return
	}
	call.logger.LogAttrs(context.Background(), slog.LevelWarn,
		fmt.Sprintf("%d more log lines of this event were dropped (at most %d per event)", call.dropped, call.maxLines))
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
