package vm

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// stringifyJSON is JSON.stringify(v) as bytes, with stringify (JSON.stringify as it was before
// author code ran) for what appendJSON does not write itself. ok is false when v stringifies
// to undefined (undefined itself, a function, a symbol).
func stringifyJSON(v goja.Value, stringify goja.Callable) (text []byte, ok bool, err error) {
	if out, done := appendPlainJSON(nil, v); done {
		return out, out != nil, nil
	}
	s, err := stringify(goja.Undefined(), v)
	if err != nil {
		return nil, false, err
	}
	if goja.IsUndefined(s) {
		return nil, false, nil
	}
	return []byte(s.String()), true, nil
}

// maxPlainDepth is how deep appendPlainJSON goes before it leaves the value to JSON.stringify
// (which reports cycles).
const maxPlainDepth = 32

// appendPlainJSON writes what JSON.stringify would for the values a handler returns in the
// usual case: plain objects and arrays of strings, numbers, booleans and null. The answer's
// trip back from JavaScript is the other large cost of a warm call, and goja's JSON.stringify
// makes a reader object per string. done is false, and nothing is decided, when v holds
// anything else (a toJSON method, a Date, a Map, a boxed primitive, a BigInt, a string that
// is not valid UTF-16, nesting deeper than maxPlainDepth) or when reading it threw: the caller
// stringifies the value then. A nil out with done reports undefined.
func appendPlainJSON(buf []byte, v goja.Value) (out []byte, done bool) {
	defer func() {
		if recover() != nil { // a getter threw, or the script was interrupted in one
			out, done = nil, false
		}
	}()
	w := plainWriter{buf: buf}
	if !w.value(v, 0, false) {
		return nil, false
	}
	if w.undefined {
		return nil, true
	}
	return w.buf, true
}

type plainWriter struct {
	buf       []byte
	undefined bool // the top value was undefined (or a function or symbol)
}

var (
	typeInt64   = reflect.TypeFor[int64]()
	typeFloat64 = reflect.TypeFor[float64]()
	typeString  = reflect.TypeFor[string]()
	typeBool    = reflect.TypeFor[bool]()
	typeProxy   = reflect.TypeFor[goja.Proxy]()
)

// value writes v; in an array, a value JSON leaves out is written as null. It returns false
// when v is not plain data.
func (w *plainWriter) value(v goja.Value, depth int, inArray bool) bool {
	if leftOut(v) {
		return w.omitted(inArray, depth)
	}
	if goja.IsNull(v) {
		w.buf = append(w.buf, "null"...)
		return true
	}
	if obj, ok := v.(*goja.Object); ok {
		return w.object(obj, depth)
	}
	switch v.ExportType() {
	case typeString:
		return w.str(v.String())
	case typeInt64:
		w.buf = strconv.AppendInt(w.buf, v.ToInteger(), 10)
		return true
	case typeFloat64:
		if f := v.ToFloat(); math.IsNaN(f) || math.IsInf(f, 0) {
			w.buf = append(w.buf, "null"...)
		} else {
			w.buf = append(w.buf, v.String()...) // JavaScript's own number formatting
		}
		return true
	case typeBool:
		w.buf = strconv.AppendBool(w.buf, v.ToBoolean())
		return true
	}
	return false // a BigInt, which JSON.stringify refuses
}

// leftOut reports whether v is a value JSON has no text for: undefined, a function or a
// symbol (left out of an object, null in an array).
func leftOut(v goja.Value) bool {
	if v == nil || goja.IsUndefined(v) {
		return true
	}
	if obj, ok := v.(*goja.Object); ok {
		return obj.ClassName() == "Function"
	}
	_, isSymbol := v.(*goja.Symbol)
	return isSymbol
}

// omitted handles a value JSON.stringify leaves out: null in an array, nothing in an object
// (the caller skips the member), undefined at the top.
func (w *plainWriter) omitted(inArray bool, depth int) bool {
	switch {
	case inArray:
		w.buf = append(w.buf, "null"...)
	case depth == 0:
		w.undefined = true
	}
	return true
}

func (w *plainWriter) object(obj *goja.Object, depth int) bool {
	if depth >= maxPlainDepth || obj.ExportType() == typeProxy {
		return false // a proxy reports the class "Object" even around an array
	}
	class := obj.ClassName()
	if class != "Array" && class != "Object" {
		return false // Date, Map, boxed primitives, errors…: JSON.stringify's own rules
	}
	if toJSON := obj.Get("toJSON"); toJSON != nil && !goja.IsUndefined(toJSON) {
		return false
	}
	if class == "Array" {
		n := obj.Get("length").ToInteger()
		w.buf = append(w.buf, '[')
		for i := range n {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if !w.value(obj.Get(strconv.FormatInt(i, 10)), depth+1, true) {
				return false
			}
		}
		w.buf = append(w.buf, ']')
		return true
	}
	w.buf = append(w.buf, '{')
	first := true
	for _, key := range obj.Keys() {
		member := obj.Get(key)
		if leftOut(member) {
			continue
		}
		if !first {
			w.buf = append(w.buf, ',')
		}
		first = false
		if !w.str(key) {
			return false
		}
		w.buf = append(w.buf, ':')
		if !w.value(member, depth+1, false) {
			return false
		}
	}
	w.buf = append(w.buf, '}')
	return true
}

// str writes a string as JSON.stringify does. A Go string holding U+FFFD may come from a lone
// surrogate, which JSON.stringify writes as an escape: such strings are left to it.
func (w *plainWriter) str(s string) bool {
	if strings.ContainsRune(s, utf8.RuneError) {
		return false
	}
	w.buf = jsonscan.AppendQuoted(w.buf, s, false)
	return true
}
