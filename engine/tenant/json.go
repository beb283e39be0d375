package tenant

import (
	"fmt"
	"strconv"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// A small JSON reader that keeps where every value sits, so that an error about a setting can
// point at its line and column. It accepts strict RFC 8259 JSON, which must also be valid
// UTF-8, and explains the usual slips of people who write JavaScript (comments, trailing
// commas, single quotes, unquoted keys) in JavaScript terms. Repeated keys are refused.

// maxNesting bounds how deeply tenant.json may nest, so that the recursive reader cannot
// exhaust the stack.
const maxNesting = 200

// node is one JSON value.
type node struct {
	kind    jsonscan.Kind
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
	jsonscan.Scanner
}

// parseJSON reads data as one JSON value. It returns nil, nil when data holds only white space.
func parseJSON(data []byte) (*node, error) {
	r := &reader{jsonscan.Scanner{Data: data, MaxDepth: maxNesting, Strict: true}}
	if len(data) >= 3 && string(data[:3]) == "\uFEFF" {
		r.Pos = 3 // a byte order mark
	}
	r.SkipSpace()
	if r.Pos == len(data) {
		return nil, nil
	}
	n, err := r.value("")
	if err != nil {
		return nil, err
	}
	r.SkipSpace()
	if r.Pos < len(data) {
		return nil, r.errorf(r.Pos, "", "%s after the end of the settings object", r.describe(r.Pos))
	}
	return n, nil
}

// value reads the value at r.Pos, whose key path is path.
func (r *reader) value(path string) (*node, error) {
	if err := r.notEnd(); err != nil {
		return nil, err
	}
	start := r.Pos
	switch c := r.Data[r.Pos]; {
	case c == '{':
		return r.object(path)
	case c == '[':
		return r.array(path)
	case c == '"':
		s, err := r.str(path)
		return &node{kind: jsonscan.String, offset: start, text: s}, err
	case c == '-' || isDigit(c):
		return r.number(path)
	case c == '\'':
		return nil, r.errorf(start, path, "strings must be in double quotes, not single quotes")
	case c == 't' || c == 'f' || c == 'n':
		if word, err := r.ReadLiteral(); err == nil {
			if word == "null" {
				return &node{kind: jsonscan.Null, offset: start}, nil
			}
			return &node{kind: jsonscan.Bool, offset: start, boolean: word == "true"}, nil
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

func (r *reader) object(path string) (*node, error) {
	n := &node{kind: jsonscan.Object, offset: r.Pos}
	more, lexErr := r.Open()
	if lexErr != nil {
		return nil, r.syntaxError(lexErr, path)
	}
	if !more {
		return n, nil
	}
	seen := make(map[string]int) // key -> offset, to refuse repeated keys
	for more {
		if err := r.notEnd(); err != nil {
			return nil, err
		}
		keyOffset := r.Pos
		switch c := r.Data[r.Pos]; {
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
			line, col := jsonscan.Position(r.Data, first)
			return nil, r.errorf(keyOffset, keyPath, "repeated key (first at line %d, column %d); each key may appear once", line, col)
		}
		seen[key] = keyOffset
		if lexErr := r.Colon(); lexErr != nil {
			return nil, r.syntaxError(lexErr, keyPath)
		}
		v, err := r.value(keyPath)
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, member{key: key, keyOffset: keyOffset, value: v})
		if more, lexErr = r.Next('}'); lexErr != nil {
			return nil, r.syntaxError(lexErr, path)
		}
		if err := r.refuseTrailingComma(more, '}', path, "member"); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (r *reader) array(path string) (*node, error) {
	n := &node{kind: jsonscan.Array, offset: r.Pos}
	more, lexErr := r.Open()
	if lexErr != nil {
		return nil, r.syntaxError(lexErr, path)
	}
	for more {
		v, err := r.value(indexPath(path, len(n.items)))
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, v)
		if more, lexErr = r.Next(']'); lexErr != nil {
			return nil, r.syntaxError(lexErr, path)
		}
		if err := r.refuseTrailingComma(more, ']', path, "element"); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// refuseTrailingComma explains a comma that the closing brace or bracket follows, which
// JavaScript allows and JSON does not. more is what Next reported.
func (r *reader) refuseTrailingComma(more bool, closing byte, path, what string) error {
	if !more {
		return nil
	}
	comma := r.Pos - 1
	r.SkipSpace()
	if r.Pos < len(r.Data) && r.Data[r.Pos] == closing {
		return r.errorf(comma, path, "trailing comma after the last %s; JSON allows none", what)
	}
	return nil
}

// str reads the string at r.Pos, which belongs to path, and returns its value.
func (r *reader) str(path string) (string, error) {
	v, err := r.ReadString()
	if err != nil {
		return "", r.syntaxError(err, path)
	}
	raw := r.Data[v.Start:v.End]
	if v.Plain {
		return string(raw), nil
	}
	return jsonscan.Unquote(raw), nil
}

func (r *reader) number(path string) (*node, error) {
	start := r.Pos
	if err := r.ReadNumber(); err != nil {
		return nil, r.syntaxError(err, path)
	}
	if r.Pos < len(r.Data) && isDigit(r.Data[r.Pos]) {
		// Only a lone 0 can be followed by a digit: the grammar reads 0123 as 0, then 123.
		end := r.Pos
		for end < len(r.Data) && isDigit(r.Data[end]) {
			end++
		}
		return nil, r.errorf(start, path, "numbers must not start with 0 (write %s without leading zeros)", r.Data[start:end])
	}
	return &node{kind: jsonscan.Number, offset: start, text: string(r.Data[start:r.Pos])}, nil
}

// syntaxError words a syntax error of the scanner in the value at path.
func (r *reader) syntaxError(e *jsonscan.Error, path string) error {
	at := e.Offset
	if at >= len(r.Data) {
		return r.unexpectedEnd()
	}
	switch e.Code {
	case jsonscan.TooDeep:
		return r.errorf(at, path, "objects and arrays nest more than %d deep", maxNesting)
	case jsonscan.ExpectedColon:
		return r.errorf(at, path, "%s after the key (expected ':')", r.describe(at))
	case jsonscan.ExpectedCommaOrBrace:
		return r.errorf(at, path, "%s after a member (expected ',' or '}')", r.describe(at))
	case jsonscan.ExpectedCommaOrBracket:
		return r.errorf(at, path, "%s after an element (expected ',' or ']')", r.describe(at))
	case jsonscan.ControlCharacter:
		return r.errorf(at, path, "control character U+%04X in a string (line breaks and tabs must be written \\n and \\t)", r.Data[at])
	case jsonscan.InvalidEscape:
		return r.errorf(at-1, path, "invalid escape \\%s in a string", r.CharAt(at))
	case jsonscan.InvalidUTF8:
		return r.errorf(at, path, "the byte 0x%02X is not valid UTF-8; save tenant.json as UTF-8", r.Data[at])
	case jsonscan.LoneSurrogate:
		return r.errorf(at, path, "\\u escape of half a surrogate pair; escape characters beyond U+FFFF as a pair such as \\ud83d\\ude00")
	}
	return r.errorf(at, path, "%s %s", r.describe(at), e.Code) // a \u escape, a number
}

// word returns the identifier-like run at r.Pos, for messages about unquoted words.
func (r *reader) word() string {
	end := r.Pos
	for end < len(r.Data) && end-r.Pos < 40 && isWordByte(r.Data[end]) {
		end++
	}
	return string(r.Data[r.Pos:end])
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (r *reader) notEnd() error {
	if r.Pos >= len(r.Data) {
		return r.unexpectedEnd()
	}
	return nil
}

func (r *reader) unexpectedEnd() error {
	return r.errorf(len(r.Data), "", "unexpected end of file; is a closing quote, bracket or brace missing?")
}

// describe names the character at i for a syntax error message.
func (r *reader) describe(i int) string {
	if r.Data[i] == '/' && i+1 < len(r.Data) && (r.Data[i+1] == '/' || r.Data[i+1] == '*') {
		return "a comment, which JSON does not allow,"
	}
	return "unexpected character " + r.CharAt(i)
}

func (r *reader) errorf(offset int, path, format string, args ...any) error {
	line, col := jsonscan.Position(r.Data, offset)
	return &SettingsError{Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)}
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
	case jsonscan.String:
		return appendQuoted(b, n.text)
	case jsonscan.Number:
		return append(b, n.text...)
	case jsonscan.Bool:
		return strconv.AppendBool(b, n.boolean)
	case jsonscan.Null:
		return append(b, "null"...)
	case jsonscan.Array:
		b = append(b, '[')
		for i, item := range n.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = item.encode(b)
		}
		return append(b, ']')
	case jsonscan.Object:
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
