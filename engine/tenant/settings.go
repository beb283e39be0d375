package tenant

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callscript/callscript/engine/callflow"
	"github.com/callscript/callscript/engine/internal/jsonscan"
	"github.com/callscript/callscript/engine/internal/suggest"
)

// Bounds ParseSettings enforces.
const (
	MinTimeout = 100 * time.Millisecond // timeoutMs below this leaves a script no time to run
	MaxTimeout = 30 * time.Second       // beyond this 8x8 may give up on the answer; Twilio waits 15 s

	DefaultFetchMaxBytes = 1 << 20  // fetch.maxBytes when the settings leave it out
	MaxFetchMaxBytes     = 64 << 20 // the most fetch.maxBytes may allow
)

// Settings are a tenant's tenant.json, read by ParseSettings. The zero value means no settings.
type Settings struct {
	// Authorization is the exact Authorization header 8x8 must send (the sub-account's
	// httpAuthHeader); "" means none is required. It is a secret: String redacts it.
	Authorization string
	// Timeout is the time budget of one event (timeoutMs); 0 means the server's default.
	Timeout  time.Duration
	Defaults Defaults
	// Env holds free JSON values for the scripts (ctx.env), decoded as encoding/json decodes
	// into an any: strings, float64, bool, nil, []any, map[string]any. The values may be
	// secrets: String redacts them. Nil when tenant.json has no env.
	Env   map[string]any
	Fetch FetchPolicy
	// Fallback is the callflow answered when the script fails: the JSON of fallback (an object
	// {"callflow": [...]} or an array of actions) with ${NAME} references replaced. It is
	// checked against the callflow rules elsewhere. Nil when tenant.json has no fallback.
	Fallback json.RawMessage
}

// Defaults fill in what a script's actions leave out. Zero fields are unset.
type Defaults struct {
	VoiceProfile   string // voiceProfile of say and sayAndCapture
	MaxDigits      int    // sayAndCapture maxDigits, 1 to 25
	OverallTimeout int    // sayAndCapture overallTimeout, in milliseconds
	NoOfTries      int    // sayAndCapture noOfTries
}

// EnvJSON is the JSON text of Env as a script runtime takes it (vm.Config.Env, vm.FrozenEnv);
// nil when there is no env.
func (s *Settings) EnvJSON() ([]byte, error) {
	if len(s.Env) == 0 {
		return nil, nil
	}
	text, err := json.Marshal(s.Env)
	if err != nil {
		return nil, fmt.Errorf("env: %w", err)
	}
	return text, nil
}

// Callflow returns the defaults as callflow.Parse fills them in.
func (d Defaults) Callflow() callflow.Defaults {
	return callflow.Defaults{
		VoiceProfile:   d.VoiceProfile,
		MaxDigits:      d.MaxDigits,
		OverallTimeout: d.OverallTimeout,
		NoOfTries:      d.NoOfTries,
	}
}

// FetchPolicy limits what a tenant's scripts may fetch.
type FetchPolicy struct {
	// Allow lists the host names fetch may reach, lowercased. An entry "*.example.com" allows
	// every host under example.com, at any depth, but not example.com itself. Empty: none.
	Allow []string
	// MaxBytes caps the size of one response body; 0 means DefaultFetchMaxBytes.
	MaxBytes int64
}

// Allows reports whether the policy lets fetch reach host (a host name without port, as
// url.URL.Hostname returns it). Host names compare case-insensitively and ignore a final dot.
func (p FetchPolicy) Allows(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return false
	}
	for _, rule := range p.Allow {
		if base, ok := strings.CutPrefix(rule, "*."); ok {
			if len(host) > len(base)+1 && strings.HasSuffix(host, base) && host[len(host)-len(base)-1] == '.' {
				return true
			}
		} else if host == rule {
			return true
		}
	}
	return false
}

// SettingsError reports what is wrong in a tenant.json. A tool that prints errors as
// file:line:col: message writes Line, Column, then Path and Msg.
type SettingsError struct {
	Line, Column int    // 1-based position in the file; the column counts characters
	Path         string // the key path at fault, as a script would write it ("defaults.voiceProfile", "fetch.allow[1]"); "" for a syntax error outside any key
	Msg          string
}

