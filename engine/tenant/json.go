package tenant

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON reader that keeps where every value sits, so that an error about a setting can
// point at its line and column. It accepts strict RFC 8259 JSON, which must also be valid
// UTF-8, and explains the usual slips of people who write JavaScript (comments, trailing
// commas, single quotes, unquoted keys) in JavaScript terms. Repeated keys are refused.

// maxNesting bounds how deeply tenant.json may nest, so that the recursive reader cannot
// exhaust the stack.
const maxNesting = 200

type kind uint8

const (
	kindString kind = iota + 1
	kindNumber
	kindBool
	kindNull
	kindObject
	kindArray
)

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

// node is one JSON value.
type node struct {
	kind    kind
	offset  int    // of the value's first byte
	text    string // a string's value, a number's literal
	fromEnv bool   // a string with ${NAME} references replaced
	boolean bool
	members []member // an object's, in order
	items   []*node  // an array's
}

type member struct {
	key       string
	keyOffset int
	value     *node
}

type reader struct {
	data []byte
	pos  int
}

// parseJSON reads data as one JSON value. It returns nil, nil when data holds only white space.
func parseJSON(data []byte) (*node, error) {
	r := &reader{data: data}
	if len(data) >= 3 && string(data[:3]) == "\uFEFF" {
		r.pos = 3 // a byte order mark
	}
	r.skipSpace()
	if r.pos == len(data) {
		return nil, nil
	}
	n, err := r.value(0, "")
	if err != nil {
		return nil, err
	}
	r.skipSpace()
	if r.pos < len(data) {
		return nil, r.errorf(r.pos, "", "%s after the end of the settings object", r.describe(r.pos))
	}
	return n, nil
}

// value reads the value at r.pos, nested depth deep, whose key path is path.
func (r *reader) value(depth int, path string) (*node, error) {
	if err := r.notEnd(); err != nil {
		return nil, err
	}
	start := r.pos
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object(depth+1, path)
	case c == '[':
		return r.array(depth+1, path)
	case c == '"':
		s, err := r.str(path)
		return &node{kind: kindString, offset: start, text: s}, err
	case c == '-' || c >= '0' && c <= '9':
		return r.number(path)
	case c == '\'':
		return nil, r.errorf(start, path, "strings must be in double quotes, not single quotes")
	}
	for _, lit := range [...]struct {
		word string
		n    node
	}{{"true", node{kind: kindBool, boolean: true}}, {"false", node{kind: kindBool}}, {"null", node{kind: kindNull}}} {
		if strings.HasPrefix(string(r.data[r.pos:min(len(r.data), r.pos+len(lit.word))]), lit.word) {
			r.pos += len(lit.word)
			n := lit.n
			n.offset = start
			return &n, nil
		}
	}
	if word := r.word(); word != "" {
		switch word {
		case "undefined", "NaN", "Infinity":
			return nil, r.errorf(start, path, "%s is JavaScript, not JSON; JSON has only strings, numbers, true, false, null, objects and arrays", word)
		}
		return nil, r.errorf(start, path, "unexpected word %s; strings must be in double quotes", word)
	}
	return nil, r.errorf(start, path, "%s where a value was expected", r.describe(start))
}

func (r *reader) object(depth int, path string) (*node, error) {
	n := &node{kind: kindObject, offset: r.pos}
	if depth > maxNesting {
		return nil, r.errorf(r.pos, path, "objects and arrays nest more than %d deep", maxNesting)
	}
	r.pos++ // '{'
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.pos++
		return n, nil
	}
	seen := make(map[string]int) // key -> offset, to refuse repeated keys
	for {
		if err := r.notEnd(); err != nil {
			return nil, err
		}
		keyOffset := r.pos
		switch c := r.data[r.pos]; {
		case c == '"':
		case c == '\'':
			return nil, r.errorf(keyOffset, path, "object keys must be in double quotes, not single quotes")
		case isWordByte(c):
			return nil, r.errorf(keyOffset, path, "object key %s must be in double quotes", r.word())
		default:
			return nil, r.errorf(keyOffset, path, "%s where an object key (a string in double quotes) was expected", r.describe(keyOffset))
		}
		key, err := r.str(path)
		if err != nil {
			return nil, err
		}
		keyPath := joinPath(path, key)
		if first, ok := seen[key]; ok {
			line, col := position(r.data, first)
			return nil, r.errorf(keyOffset, keyPath, "repeated key (first at line %d, column %d); each key may appear once", line, col)
		}
		seen[key] = keyOffset
		r.skipSpace()
		if err := r.notEnd(); err != nil {
			return nil, err
		}
		if r.data[r.pos] != ':' {
			return nil, r.errorf(r.pos, keyPath, "%s after the key (expected ':')", r.describe(r.pos))
		}
		r.pos++
		r.skipSpace()
		v, err := r.value(depth, keyPath)
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, member{key: key, keyOffset: keyOffset, value: v})
		r.skipSpace()
		if err := r.notEnd(); err != nil {
			return nil, err
		}
		switch r.data[r.pos] {
		case '}':
			r.pos++
			return n, nil
		case ',':
			comma := r.pos
			r.pos++
			r.skipSpace()
			if r.pos < len(r.data) && r.data[r.pos] == '}' {
				return nil, r.errorf(comma, path, "trailing comma after the last member; JSON allows none")
			}
		default:
			return nil, r.errorf(r.pos, path, "%s after a member (expected ',' or '}')", r.describe(r.pos))
		}
	}
}

