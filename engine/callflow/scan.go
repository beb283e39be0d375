package callflow

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxNesting bounds how deeply unknown values may nest. The scanner skips
// them recursively, and a hostile answer must not exhaust the stack.
const maxNesting = 200

// kind is the JSON type of a value, read from its first byte.
type kind uint8

const (
	kindInvalid kind = iota
	kindString
	kindNumber
	kindBool
	kindNull
	kindObject
	kindArray
)

// describe names a JSON type the way a JavaScript author thinks of it.
func (k kind) describe() string {
	switch k {
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindNull:
		return "null"
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	}
	return "an invalid value"
}

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
	s     string
	pos   int
	depth int
}

func (sc *scanner) fail(msg string) {
	panic(syntaxError{offset: sc.pos, msg: msg})
}

// failUnexpected reports the byte at the current position.
func (sc *scanner) failUnexpected(context string) {
	if sc.pos >= len(sc.s) {
		sc.fail("unexpected end of input " + context)
	}
	c := sc.s[sc.pos]
	var what string
	if c >= 0x20 && c < 0x7f {
		what = strconv.QuoteRune(rune(c))
	} else {
		what = "byte 0x" + strconv.FormatUint(uint64(c), 16)
	}
	sc.fail("unexpected " + what + " " + context)
}

