package vm

import (
	"strconv"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// DecodeEvent is the handler's event argument: the webhook's JSON text as a JavaScript value
// whose objects build their members when the script reads them (see lazyObject), so that the
// event's trip from bytes to a JS object costs a scan. The test runner's call simulator makes
// its events with it too, so that scripts see the same object under test as in production.
func DecodeEvent(vm *goja.Runtime, data []byte) (goja.Value, error) {
	return decode(jsonDecoder{vm: vm, sc: jsonscan.Scanner{Data: data, MaxDepth: maxJSONDepth}})
}

// DecodeSession is ctx.session from its saved JSON text, made as DecodeEvent makes the event.
// The text must be what SessionJSON wrote (JSON.stringify's own form): the members a handler
// leaves unread are then written back as they are, without being made (see plainWriter).
func DecodeSession(vm *goja.Runtime, data []byte) (goja.Value, error) {
	return decode(jsonDecoder{vm: vm, canonical: true, sc: jsonscan.Scanner{Data: data, MaxDepth: maxJSONDepth}})
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
	vm  *goja.Runtime
	sc  jsonscan.Scanner
	buf []byte // where strings with escapes are decoded, reused
	// canonical: the text is JSON.stringify's own (a saved session), so an unread member's
	// text is what JSON.stringify would write for it.
	canonical bool
}

// value reads the value after d.sc.Pos and the white space before it.
func (d *jsonDecoder) value() (goja.Value, error) {
	d.sc.SkipSpace()
	switch d.sc.PeekKind() {
	case jsonscan.Object:
		return newLazyObject(d.vm, &d.sc, d.canonical)
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