func (r *reader) array(depth int, path string) (*node, error) {
	n := &node{kind: kindArray, offset: r.pos}
	if depth > maxNesting {
		return nil, r.errorf(r.pos, path, "objects and arrays nest more than %d deep", maxNesting)
	}
	r.pos++ // '['
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.pos++
		return n, nil
	}
	for {
		v, err := r.value(depth, indexPath(path, len(n.items)))
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, v)
		r.skipSpace()
		if err := r.notEnd(); err != nil {
			return nil, err
		}
		switch r.data[r.pos] {
		case ']':
			r.pos++
			return n, nil
		case ',':
			comma := r.pos
			r.pos++
			r.skipSpace()
			if r.pos < len(r.data) && r.data[r.pos] == ']' {
				return nil, r.errorf(comma, path, "trailing comma after the last element; JSON allows none")
			}
		default:
			return nil, r.errorf(r.pos, path, "%s after an element (expected ',' or ']')", r.describe(r.pos))
		}
	}
}

// str reads the string at r.pos, which belongs to path, and returns its value.
func (r *reader) str(path string) (string, error) {
	r.pos++ // '"'
	var b strings.Builder
	for {
		start := r.pos
		for r.pos < len(r.data) && r.data[r.pos] >= 0x20 && r.data[r.pos] != '"' && r.data[r.pos] != '\\' {
			r.pos++
		}
		if !utf8.Valid(r.data[start:r.pos]) {
			off := start
			for utf8.FullRune(r.data[off:r.pos]) {
				rn, size := utf8.DecodeRune(r.data[off:r.pos])
				if rn == utf8.RuneError && size == 1 {
					break
				}
				off += size
			}
			return "", r.errorf(off, path, "the byte 0x%02X is not valid UTF-8; save tenant.json as UTF-8", r.data[off])
		}
		b.Write(r.data[start:r.pos])
		if err := r.notEnd(); err != nil {
			return "", err
		}
		switch c := r.data[r.pos]; {
		case c == '"':
			r.pos++
			return b.String(), nil
		case c < 0x20:
			return "", r.errorf(r.pos, path, "control character U+%04X in a string (line breaks and tabs must be written \\n and \\t)", c)
		}
		// A backslash escape.
		r.pos++
		if err := r.notEnd(); err != nil {
			return "", err
		}
		esc := r.data[r.pos]
		r.pos++
		switch esc {
		case '"', '\\', '/':
			b.WriteByte(esc)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			rn, err := r.hex4(path)
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(rn) {
				escStart := r.pos - 6
				if r.pos+1 < len(r.data) && r.data[r.pos] == '\\' && r.data[r.pos+1] == 'u' {
					r.pos += 2
					lo, err := r.hex4(path)
					if err != nil {
						return "", err
					}
					rn = utf16.DecodeRune(rn, lo)
				} else {
					rn = utf8.RuneError
				}
				if rn == utf8.RuneError {
					return "", r.errorf(escStart, path, "\\u escape of half a surrogate pair; escape characters beyond U+FFFF as a pair such as \\ud83d\\ude00")
				}
			}
			b.WriteRune(rn)
		default:
			return "", r.errorf(r.pos-2, path, "invalid escape \\%s in a string", r.char(r.pos-1))
		}
	}
}

// hex4 reads the four hexadecimal digits of a \u escape.
func (r *reader) hex4(path string) (rune, error) {
	var v rune
	for range 4 {
		if err := r.notEnd(); err != nil {
			return 0, err
		}
		c := r.data[r.pos]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, r.errorf(r.pos, path, "%s in a \\u escape (expected 4 hexadecimal digits)", r.describe(r.pos))
		}
		v = v<<4 | rune(d)
		r.pos++
	}
	return v, nil
}