func (sc *scanner) skipSpace() {
	for sc.pos < len(sc.s) {
		switch sc.s[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the kind of the next value.
func (sc *scanner) peek() kind {
	sc.skipSpace()
	if sc.pos >= len(sc.s) {
		return kindInvalid
	}
	switch c := sc.s[sc.pos]; {
	case c == '"':
		return kindString
	case c == '{':
		return kindObject
	case c == '[':
		return kindArray
	case c == 't' || c == 'f':
		return kindBool
	case c == 'n':
		return kindNull
	case c == '-' || (c >= '0' && c <= '9'):
		return kindNumber
	}
	return kindInvalid
}

// finish checks that nothing but whitespace follows the top-level value.
func (sc *scanner) finish() {
	sc.skipSpace()
	if sc.pos < len(sc.s) {
		sc.failUnexpected("after the end of the answer")
	}
}

// object reads an object, calling member with each key while the scanner
// sits before the member's value; member must consume that value.
func (sc *scanner) object(member func(key string)) {
	sc.skipSpace()
	if sc.pos >= len(sc.s) || sc.s[sc.pos] != '{' {
		sc.failUnexpected("where an object should start")
	}
	sc.pos++
	sc.enter()
	sc.skipSpace()
	if sc.pos < len(sc.s) && sc.s[sc.pos] == '}' {
		sc.pos++
		sc.depth--
		return
	}
	for {
		sc.skipSpace()
		if sc.pos >= len(sc.s) || sc.s[sc.pos] != '"' {
			sc.failUnexpected("where an object key should be")
		}
		key := sc.str()
		sc.skipSpace()
		if sc.pos >= len(sc.s) || sc.s[sc.pos] != ':' {
			sc.failUnexpected("after an object key")
		}
		sc.pos++
		member(key)
		sc.skipSpace()
		if sc.pos < len(sc.s) {
			switch sc.s[sc.pos] {
			case ',':
				sc.pos++
				continue
			case '}':
				sc.pos++
				sc.depth--
				return
			}
		}
		sc.failUnexpected("after an object member")
	}
}

// array reads an array, calling elem with each index while the scanner
// sits before the element; elem must consume it.
func (sc *scanner) array(elem func(i int)) {
	sc.skipSpace()
	if sc.pos >= len(sc.s) || sc.s[sc.pos] != '[' {
		sc.failUnexpected("where an array should start")
	}
	sc.pos++
	sc.enter()
	sc.skipSpace()
	if sc.pos < len(sc.s) && sc.s[sc.pos] == ']' {
		sc.pos++
		sc.depth--
		return
	}
	for i := 0; ; i++ {
		elem(i)
		sc.skipSpace()
		if sc.pos < len(sc.s) {
			switch sc.s[sc.pos] {
			case ',':
				sc.pos++
				continue
			case ']':
				sc.pos++
				sc.depth--
				return
			}
		}
		sc.failUnexpected("after an array element")
	}
}

func (sc *scanner) enter() {
	sc.depth++
	if sc.depth > maxNesting {
		sc.fail("values nested more than " + strconv.Itoa(maxNesting) + " deep")
	}
}

// skip consumes one value of any kind, checking its syntax.
func (sc *scanner) skip() {
	switch sc.peek() {
	case kindString:
		sc.skipString()
	case kindNumber:
		sc.number()
	case kindBool:
		sc.boolean()
	case kindNull:
		sc.null()
	case kindObject:
		sc.object(func(string) { sc.skip() })
	case kindArray:
		sc.array(func(int) { sc.skip() })
	default:
		sc.failUnexpected("where a value should be")
	}
}

func (sc *scanner) literal(word string) {
	if len(sc.s)-sc.pos < len(word) || sc.s[sc.pos:sc.pos+len(word)] != word {
		sc.failUnexpected("in a literal (true, false or null)")
	}
	sc.pos += len(word)
}

// boolean reads true or false.
func (sc *scanner) boolean() bool {
	sc.skipSpace()
	if sc.pos < len(sc.s) && sc.s[sc.pos] == 't' {
		sc.literal("true")
		return true
	}
	sc.literal("false")
	return false
}

func (sc *scanner) null() {
	sc.skipSpace()
	sc.literal("null")
}

// number reads a number and returns its literal text, checked against the
// JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (sc *scanner) number() string {
	sc.skipSpace()
	start := sc.pos
	if sc.pos < len(sc.s) && sc.s[sc.pos] == '-' {
		sc.pos++
	}
	switch {
	case sc.pos < len(sc.s) && sc.s[sc.pos] == '0':
		sc.pos++
	case sc.pos < len(sc.s) && sc.s[sc.pos] >= '1' && sc.s[sc.pos] <= '9':
		sc.digits()
	default:
		sc.failUnexpected("in a number")
	}
	if sc.pos < len(sc.s) && sc.s[sc.pos] == '.' {
		sc.pos++
		if sc.digits() == 0 {
			sc.failUnexpected("after the decimal point of a number")
		}
	}
	if sc.pos < len(sc.s) && (sc.s[sc.pos] == 'e' || sc.s[sc.pos] == 'E') {
		sc.pos++
		if sc.pos < len(sc.s) && (sc.s[sc.pos] == '+' || sc.s[sc.pos] == '-') {
			sc.pos++
		}
		if sc.digits() == 0 {
			sc.failUnexpected("in the exponent of a number")
		}
	}
	return sc.s[start:sc.pos]
}

func (sc *scanner) digits() int {
	start := sc.pos
	for sc.pos < len(sc.s) && sc.s[sc.pos] >= '0' && sc.s[sc.pos] <= '9' {
		sc.pos++
	}
	return sc.pos - start
}

// skipString consumes a string without building its value.
func (sc *scanner) skipString() {
	sc.pos++ // opening quote
	for sc.pos < len(sc.s) {
		c := sc.s[sc.pos]
		switch {
		case c == '"':
			sc.pos++
			return
		case c == '\\':
			sc.escape()
		case c < 0x20:
			sc.failUnexpected("inside a string (control characters must be escaped)")
		default:
			sc.pos++
		}
	}
	sc.fail("unexpected end of input inside a string")
}

// escape checks the escape sequence at sc.pos and moves past it.
func (sc *scanner) escape() {
	sc.pos++ // backslash
	if sc.pos >= len(sc.s) {
		sc.fail("unexpected end of input inside a string")
	}
	switch sc.s[sc.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		sc.pos++
	case 'u':
		sc.pos++
		if sc.hex4() < 0 {
			sc.failUnexpected("in a \\u escape")
		}
	default:
		sc.failUnexpected("after a backslash in a string")
	}
}

// hex4 reads four hex digits, or returns -1 (leaving sc.pos at the bad byte).
func (sc *scanner) hex4() rune {
	var r rune
	for i := 0; i < 4; i++ {
		if sc.pos >= len(sc.s) {
			return -1
		}
		c := sc.s[sc.pos]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
		sc.pos++
	}
	return r
}

// str reads a string at sc.pos (which must be a quote) and returns its
// value. Invalid UTF-8 and unpaired surrogate escapes become U+FFFD, as
// encoding/json does, so every string handed out is valid UTF-8.
func (sc *scanner) str() string {
	sc.pos++ // opening quote
	start := sc.pos
	ascii := true
	for sc.pos < len(sc.s) {
		c := sc.s[sc.pos]
		switch {
		case c == '"':
			raw := sc.s[start:sc.pos]
			sc.pos++
			if ascii || utf8.ValidString(raw) {
				return raw
			}
			return sc.unquote(start)
		case c == '\\':
			return sc.unquote(start)
		case c < 0x20:
			sc.failUnexpected("inside a string (control characters must be escaped)")
		case c >= utf8.RuneSelf:
			ascii = false
		}
		sc.pos++
	}
	sc.fail("unexpected end of input inside a string")
	return ""
}

// unquote is the slow path of str: it decodes escapes and repairs bad
// UTF-8, starting over from the first byte of the string's content.
func (sc *scanner) unquote(start int) string {
	sc.pos = start
	buf := make([]byte, 0, 32)
	for sc.pos < len(sc.s) {
		c := sc.s[sc.pos]
		switch {
		case c == '"':
			sc.pos++
			return string(buf)
		case c == '\\':
			buf = sc.appendEscape(buf)
		case c < 0x20:
			sc.failUnexpected("inside a string (control characters must be escaped)")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			sc.pos++
		default:
			r, size := utf8.DecodeRuneInString(sc.s[sc.pos:])
			buf = utf8.AppendRune(buf, r) // RuneError for invalid bytes
			sc.pos += size
		}
	}
	sc.fail("unexpected end of input inside a string")
	return ""
}

func (sc *scanner) appendEscape(buf []byte) []byte {
	sc.pos++ // backslash
	if sc.pos >= len(sc.s) {
		sc.fail("unexpected end of input inside a string")
	}
	c := sc.s[sc.pos]
	sc.pos++
	switch c {
	case '"', '\\', '/':
		return append(buf, c)
	case 'b':
		return append(buf, '\b')
	case 'f':
		return append(buf, '\f')
	case 'n':
		return append(buf, '\n')
	case 'r':
		return append(buf, '\r')
	case 't':
		return append(buf, '\t')
	case 'u':
		r := sc.hex4()
		if r < 0 {
			sc.failUnexpected("in a \\u escape")
		}
		if utf16.IsSurrogate(r) {
			// A high surrogate pairs with an immediately following \u low
			// surrogate; anything else leaves it unpaired.
			if sc.pos+6 <= len(sc.s) && sc.s[sc.pos] == '\\' && sc.s[sc.pos+1] == 'u' {
				save := sc.pos
				sc.pos += 2
				r2 := sc.hex4()
				if r2 < 0 {
					sc.failUnexpected("in a \\u escape")
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return utf8.AppendRune(buf, dec)
				}
				sc.pos = save // r2 is read again on its own
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(buf, r)
	}
	sc.pos--
	sc.failUnexpected("after a backslash in a string")
	return buf
}
