package webhook

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// maxDepth is how deeply objects and arrays may nest: encoding/json's limit, so that both
// accept the same bodies.
const maxDepth = 10000

// kind is the type of a JSON value.
type kind uint8

const (
	kindAbsent kind = iota // no value: the key did not occur
	kindString
	kindNumber
	kindBool
	kindNull
	kindObject
	kindArray
)

// String describes the kind the way an error message needs it: "got a number".
func (k kind) String() string {
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
	return "nothing"
}

// span locates a value in the body. For a string it covers the text between the quotes; for
// a number, the literal. For other kinds only kind is meaningful.
type span struct {
	kind       kind
	escaped    bool // string contains backslash escapes
	ascii      bool // string bytes are all ASCII
	start, end int
}

// scanner is a validating single-pass JSON reader over data. It accepts exactly what
// encoding/json accepts: strings may hold any bytes but control characters (invalid UTF-8
// included, which decoding replaces by U+FFFD).
type scanner struct {
	data []byte
	pos  int
}

// envelope scans the whole body, recording in env the fields Parse needs.
func (s *scanner) envelope(env *envelope) error {
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '{' {
		env.top = kindObject
		if err := s.object(1, func(key []byte) error { return s.envelopeMember(key, env) }); err != nil {
			return err
		}
	} else {
		v, err := s.value(1)
		if err != nil {
			return err
		}
		env.top = v.kind
	}
	s.skipSpace()
	if s.pos < len(s.data) {
		return s.errorf(s.pos, "%s after the top-level value", s.describe(s.pos))
	}
	return nil
}

func (s *scanner) envelopeMember(key []byte, env *envelope) error {
	var err error
	switch string(key) {
	case "eventType":
		env.eventType, err = s.value(2)
	case "payload":
		// A repeated payload replaces the earlier one entirely, as in JSON.parse.
		env.payload = payloadFields{}
		if s.data[s.pos] == '{' {
			env.payloadKind = kindObject
			return s.object(2, func(key []byte) error { return s.payloadMember(key, &env.payload) })
		}
		var v span
		v, err = s.value(2)
		env.payloadKind = v.kind
	default:
		_, err = s.value(2)
	}
	return err
}

func (s *scanner) payloadMember(key []byte, p *payloadFields) error {
	var err error
	switch string(key) {
	case "eventId":
		p.eventID, err = s.value(3)
	case "sessionId":
		p.sessionID, err = s.value(3)
	case "callId":
		p.callID, err = s.value(3)
	case "callStatus":
		p.callStatus, err = s.value(3)
	case "subAccountId":
		p.subAccountID, err = s.value(3)
	case "clientActionId":
		p.clientActionID, err = s.value(3)
	case "dtmf":
		p.dtmf, err = s.value(3)
	case "eventData":
		p.eventDataDTMF, p.asrCaptured = span{}, span{}
		if s.data[s.pos] == '{' {
			p.eventData = span{kind: kindObject}
			return s.object(3, func(key []byte) error {
				var err error
				switch string(key) {
				case "dtmf":
					p.eventDataDTMF, err = s.value(4)
				case "asrCaptured":
					p.asrCaptured, err = s.value(4)
				default:
					_, err = s.value(4)
				}
				return err
			})
		}
		p.eventData, err = s.value(3)
	default:
		_, err = s.value(3)
	}
	return err
}

// object scans the object starting at s.pos, which nests depth deep (the top level is 1).
// For each member it calls member with the unescaped key and s.pos at the first byte of the
// member's value; member must scan the value. A nil member skips every value.
func (s *scanner) object(depth int, member func(key []byte) error) error {
	if depth > maxDepth {
		return s.errorf(s.pos, "objects and arrays nest more than %d deep", maxDepth)
	}
	s.pos++ // '{'
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		if s.pos >= len(s.data) {
			return s.unexpectedEnd()
		}
		if s.data[s.pos] != '"' {
			return s.errorf(s.pos, "%s where an object key (a string in double quotes) was expected", s.describe(s.pos))
		}
		k, err := s.str()
		if err != nil {
			return err
		}
		var key []byte
		if member != nil {
			key = s.data[k.start:k.end]
			if k.escaped {
				key = []byte(s.unquote(k))
			}
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.unexpectedEnd()
		}
		if s.data[s.pos] != ':' {
			return s.errorf(s.pos, "%s after an object key (expected ':')", s.describe(s.pos))
		}
		s.pos++
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.unexpectedEnd()
		}
		if member != nil {
			err = member(key)
		} else {
			_, err = s.value(depth + 1)
		}
		if err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.unexpectedEnd()
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipSpace()
		case '}':
			s.pos++
			return nil
		default:
			return s.errorf(s.pos, "%s after an object member (expected ',' or '}')", s.describe(s.pos))
		}
	}
}

// array scans the array starting at s.pos, which nests depth deep.
func (s *scanner) array(depth int) error {
	if depth > maxDepth {
		return s.errorf(s.pos, "objects and arrays nest more than %d deep", maxDepth)
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		if _, err := s.value(depth + 1); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.unexpectedEnd()
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipSpace()
		case ']':
			s.pos++
			return nil
		default:
			return s.errorf(s.pos, "%s after an array element (expected ',' or ']')", s.describe(s.pos))
		}
	}
}