func (r *reader) number(path string) (*node, error) {
	start := r.pos
	digits := func(what string) error {
		if err := r.notEnd(); err != nil {
			return err
		}
		if !isDigit(r.data[r.pos]) {
			return r.errorf(r.pos, path, "%s %s (expected a digit)", r.describe(r.pos), what)
		}
		for r.pos < len(r.data) && isDigit(r.data[r.pos]) {
			r.pos++
		}
		return nil
	}
	if r.data[r.pos] == '-' {
		r.pos++
	}
	if r.pos < len(r.data) && r.data[r.pos] == '0' {
		r.pos++
		if r.pos < len(r.data) && isDigit(r.data[r.pos]) {
			return nil, r.errorf(start, path, "numbers must not start with 0 (write %s without leading zeros)", r.data[start:r.skipDigits()])
		}
	} else if err := digits("in a number"); err != nil {
		return nil, err
	}
	if r.pos < len(r.data) && r.data[r.pos] == '.' {
		r.pos++
		if err := digits("after the decimal point"); err != nil {
			return nil, err
		}
	}
	if r.pos < len(r.data) && (r.data[r.pos] == 'e' || r.data[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.data) && (r.data[r.pos] == '+' || r.data[r.pos] == '-') {
			r.pos++
		}
		if err := digits("in an exponent"); err != nil {
			return nil, err
		}
	}
	return &node{kind: kindNumber, offset: start, text: string(r.data[start:r.pos])}, nil
}

func (r *reader) skipDigits() int {
	i := r.pos
	for i < len(r.data) && isDigit(r.data[i]) {
		i++
	}
	return i
}

// skipSpace skips JSON white space (comments are not: describe explains them).
func (r *reader) skipSpace() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// word returns the identifier-like run at r.pos, for messages about unquoted words.
func (r *reader) word() string {
	end := r.pos
	for end < len(r.data) && end-r.pos < 40 && isWordByte(r.data[end]) {
		end++
	}
	return string(r.data[r.pos:end])
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (r *reader) notEnd() error {
	if r.pos >= len(r.data) {
		return r.errorf(len(r.data), "", "unexpected end of file; is a closing quote, bracket or brace missing?")
	}
	return nil
}

// describe names the character at i for a syntax error message.
func (r *reader) describe(i int) string {
	if r.data[i] == '/' && i+1 < len(r.data) && (r.data[i+1] == '/' || r.data[i+1] == '*') {
		return "a comment, which JSON does not allow,"
	}
	return "unexpected character " + r.char(i)
}

func (r *reader) char(i int) string {
	c := r.data[i]
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	if rn, size := utf8.DecodeRune(r.data[i:]); size > 1 {
		return fmt.Sprintf("%q (U+%04X)", rn, rn)
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

func (r *reader) errorf(offset int, path, format string, args ...any) error {
	line, col := position(r.data, offset)
	return &SettingsError{Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// position returns the 1-based line and column (in characters) of a byte offset.
func position(data []byte, offset int) (line, col int) {
	line = 1
	lineStart := 0
	for i, c := range data[:offset] {
		if c == '\n' {
			line++
			lineStart = i + 1
		}
	}
	return line, utf8.RuneCount(data[lineStart:offset]) + 1
}

// joinPath extends a key path the way a JavaScript author would write the access:
// defaults.voiceProfile, env["my key"].
func joinPath(path, key string) string {
	if isIdentifier(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func isIdentifier(s string) bool {
	if s == "" || isDigit(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

// encode appends n as compact JSON, keeping the order of object members.
func (n *node) encode(b []byte) []byte {
	switch n.kind {
	case kindString:
		return appendQuoted(b, n.text)
	case kindNumber:
		return append(b, n.text...)
	case kindBool:
		return strconv.AppendBool(b, n.boolean)
	case kindNull:
		return append(b, "null"...)
	case kindArray:
		b = append(b, '[')
		for i, item := range n.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = item.encode(b)
		}
		return append(b, ']')
	case kindObject:
		b = append(b, '{')
		for i, m := range n.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, m.key)
			b = append(b, ':')
			b = m.value.encode(b)
		}
		return append(b, '}')
	}
	panic("tenant: encode of a node without a kind")
}

// appendQuoted appends s as a JSON string. s is valid UTF-8 (the reader refuses anything else).
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
