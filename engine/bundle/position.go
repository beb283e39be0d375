package bundle

import (
	"net/url"
	"slices"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"
)

// ProgramName is the name to compile a Bundle's Code under:
//
//	program, err := goja.Compile(bundle.ProgramName, b.Code, false)
//
// goja and its source map reader resolve the map's file names against the
// program's name as a URL; this name has neither a directory nor a scheme,
// so the file names come through as the tenant's own paths. No tenant file
// has this name, so positions that no source file maps keep it.
const ProgramName = "<bundle>"

// Position returns a position that goja reports for this bundle's program
// (a frame of (*goja.Exception).Stack) with the file named by its path
// relative to the tenant folder.
//
// goja reports a source file's name as a URL, which differs from the path
// when the name has a space or another character URLs escape
// ("my%20menu.ts"). Lines and columns need no change: both are 1-based, as
// every compiler prints them. Positions in the bundle's own glue code keep
// ProgramName and their place in Code.
func (b *Bundle) Position(p file.Position) file.Position {
	if p.Filename == ProgramName || p.Filename == SDKFile || b.hasFile(p.Filename) {
		return p
	}
	if name, err := url.PathUnescape(p.Filename); err == nil && b.hasFile(name) {
		p.Filename = name
	}
	return p
}

// AuthorPosition returns the position of the innermost frame of stack that
// lies in one of the tenant's files: where the author's code threw, or
// called the "callscript" function that threw.
func (b *Bundle) AuthorPosition(stack []goja.StackFrame) (file.Position, bool) {
	for i := range stack {
		if p := b.Position(stack[i].Position()); b.hasFile(p.Filename) {
			return p, true
		}
	}
	return file.Position{}, false
}

func (b *Bundle) hasFile(name string) bool {
	_, found := slices.BinarySearch(b.Files, name)
	return found
}
