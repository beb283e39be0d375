package tenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callscript/callscript/engine/callflow"
)

// env is a fake server environment.
func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestParseSettingsFull(t *testing.T) {
	const file = `{
  "authorization": "Bearer ${WEBHOOK_TOKEN}",
  "timeoutMs": 2500,
  "defaults": { "voiceProfile": "en-US-Standard-A", "maxDigits": 4, "overallTimeout": 8000, "noOfTries": 2 },
  "env": {
    "CRM_URL": "https://crm.example.com",
    "CRM_KEY": "${CRM_KEY}",
    "retries": 3, "beta": true, "none": null,
    "agents": ["+6560000001", {"name": "Ann"}],
    "price": "$5, or $${literal}"
  },
  "fetch": { "allow": ["crm.example.com", "*.Example.NET", "10.0.0.7"], "maxBytes": 65536 },
  "fallback": { "callflow": [ { "action": "say", "params": { "text": "Sorry, call ${SUPPORT_LINE}.", "voiceProfile": "en-US-Standard-A" } }, { "action": "hangup" } ] }
}`
	got, err := ParseSettings([]byte(file), env(map[string]string{
		"WEBHOOK_TOKEN": "s3cret", "CRM_KEY": "k-123", "SUPPORT_LINE": "+65 6000 0000",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := &Settings{
		Authorization: "Bearer s3cret",
		Timeout:       2500 * time.Millisecond,
		Defaults:      Defaults{VoiceProfile: "en-US-Standard-A", MaxDigits: 4, OverallTimeout: 8000, NoOfTries: 2},
		Env: map[string]any{
			"CRM_URL": "https://crm.example.com",
			"CRM_KEY": "k-123",
			"retries": 3.0, "beta": true, "none": nil,
			"agents": []any{"+6560000001", map[string]any{"name": "Ann"}},
			"price":  "$5, or ${literal}",
		},
		Fetch: FetchPolicy{Allow: []string{"crm.example.com", "*.example.net", "10.0.0.7"}, MaxBytes: 65536},
		Fallback: json.RawMessage(`{"callflow":[{"action":"say","params":{"text":"Sorry, call +65 6000 0000.",` +
			`"voiceProfile":"en-US-Standard-A"}},{"action":"hangup"}]}`),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSettings\n got %#v\nwant %#v", fmt.Sprintf("%+v", *got), fmt.Sprintf("%+v", *want))
		t.Errorf("fallback: %s", got.Fallback)
	}
}

func TestParseSettingsEmpty(t *testing.T) {
	for _, file := range []string{"", " \n\t", "{}", " { } ", "\uFEFF{}", "\uFEFF"} {
		got, err := ParseSettings([]byte(file), nil)
		if err != nil {
			t.Errorf("ParseSettings(%q): %v", file, err)
			continue
		}
		if !reflect.DeepEqual(got, &Settings{}) {
			t.Errorf("ParseSettings(%q) = %+v, want empty settings", file, got)
		}
	}
}

func TestParseSettingsValues(t *testing.T) {
	tests := []struct {
		file string
		want Settings
	}{
		{`{"timeoutMs": 100}`, Settings{Timeout: 100 * time.Millisecond}},
		{`{"timeoutMs": 30000}`, Settings{Timeout: 30 * time.Second}},
		{`{"timeoutMs": 2e3}`, Settings{Timeout: 2 * time.Second}},
		{`{"timeoutMs": 1500.0}`, Settings{Timeout: 1500 * time.Millisecond}},
		{`{"authorization": ""}`, Settings{}},
		{`{"authorization": "Basic dTpw"}`, Settings{Authorization: "Basic dTpw"}},
		{`{"env": {}}`, Settings{Env: map[string]any{}}},
		{`{"env": {"a b": "x", "": 1}}`, Settings{Env: map[string]any{"a b": "x", "": 1.0}}},
		{`{"fetch": {"allow": []}}`, Settings{Fetch: FetchPolicy{Allow: []string{}}}},
		{`{"fetch": {"maxBytes": 67108864}}`, Settings{Fetch: FetchPolicy{MaxBytes: 64 << 20}}},
		{`{"fetch": {"allow": ["API.Example.com", "*.svc_1.example.com", "localhost"]}}`,
			Settings{Fetch: FetchPolicy{Allow: []string{"api.example.com", "*.svc_1.example.com", "localhost"}}}},
		{`{"fallback": [{"action": "hangup"}]}`, Settings{Fallback: json.RawMessage(`[{"action":"hangup"}]`)}},
		{`{"fallback": {"callflow": [{"action":"say","params":{"text":"line\nbreak \"q\" \u00e9 \ud83d\ude00 \u0001"}}]}}`,
			Settings{Fallback: json.RawMessage(`{"callflow":[{"action":"say","params":{"text":"line\nbreak \"q\" é 😀 \u0001"}}]}`)}},
		{`{"defaults": {}}`, Settings{}},
		{`{"defaults": {"maxDigits": 25, "noOfTries": 1, "overallTimeout": 1}}`, Settings{Defaults: Defaults{MaxDigits: 25, NoOfTries: 1, OverallTimeout: 1}}},
		{`{"env": {"dollar": "$", "cost": "$5", "end": "a$", "escape": "$${HOME}", "brace": "{x}"}}`,
			Settings{Env: map[string]any{"dollar": "$", "cost": "$5", "end": "a$", "escape": "${HOME}", "brace": "{x}"}}},
		{`{"env": {"two": "${A}-${A}${B}", "empty": "${EMPTY}", "nested": "${NESTED}"}}`,
			Settings{Env: map[string]any{"two": "1-12", "empty": "", "nested": "${A}"}}},
	}
	lookup := env(map[string]string{"A": "1", "B": "2", "EMPTY": "", "NESTED": "${A}"})
	for _, tt := range tests {
		got, err := ParseSettings([]byte(tt.file), lookup)
		if err != nil {
			t.Errorf("ParseSettings(%s): %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseSettings(%s)\n got %#v\nwant %#v", tt.file, *got, tt.want)
		}
	}
}

func TestParseSettingsErrors(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		line, col int
		path      string
		msg       string // the whole Msg
	}{
		// Syntax.
		{"trailing comma", "{\n  \"timeoutMs\": 2000,\n}", 2, 20, "", "trailing comma after the last member; JSON allows none"},
		{"trailing comma in array", `{"fetch": {"allow": ["a.com",]}}`, 1, 29, "fetch.allow", "trailing comma after the last element; JSON allows none"},
		{"comment", "{\n  // the token\n  \"authorization\": \"x\"\n}", 2, 3, "", "a comment, which JSON does not allow, where an object key (a string in double quotes) was expected"},
		{"comment as value", `{"env": /* x */ 1}`, 1, 9, "env", "a comment, which JSON does not allow, where a value was expected"},
		{"single quotes", `{"env": {"a": 'b'}}`, 1, 15, "env.a", "strings must be in double quotes, not single quotes"},
		{"single-quoted key", `{'env': {}}`, 1, 2, "", "object keys must be in double quotes, not single quotes"},
		{"unquoted key", "{\n  timeoutMs: 2000\n}", 2, 3, "", "object key timeoutMs must be in double quotes"},
		{"undefined", `{"env": {"a": undefined}}`, 1, 15, "env.a", "undefined is JavaScript, not JSON; JSON has only strings, numbers, true, false, null, objects and arrays"},
		{"bare word", `{"defaults": {"voiceProfile": en}}`, 1, 31, "defaults.voiceProfile", "unexpected word en; strings must be in double quotes"},
		{"missing colon", `{"timeoutMs" 2000}`, 1, 14, "timeoutMs", "unexpected character '2' after the key (expected ':')"},
		{"missing comma", "{\"a\": 1\n \"b\": 2}", 2, 2, "", "unexpected character '\"' after a member (expected ',' or '}')"},
		{"unterminated", `{"env": {"a": "b"}`, 1, 19, "", "unexpected end of file; is a closing quote, bracket or brace missing?"},
		{"unterminated string", `{"env": "abc`, 1, 13, "", "unexpected end of file; is a closing quote, bracket or brace missing?"},
		{"two objects", `{} {}`, 1, 4, "", "unexpected character '{' after the end of the settings object"},
		{"line break in string", "{\"authorization\": \"a\nb\"}", 1, 21, "authorization", "control character U+000A in a string (line breaks and tabs must be written \\n and \\t)"},
		{"bad escape", `{"env": {"a": "\x"}}`, 1, 16, "env.a", `invalid escape \'x' in a string`},
		{"bad unicode escape", `{"env": {"a": "\u00g0"}}`, 1, 20, "env.a", `unexpected character 'g' in a \u escape (expected 4 hexadecimal digits)`},
		{"lone surrogate", `{"env": {"a": "x\ud800"}}`, 1, 17, "env.a", `\u escape of half a surrogate pair; escape characters beyond U+FFFF as a pair such as \ud83d\ude00`},
		{"invalid UTF-8", "{\"env\": {\"é\": \"ok\xff\"}}", 1, 18, "env[\"é\"]", "the byte 0xFF is not valid UTF-8; save tenant.json as UTF-8"},
		{"leading zero", `{"timeoutMs": 02000}`, 1, 15, "timeoutMs", "numbers must not start with 0 (write 02000 without leading zeros)"},
		{"bad fraction", `{"timeoutMs": 1.}`, 1, 17, "timeoutMs", "unexpected character '}' after the decimal point (expected a digit)"},
		{"NaN", `{"timeoutMs": NaN}`, 1, 15, "timeoutMs", "NaN is JavaScript, not JSON; JSON has only strings, numbers, true, false, null, objects and arrays"},
		{"too deep", `{"env": {"a": ` + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + `}}`, 1, 14 + maxNesting - 1, "env.a" + strings.Repeat("[0]", maxNesting-2), "objects and arrays nest more than 200 deep"},
		{"repeated key", "{\n  \"timeoutMs\": 1000,\n  \"timeoutMs\": 2000\n}", 3, 3, "timeoutMs", "repeated key (first at line 2, column 3); each key may appear once"},
		{"repeated env key", `{"env": {"a": 1, "a": 2}}`, 1, 18, "env.a", "repeated key (first at line 1, column 10); each key may appear once"},

		// Shape.
		{"not an object", `["a"]`, 1, 1, "", "tenant.json must hold one JSON object { ... }, not an array"},
		{"null", ` null`, 1, 2, "", "tenant.json must hold one JSON object { ... }, not null"},

		// Unknown keys.
		{"case typo", `{"timeoutMS": 2000}`, 1, 2, "timeoutMS", `unknown key; did you mean "timeoutMs"?`},
		{"typo", `{"fallbak": []}`, 1, 2, "fallbak", `unknown key; did you mean "fallback"?`},
		{"missing suffix", `{"timeout": 2000}`, 1, 2, "timeout", `unknown key; did you mean "timeoutMs"?`},
		{"abbreviation", `{"auth": "x"}`, 1, 2, "auth", `unknown key; did you mean "authorization"?`},
		{"nested key at top", `{"voiceProfile": "en-GB-Emma"}`, 1, 2, "voiceProfile", `unknown key; did you mean "voiceProfile" inside "defaults" (defaults.voiceProfile)?`},
		{"fetch key at top", `{"allow": []}`, 1, 2, "allow", `unknown key; did you mean "allow" inside "fetch" (fetch.allow)?`},
		{"unrelated", `{"color": "red"}`, 1, 2, "color", "unknown key (the keys allowed here are authorization, timeoutMs, defaults, env, fetch, fallback)"},
		{"defaults typo", `{"defaults": {"voiceprofile": "x"}}`, 1, 15, "defaults.voiceprofile", `unknown key; did you mean "voiceProfile"?`},
		{"defaults unrelated", `{"defaults": {"speed": 1}}`, 1, 15, "defaults.speed", "unknown key (the keys allowed in defaults are voiceProfile, maxDigits, overallTimeout, noOfTries)"},
		{"fetch typo", `{"fetch": {"maxbytes": 1}}`, 1, 12, "fetch.maxbytes", `unknown key; did you mean "maxBytes"?`},
		{"odd key", `{"fetch": {"a b": 1}}`, 1, 12, `fetch["a b"]`, "unknown key (the keys allowed in fetch are allow, maxBytes)"},

		// Types and ranges.
		{"authorization number", `{"authorization": 1}`, 1, 19, "authorization", "must be a string (the exact Authorization header 8x8 sends), got a number"},
		{"authorization newline", `{"authorization": "${TOKEN_NL}"}`, 1, 19, "authorization", "must not contain line breaks or control characters (does an environment variable end with a newline?)"},
		{"authorization spaces", `{"authorization": " Bearer x"}`, 1, 19, "authorization", "must not start or end with white space: HTTP drops it from the header, so it could never match"},
		{"timeout string", `{"timeoutMs": "2000"}`, 1, 15, "timeoutMs", "must be a whole number from 100 to 30000 (milliseconds), got a string; write it without quotes"},
		{"timeout from env", `{"timeoutMs": "${TIMEOUT}"}`, 1, 15, "timeoutMs", "must be a whole number from 100 to 30000 (milliseconds), got a string (a ${NAME} reference always gives a string)"},
		{"timeout too small", `{"timeoutMs": 99}`, 1, 15, "timeoutMs", "must be from 100 to 30000 (milliseconds), got 99"},
		{"timeout too large", `{"timeoutMs": 30001}`, 1, 15, "timeoutMs", "must be from 100 to 30000 (milliseconds), got 30001"},
		{"timeout huge", `{"timeoutMs": 1e400}`, 1, 15, "timeoutMs", "must be from 100 to 30000 (milliseconds), got 1e400"},
		{"timeout fraction", `{"timeoutMs": 1000.5}`, 1, 15, "timeoutMs", "must be a whole number (milliseconds), got 1000.5"},
		{"defaults not object", `{"defaults": "en-US"}`, 1, 14, "defaults", `must be an object such as {"voiceProfile": "en-US-Standard-A"}, got a string`},
		{"voiceProfile number", `{"defaults": {"voiceProfile": 1}}`, 1, 31, "defaults.voiceProfile", `must be a string such as "en-US-Standard-A", got a number`},
		{"voiceProfile empty", `{"defaults": {"voiceProfile": " "}}`, 1, 31, "defaults.voiceProfile", "must not be empty; leave the key out to have no default"},
		{"maxDigits 0", `{"defaults": {"maxDigits": 0}}`, 1, 28, "defaults.maxDigits", "must be from 1 to 25, got 0"},
		{"maxDigits 26", `{"defaults": {"maxDigits": 26}}`, 1, 28, "defaults.maxDigits", "must be from 1 to 25, got 26"},
		{"noOfTries bool", `{"defaults": {"noOfTries": true}}`, 1, 28, "defaults.noOfTries", "must be a whole number from 1 to 2147483647, got a boolean"},
		{"overallTimeout negative", `{"defaults": {"overallTimeout": -5}}`, 1, 33, "defaults.overallTimeout", "must be from 1 to 2147483647 (milliseconds), got -5"},
		{"env array", `{"env": ["a"]}`, 1, 9, "env", "must be an object of names and values, got an array"},
		{"env huge number", `{"env": {"n": [1e999]}}`, 1, 16, "env.n[0]", "the number 1e999 is too large for JavaScript"},
		{"fetch array", `{"fetch": []}`, 1, 11, "fetch", `must be an object such as {"allow": ["api.example.com"]}, got an array`},
		{"allow string", `{"fetch": {"allow": "a.com"}}`, 1, 21, "fetch.allow", `must be an array of host names such as ["api.example.com", "*.example.net"], got a string`},
		{"allow number", `{"fetch": {"allow": ["a.com", 1]}}`, 1, 31, "fetch.allow[1]", "must be a host name string, got a number"},
		{"maxBytes 0", `{"fetch": {"maxBytes": 0}}`, 1, 24, "fetch.maxBytes", "must be from 1 to 67108864 bytes, got 0"},
		{"maxBytes too big", `{"fetch": {"maxBytes": 67108865}}`, 1, 24, "fetch.maxBytes", "must be from 1 to 67108864 bytes, got 67108865"},
		{"fallback string", `{"fallback": "sorry"}`, 1, 14, "fallback", `must be an object {"callflow": [...]} or an array of actions, got a string`},

		// Environment references.
		{"missing variable", "{\n  \"env\": {\"CRM\": \"${CRM_KEY}\"}\n}", 2, 18, "env.CRM", "environment variable CRM_KEY is not set on the server (referenced as ${CRM_KEY})"},
		{"missing in fallback", `{"fallback": [{"action": "say", "params": {"text": "call ${LINE}"}}]}`, 1, 52, "fallback[0].params.text", "environment variable LINE is not set on the server (referenced as ${LINE})"},
		{"unclosed reference", `{"authorization": "Bearer ${TOKEN"}`, 1, 19, "authorization", `"${TOKEN" has ${ without a closing }; write ${NAME}, or $${ for a literal ${`},
		{"bad name", `{"env": {"a": "${1X}"}}`, 1, 15, "env.a", `"${1X}" is not a valid variable reference: NAME in ${NAME} is letters, digits and _, not starting with a digit (write $${ for a literal ${)`},
		{"empty name", `{"env": {"a": "${}"}}`, 1, 15, "env.a", `"${}" is not a valid variable reference: NAME in ${NAME} is letters, digits and _, not starting with a digit (write $${ for a literal ${)`},
		{"dash in name", `{"env": {"a": "${MY-VAR}"}}`, 1, 15, "env.a", `"${MY-VAR}" is not a valid variable reference: NAME in ${NAME} is letters, digits and _, not starting with a digit (write $${ for a literal ${)`},
	}
	lookup := env(map[string]string{"TOKEN_NL": "abc\n", "TIMEOUT": "2000"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSettings([]byte(tt.file), lookup)
			if err == nil {
				t.Fatalf("accepted: %v", s)
			}
			var se *SettingsError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SettingsError", err, err)
			}
			if se.Line != tt.line || se.Column != tt.col || se.Path != tt.path || se.Msg != tt.msg {
				t.Errorf("\n got %d:%d %q %q\nwant %d:%d %q %q", se.Line, se.Column, se.Path, se.Msg, tt.line, tt.col, tt.path, tt.msg)
			}
		})
	}
}

