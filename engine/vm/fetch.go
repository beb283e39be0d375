package vm

import "github.com/dop251/goja"

// installFetch defines the global fetch (being written).
func (rt *runtime) installFetch() {
	rt.fetch = goja.Undefined()
}
