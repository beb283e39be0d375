package tenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzValidateID checks that ValidateID accepts exactly 8x8's pattern minus ids starting with
// "." or holding "..", and that nothing it accepts can step outside the scripts folder.
func FuzzValidateID(f *testing.F) {
	for _, id := range []string{
		DefaultID, "acme_ivr", "rideshare_nm", "a.b", "..", ".", "...", "a..b", "../x", "a/b", `a\b`,
		"%2e%2e", "abc\x00", "ab", strings.Repeat("z", 51), "café", "A&B-c.d_9", "abc.",
	} {
		f.Add(id)
	}
	pattern := regexp.MustCompile(`^[A-Za-z0-9._&-]{3,50}$`)
	f.Fuzz(func(t *testing.T, id string) {
		err := ValidateID(id)
		want := pattern.MatchString(id) && !strings.HasPrefix(id, ".") && !strings.Contains(id, "..")
		if (err == nil) != want {
			t.Fatalf("ValidateID(%q) = %v, want accepted %v", id, err, want)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidID) {
				t.Fatalf("error does not wrap ErrInvalidID: %v", err)
			}
			if msg := err.Error(); !utf8.ValidString(msg) || len(msg) > 400 {
				t.Fatalf("unfit message for %q: %q", id, msg)
			}
			return
		}
		if strings.ContainsAny(id, "/\\\x00") || !filepath.IsLocal(id) || filepath.Base(id) != id || filepath.Clean(id) != id {
			t.Fatalf("accepted %q, which is not a plain folder name", id)
		}
	})
}

// FuzzParseSettings checks that ParseSettings never panics, accepts only valid JSON, fails
// only with a *SettingsError at a real position, and, for a file without ${...} references,
// reads env and fallback as encoding/json does.
func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `[]`, `null`, "\uFEFF{}",
		`{"authorization": "Bearer ${TOKEN}", "timeoutMs": 2000, "defaults": {"voiceProfile": "en-US-Standard-A", "maxDigits": 1}}`,
		`{"env": {"a": [1, 2.5e3, -0, true, null, {"b": "\u00e9\ud83d\ude00"}]}, "fetch": {"allow": ["*.example.com"], "maxBytes": 1024}}`,
		`{"fallback": {"callflow": [{"action": "say", "params": {"text": "Sorry ${LINE} $${x}"}}, {"action": "hangup"}]}}`,
		`{"timeoutMS": 1, "timeoutMs": 2, "timeoutMs": 3}`,
		"{\n  // comment\n  \"env\": {\"a\": 'b',},\n}",
	} {
		f.Add([]byte(s))
	}
	lookup := env(map[string]string{"TOKEN": "t0k", "LINE": "+6560000000", "EMPTY": ""})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSettings(data, lookup)
		if err != nil {
			var se *SettingsError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SettingsError: %v", err, err)
			}
			if se.Line < 1 || se.Column < 1 || se.Line > bytes.Count(data, []byte("\n"))+1 {
				t.Fatalf("error at impossible position: %v", err)
			}
			if strings.Contains(err.Error(), "t0k") {
				t.Fatalf("error reveals an environment value: %v", err)
			}
			return
		}
		body := bytes.TrimPrefix(data, []byte("\uFEFF"))
		if len(bytes.TrimSpace(body)) == 0 {
			if !reflect.DeepEqual(s, &Settings{}) {
				t.Fatalf("empty file gave %v", s)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		if s.Timeout != 0 && (s.Timeout < MinTimeout || s.Timeout > MaxTimeout) {
			t.Fatalf("timeout %v out of bounds", s.Timeout)
		}
		if s.Fetch.MaxBytes < 0 || s.Fetch.MaxBytes > MaxFetchMaxBytes {
			t.Fatalf("maxBytes %d out of bounds", s.Fetch.MaxBytes)
		}
		for _, rule := range s.Fetch.Allow {
			if again, problem := hostRule(rule); again != rule || problem != "" {
				t.Fatalf("allow entry %q does not check again: %q %q", rule, again, problem)
			}
		}
		if s.Fallback != nil && !json.Valid(s.Fallback) {
			t.Fatalf("fallback is not valid JSON: %s", s.Fallback)
		}
		if bytes.Contains(body, []byte("$")) {
			return
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatalf("encoding/json cannot read an accepted file: %v", err)
		}
		if e, ok := raw["env"]; ok {
			var want map[string]any
			if err := json.Unmarshal(e, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Env, want) {
				t.Fatalf("env\n got %#v\nwant %#v", s.Env, want)
			}
		}
		if fb, ok := raw["fallback"]; ok {
			var got, want any
			if err := json.Unmarshal(fb, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(s.Fallback, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("fallback\n got %#v\nwant %#v", got, want)
			}
		}
	})
}