func (e *SettingsError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ParseSettings reads the contents of a tenant.json. Every key is optional, and an empty file
// is the same as {}. Keys it does not know are errors, as are values of the wrong type or out
// of range, and repeated keys: a typo in a settings file must not be silently ignored. Every
// error is a *SettingsError.
//
// String values anywhere in the document (not keys) may refer to the server's environment:
// each ${NAME}, where NAME is letters, digits and _ and does not start with a digit, is
// replaced by the value lookupEnv returns for NAME, inserted as is ("Bearer ${TOKEN}" works as
// well as "${TOKEN}"). A variable that is not set is an error; $${ writes a literal ${, and a
// $ not followed by { stays. The result is a string even where it looks like a number.
// lookupEnv is usually os.LookupEnv; nil means no variable is set.
//
// A UTF-8 byte order mark at the start of the file, which some Windows editors write, is
// skipped.
func ParseSettings(data []byte, lookupEnv func(string) (string, bool)) (*Settings, error) {
	root, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	s := &Settings{}
	if root == nil {
		return s, nil
	}
	p := &settingsParser{data: data, lookupEnv: lookupEnv}
	if root.kind != jsonscan.Object {
		return nil, p.errorf(root, "", "tenant.json must hold one JSON object { ... }, not %s", root.kind)
	}
	if err := p.interpolate(root, ""); err != nil {
		return nil, err
	}
	for _, m := range root.members {
		v := m.value
		var err error
		switch m.key {
		case "authorization":
			s.Authorization, err = p.authorization(v)
		case "timeoutMs":
			var ms int
			if ms, err = p.integer(v, m.key, int(MinTimeout/time.Millisecond), int(MaxTimeout/time.Millisecond), " (milliseconds)"); err == nil {
				s.Timeout = time.Duration(ms) * time.Millisecond
			}
		case "defaults":
			err = p.defaults(v, &s.Defaults)
		case "env":
			if v.kind != jsonscan.Object {
				err = p.errorf(v, m.key, "must be an object of names and values, got %s", v.kind)
				break
			}
			s.Env, err = p.envObject(v, m.key)
		case "fetch":
			err = p.fetch(v, &s.Fetch)
		case "fallback":
			if v.kind != jsonscan.Object && v.kind != jsonscan.Array {
				err = p.errorf(v, m.key, `must be an object {"callflow": [...]} or an array of actions, got %s`, v.kind)
				break
			}
			s.Fallback = v.encode(nil)
		default:
			err = p.unknownKey(m, "", topLevelKeys())
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// The keys each object of tenant.json may hold.
func topLevelKeys() []string {
	return []string{"authorization", "timeoutMs", "defaults", "env", "fetch", "fallback"}
}
func defaultsKeys() []string {
	return []string{"voiceProfile", "maxDigits", "overallTimeout", "noOfTries"}
}
func fetchKeys() []string { return []string{"allow", "maxBytes"} }

type settingsParser struct {
	data      []byte
	lookupEnv func(string) (string, bool)
}

func (p *settingsParser) errorf(n *node, path, format string, args ...any) error {
	line, col := jsonscan.Position(p.data, n.offset)
	return &SettingsError{Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// interpolate replaces ${NAME} in every string value under n, whose path is path.
func (p *settingsParser) interpolate(n *node, path string) error {
	switch n.kind {
	case jsonscan.String:
		s, fromEnv, err := p.expand(n, path)
		n.text, n.fromEnv = s, fromEnv
		return err
	case jsonscan.Object:
		for _, m := range n.members {
			if err := p.interpolate(m.value, joinPath(path, m.key)); err != nil {
				return err
			}
		}
	case jsonscan.Array:
		for i, item := range n.items {
			if err := p.interpolate(item, indexPath(path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// expand returns the string n with its ${NAME} references replaced, and whether it had any.
func (p *settingsParser) expand(n *node, path string) (_ string, fromEnv bool, _ error) {
	s := n.text
	if !strings.Contains(s, "$") {
		return s, false, nil
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			b.WriteString(s)
			return b.String(), fromEnv, nil
		}
		b.WriteString(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "$${"):
			b.WriteString("${")
			s = s[3:]
		case strings.HasPrefix(s, "${"):
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return "", false, p.errorf(n, path, "%q has ${ without a closing }; write ${NAME}, or $${ for a literal ${", shorten(s))
			}
			name := s[2:end]
			if !isEnvName(name) {
				return "", false, p.errorf(n, path, "%q is not a valid variable reference: NAME in ${NAME} is letters, digits and _, not starting with a digit (write $${ for a literal ${)", shorten(s[:end+1]))
			}
			var value string
			var ok bool
			if p.lookupEnv != nil {
				value, ok = p.lookupEnv(name)
			}
			if !ok {
				return "", false, p.errorf(n, path, "environment variable %s is not set on the server (referenced as ${%s})", name, name)
			}
			b.WriteString(value)
			s = s[end+1:]
			fromEnv = true
		default:
			b.WriteByte('$')
			s = s[1:]
		}
	}
}

func isEnvName(s string) bool {
	return isIdentifier(s) && !strings.Contains(s, "$")
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func (p *settingsParser) authorization(v *node) (string, error) {
	if v.kind != jsonscan.String {
		return "", p.errorf(v, "authorization", "must be a string (the exact Authorization header 8x8 sends), got %s", v.kind)
	}
	// Never quote the value: it is a secret.
	for i := 0; i < len(v.text); i++ {
		if c := v.text[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return "", p.errorf(v, "authorization", "must not contain line breaks or control characters (does an environment variable end with a newline?)")
		}
	}
	if strings.TrimSpace(v.text) != v.text {
		return "", p.errorf(v, "authorization", "must not start or end with white space: HTTP drops it from the header, so it could never match")
	}
	return v.text, nil
}

// integer reads v as a whole number in [lo, hi]; unit is added to the range in messages.
func (p *settingsParser) integer(v *node, path string, lo, hi int, unit string) (int, error) {
	if v.kind != jsonscan.Number {
		hint := ""
		switch {
		case v.fromEnv:
			hint = " (a ${NAME} reference always gives a string)"
		case v.kind == jsonscan.String:
			hint = "; write it without quotes"
		}
		return 0, p.errorf(v, path, "must be a whole number from %d to %d%s, got %s%s", lo, hi, unit, v.kind, hint)
	}
	f, err := strconv.ParseFloat(v.text, 64)
	if err != nil || f < float64(lo) || f > float64(hi) {
		return 0, p.errorf(v, path, "must be from %d to %d%s, got %s", lo, hi, unit, v.text)
	}
	if f != math.Trunc(f) {
		return 0, p.errorf(v, path, "must be a whole number%s, got %s", unit, v.text)
	}
	return int(f), nil
}

func (p *settingsParser) defaults(v *node, d *Defaults) error {
	const path = "defaults"
	if v.kind != jsonscan.Object {
		return p.errorf(v, path, "must be an object such as {\"voiceProfile\": \"en-US-Standard-A\"}, got %s", v.kind)
	}
	for _, m := range v.members {
		key := path + "." + m.key
		var err error
		switch m.key {
		case "voiceProfile":
			switch {
			case m.value.kind != jsonscan.String:
				err = p.errorf(m.value, key, "must be a string such as \"en-US-Standard-A\", got %s", m.value.kind)
			case strings.TrimSpace(m.value.text) == "":
				err = p.errorf(m.value, key, "must not be empty; leave the key out to have no default")
			default:
				d.VoiceProfile = m.value.text
			}
		case "maxDigits":
			d.MaxDigits, err = p.integer(m.value, key, 1, 25, "")
		case "overallTimeout":
			d.OverallTimeout, err = p.integer(m.value, key, 1, math.MaxInt32, " (milliseconds)")
		case "noOfTries":
			d.NoOfTries, err = p.integer(m.value, key, 1, math.MaxInt32, "")
		default:
			err = p.unknownKey(m, path, defaultsKeys())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *settingsParser) fetch(v *node, f *FetchPolicy) error {
	const path = "fetch"
	if v.kind != jsonscan.Object {
		return p.errorf(v, path, "must be an object such as {\"allow\": [\"api.example.com\"]}, got %s", v.kind)
	}
	for _, m := range v.members {
		key := path + "." + m.key
		switch m.key {
		case "allow":
			if m.value.kind != jsonscan.Array {
				return p.errorf(m.value, key, "must be an array of host names such as [\"api.example.com\", \"*.example.net\"], got %s", m.value.kind)
			}
			f.Allow = make([]string, 0, len(m.value.items))
			for i, item := range m.value.items {
				itemPath := indexPath(key, i)
				if item.kind != jsonscan.String {
					return p.errorf(item, itemPath, "must be a host name string, got %s", item.kind)
				}
				rule, problem := hostRule(item.text)
				if problem != "" {
					return p.errorf(item, itemPath, "%q: %s", shorten(item.text), problem)
				}
				f.Allow = append(f.Allow, rule)
			}
		case "maxBytes":
			n, err := p.integer(m.value, key, 1, MaxFetchMaxBytes, " bytes")
			if err != nil {
				return err
			}
			f.MaxBytes = int64(n)
		default:
			return p.unknownKey(m, path, fetchKeys())
		}
	}
	return nil
}

// hostRule checks and lowercases one fetch.allow entry. It returns what is wrong in words,
// or "" when the entry is good.
func hostRule(s string) (rule, problem string) {
	switch {
	case s == "":
		return "", "must not be empty"
	case s == "*" || s == "*.*":
		return "", `would allow every host; list the hosts, or use "*.example.com" for the hosts under one domain`
	case strings.Contains(s, "://"):
		_, rest, _ := strings.Cut(s, "://")
		host, _, _ := strings.Cut(rest, "/")
		return "", fmt.Sprintf("write the host name only, without scheme or path (%q)", shorten(host))
	case strings.ContainsAny(s, "/?#"):
		return "", "write the host name only, without a path"
	case strings.Contains(s, "@"):
		return "", "write the host name only, without user information"
	case strings.Contains(s, ":"):
		return "", "write the host name only, without a port (IPv6 addresses are not supported)"
	case strings.HasSuffix(s, "."):
		return "", "must not end with a dot"
	}
	base, wildcard := strings.CutPrefix(s, "*.")
	if strings.Contains(base, "*") {
		return "", `a wildcard may only be the whole first label, as in "*.example.com"`
	}
	base = strings.ToLower(base)
	labels := strings.Split(base, ".")
	if wildcard && len(labels) < 2 {
		return "", fmt.Sprintf("would allow a whole top-level domain; name a domain such as \"*.example.%s\"", base)
	}
	if len(base) > 253 {
		return "", "is longer than the 253 characters a host name may have"
	}
	for _, label := range labels {
		if label == "" {
			return "", "has an empty label (two dots in a row, or a leading dot)"
		}
		if len(label) > 63 {
			return "", "has a label longer than 63 characters"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Sprintf("the label %q must not start or end with '-'", label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
				continue
			}
			if c >= 0x80 {
				return "", "non-ASCII host names must be written in their xn-- (punycode) form"
			}
			return "", fmt.Sprintf("%q is not allowed in a host name", c)
		}
	}
	if wildcard {
		return "*." + base, ""
	}
	return base, ""
}

// envObject converts an object under env to a map of plain Go values.
func (p *settingsParser) envObject(v *node, path string) (map[string]any, error) {
	out := make(map[string]any, len(v.members))
	for _, m := range v.members {
		val, err := p.envValue(m.value, joinPath(path, m.key))
		if err != nil {
			return nil, err
		}
		out[m.key] = val
	}
	return out, nil
}

func (p *settingsParser) envValue(v *node, path string) (any, error) {
	switch v.kind {
	case jsonscan.String:
		return v.text, nil
	case jsonscan.Number:
		f, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			return nil, p.errorf(v, path, "the number %s is too large for JavaScript", v.text)
		}
		return f, nil
	case jsonscan.Bool:
		return v.boolean, nil
	case jsonscan.Null:
		return nil, nil
	case jsonscan.Array:
		out := make([]any, len(v.items))
		for i, item := range v.items {
			val, err := p.envValue(item, indexPath(path, i))
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	}
	return p.envObject(v, path)
}

// unknownKey reports m, a key of the object at path that is not among known, suggesting the
// key the author most likely meant.
func (p *settingsParser) unknownKey(m member, path string, known []string) error {
	line, col := jsonscan.Position(p.data, m.keyOffset)
	msg := "unknown key"
	if s := didYouMean(m.key, path, known); s != "" {
		msg += "; did you mean " + s + "?"
	} else {
		where := "here"
		if path != "" {
			where = "in " + path
		}
		msg += fmt.Sprintf(" (the keys allowed %s are %s)", where, strings.Join(known, ", "))
	}
	return &SettingsError{Line: line, Column: col, Path: joinPath(path, m.key), Msg: msg}
}

// didYouMean returns the known key that key most likely misspells (the same letters in
// another case, or a typo or two away, fewer in a short key), or an abbreviated one, or for a
// top-level key one that belongs in a nested object; quoted, as the hint needs it.
func didYouMean(key, path string, known []string) string {
	best := suggest.ClosestFunc(key, known, func(k string) int { return min(2, len(k)/3) })
	if best == "" && len(key) >= 4 {
		// An abbreviation: "auth" for "authorization".
		lower := strings.ToLower(key)
		for _, k := range known {
			if strings.HasPrefix(strings.ToLower(k), lower) {
				best = k
				break
			}
		}
	}
	if best != "" {
		return strconv.Quote(best)
	}
	if path == "" {
		for _, nested := range []struct {
			parent string
			keys   []string
		}{{"defaults", defaultsKeys()}, {"fetch", fetchKeys()}} {
			if i := slices.IndexFunc(nested.keys, func(k string) bool { return strings.EqualFold(k, key) }); i >= 0 {
				return fmt.Sprintf("%q inside %q (%s.%s)", nested.keys[i], nested.parent, nested.parent, nested.keys[i])
			}
		}
	}
	return ""
}

// String describes the settings for logs without revealing secrets: the authorization value
// and the env values are left out.
func (s Settings) String() string {
	var b strings.Builder
	b.WriteString("tenant settings {authorization: ")
	if s.Authorization == "" {
		b.WriteString("none")
	} else {
		b.WriteString("[redacted]")
	}
	if s.Timeout != 0 {
		fmt.Fprintf(&b, ", timeout: %v", s.Timeout)
	}
	d := s.Defaults
	if d != (Defaults{}) {
		b.WriteString(", defaults: {")
		sep := ""
		if d.VoiceProfile != "" {
			fmt.Fprintf(&b, "voiceProfile: %q", d.VoiceProfile)
			sep = ", "
		}
		for _, f := range []struct {
			name  string
			value int
		}{{"maxDigits", d.MaxDigits}, {"overallTimeout", d.OverallTimeout}, {"noOfTries", d.NoOfTries}} {
			if f.value != 0 {
				fmt.Fprintf(&b, "%s%s: %d", sep, f.name, f.value)
				sep = ", "
			}
		}
		b.WriteString("}")
	}
	if s.Env != nil {
		names := make([]string, 0, len(s.Env))
		for name := range s.Env {
			names = append(names, name)
		}
		slices.Sort(names)
		fmt.Fprintf(&b, ", env: %q (values redacted)", names)
	}
	if s.Fetch.Allow != nil || s.Fetch.MaxBytes != 0 {
		fmt.Fprintf(&b, ", fetch: {allow: %q", s.Fetch.Allow)
		if s.Fetch.MaxBytes != 0 {
			fmt.Fprintf(&b, ", maxBytes: %d", s.Fetch.MaxBytes)
		}
		b.WriteString("}")
	}
	if s.Fallback != nil {
		fmt.Fprintf(&b, ", fallback: %d bytes", len(s.Fallback))
	}
	b.WriteString("}")
	return b.String()
}

// GoString keeps %#v from printing the secrets String leaves out.
func (s Settings) GoString() string { return s.String() }

// LogValue keeps log/slog handlers, the JSON one included, from printing the secrets String
// leaves out.
func (s Settings) LogValue() slog.Value { return slog.StringValue(s.String()) }
