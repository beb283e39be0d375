// Package jsonscan is the JSON lexer shared by the engine's hand-written parsers (webhook
// bodies, callflow answers, tenant.json).
//
// A Scanner reads JSON text in place, one token at a time, and accepts exactly what
// encoding/json accepts (RFC 8259; strings may hold invalid UTF-8, which decoding replaces by
// U+FFFD), optionally refusing invalid UTF-8 and unpaired surrogate escapes as well. It never
// builds values: the parsers decide what to keep, and word their own error messages from the
// Error it returns, which says what is wrong and where. It allocates only for errors.
package jsonscan

import (
	"bytes"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the type of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	None Kind = iota // no value: the end of the input, or a byte no value starts with
	String
	Number
	Bool
	Null
	Object
	Array
)

// String describes the kind the way an error message needs it: "got a number".
func (k Kind) String() string {
	switch k {
	case String:
		return "a string"
	case Number:
		return "a number"
	case Bool:
		return "a boolean"
	case Null:
		return "null"
	case Object:
		return "an object"
	case Array:
		return "an array"
	}
	return "nothing"
}

// Code says what is wrong where a Scanner stopped.
type Code uint8

// The codes of an Error.
const (
	ExpectedValue      Code = iota + 1 // no value starts here
	ExpectedKey                        // an object member does not start with its key, a string
	ExpectedColon                      // no ':' after an object key
	TooDeep                            // objects and arrays nest more than MaxDepth deep; Offset is the '{' or '[' one too deep
	UnterminatedString                 // the input ends inside a string
	ControlCharacter                   // a byte below 0x20 in a string, where it must be escaped
	InvalidEscape                      // a backslash followed by none of "\/bfnrtu; Offset is the byte after it
	InvalidHexEscape                   // a \u escape without four hexadecimal digits
	InvalidUTF8                        // a byte that is not UTF-8, in a string (Strict only)
	LoneSurrogate                      // a \u escape of half a surrogate pair without its other half (Strict only); Offset is its backslash
	InvalidNumber                      // no digit at the start of a number, after any '-'
	InvalidFraction                    // no digit after a decimal point
	InvalidExponent                    // no digit in an exponent, after any sign
	InvalidLiteral                     // a misspelt true, false or null; Start is its first letter

	// The codes of what Next found after a member or element are the bytes that close the
	// object or array, so that Next, which runs for every member and element, names them
	// without a branch.
	ExpectedCommaOrBrace   Code = '}' // neither ',' nor '}' after an object member
	ExpectedCommaOrBracket Code = ']' // neither ',' nor ']' after an array element
)

// String says where the Scanner stopped and what it expected there, as a phrase to follow a
// description of the byte it found: "'x' in a number (expected a digit)".
func (c Code) String() string {
	switch c {
	case ExpectedValue:
		return "where a value was expected"
	case ExpectedKey:
		return "where an object key (a string in double quotes) was expected"
	case ExpectedColon:
		return "after an object key (expected ':')"
	case ExpectedCommaOrBrace:
		return "after an object member (expected ',' or '}')"
	case ExpectedCommaOrBracket:
		return "after an array element (expected ',' or ']')"
	case TooDeep:
		return "where objects and arrays nest too deep"
	case UnterminatedString:
		return "in a string (expected its closing quote)"
	case ControlCharacter:
		return "in a string (control characters must be escaped)"
	case InvalidEscape:
		return "after a backslash in a string (expected one of \"\\/bfnrtu)"
	case InvalidHexEscape:
		return "in a \\u escape (expected 4 hexadecimal digits)"
	case InvalidUTF8:
		return "in a string (expected UTF-8)"
	case LoneSurrogate:
		return "in a string (expected the other half of a surrogate pair)"
	case InvalidNumber:
		return "in a number (expected a digit)"
	case InvalidFraction:
		return "after the decimal point (expected a digit)"
	case InvalidExponent:
		return "in an exponent (expected a digit)"
	case InvalidLiteral:
		return "in a literal (true, false or null)"
	}
	return "in JSON"
}

// Error is a syntax error: what Code says is wrong at byte Offset of the input, or at its end
// when Offset is the input's length. The parsers word messages of their own from it; Error
// gives a plain one.
type Error struct {
	Offset int
	Code   Code
	// Start is where the token at fault begins: a string's opening quote, the first byte of a
	// number or literal. Between tokens it is Offset.
	Start int
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid JSON: unexpected byte or end of input at byte %d, %s", e.Offset, e.Code)
}

