package jsonscan_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// scanValue skips the one value data must hold, as a parser's top level does.
func scanValue(data []byte, maxDepth int, strict bool) *jsonscan.Error {
	s := jsonscan.Scanner{Data: data, MaxDepth: maxDepth, Strict: strict}
	if err := s.Skip(); err != nil {
		return err
	}
	s.SkipSpace()
	if s.Pos < len(data) {
		return &jsonscan.Error{Offset: s.Pos, Code: jsonscan.ExpectedValue, Start: s.Pos}
	}
	return nil
}

func TestSkipAcceptsWhatEncodingJSONAccepts(t *testing.T) {
	for _, text := range []string{
		``, ` `, `{}`, `[]`, `[ ]`, `{ }`, `null`, `true`, `false`, `tru`, `nul`, `0`, `-0`, `01`, `-`, `1.`, `1.5`,
		`1e`, `1e+`, `1E-7`, `.5`, `+1`, `"`, `"a`, `"\`, `"\u12"`, `"\u12g4"`, `"\x"`, "\"a\tb\"", `"\ud800"`,
		"\"\xff\"", "\"\xed\xa0\x80\"", `{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{'a':1}`, `[1 2]`,
		`{"a":[{"b":null}],"c":"d"}`, ` [1, {"x": [true, false]}] `, `{} {}`, `[[[]]]`, `{"a":1`, `[`, "\uFEFF{}",
	} {
		err := scanValue([]byte(text), 10000, false)
		if want := json.Valid([]byte(text)); (err == nil) != want {
			t.Errorf("%q: Skip error %v; encoding/json says valid: %v", text, err, want)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		text   string
		strict bool
		code   jsonscan.Code
		offset int
		start  int
	}{
		{``, false, jsonscan.ExpectedValue, 0, 0},
		{`x`, false, jsonscan.ExpectedValue, 0, 0},
		{`{"a" 1}`, false, jsonscan.ExpectedColon, 5, 5},
		{`{1:2}`, false, jsonscan.ExpectedKey, 1, 1},
		{`{"a":1 "b":2}`, false, jsonscan.ExpectedCommaOrBrace, 7, 7},
		{`[1 2]`, false, jsonscan.ExpectedCommaOrBracket, 3, 3},
		{`[1,`, false, jsonscan.ExpectedValue, 3, 3},
		{`"abc`, false, jsonscan.UnterminatedString, 4, 0},
		{`"ab\`, false, jsonscan.UnterminatedString, 4, 0},
		{"[\"a\nb\"]", false, jsonscan.ControlCharacter, 3, 1},
		{`"\x"`, false, jsonscan.InvalidEscape, 2, 0},
		{`"\u12g4"`, false, jsonscan.InvalidHexEscape, 5, 0},
		{`"\u12`, false, jsonscan.InvalidHexEscape, 5, 0},
		{"\"ok\xff\"", true, jsonscan.InvalidUTF8, 3, 0},
		{"\"\xe2\x82\"", true, jsonscan.InvalidUTF8, 1, 0},
		{`"x\ud800"`, true, jsonscan.LoneSurrogate, 2, 0},
		{`"x\udc00\ud800"`, true, jsonscan.LoneSurrogate, 2, 0},
		{`"\ud800\u0041"`, true, jsonscan.LoneSurrogate, 1, 0},
		{`"\ud800\u00"`, true, jsonscan.InvalidHexEscape, 11, 0},
		{`-`, false, jsonscan.InvalidNumber, 1, 0},
		{`-x`, false, jsonscan.InvalidNumber, 1, 0},
		{`[1.]`, false, jsonscan.InvalidFraction, 3, 1},
		{`1e+`, false, jsonscan.InvalidExponent, 3, 0},
		{`[tru]`, false, jsonscan.InvalidLiteral, 4, 1},
		{`nul`, false, jsonscan.InvalidLiteral, 3, 0},
		{`[[[1]]]`, false, jsonscan.TooDeep, 2, 2}, // MaxDepth 2 below
	}
	for _, tt := range tests {
		err := scanValue([]byte(tt.text), 2, tt.strict)
		if err == nil || err.Code != tt.code || err.Offset != tt.offset || err.Start != tt.start {
			t.Errorf("%q: got %#v, want code %v at %d (token at %d)", tt.text, err, tt.code, tt.offset, tt.start)
		}
		if err != nil && err.Error() == "" {
			t.Errorf("%q: empty message", tt.text)
		}
	}
}

func TestStrictAcceptsPairs(t *testing.T) {
	for _, text := range []string{`"\ud83d\ude00"`, `"é \u00e9 \uFFFD"`, "\"\xef\xbf\xbd\"", `"a\u0000b"`} {
		if err := scanValue([]byte(text), 0, true); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestMaxDepth(t *testing.T) {
	nest := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	if err := scanValue(nest(5), 5, false); err != nil {
		t.Errorf("5 deep with MaxDepth 5: %v", err)
	}
	if err := scanValue(nest(6), 5, false); err == nil || err.Code != jsonscan.TooDeep || err.Offset != 5 {
		t.Errorf("6 deep with MaxDepth 5: got %v, want TooDeep at byte 5", err)
	}
	if err := scanValue([]byte(`[[1],[2],{"a":[3]},[[]]]`), 3, false); err != nil {
		t.Errorf("siblings must not add up: %v", err)
	}
}

func TestReadStringAndUnquote(t *testing.T) {
	tests := []struct {
		text  string
		plain bool
	}{
		{`"abc"`, true},
		{`""`, true},
		{`"héllo ☎"`, true},
		{`"a\"b\\c\/d\b\f\n\r\t"`, false},
		{`"\u00e9\u2603\ud83d\ude00"`, false},
		{`"\ud800"`, false},
		{`"\udc00\ud800x"`, false},
		{`"\ud800\u0041"`, false},
		{`"\ud800\\u0041"`, false},
		{"\"\xff\xfe\"", false},
		{"\"\xed\xa0\x80\"", false},
		{"\"\xe2\x82\"", false},
		{"\"\xef\xbf\xbd\"", true},
	}
	for _, tt := range tests {
		s := jsonscan.Scanner{Data: []byte(tt.text)}
		v, err := s.ReadString()
		if err != nil {
			t.Errorf("%q: %v", tt.text, err)
			continue
		}
		if v.Start != 1 || v.End != len(tt.text)-1 || s.Pos != len(tt.text) || v.Plain != tt.plain {
			t.Errorf("%q: got %+v and Pos %d, want content 1:%d, Pos %d, Plain %v", tt.text, v, s.Pos, len(tt.text)-1, len(tt.text), tt.plain)
		}
		var want string
		if err := json.Unmarshal([]byte(tt.text), &want); err != nil {
			t.Fatal(err)
		}
		if got := jsonscan.Unquote(s.Data[v.Start:v.End]); got != want {
			t.Errorf("%q: Unquote gives %q, encoding/json %q", tt.text, got, want)
		}
	}
}

func TestReadNumber(t *testing.T) {
	for _, text := range []string{`0`, `-0`, `12`, `-12.50`, `1e9`, `1E+09`, `0.5e-3`} {
		s := jsonscan.Scanner{Data: []byte(text + ",")}
		if err := s.ReadNumber(); err != nil || s.Pos != len(text) {
			t.Errorf("%q: error %v, Pos %d", text, err, s.Pos)
		}
	}
	s := jsonscan.Scanner{Data: []byte(`0123`)}
	if err := s.ReadNumber(); err != nil || s.Pos != 1 {
		t.Errorf("0123: the number is 0, got error %v, Pos %d", err, s.Pos)
	}
}

func TestReadLiteral(t *testing.T) {
	for _, word := range []string{"true", "false", "null"} {
		s := jsonscan.Scanner{Data: []byte(word + "]")}
		if got, err := s.ReadLiteral(); got != word || err != nil || s.Pos != len(word) {
			t.Errorf("%s: got %q, %v, Pos %d", word, got, err, s.Pos)
		}
		if jsonscan.Literal(word[0]) != word {
			t.Errorf("Literal(%q) = %q", word[0], jsonscan.Literal(word[0]))
		}
	}
	s := jsonscan.Scanner{Data: []byte("fals")}
	if _, err := s.ReadLiteral(); err == nil || err.Offset != 4 || s.Pos != 0 {
		t.Errorf("fals: got %v, Pos %d; want an error at the end, Pos unmoved", err, s.Pos)
	}
}

func TestKindString(t *testing.T) {
	tests := map[jsonscan.Kind]string{
		jsonscan.String: "a string", jsonscan.Number: "a number", jsonscan.Bool: "a boolean", jsonscan.Null: "null",
		jsonscan.Object: "an object", jsonscan.Array: "an array", jsonscan.None: "nothing",
	}
	for k, want := range tests {
		if k.String() != want {
			t.Errorf("%d: got %q, want %q", k, k.String(), want)
		}
	}
}

func TestPosition(t *testing.T) {
	data := []byte("{\n  \"é\": 1,\n\xff x")
	tests := []struct{ offset, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {2, 2, 1}, {8, 2, 6}, {12, 2, 10}, {13, 3, 1}, {14, 3, 2}, {len(data), 3, 4},
	}
	for _, tt := range tests {
		if line, col := jsonscan.Position(data, tt.offset); line != tt.line || col != tt.col {
			t.Errorf("offset %d: got %d:%d, want %d:%d", tt.offset, line, col, tt.line, tt.col)
		}
	}
}

func TestCharAt(t *testing.T) {
	s := jsonscan.Scanner{Data: []byte("x\xc3\xa9\xff\x00'\xef\xbb\xbf")}
	for i, want := range map[int]string{0: "'x'", 1: "'é' (U+00E9)", 3: "byte 0xFF", 4: "byte 0x00", 5: "'''", 6: `'\ufeff' (U+FEFF)`} {
		if got := s.CharAt(i); got != want {
			t.Errorf("CharAt(%d) = %s, want %s", i, got, want)
		}
	}
}

// FuzzScanner checks the scanner against encoding/json: it accepts exactly the texts
// encoding/json accepts, Unquote decodes every string as encoding/json does, and strict
// scanning accepts only what lenient scanning accepts, and only strings that are UTF-8.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e3,true,false,null],"b":{"c":"d\u00e9\ud83d\ude00\n"}}`,
		`"\ud800\udc00\ud800x"`, "\"\xff\xed\xa0\x80\"", `[1,]`, `{"a" 1}`, `-01`, `"\u12g4"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := scanValue(data, 10000, false)
		if valid := json.Valid(data); (err == nil) != valid {
			t.Fatalf("%q: Skip error %v; encoding/json says valid: %v", data, err, valid)
		}
		if err != nil && (err.Offset < 0 || err.Offset > len(data) || err.Start > err.Offset) {
			t.Fatalf("%q: error at an impossible place: %#v", data, err)
		}
		strictErr := scanValue(data, 10000, true)
		if strictErr == nil && err != nil {
			t.Fatalf("%q: strict accepts what lenient refuses (%v)", data, err)
		}
		s := jsonscan.Scanner{Data: data}
		s.SkipSpace()
		if s.PeekKind() != jsonscan.String {
			return
		}
		v, lexErr := s.ReadString()
		if lexErr != nil {
			return
		}
		var want string
		if err := json.Unmarshal(data[:s.Pos], &want); err != nil {
			t.Fatalf("%q: ReadString accepts what encoding/json refuses: %v", data[:s.Pos], err)
		}
		content := data[v.Start:v.End]
		if got := jsonscan.Unquote(content); got != want {
			t.Fatalf("%q: Unquote gives %q, encoding/json %q", content, got, want)
		}
		if v.Plain && string(content) != want {
			t.Fatalf("%q: Plain, but its value is %q", content, want)
		}
		if strictErr == nil && !utf8.Valid(content) {
			t.Fatalf("%q: strict scanning accepted a string that is not UTF-8", content)
		}
	})
}

func TestAppendQuoted(t *testing.T) {
	for _, tt := range []struct {
		in             string
		lineSeparators bool
		want           string
	}{
		{"plain", false, `"plain"`},
		{"q\" b\\ \b\f\n\r\t \x00\x1f\x7f", false, `"q\" b\\ \b\f\n\r\t \u0000\u001f` + "\x7f\""},
		{"é 😀 \u2028\u2029", false, "\"é 😀 \u2028\u2029\""},
		{"é 😀 \u2028\u2029", true, `"é 😀 \u2028\u2029"`},
		{"bad \xff byte", true, `"bad \ufffd byte"`},
	} {
		if got := string(jsonscan.AppendQuoted([]byte("x"), tt.in, tt.lineSeparators)); got != "x"+tt.want {
			t.Errorf("AppendQuoted(%q, %v) = %s, want x%s", tt.in, tt.lineSeparators, got, tt.want)
		}
	}
}
