package callflow

import (
	"strconv"
	"unsafe"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// maxNesting bounds how deeply unknown values may nest. The scanner skips
// them recursively, and a hostile answer must not exhaust the stack.
const maxNesting = 200

// syntaxError aborts a scan. The scanner panics with it so that the decoder
// need not thread a syntax error through every call; Parse recovers it.
type syntaxError struct {
	offset int
	msg    string
}

// scanner is a strict JSON reader over the whole input. It accepts what
// encoding/json.Valid accepts, except values nested deeper than maxNesting
// (no valid answer nests deeper than four). The strings it hands out are
// substrings of the input wherever no unescaping or repair is needed, so a
// typical answer decodes without copying its text.
type scanner struct {
	jsonscan.Scanner
	text string // the input, whose substrings are handed out; Data views its bytes
}

func newScanner(s string) scanner {
	return scanner{Scanner: jsonscan.Scanner{Data: bytesOf(s), MaxDepth: maxNesting}, text: s}
}

// bytesOf views the bytes of s without copying them. The scanner only reads its
// input, and sharing it is what lets a typical answer decode without a copy.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

func (sc *scanner) fail(msg string) {
	panic(syntaxError{offset: sc.Pos, msg: msg})
}

// failUnexpected reports the byte at the current position.
func (sc *scanner) failUnexpected(context string) {
	if sc.Pos >= len(sc.Data) {
		sc.fail("unexpected end of input " + context)
	}
	c := sc.Data[sc.Pos]
	var what string
	if c >= 0x20 && c < 0x7f {
		what = strconv.QuoteRune(rune(c))
	} else {
		what = "byte 0x" + strconv.FormatUint(uint64(c), 16)
	}
	sc.fail("unexpected " + what + " " + context)
}

// check fails the scan with the lexer's syntax error, if any.
func (sc *scanner) check(e *jsonscan.Error) {
	if e != nil {
		sc.failSyntax(e)
	}
}

func (sc *scanner) failSyntax(e *jsonscan.Error) {
	sc.Pos = e.Offset
	switch e.Code {
	case jsonscan.TooDeep:
		sc.Pos++ // reported just inside the bracket that opens one level too many
		sc.fail("values nested more than " + strconv.Itoa(maxNesting) + " deep")
	case jsonscan.UnterminatedString:
		sc.fail("unexpected end of input inside a string")
	case jsonscan.InvalidLiteral:
		sc.Pos = e.Start
	}
	sc.failUnexpected(syntaxContext(e.Code))
}

// syntaxContext says where a syntax error of the lexer lies, as a phrase that follows the
// byte at fault: "unexpected ']' after an object key".
func syntaxContext(code jsonscan.Code) string {
	contexts := [...]string{
		jsonscan.ExpectedKey:            "where an object key should be",
		jsonscan.ExpectedColon:          "after an object key",
		jsonscan.ExpectedCommaOrBrace:   "after an object member",
		jsonscan.ExpectedCommaOrBracket: "after an array element",
		jsonscan.ControlCharacter:       "inside a string (control characters must be escaped)",
		jsonscan.InvalidEscape:          "after a backslash in a string",
		jsonscan.InvalidHexEscape:       "in a \\u escape",
		jsonscan.InvalidNumber:          "in a number",
		jsonscan.InvalidFraction:        "after the decimal point of a number",
		jsonscan.InvalidExponent:        "in the exponent of a number",
		jsonscan.InvalidLiteral:         "in a literal (true, false or null)",
	}
	if int(code) < len(contexts) && contexts[code] != "" {
		return contexts[code]
	}
	return "where a value should be"
}

// peek skips whitespace and returns the kind of the next value.
func (sc *scanner) peek() jsonscan.Kind {
	sc.SkipSpace()
	return sc.PeekKind()
}

// finish checks that nothing but whitespace follows the top-level value.
func (sc *scanner) finish() {
	sc.SkipSpace()
	if sc.Pos < len(sc.Data) {
		sc.failUnexpected("after the end of the answer")
	}
}

// object reads an object, calling member with each key while the scanner
// sits before the member's value; member must consume that value.
func (sc *scanner) object(member func(key string)) {
	if sc.peek() != jsonscan.Object {
		sc.failUnexpected("where an object should start")
	}
	more, err := sc.Open()
	for more && err == nil {
		var k jsonscan.Span
		if k, err = sc.Member(); err == nil {
			key := sc.text[k.Start:k.End]
			if !k.Plain {
				key = jsonscan.Unquote(sc.Data[k.Start:k.End])
			}
			member(key)
			more, err = sc.Next('}')
		}
	}
	sc.check(err)
}

// array reads an array, calling elem with each index while the scanner
// sits before the element; elem must consume it.
func (sc *scanner) array(elem func(i int)) {
	if sc.peek() != jsonscan.Array {
		sc.failUnexpected("where an array should start")
	}
	more, err := sc.Open()
	for i := 0; more && err == nil; i++ {
		elem(i)
		more, err = sc.Next(']')
	}
	sc.check(err)
}

// skip consumes one value of any kind, checking its syntax.
func (sc *scanner) skip() {
	sc.check(sc.Skip())
}

// boolean reads true or false.
func (sc *scanner) boolean() bool {
	sc.SkipSpace()
	word, err := sc.ReadLiteral()
	sc.check(err)
	return word == "true"
}

func (sc *scanner) null() {
	sc.SkipSpace()
	_, err := sc.ReadLiteral()
	sc.check(err)
}

// number reads a number and returns its literal text.
func (sc *scanner) number() string {
	sc.SkipSpace()
	start := sc.Pos
	sc.check(sc.ReadNumber())
	return sc.text[start:sc.Pos]
}

// str reads a string at sc.Pos (which must be a quote) and returns its
// value. Invalid UTF-8 and unpaired surrogate escapes become U+FFFD, as
// encoding/json does, so every string handed out is valid UTF-8.
func (sc *scanner) str() string {
	v, err := sc.ReadString()
	sc.check(err)
	if v.Plain {
		return sc.text[v.Start:v.End]
	}
	return jsonscan.Unquote(sc.Data[v.Start:v.End])
}