func TestSettingsErrorMessage(t *testing.T) {
	_, err := ParseSettings([]byte("{\n  \"defaults\": {\"voiceProfile\": 7}\n}"), nil)
	const want = "line 2, column 32: defaults.voiceProfile: must be a string such as \"en-US-Standard-A\", got a number"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if got := (&SettingsError{Msg: "m"}).Error(); got != "m" {
		t.Errorf("error without position or path: %q", got)
	}
}

func TestHostRules(t *testing.T) {
	tests := []struct {
		entry, rule, problem string
	}{
		{"crm.example.com", "crm.example.com", ""},
		{"CRM.Example.COM", "crm.example.com", ""},
		{"*.example.com", "*.example.com", ""},
		{"192.0.2.10", "192.0.2.10", ""},
		{"", "", "must not be empty"},
		{"*", "", `would allow every host; list the hosts, or use "*.example.com" for the hosts under one domain`},
		{"*.com", "", `would allow a whole top-level domain; name a domain such as "*.example.com"`},
		{"https://crm.example.com/api", "", `write the host name only, without scheme or path ("crm.example.com")`},
		{"crm.example.com/api", "", "write the host name only, without a path"},
		{"crm.example.com:8443", "", "write the host name only, without a port (IPv6 addresses are not supported)"},
		{"user@crm.example.com", "", "write the host name only, without user information"},
		{"crm.example.com.", "", "must not end with a dot"},
		{"api.*.example.com", "", `a wildcard may only be the whole first label, as in "*.example.com"`},
		{"*example.com", "", `a wildcard may only be the whole first label, as in "*.example.com"`},
		{"a..b", "", "has an empty label (two dots in a row, or a leading dot)"},
		{".example.com", "", "has an empty label (two dots in a row, or a leading dot)"},
		{"-a.example.com", "", `the label "-a" must not start or end with '-'`},
		{"bücher.de", "", "non-ASCII host names must be written in their xn-- (punycode) form"},
		{"a b.com", "", `' ' is not allowed in a host name`},
		{strings.Repeat("a", 64) + ".com", "", "has a label longer than 63 characters"},
		{strings.Repeat("a.", 127) + "com", "", "is longer than the 253 characters a host name may have"},
	}
	for _, tt := range tests {
		rule, problem := hostRule(tt.entry)
		if rule != tt.rule || problem != tt.problem {
			t.Errorf("hostRule(%q) = %q, %q; want %q, %q", tt.entry, rule, problem, tt.rule, tt.problem)
		}
	}
}