// Span locates a string read by ReadString: its content, between the quotes, is
// Data[Start:End].
type Span struct {
	Start, End int
	// Plain reports that the content is the string's value as it stands: it holds no escape
	// and is valid UTF-8. Otherwise Unquote or AppendUnquoted decodes it.
	Plain bool
}

// Scanner reads the JSON text Data from byte Pos on. The zero value of its options accepts
// what encoding/json accepts, without a nesting limit.
type Scanner struct {
	Data []byte // read, never written
	Pos  int
	// MaxDepth bounds how deeply objects and arrays may nest (the outermost is 1), so that
	// a recursive parser cannot exhaust its stack; 0 means no limit.
	MaxDepth int
	// Strict refuses strings that are not valid UTF-8 or hold a \u escape of half a
	// surrogate pair, which encoding/json replaces by U+FFFD.
	Strict bool

	depth int // objects and arrays open at Pos
}

func (s *Scanner) errorAt(offset int, code Code, start int) *Error {
	return &Error{Offset: offset, Code: code, Start: start}
}

// SkipSpace moves Pos past JSON white space.
func (s *Scanner) SkipSpace() {
	for s.Pos < len(s.Data) {
		switch s.Data[s.Pos] {
		case ' ', '\t', '\n', '\r':
			s.Pos++
		default:
			return
		}
	}
}

// PeekKind returns the kind of the value that starts at Pos, judged by its first byte, or
// None at the end of the input or a byte no value starts with.
func (s *Scanner) PeekKind() Kind {
	if s.Pos >= len(s.Data) {
		return None
	}
	switch c := s.Data[s.Pos]; {
	case c == '"':
		return String
	case c == '{':
		return Object
	case c == '[':
		return Array
	case c == 't' || c == 'f':
		return Bool
	case c == 'n':
		return Null
	case c == '-' || c >= '0' && c <= '9':
		return Number
	}
	return None
}

// Skip moves past the value after Pos and any white space before it, checking its syntax.
func (s *Scanner) Skip() *Error {
	s.SkipSpace()
	switch s.PeekKind() {
	case String:
		_, err := s.ReadString()
		return err
	case Number:
		return s.ReadNumber()
	case Bool, Null:
		_, err := s.ReadLiteral()
		return err
	case Object:
		more, err := s.Open()
		for more && err == nil {
			if _, err = s.Member(); err == nil {
				if err = s.Skip(); err == nil {
					more, err = s.Next('}')
				}
			}
		}
		return err
	case Array:
		more, err := s.Open()
		for more && err == nil {
			if err = s.Skip(); err == nil {
				more, err = s.Next(']')
			}
		}
		return err
	}
	return s.errorAt(s.Pos, ExpectedValue, s.Pos)
}

// Open moves past the '{' or '[' at Pos and the white space after it. It reports whether a
// member or element follows; if not, it has moved past the closing '}' or ']' too.
func (s *Scanner) Open() (more bool, err *Error) {
	if s.MaxDepth > 0 && s.depth >= s.MaxDepth {
		return false, s.errorAt(s.Pos, TooDeep, s.Pos)
	}
	closing := byte('}')
	if s.Data[s.Pos] == '[' {
		closing = ']'
	}
	s.Pos++
	s.SkipSpace()
	if s.Pos < len(s.Data) && s.Data[s.Pos] == closing {
		s.Pos++
		return false, nil
	}
	s.depth++
	return true, nil
}

// Member reads an object member's key and the colon after it, with the white space around
// them, leaving Pos at the member's value (or the end of the input).
func (s *Scanner) Member() (key Span, err *Error) {
	s.SkipSpace()
	if s.Pos >= len(s.Data) || s.Data[s.Pos] != '"' {
		return Span{}, s.errorAt(s.Pos, ExpectedKey, s.Pos)
	}
	if key, err = s.ReadString(); err != nil {
		return Span{}, err
	}
	if s.Pos < len(s.Data) && s.Data[s.Pos] == ':' { // the usual case, spared a call
		s.Pos++
		s.SkipSpace()
		return key, nil
	}
	return key, s.Colon()
}

// Colon moves past the ':' after an object key and the white space around it.
func (s *Scanner) Colon() *Error {
	s.SkipSpace()
	if s.Pos >= len(s.Data) || s.Data[s.Pos] != ':' {
		return s.errorAt(s.Pos, ExpectedColon, s.Pos)
	}
	s.Pos++
	s.SkipSpace()
	return nil
}

