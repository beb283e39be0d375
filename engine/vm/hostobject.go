package vm

import (
	"slices"

	"github.com/dop251/goja"
)

// members are the properties of a host object (goja.DynamicObject) that starts with a fixed,
// shared list of names whose values are made the first time a script reads them: console,
// ctx.log and ctx. Each such object's Get makes its values; members does the rest of
// DynamicObject, so that a script may set, add and delete properties as on a plain object. As
// any host object, it cannot be frozen or given accessors or symbol-keyed properties (goja's
// TypeError says so).
type members struct {
	keys   []string     // the properties in order; the shared names until the script changes them
	values []goja.Value // values[i] is keys[i]'s, nil until made
	owned  bool         // keys is this object's own copy
}

// index is key's place among the properties, or -1.
func (m *members) index(key string) int { return slices.Index(m.keys, key) }

func (m *members) Set(key string, v goja.Value) bool {
	if i := m.index(key); i >= 0 {
		m.values[i] = v
		return true
	}
	m.own()
	m.keys = append(m.keys, key)
	m.values = append(m.values, v)
	return true
}

func (m *members) Has(key string) bool { return m.index(key) >= 0 }

func (m *members) Delete(key string) bool {
	if i := m.index(key); i >= 0 {
		m.own()
		m.keys = slices.Delete(m.keys, i, i+1)
		m.values = slices.Delete(m.values, i, i+1)
	}
	return true
}

// Keys returns a copy: goja iterates over it while the script may delete properties.
func (m *members) Keys() []string { return slices.Clone(m.keys) }

// own gives the object its own copy of its keys before it changes them.
func (m *members) own() {
	if !m.owned {
		m.keys, m.owned = slices.Clone(m.keys), true
	}
}