func TestFetchPolicyAllows(t *testing.T) {
	p := FetchPolicy{Allow: []string{"crm.example.com", "*.example.net"}}
	tests := []struct {
		host string
		want bool
	}{
		{"crm.example.com", true},
		{"CRM.Example.com", true},
		{"crm.example.com.", true},
		{"api.crm.example.com", false},
		{"example.com", false},
		{"evilcrm.example.com", false},
		{"a.example.net", true},
		{"a.b.example.net", true},
		{"example.net", false},
		{"badexample.net", false},
		{".example.net", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := p.Allows(tt.host); got != tt.want {
			t.Errorf("Allows(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
	if (FetchPolicy{}).Allows("example.com") {
		t.Error("an empty policy allows a host")
	}
}

func TestSettingsRedactsSecrets(t *testing.T) {
	s, err := ParseSettings([]byte(`{
		"authorization": "Bearer ${TOKEN}",
		"timeoutMs": 1500,
		"defaults": {"voiceProfile": "en-GB-Emma", "maxDigits": 3},
		"env": {"CRM_KEY": "${CRM_KEY}", "NESTED": {"pw": "${CRM_KEY}"}},
		"fetch": {"allow": ["crm.example.com"]},
		"fallback": [{"action": "hangup"}]
	}`), env(map[string]string{"TOKEN": "tok-SECRET-1", "CRM_KEY": "key-SECRET-2"}))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("loaded", "settings", s)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("loaded", "settings", *s)
	outputs := []string{
		s.String(), fmt.Sprint(s), fmt.Sprint(*s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s),
		fmt.Sprintf("%v %+v %#v", *s, *s, *s), logged.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, "SECRET") {
			t.Errorf("secret printed: %s", out)
		}
	}
	const want = `tenant settings {authorization: [redacted], timeout: 1.5s, defaults: {voiceProfile: "en-GB-Emma", maxDigits: 3}, ` +
		`env: ["CRM_KEY" "NESTED"] (values redacted), fetch: {allow: ["crm.example.com"]}, fallback: 21 bytes}`
	if got := s.String(); got != want {
		t.Errorf("String()\n got %s\nwant %s", got, want)
	}
	if got := (Settings{}).String(); got != "tenant settings {authorization: none}" {
		t.Errorf("empty settings: %s", got)
	}
}

func TestDefaultsAndEnvForTheEngine(t *testing.T) {
	s, err := ParseSettings([]byte(`{"defaults": {"voiceProfile": "en-GB-Emma", "maxDigits": 4, "overallTimeout": 9000, "noOfTries": 2}, "env": {"B": [1, "x"], "A": null}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Defaults.Callflow(), (callflow.Defaults{VoiceProfile: "en-GB-Emma", MaxDigits: 4, OverallTimeout: 9000, NoOfTries: 2}); got != want {
		t.Errorf("Callflow() = %+v, want %+v", got, want)
	}
	env, err := s.EnvJSON()
	if err != nil || string(env) != `{"A":null,"B":[1,"x"]}` {
		t.Errorf("EnvJSON() = %s, %v", env, err)
	}
	if env, err := (&Settings{}).EnvJSON(); env != nil || err != nil {
		t.Errorf("no env: EnvJSON() = %s, %v; want nil", env, err)
	}
}