// Next moves past what follows an object member or an array element: a comma, reporting that
// another member or element follows, or closing, the '}' or ']' that ends the object or
// array. It leaves Pos right after the comma. It runs for every member and element, and is
// small enough to be inlined where it is called.
func (s *Scanner) Next(closing byte) (more bool, err *Error) {
	s.SkipSpace()
	if s.Pos < len(s.Data) {
		switch s.Data[s.Pos] {
		case ',':
			s.Pos++
			return true, nil
		case closing:
			s.Pos++
			s.depth--
			return false, nil
		}
	}
	return false, &Error{Offset: s.Pos, Code: Code(closing), Start: s.Pos}
}

// plainInString has a 1 for each byte a string may hold as it stands (printable ASCII but the
// quote and the backslash), so that the hottest loop tests a byte with one lookup.
const plainInString = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x00-0x0F: control characters
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x10-0x1F: control characters
	"\x01\x01\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x20-0x2F: '"' ends a string
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x30-0x3F
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x40-0x4F
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x01\x01\x01" + // 0x50-0x5F: '\\' starts an escape
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x60-0x6F
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // 0x70-0x7F
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x80-0x8F: not ASCII
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0x90-0x9F: not ASCII
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xA0-0xAF: not ASCII
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xB0-0xBF: not ASCII
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xC0-0xCF: not ASCII
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xD0-0xDF: not ASCII
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 0xE0-0xEF: not ASCII
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" // 0xF0-0xFF: not ASCII

// ReadString moves past the string whose opening quote is at Pos and locates its content.
func (s *Scanner) ReadString() (Span, *Error) {
	data := s.Data
	start := s.Pos
	v := Span{Start: start + 1, Plain: true}
	i := v.Start
	for {
		// Most bytes are plain ASCII: pass over them in a tight loop first.
		for i < len(data) && plainInString[data[i]] != 0 {
			i++
		}
		if i >= len(data) {
			return Span{}, s.errorAt(len(data), UnterminatedString, start)
		}
		switch c := data[i]; {
		case c == '"':
			v.End = i
			s.Pos = i + 1
			return v, nil
		case c == '\\':
			v.Plain = false
			var err *Error
			if i, err = s.escape(i, start); err != nil {
				return Span{}, err
			}
		case c < 0x20:
			return Span{}, s.errorAt(i, ControlCharacter, start)
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				if s.Strict {
					return Span{}, s.errorAt(i, InvalidUTF8, start)
				}
				v.Plain = false
			}
			i += size
		}
	}
}

// escape checks the escape sequence whose backslash is at i, in the string whose quote is at
// start, and returns the offset after it.
func (s *Scanner) escape(i, start int) (int, *Error) {
	data := s.Data
	i++
	if i >= len(data) {
		return 0, s.errorAt(len(data), UnterminatedString, start)
	}
	switch data[i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 1, nil
	case 'u':
	default:
		return 0, s.errorAt(i, InvalidEscape, start)
	}
	r, end, err := s.hex4(i+1, start)
	if err != nil || !s.Strict || !utf16.IsSurrogate(r) {
		return end, err
	}
	// Strict: the escape must be the first half of a pair whose second half follows.
	if end+1 < len(data) && data[end] == '\\' && data[end+1] == 'u' {
		var r2 rune
		if r2, end, err = s.hex4(end+2, start); err != nil {
			return 0, err
		}
		if utf16.DecodeRune(r, r2) != utf8.RuneError {
			return end, nil
		}
	}
	return 0, s.errorAt(i-1, LoneSurrogate, start)
}

// hex4 reads the four hexadecimal digits of a \u escape from i on.
func (s *Scanner) hex4(i, start int) (r rune, end int, err *Error) {
	for end = i; end < i+4; end++ {
		if end >= len(s.Data) {
			return 0, 0, s.errorAt(len(s.Data), InvalidHexEscape, start)
		}
		d := hexValue(s.Data[end])
		if d < 0 {
			return 0, 0, s.errorAt(end, InvalidHexEscape, start)
		}
		r = r<<4 | d
	}
	return r, end, nil
}