// value scans the value starting at s.pos (after white space); an object or array in it
// nests depth deep.
func (s *scanner) value(depth int) (span, error) {
	if s.pos >= len(s.data) {
		return span{}, s.unexpectedEnd()
	}
	switch c := s.data[s.pos]; {
	case c == '"':
		return s.str()
	case c == '{':
		return span{kind: kindObject}, s.object(depth, nil)
	case c == '[':
		return span{kind: kindArray}, s.array(depth)
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return span{kind: kindBool}, s.literal("true")
	case c == 'f':
		return span{kind: kindBool}, s.literal("false")
	case c == 'n':
		return span{kind: kindNull}, s.literal("null")
	}
	return span{}, s.errorf(s.pos, "%s where a value was expected", s.describe(s.pos))
}

// str scans the string starting at s.pos.
func (s *scanner) str() (span, error) {
	v := span{kind: kindString, ascii: true, start: s.pos + 1}
	i := v.start
	for i < len(s.data) {
		// Most bytes are plain ASCII: pass over them in a tight loop first.
		for i < len(s.data) && s.data[i] >= 0x20 && s.data[i] < utf8.RuneSelf && s.data[i] != '"' && s.data[i] != '\\' {
			i++
		}
		if i >= len(s.data) {
			break
		}
		c := s.data[i]
		switch {
		case c == '"':
			v.end = i
			s.pos = i + 1
			return v, nil
		case c == '\\':
			v.escaped = true
			i++
			if i >= len(s.data) {
				return span{}, s.unexpectedEnd()
			}
			switch s.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for range 4 {
					if i >= len(s.data) {
						return span{}, s.unexpectedEnd()
					}
					if !isHex(s.data[i]) {
						return span{}, s.errorf(i, "%s in a \\u escape (expected 4 hexadecimal digits)", s.describe(i))
					}
					i++
				}
			default:
				return span{}, s.errorf(i, "invalid escape \\%s in a string", s.char(i))
			}
		case c < 0x20:
			return span{}, s.errorf(i, "control character U+%04X in a string (write it escaped)", c)
		default:
			if c >= utf8.RuneSelf {
				v.ascii = false
			}
			i++
		}
	}
	return span{}, s.unexpectedEnd()
}

// number scans the number starting at s.pos.
func (s *scanner) number() (span, error) {
	v := span{kind: kindNumber, start: s.pos}
	i := s.pos
	if s.data[i] == '-' {
		i++
	}
	if i >= len(s.data) {
		return span{}, s.unexpectedEnd()
	}
	switch c := s.data[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		i = s.skipDigits(i + 1)
	default:
		return span{}, s.errorf(i, "%s in a number (expected a digit)", s.describe(i))
	}
	if i < len(s.data) && s.data[i] == '.' {
		i++
		if i >= len(s.data) {
			return span{}, s.unexpectedEnd()
		}
		if !isDigit(s.data[i]) {
			return span{}, s.errorf(i, "%s after the decimal point (expected a digit)", s.describe(i))
		}
		i = s.skipDigits(i)
	}
	if i < len(s.data) && (s.data[i] == 'e' || s.data[i] == 'E') {
		i++
		if i < len(s.data) && (s.data[i] == '+' || s.data[i] == '-') {
			i++
		}
		if i >= len(s.data) {
			return span{}, s.unexpectedEnd()
		}
		if !isDigit(s.data[i]) {
			return span{}, s.errorf(i, "%s in an exponent (expected a digit)", s.describe(i))
		}
		i = s.skipDigits(i)
	}
	s.pos = i
	v.end = i
	return v, nil
}

func (s *scanner) skipDigits(i int) int {
	for i < len(s.data) && isDigit(s.data[i]) {
		i++
	}
	return i
}

// literal scans true, false or null at s.pos.
func (s *scanner) literal(word string) error {
	for j := range len(word) {
		i := s.pos + j
		if i >= len(s.data) {
			return s.unexpectedEnd()
		}
		if s.data[i] != word[j] {
			return s.errorf(i, "%s in the literal %s", s.describe(i), word)
		}
	}
	s.pos += len(word)
	return nil
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// unquote decodes the string v the way encoding/json does (invalid UTF-8 and lone surrogates
// become U+FFFD), which is also what a script sees once the body is a JavaScript string.
// It is the slow path, for strings with escapes or non-ASCII bytes.
func (s *scanner) unquote(v span) string {
	var out string
	if err := json.Unmarshal(s.data[v.start-1:v.end+1], &out); err != nil {
		// Unreachable: str accepted the string, and it accepts what encoding/json accepts.
		panic(fmt.Sprintf("webhook: unquote of a scanned string failed: %v", err))
	}
	return out
}

func (s *scanner) unexpectedEnd() error {
	return s.errorf(len(s.data), "unexpected end of input")
}

func (s *scanner) errorf(offset int, format string, args ...any) error {
	line, col := 1, 1
	lineStart := 0
	for i, c := range s.data[:offset] {
		if c == '\n' {
			line++
			lineStart = i + 1
		}
	}
	col += utf8.RuneCount(s.data[lineStart:offset])
	return &SyntaxError{Offset: int64(offset), Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// describe names the byte at i for an error message: "invalid character 'x'".
func (s *scanner) describe(i int) string {
	return "invalid character " + s.char(i)
}

// char quotes the character at i, or names the byte when it is not printable ASCII.
func (s *scanner) char(i int) string {
	c := s.data[i]
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	if r, _ := utf8.DecodeRune(s.data[i:]); r != utf8.RuneError && c >= utf8.RuneSelf {
		return fmt.Sprintf("%q (U+%04X)", r, r)
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
