package vm

import (
	"cmp"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// The objects callscript hands to scripts as goja.DynamicObjects (the event, ctx, console,
// ctx.log) behave as plain objects: a script may read, assign, add, delete, enumerate and
// spread their properties. As any host object, they cannot be frozen or sealed, or hold
// accessors or symbol-keyed properties (goja's TypeError says so).

// propertyNames are a host object's own property names in the order they were added, found
// through a map once there are many: a script (or a webhook) with a hundred thousand of them
// must not cost their square.
type propertyNames struct {
	names  []string
	byName map[string]int // the position of each name, for more than indexFrom (nil: stale)
	shared bool           // names is a list many objects start with: copied before it changes
}

// indexFrom is the number of names from which they are found through a map.
const indexFrom = 16

// index is name's position, or -1.
func (p *propertyNames) index(name string) int {
	if len(p.names) <= indexFrom {
		return slices.Index(p.names, name)
	}
	if p.byName == nil {
		p.byName = make(map[string]int, len(p.names))
		for i, n := range p.names {
			p.byName[n] = i
		}
	}
	if i, ok := p.byName[name]; ok {
		return i
	}
	return -1
}

// add appends a name.
func (p *propertyNames) add(name string) {
	p.own()
	p.names = append(p.names, name)
	if p.byName != nil {
		p.byName[name] = len(p.names) - 1
	}
}

// remove removes the name at position i.
func (p *propertyNames) remove(i int) {
	p.own()
	p.names = slices.Delete(p.names, i, i+1)
	p.byName = nil // the positions after i moved
}

func (p *propertyNames) own() {
	if p.shared {
		p.names, p.shared = slices.Clone(p.names), false
	}
}

// ordered lists the names in the order JavaScript gives an object's keys: array indices
// ascending first, then the others as they were added. The slice is the caller's: goja
// iterates over it while the script may delete properties.
func (p *propertyNames) ordered() []string {
	keys := slices.Clone(p.names)
	if slices.ContainsFunc(keys, isArrayIndex) {
		slices.SortStableFunc(keys, func(a, b string) int {
			ia, ib := isArrayIndex(a), isArrayIndex(b)
			switch {
			case ia && ib:
				return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
			case ia:
				return -1
			case ib:
				return 1
			}
			return 0
		})
	}
	return keys
}

// isArrayIndex reports whether key is the canonical form of an integer below 2³²-1, which
// JavaScript orders before an object's other keys.
func isArrayIndex(key string) bool {
	if key == "" || len(key) > 10 || key[0] == '0' && len(key) > 1 {
		return false
	}
	n := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n < 1<<32-1
}

// members are the properties of a host object whose values are made the first time a script
// reads them (the event's objects, ctx, console, ctx.log): each such object's Get makes its
// values, members does the rest of goja.DynamicObject.
type members struct {
	propertyNames
	values []goja.Value // values[i] is names[i]'s, nil until made
}

func (m *members) Set(key string, v goja.Value) bool {
	i := m.index(key)
	switch {
	case v == nil: // Object.defineProperty without a value: the value stays
		if i < 0 {
			m.add(key)
			m.values = append(m.values, goja.Undefined())
		}
	case i >= 0:
		m.values[i] = v
	default:
		m.add(key)
		m.values = append(m.values, v)
	}
	return true
}

func (m *members) Has(key string) bool { return m.index(key) >= 0 }

func (m *members) Delete(key string) bool {
	if i := m.index(key); i >= 0 {
		m.remove(i)
		m.values = slices.Delete(m.values, i, i+1)
	}
	return true
}

func (m *members) Keys() []string { return m.ordered() }
