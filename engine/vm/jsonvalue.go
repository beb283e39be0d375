package vm

import (
	"strconv"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// decodeJSON builds the JavaScript value of a JSON text directly, as JSON.parse would, without
// goja's JSON.parse and its token-by-token decoder: the event's trip from bytes to a JS object
// is the largest cost of a warm call. The text must be valid JSON (webhook.Parse has checked
// the event; the session was written by JSON.stringify).
func decodeJSON(vm *goja.Runtime, data []byte) (goja.Value, error) {
	return decode(jsonDecoder{vm: vm, sc: jsonscan.Scanner{Data: data, MaxDepth: maxJSONDepth}})
}

// DecodeEvent is the handler's event argument: the webhook's JSON text as a JavaScript value
// whose objects build their members when the script reads them (see lazyObject), so that the
// event's trip from bytes to a JS object costs a scan. The test runner's call simulator makes
// its events with it too, so that scripts see the same object under test as in production.
func DecodeEvent(vm *goja.Runtime, data []byte) (goja.Value, error) { return decodeLazyJSON(vm, data) }

// decodeLazyJSON is decodeJSON with the objects in the text made lazyObjects.
func decodeLazyJSON(vm *goja.Runtime, data []byte) (goja.Value, error) {
	return decode(jsonDecoder{vm: vm, lazy: true, sc: jsonscan.Scanner{Data: data, MaxDepth: maxJSONDepth}})
}

func decode(d jsonDecoder) (goja.Value, error) {
	data := d.sc.Data
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.sc.SkipSpace()
	if d.sc.Pos != len(data) {
		return nil, &jsonscan.Error{Offset: d.sc.Pos, Code: jsonscan.ExpectedValue, Start: d.sc.Pos}
	}
	return v, nil
}

// maxJSONDepth matches encoding/json's nesting limit.
const maxJSONDepth = 10000

type jsonDecoder struct {
	vm   *goja.Runtime
	sc   jsonscan.Scanner
	buf  []byte // where strings with escapes are decoded, reused
	lazy bool   // objects are lazyObjects
}

// value reads the value after d.sc.Pos and the white space before it.
func (d *jsonDecoder) value() (goja.Value, error) {
	d.sc.SkipSpace()
	switch d.sc.PeekKind() {
	case jsonscan.Object:
		if d.lazy {
			return newLazyObject(d.vm, &d.sc)
		}
		return d.object()
	case jsonscan.Array:
		return d.array()
	case jsonscan.String:
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return d.vm.ToValue(s), nil
	case jsonscan.Number:
		return d.number()
	case jsonscan.Bool, jsonscan.Null:
		switch word, err := d.sc.ReadLiteral(); {
		case err != nil:
			return nil, err
		case word == "null":
			return goja.Null(), nil
		default:
			return d.vm.ToValue(word == "true"), nil
		}
	}
	return nil, &jsonscan.Error{Offset: d.sc.Pos, Code: jsonscan.ExpectedValue, Start: d.sc.Pos}
}

func (d *jsonDecoder) object() (goja.Value, error) {
	obj := d.vm.NewObject()
	more, lexErr := d.sc.Open()
	for more && lexErr == nil {
		var k jsonscan.Span
		if k, lexErr = d.sc.Member(); lexErr != nil {
			break
		}
		key := d.text(k)
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		if key == "__proto__" {
			// JSON.parse makes an own property of it; Set would change the prototype.
			err = obj.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		} else {
			err = obj.Set(key, v)
		}
		if err != nil {
			return nil, err
		}
		more, lexErr = d.sc.Next('}')
	}
	if lexErr != nil {
		return nil, lexErr
	}
	return obj, nil
}

func (d *jsonDecoder) array() (goja.Value, error) {
	var items []any
	more, lexErr := d.sc.Open()
	for more && lexErr == nil {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		more, lexErr = d.sc.Next(']')
	}
	if lexErr != nil {
		return nil, lexErr
	}
	return d.vm.NewArray(items...), nil
}

// number reads a number as JSON.parse does: an integer that fits exactly stays one (goja
// keeps such values apart from floats), anything else is a float, out of range ±Infinity.
func (d *jsonDecoder) number() (goja.Value, error) {
	start := d.sc.Pos
	if err := d.sc.ReadNumber(); err != nil {
		return nil, err
	}
	lit := d.sc.Data[start:d.sc.Pos]
	if n, ok := smallInteger(lit); ok {
		return d.vm.ToValue(n), nil
	}
	f, _ := strconv.ParseFloat(string(lit), 64) // the grammar is checked: the only error is a range error
	return d.vm.ToValue(f), nil
}

// smallInteger reads a number literal of at most 15 digits, no fraction and no exponent
// (so that it is exact in a float64 too), other than -0, which only a float can be.
func smallInteger(lit []byte) (int64, bool) {
	digits, neg := lit, false
	if len(lit) > 0 && lit[0] == '-' {
		digits, neg = lit[1:], true
	}
	if len(digits) == 0 || len(digits) > 15 || neg && len(digits) == 1 && digits[0] == '0' {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// str reads a string, unescaping as JSON.parse does; invalid UTF-8 becomes U+FFFD, as goja
// does when it turns Go strings into JavaScript ones.
func (d *jsonDecoder) str() (string, error) {
	v, err := d.sc.ReadString()
	if err != nil {
		return "", err
	}
	return d.text(v), nil
}

func (d *jsonDecoder) text(v jsonscan.Span) string { return spanText(d.sc.Data, v, &d.buf) }
