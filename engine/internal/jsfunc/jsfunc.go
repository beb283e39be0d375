// Package jsfunc makes the native functions scripts see (console.log, fetch, the callscript
// builders, the bounded built-ins) look like JavaScript's own: goja names a Go function after
// its Go symbol ("github.com/…/vm.InstallConsole.func1") and gives it a length of 0.
package jsfunc

import "github.com/dop251/goja"

// New makes fn a function of rt called name, whose length is length, both as the standard
// library defines them (not writable, not enumerable, configurable).
func New(rt *goja.Runtime, name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	f := rt.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if length != 0 {
		_ = f.DefineDataProperty("length", rt.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return f
}
