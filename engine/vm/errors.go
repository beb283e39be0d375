package vm

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// ScriptError is an error raised by a tenant's script, located in the author's own file.
type ScriptError struct {
	// Message is the JavaScript error as the author would print it ("TypeError: x is not a function").
	Message string
	// File, Line and Column locate the innermost frame in the author's code (1-based); File is
	// relative to the tenant folder, and empty when no position is known.
	File         string
	Line, Column int
	// Stack is the JavaScript stack trace, one frame per line, in the author's files.
	Stack string

	interrupted bool // cut by the deadline
	memory      bool // stopped by the memory guard
	fatal       bool // the runtime may be damaged (stack overflow, memory): do not reuse it
}

// Error renders the error the way compilers do: "menus.js:3:9: Error: boom".
func (e *ScriptError) Error() string {
	if e.File == "" {
		return e.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
}

// Unwrap makes a script cut at its deadline match ErrDeadline.
func (e *ScriptError) Unwrap() error {
	switch {
	case e.interrupted:
		return ErrDeadline
	case e.memory:
		return ErrMemoryLimit
	}
	return nil
}

// Location is "file:line:col", or "" when unknown.
func (e *ScriptError) Location() string {
	if e.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
}

// frameRE matches one frame of a goja stack string: "at fn (file:line:col(pc))" or
// "at file:line:col(pc)".
var frameRE = regexp.MustCompile(`at (?:[^\s(]+ \()?([^\s():]+):(\d+):(\d+)`)

// scriptErrorOf turns whatever goja returned into a *ScriptError with the author's position.
func scriptErrorOf(err error) error {
	if err == nil {
		return nil
	}
	var se *ScriptError
	if errors.As(err, &se) {
		return err
	}
	var interrupted *goja.InterruptedError
	if errors.As(err, &interrupted) {
		if cause, _ := interrupted.Value().(error); errors.Is(cause, ErrMemoryLimit) {
			out := &ScriptError{Message: ErrMemoryLimit.Error(), memory: true, fatal: true}
			out.locate(interrupted.Stack())
			return out
		}
		out := &ScriptError{Message: ErrDeadline.Error(), interrupted: true}
		out.locate(interrupted.Stack())
		return out
	}
	var overflow *goja.StackOverflowError
	if errors.As(err, &overflow) {
		out := &ScriptError{Message: "RangeError: Maximum call stack size exceeded (endless recursion?)", fatal: true}
		out.locate(overflow.Stack())
		return out
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		out := &ScriptError{}
		out.fromValue(ex.Value())
		if out.File == "" {
			out.locate(ex.Stack())
		}
		return out
	}
	var syntax *goja.CompilerSyntaxError
	if errors.As(err, &syntax) {
		return &ScriptError{Message: "SyntaxError: " + syntax.Message}
	}
	return &ScriptError{Message: err.Error()}
}

// rejectionError describes the reason a handler's promise was rejected with.
func rejectionError(reason goja.Value) *ScriptError {
	out := &ScriptError{}
	out.fromValue(reason)
	return out
}

// fromValue reads a thrown value: an Error object's "name: message" and its stack, or the
// string form of anything else (a thrown string, number or plain object).
func (e *ScriptError) fromValue(v goja.Value) {
	if v == nil {
		e.Message = "undefined was thrown"
		return
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		e.Message = "Uncaught " + v.String()
		return
	}
	if stack := obj.Get("stack"); stack != nil && !goja.IsUndefined(stack) {
		text := stack.String()
		e.Stack = text
		e.Message, _, _ = strings.Cut(text, "\n")
		e.Message = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(e.Message), ""))
		if m := frameRE.FindStringSubmatch(text); m != nil {
			e.File = m[1]
			e.Line, _ = strconv.Atoi(m[2])
			e.Column, _ = strconv.Atoi(m[3])
		}
		// goja puts the first frame on the message line ("Error: boom at f (x.js:1:2(3))").
		if i := strings.Index(e.Message, " at "); i > 0 && frameRE.MatchString(e.Message[i:]) {
			e.Message = e.Message[:i]
		}
		return
	}
	e.Message = "Uncaught " + v.String()
}

// locate takes the innermost frame that has a file as the error's position.
func (e *ScriptError) locate(frames []goja.StackFrame) {
	var b strings.Builder
	for i := range frames {
		pos := frames[i].Position()
		if pos.Filename == "" || pos.Line == 0 {
			continue
		}
		if e.File == "" {
			e.File, e.Line, e.Column = pos.Filename, pos.Line, pos.Column
		}
		fmt.Fprintf(&b, "    at %s (%s:%d:%d)\n", frameName(&frames[i]), pos.Filename, pos.Line, pos.Column)
	}
	if e.Stack == "" {
		e.Stack = strings.TrimRight(b.String(), "\n")
	}
}

func frameName(f *goja.StackFrame) string {
	if name := f.FuncName(); name != "" {
		return name
	}
	return "<anonymous>"
}