func hexValue(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// ReadNumber moves past the number that starts at Pos, checked against the JSON grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. The literal is Data[start:Pos] after it.
func (s *Scanner) ReadNumber() *Error {
	start := s.Pos
	i := start
	if i < len(s.Data) && s.Data[i] == '-' {
		i++
	}
	switch {
	case i < len(s.Data) && s.Data[i] == '0':
		i++
	case i < len(s.Data) && s.Data[i] >= '1' && s.Data[i] <= '9':
		i = s.skipDigits(i + 1)
	default:
		return s.errorAt(i, InvalidNumber, start)
	}
	if i < len(s.Data) && s.Data[i] == '.' {
		i++
		if i >= len(s.Data) || !isDigit(s.Data[i]) {
			return s.errorAt(i, InvalidFraction, start)
		}
		i = s.skipDigits(i)
	}
	if i < len(s.Data) && (s.Data[i] == 'e' || s.Data[i] == 'E') {
		i++
		if i < len(s.Data) && (s.Data[i] == '+' || s.Data[i] == '-') {
			i++
		}
		if i >= len(s.Data) || !isDigit(s.Data[i]) {
			return s.errorAt(i, InvalidExponent, start)
		}
		i = s.skipDigits(i)
	}
	s.Pos = i
	return nil
}

func (s *Scanner) skipDigits(i int) int {
	for i < len(s.Data) && isDigit(s.Data[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ReadLiteral moves past the true, false or null that starts at Pos (the byte there must be
// t, f or n) and returns it. On an error, which says where the word goes wrong, Pos stays.
func (s *Scanner) ReadLiteral() (word string, err *Error) {
	word = Literal(s.Data[s.Pos])
	for j := range len(word) {
		i := s.Pos + j
		if i >= len(s.Data) || s.Data[i] != word[j] {
			return "", s.errorAt(i, InvalidLiteral, s.Pos)
		}
	}
	s.Pos += len(word)
	return word, nil
}

// Literal returns the literal a value starting with c must be: true for t, false for f, else
// null.
func Literal(c byte) string {
	switch c {
	case 't':
		return "true"
	case 'f':
		return "false"
	}
	return "null"
}

// AppendQuoted appends s to dst as a JSON string, escaped as JSON.stringify escapes it: the
// quote, the backslash and the control characters. With lineSeparators, U+2028 and U+2029 are
// escaped too, so that the output is also a valid JavaScript literal. Invalid UTF-8 becomes
// U+FFFD.
func AppendQuoted(dst []byte, s string, lineSeparators bool) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			start = i + size
		case lineSeparators && (r == '\u2028' || r == '\u2029'):
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendUnquoted appends the value of a string's content (Data[Span.Start:Span.End] of a
// string ReadString accepted) to dst, decoding it as encoding/json and JSON.parse do: escapes
// are resolved, and invalid UTF-8 and \u escapes of unpaired surrogates become U+FFFD.
func AppendUnquoted(dst, content []byte) []byte {
	for i := 0; i < len(content); {
		c := content[i]
		switch {
		case c == '\\' && i+1 < len(content):
			i += 2
			switch e := content[i-1]; e {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := unicodeEscape(content, i)
				if r < 0 {
					dst = append(dst, '\\', 'u') // not an escape ReadString accepts: keep it as written
					continue
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A pair makes one character, a lone half U+FFFD.
					r2 := rune(-1)
					if i+1 < len(content) && content[i] == '\\' && content[i+1] == 'u' {
						r2 = unicodeEscape(content, i+2)
					}
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						r = pair
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				dst = utf8.AppendRune(dst, r)
			default: // '"', '\\', '/'
				dst = append(dst, e)
			}
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(content[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for an invalid byte
			i += size
		}
	}
	return dst
}

// Unquote returns the value of a string's content, decoded as AppendUnquoted decodes it.
func Unquote(content []byte) string {
	var buf [128]byte // most values fit: they are decoded here and copied once, into the string
	return string(AppendUnquoted(buf[:0], content))
}

// unicodeEscape returns the value of the four hexadecimal digits at i, or -1.
func unicodeEscape(s []byte, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for j := i; j < i+4; j++ {
		d := hexValue(s[j])
		if d < 0 {
			return -1
		}
		r = r<<4 | d
	}
	return r
}

// Position returns the 1-based line and column of a byte offset of data, the column counted
// in characters (an invalid byte counting as one).
func Position(data []byte, offset int) (line, col int) {
	before := data[:offset]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return 1 + bytes.Count(before, []byte{'\n'}), 1 + utf8.RuneCount(before[lineStart:])
}

// CharAt names the character at offset i of the input for an error message: 'x' for
// printable ASCII, 'é' (U+00E9) for other characters, byte 0xFF for control characters and
// bytes that are not UTF-8.
func (s *Scanner) CharAt(i int) string {
	c := s.Data[i]
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	if r, size := utf8.DecodeRune(s.Data[i:]); size > 1 {
		return fmt.Sprintf("%q (U+%04X)", r, r)
	}
	return fmt.Sprintf("byte 0x%02X", c)
}
