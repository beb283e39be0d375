package vm

import (
	"slices"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/jsonscan"
	"github.com/callscript/callscript/engine/webhook"
)

// lazyObject is a JSON object handed to JavaScript whose members become JavaScript values only
// when the script reads them. A handler reads a few fields of a webhook and ignores the rest,
// and building every member of the event as a JavaScript value was the largest cost of a warm
// call; with lazyObject the event costs one scan of its top level, and a nested object one
// scan when it is first read.
//
// To the script it is an ordinary object: its members are own, enumerable, writable and
// configurable data properties in the order of the JSON text, it can be read, assigned,
// deleted, enumerated, spread and stringified, and its prototype is Object.prototype. What a
// host object cannot do, it cannot do either: it cannot be frozen, sealed or made
// non-extensible, it cannot hold symbol-keyed properties, and accessors or read-only
// properties cannot be defined on it (copy it first: {...event}).
type lazyObject struct {
	members // values[i] is nil until the member is read or assigned
	vm      *goja.Runtime
	data    []byte          // the JSON text the members' values are spans of
	raw     []jsonscan.Span // each member's value as JSON text (Start, End): its value until read or assigned
}

// newLazyObject makes the object whose JSON text starts at sc.Pos (at its '{'), reading its
// keys and moving sc past it. Values nested in it are checked for syntax, not built.
func newLazyObject(vm *goja.Runtime, sc *jsonscan.Scanner) (*goja.Object, error) {
	o := &lazyObject{vm: vm, data: sc.Data}
	var buf []byte
	more, lexErr := sc.Open()
	for more && lexErr == nil {
		var k jsonscan.Span
		if k, lexErr = sc.Member(); lexErr != nil {
			break
		}
		key := spanText(sc.Data, k, &buf)
		start := sc.Pos
		if lexErr = sc.Skip(); lexErr != nil {
			break
		}
		o.member(key, jsonscan.Span{Start: start, End: sc.Pos})
		more, lexErr = sc.Next('}')
	}
	if lexErr != nil {
		return nil, lexErr
	}
	o.values = make([]goja.Value, len(o.names))
	return vm.NewDynamicObject(o), nil
}

// lazyObjectOf makes the object whose members webhook.Parse found in data, without scanning
// it again.
func lazyObjectOf(vm *goja.Runtime, data []byte, found []webhook.Member) *goja.Object {
	o := &lazyObject{members: members{propertyNames: propertyNames{names: make([]string, 0, len(found))}}, vm: vm, data: data, raw: make([]jsonscan.Span, 0, len(found))}
	for _, m := range found {
		o.member(m.Key, jsonscan.Span{Start: m.Start, End: m.End})
	}
	o.values = make([]goja.Value, len(o.names))
	return vm.NewDynamicObject(o)
}

// member records a member read from the JSON text: a repeated key keeps its place and takes
// the last value, as in JSON.parse.
func (o *lazyObject) member(key string, value jsonscan.Span) {
	if i := o.index(key); i >= 0 {
		o.raw[i] = value
		return
	}
	o.add(key)
	o.raw = append(o.raw, value)
}

// Get returns a member's value, building it on the first read; nil for no such member (the
// prototype is asked then).
func (o *lazyObject) Get(key string) goja.Value {
	i := o.index(key)
	if i < 0 {
		return nil
	}
	if o.values[i] == nil {
		d := jsonDecoder{vm: o.vm, lazy: true, sc: jsonscan.Scanner{Data: o.data[:o.raw[i].End], Pos: o.raw[i].Start, MaxDepth: maxJSONDepth}}
		v, err := d.value()
		if err != nil { // cannot happen: the syntax was checked when the object was scanned
			v = goja.Undefined()
		}
		o.values[i] = v
	}
	return o.values[i]
}

// Set and Delete are members' (assigning, adding at the end, removing), keeping raw beside
// the names: a member added by the script has no text.
func (o *lazyObject) Set(key string, v goja.Value) bool {
	if o.index(key) < 0 {
		o.raw = append(o.raw, jsonscan.Span{})
	}
	return o.members.Set(key, v)
}

func (o *lazyObject) Delete(key string) bool {
	if i := o.index(key); i >= 0 {
		o.raw = slices.Delete(o.raw, i, i+1)
	}
	return o.members.Delete(key)
}

// spanText is a JSON string's content as Go text, unescaped through buf when it must be.
func spanText(data []byte, v jsonscan.Span, buf *[]byte) string {
	content := data[v.Start:v.End]
	if v.Plain {
		return string(content)
	}
	*buf = jsonscan.AppendUnquoted((*buf)[:0], content)
	return string(*buf)
}
