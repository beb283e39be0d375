package scripttest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"
)

// maxFrames bounds the frames looked at to find the author's code.
const maxFrames = 64

// isAuthorFile reports whether name is a file of the tenant folder in this bundle.
func (f *fileRun) isAuthorFile(name string) bool {
	_, found := slices.BinarySearch(f.b.Files, name)
	return found && name != runnerEntry
}

// authorPosition returns p in the author's terms, and whether it lies in a tenant file.
func (f *fileRun) authorPosition(p file.Position) (Position, bool) {
	p = f.b.Position(p)
	if !f.isAuthorFile(p.Filename) {
		return Position{}, false
	}
	return Position{File: p.Filename, Line: p.Line, Column: p.Column}, true
}

// where returns the innermost frame of the running JavaScript that lies in the author's files:
// the line of the test that called into "callscript/test".
func (f *fileRun) where() (Position, bool) {
	var buf [maxFrames]goja.StackFrame
	for _, frame := range f.vm.CaptureCallStack(maxFrames, buf[:0]) {
		if p, ok := f.authorPosition(frame.Position()); ok {
			return p, true
		}
	}
	return Position{}, false
}

// authorFrames returns the innermost author frame of a captured stack, and the author's
// frames one per line.
func (f *fileRun) authorFrames(frames []goja.StackFrame) (Position, string) {
	var first Position
	var b strings.Builder
	for i := range frames {
		p, ok := f.authorPosition(frames[i].Position())
		if !ok {
			continue
		}
		if first.File == "" {
			first = p
		}
		name := frames[i].FuncName()
		if name == "" {
			name = "<anonymous>"
		}
		fmt.Fprintf(&b, "at %s (%s)\n", name, p)
	}
	return first, strings.TrimSuffix(b.String(), "\n")
}

// locateStack reads the text of an Error's stack property: the innermost author frame, and
// the author's frames one per line.
func (f *fileRun) locateStack(stack string) (Position, string) {
	var first Position
	var b strings.Builder
	for _, m := range stackRE.FindAllStringSubmatch(stack, -1) {
		line, _ := strconv.Atoi(m[3])
		col, _ := strconv.Atoi(m[4])
		p, ok := f.authorPosition(file.Position{Filename: m[2], Line: line, Column: col})
		if !ok {
			continue
		}
		if first.File == "" {
			first = p
		}
		name := m[1]
		if name == "" {
			name = "<anonymous>"
		}
		fmt.Fprintf(&b, "at %s (%s)\n", name, p)
	}
	return first, strings.TrimSuffix(b.String(), "\n")
}

// stackText is the stack property of a thrown object, or "".
func stackText(obj *goja.Object) string {
	if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) && !goja.IsNull(s) {
		return s.String()
	}
	return ""
}

// parsePosition reads a "file:line:col" that where() produced.
func parsePosition(s string) Position {
	rest, col, ok := cutLastNumber(s)
	if !ok {
		return Position{File: s}
	}
	file, line, ok := cutLastNumber(rest)
	if !ok {
		return Position{File: s}
	}
	return Position{File: file, Line: line, Column: col}
}

func cutLastNumber(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 0, false
	}
	return s[:i], n, true
}
