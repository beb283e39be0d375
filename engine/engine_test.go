package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
)

// logSink collects the engine's JSON log lines for assertions.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// lines returns every log line, decoded.
func (s *logSink) lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(s.buf.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// count is the number of lines whose message contains msg.
func (s *logSink) count(msg string) int {
	n := 0
	for _, l := range s.lines() {
		if m, _ := l["msg"].(string); strings.Contains(m, msg) {
			n++
		}
	}
	return n
}

// find returns the first line whose message contains msg.
func (s *logSink) find(msg string) map[string]any {
	for _, l := range s.lines() {
		if m, _ := l["msg"].(string); strings.Contains(m, msg) {
			return l
		}
	}
	return nil
}

// writeTenant writes files into root/id, creating folders as needed.
func writeTenant(t testing.TB, root, id string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, id, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// newEngine starts an engine on root and stops it when the test ends.
func newEngine(t testing.TB, root string, opts engine.Options) (*engine.Engine, *logSink) {
	t.Helper()
	sink := &logSink{}
	opts.ScriptsDir = root
	opts.Logger = slog.New(slog.NewJSONHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e, err := engine.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, sink
}

// event builds a webhook body. fields are merged into the payload; a nil value removes a field.
func event(eventType string, fields map[string]any) []byte {
	unique := fmt.Sprint(time.Now().UnixNano())
	payload := map[string]any{
		"eventId":      "ev-" + unique,
		"callId":       "call-1",
		"sessionId":    "session-" + unique, // each event its own call unless a test says otherwise
		"subAccountId": "acme",
		"callStatus":   "CALL_RECEIVED",
		"source":       "+6591234567",
		"destination":  "+6560001000",
	}
	for k, v := range fields {
		if v == nil {
			delete(payload, k)
			continue
		}
		payload[k] = v
	}
	body, _ := json.Marshal(map[string]any{"namespace": "VOICE", "eventType": eventType, "payload": payload})
	return body
}

func callAction(fields map[string]any) []byte { return event("CALL_ACTION", fields) }

// handle posts one body and fails the test on a refusal.
func handle(t testing.TB, e *engine.Engine, body []byte) *engine.Answer {
	t.Helper()
	a, err := e.Handle(context.Background(), engine.Request{Body: body})
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	return a
}

// sayText is the text of the answer's first say action, or "".
func sayText(t testing.TB, body []byte) string {
	t.Helper()
	var a struct {
		Callflow []struct {
			Action string         `json:"action"`
			Params map[string]any `json:"params"`
		} `json:"callflow"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, body)
	}
	for _, act := range a.Callflow {
		if act.Action == "say" {
			s, _ := act.Params["text"].(string)
			return s
		}
	}
	return ""
}

const sayHello = `[{ action: "say", params: { text: "hello" } }]`

func TestHandlerForms(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
	}{
		{"esm default object", map[string]string{"index.js": `export default { onCallReceived() { return ` + sayHello + ` } }`}},
		{"esm default function", map[string]string{"index.mjs": `export default function (event, ctx) { return ` + sayHello + ` }`}},
		{"esm named hooks", map[string]string{"index.js": `export function onCallReceived() { return ` + sayHello + ` }`}},
		{"esm onCallAction", map[string]string{"index.js": `export default { onCallAction() { return ` + sayHello + ` } }`}},
		{"cjs function", map[string]string{"index.cjs": `module.exports = function () { return ` + sayHello + ` }`}},
		{"cjs hooks", map[string]string{"index.js": `module.exports = { onCallReceived: () => ` + sayHello + ` }`}},
		{"typescript two files", map[string]string{
			"index.ts": `import { greet } from "./menus";
export default { async onCallReceived(event: unknown, ctx: { tenant: string }): Promise<unknown> { return greet("hello"); } };`,
			"menus.ts": `import { say } from "callscript";
interface Greeting { text: string }
export function greet(text: string) { const g: Greeting = { text }; return [say(g.text)]; }`,
		}},
		{"require callscript", map[string]string{"index.js": `const { say } = require("callscript"); module.exports = () => say("hello");`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeTenant(t, root, "acme", tc.files)
			e, _ := newEngine(t, root, engine.Options{})
			if info, _ := e.Tenant("acme"); info.Error != nil {
				t.Fatalf("build failed: %v", info.Error)
			}
			a := handle(t, e, callAction(nil))
			if a.Fallback != "" || sayText(t, a.Body) != "hello" {
				t.Fatalf("got fallback %q body %s", a.Fallback, a.Body)
			}
			if a.Version == "" || a.Tenant != "acme" {
				t.Errorf("version %q tenant %q", a.Version, a.Tenant)
			}
		})
	}
}

func TestReturnShapesAndDefaults(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{
		"tenant.json": `{"defaults": {"voiceProfile": "en-GB-Emma"}}`,
		"index.js": `import { say, sayAndCapture, hangup } from "callscript";
export default (event, ctx) => {
  switch (event.payload.destination) {
    case "+1": return { clientActionId: "m", callflow: [sayAndCapture("Press 1")] };
    case "+2": return [say("a"), hangup()];
    case "+3": return say("one");
    case "+4": return undefined;
    case "+5": return { callflow: [] };
  }
}`,
	})
	e, _ := newEngine(t, root, engine.Options{})
	cases := []struct {
		dest, body, fallback string
	}{
		{"+1", `{"clientActionId":"m","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1","voiceProfile":"en-GB-Emma","maxDigits":1,"overallTimeout":10000,"noOfTries":1}}]}`, ""},
		{"+2", `{"callflow":[{"action":"say","params":{"text":"a","voiceProfile":"en-GB-Emma"}},{"action":"hangup"}]}`, ""},
		{"+3", `{"callflow":[{"action":"say","params":{"text":"one","voiceProfile":"en-GB-Emma"}}]}`, ""},
		{"+4", "", engine.FallbackNoCallflow},
		{"+5", "", engine.FallbackInvalidCallflow},
	}
	for _, tc := range cases {
		a := handle(t, e, callAction(map[string]any{"destination": tc.dest}))
		if a.Fallback != tc.fallback {
			t.Errorf("%s: fallback %q, want %q (%s)", tc.dest, a.Fallback, tc.fallback, a.Body)
		}
		if tc.body != "" && string(a.Body) != tc.body {
			t.Errorf("%s: body\n got %s\nwant %s", tc.dest, a.Body, tc.body)
		}
	}
}

func TestFallbacks(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{
		"index.js": `import { pick } from "./menus.js";
export default { onCallReceived: (event, ctx) => pick(event.payload.destination) };`,
		"menus.js": `import { sayAndCapture } from "callscript";
export function pick(dest) {
  if (dest === "throw") {
    throw new TypeError("no such menu");
  }
  if (dest === "invalid") return [sayAndCapture("Press", { maxDigits: 30 })];
  if (dest === "reject") return Promise.reject(new Error("async failure"));
  return [{ action: "say", params: { text: "ok" } }];
}`,
	})
	writeTenant(t, root, "custom", map[string]string{
		"tenant.json": `{"fallback": {"callflow": [{"action": "say", "params": {"text": "custom sorry"}}, {"action": "hangup"}]}}`,
		"index.js":    `export default { onCallReceived() { throw new Error("x") } };`,
	})
	writeTenant(t, root, "nohook", map[string]string{
		"index.js": `export default { onSessionSummary() {} };`,
	})
	e, logs := newEngine(t, root, engine.Options{})
	cases := []struct {
		tenant, dest, reason, logSource, logText string
	}{
		{"acme", "throw", engine.FallbackScriptError, "menus.js:4:", "TypeError: no such menu"},
		{"acme", "invalid", engine.FallbackInvalidCallflow, "", "callflow[0].params.maxDigits: must be between 1 and 25"},
		{"acme", "reject", engine.FallbackScriptError, "menus.js:7:", "Error: async failure"},
		{"custom", "x", engine.FallbackScriptError, "index.js:1:", "Error: x"},
		{"nohook", "x", engine.FallbackNoHandler, "", "no hook"},
	}
	for _, tc := range cases {
		t.Run(tc.tenant+"/"+tc.dest, func(t *testing.T) {
			id := "ev-" + tc.tenant + tc.dest
			a := handle(t, e, callAction(map[string]any{"subAccountId": tc.tenant, "destination": tc.dest, "eventId": id}))
			if a.Fallback != tc.reason {
				t.Fatalf("fallback %q, want %q", a.Fallback, tc.reason)
			}
			want := "We are sorry"
			if tc.tenant == "custom" {
				want = "custom sorry"
			}
			if !strings.Contains(sayText(t, a.Body), want) {
				t.Errorf("body %s does not say %q", a.Body, want)
			}
			var line map[string]any
			for _, l := range logs.lines() {
				if l["eventId"] == id && l["level"] == "ERROR" {
					line = l
				}
			}
			if line == nil {
				t.Fatal("no error logged")
			}
			if msg := fmt.Sprint(line["msg"]); !strings.Contains(msg, tc.logText) {
				t.Errorf("log %q does not contain %q", msg, tc.logText)
			}
			if src := fmt.Sprint(line["source"]); tc.logSource != "" && !strings.HasPrefix(src, tc.logSource) {
				t.Errorf("log source %q, want %q…", src, tc.logSource)
			}
		})
	}
}

func TestContextMembers(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "_default", map[string]string{
		"index.js": `export default (event, ctx) => [{ action: "say", params: { text: JSON.stringify({
  tenant: ctx.tenant, version: ctx.version, eventId: ctx.eventId, sessionId: ctx.sessionId,
  callId: ctx.callId, dtmf: ctx.dtmf, clientActionId: ctx.clientActionId,
  deadline: ctx.deadline > 0 && ctx.deadline <= 2000, sameEvent: event.payload.eventId === ctx.eventId }) } }];`,
	})
	e, _ := newEngine(t, root, engine.Options{})
	cases := []struct {
		name   string
		fields map[string]any
		dtmf   any
		action any
	}{
		{"no digits", nil, nil, nil},
		{"eventData.dtmf", map[string]any{"callStatus": "ACTION_COMPLETED", "eventData": map[string]any{"dtmf": "42"}, "clientActionId": "main"}, "42", "main"},
		{"legacy string", map[string]any{"callStatus": "ACTION_COMPLETED", "eventData": "7"}, "7", nil},
		{"payload.dtmf", map[string]any{"callStatus": "ACTION_COMPLETED", "dtmf": "1#"}, "1#", nil},
		{"null dtmf", map[string]any{"callStatus": "ACTION_COMPLETED", "eventData": map[string]any{"dtmf": nil}}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fields := map[string]any{"sessionId": "session-1"}
			for k, v := range tc.fields {
				fields[k] = v
			}
			a := handle(t, e, callAction(fields))
			var got map[string]any
			if err := json.Unmarshal([]byte(sayText(t, a.Body)), &got); err != nil {
				t.Fatalf("%v: %s", err, a.Body)
			}
			if got["tenant"] != "acme" {
				t.Errorf("ctx.tenant = %v, want the subAccountId even when _default serves", got["tenant"])
			}
			if got["version"] != a.Version || got["sessionId"] != "session-1" || got["callId"] != "call-1" || got["sameEvent"] != true || got["deadline"] != true {
				t.Errorf("ctx = %v", got)
			}
			if got["dtmf"] != tc.dtmf || got["clientActionId"] != tc.action {
				t.Errorf("dtmf %v clientActionId %v, want %v %v", got["dtmf"], got["clientActionId"], tc.dtmf, tc.action)
			}
		})
	}
}

func TestEndlessLoopIsCutAndRuntimeReplaced(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{
		"tenant.json": `{"timeoutMs": 300}`,
		"index.js": `let calls = 0;
export default { onCallReceived(event) {
  calls++;
  if (event.payload.destination === "loop") { globalThis.poisoned = true; while (true) {} }
  return [{ action: "say", params: { text: "fine " + (globalThis.poisoned === true) } }];
} };`,
	})
	e, logs := newEngine(t, root, engine.Options{})
	start := time.Now()
	a := handle(t, e, callAction(map[string]any{"destination": "loop"}))
	elapsed := time.Since(start)
	if a.Fallback != engine.FallbackTimeout {
		t.Fatalf("fallback %q, want timeout", a.Fallback)
	}
	if elapsed > 400*time.Millisecond {
		t.Errorf("answered after %v, want within the 300ms budget plus 100ms", elapsed)
	}
	if l := logs.find("still running at its deadline"); l == nil || !strings.HasPrefix(fmt.Sprint(l["source"]), "index.js:4:") {
		t.Errorf("timeout log line %v does not point at index.js:4", l)
	}
	// The next request runs in a runtime that never saw the poisoned global.
	a = handle(t, e, callAction(nil))
	if a.Fallback != "" || sayText(t, a.Body) != "fine false" {
		t.Fatalf("next request: fallback %q body %s", a.Fallback, a.Body)
	}
}

func TestNonCallEvents(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{
		"index.js": `export default {
  onCallReceived: () => [{ action: "hangup" }],
  onSessionSummary(event, ctx) { ctx.log.info("summary seen", { status: event.payload.sessionStatus }); return [{ action: "bogus" }]; },
  onCallStatus() { throw new Error("status hook broke"); },
};`,
	})
	e, logs := newEngine(t, root, engine.Options{})
	cases := []struct {
		eventType, fallback string
	}{
		{"SESSION_SUMMARY", ""},
		{"CALL_STATUS", engine.FallbackScriptError},
		{"VIRTUAL_NUMBER_UPDATE", ""}, // no hook: answered without running anything
		{"SOMETHING_NEW", ""},
	}
	for _, tc := range cases {
		a := handle(t, e, event(tc.eventType, map[string]any{"sessionStatus": "COMPLETED"}))
		if string(a.Body) != "{}" || a.Fallback != tc.fallback {
			t.Errorf("%s: body %s fallback %q", tc.eventType, a.Body, tc.fallback)
		}
	}
	if l := logs.find("summary seen"); l == nil || !strings.Contains(fmt.Sprint(l["fields"]), "COMPLETED") {
		t.Errorf("the session summary hook's log line is missing or lacks its fields: %v", l)
	}
}

func TestDuplicateDeliveryRunsOnce(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{
		"index.js": `let n = 0;
export default () => { console.log("handler ran"); const end = Date.now() + 30; while (Date.now() < end) {} n++; return [{ action: "say", params: { text: "run " + n } }]; };`,
	})
	e, logs := newEngine(t, root, engine.Options{})
	body := callAction(map[string]any{"eventId": "dup-1"})
	var wg sync.WaitGroup
	answers := make([]*engine.Answer, 8)
	for i := range answers {
		wg.Add(1)
		go func() { defer wg.Done(); answers[i] = handle(t, e, body) }()
	}
	wg.Wait()
	later := handle(t, e, body)
	if n := logs.count("handler ran"); n != 1 {
		t.Fatalf("the script ran %d times for one eventId, want 1", n)
	}
	fresh := 0
	for _, a := range append(answers, later) {
		if !bytes.Equal(a.Body, answers[0].Body) {
			t.Errorf("answers differ: %s vs %s", a.Body, answers[0].Body)
		}
		if !a.Replayed {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d answers were not replays, want exactly 1", fresh)
	}
	// Another eventId runs the script again; the same eventId for another tenant is its own.
	handle(t, e, callAction(map[string]any{"eventId": "dup-2"}))
	if n := logs.count("handler ran"); n != 2 {
		t.Errorf("a new eventId ran the script %d times in total, want 2", n)
	}
}

func TestRouting(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{
		"tenant.json": `{"authorization": "Bearer s3cret"}`,
		"index.js": `export default { onCallReceived: () => [{ action: "say", params: { text: "acme" } }],
  onRecordingUploaded(event, ctx) { ctx.log.info("recording for " + ctx.tenant); } };`,
	})
	writeTenant(t, root, "open", map[string]string{"index.js": `export default () => [{ action: "say", params: { text: "open" } }];`})
	e, logs := newEngine(t, root, engine.Options{})
	type want struct {
		kind engine.ErrorKind
		code string
		text string
	}
	cases := []struct {
		name string
		req  engine.Request
		want want
	}{
		{"authorized", engine.Request{Body: callAction(map[string]any{"sessionId": "session-1"}), Authorization: "Bearer s3cret"}, want{text: "acme"}},
		{"wrong credential", engine.Request{Body: callAction(nil), Authorization: "Bearer nope"}, want{kind: engine.KindUnauthorized, code: "unauthorized"}},
		{"no credential", engine.Request{Body: callAction(nil)}, want{kind: engine.KindUnauthorized, code: "unauthorized"}},
		{"unknown tenant", engine.Request{Body: callAction(map[string]any{"subAccountId": "nobody"})}, want{kind: engine.KindNotFound, code: "unknown_tenant"}},
		{"invalid tenant", engine.Request{Body: callAction(map[string]any{"subAccountId": "../acme"})}, want{kind: engine.KindBadRequest, code: "invalid_tenant"}},
		{"dot tenant", engine.Request{Body: callAction(nil), Tenant: "..data"}, want{kind: engine.KindBadRequest, code: "invalid_tenant"}},
		{"missing tenant", engine.Request{Body: callAction(map[string]any{"subAccountId": nil, "sessionId": "s-unknown"})}, want{kind: engine.KindBadRequest, code: "missing_tenant"}},
		{"path tenant", engine.Request{Body: callAction(map[string]any{"subAccountId": nil}), Tenant: "open"}, want{text: "open"}},
		{"mismatch", engine.Request{Body: callAction(nil), Tenant: "open"}, want{kind: engine.KindBadRequest, code: "tenant_mismatch"}},
		{"malformed", engine.Request{Body: []byte(`{"eventType": "CALL_ACTION", "payload": {`)}, want{kind: engine.KindBadRequest, code: "malformed_webhook"}},
		{"not an object", engine.Request{Body: []byte(`[]`)}, want{kind: engine.KindBadRequest, code: "malformed_webhook"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := e.Handle(context.Background(), tc.req)
			if tc.want.kind != 0 {
				var re *engine.RequestError
				if !errors.As(err, &re) || re.Kind != tc.want.kind || re.Code != tc.want.code {
					t.Fatalf("got %v, want refusal %s", err, tc.want.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sayText(t, a.Body); got != tc.want.text {
				t.Errorf("answered %q, want %q", got, tc.want.text)
			}
		})
	}
	// A recording event carries no subAccountId: the tenant comes from an earlier event of the session.
	rec := []byte(`{"namespace":"VOICE","eventType":"CALL_RECORDING_STATUS","payload":{"sessionId":"session-1","recordingId":"r1","status":"UPLOAD_COMPLETED"}}`)
	if _, err := e.Handle(context.Background(), engine.Request{Body: rec, Authorization: "Bearer s3cret"}); err != nil {
		t.Fatalf("recording event after a call of the session: %v", err)
	}
	if logs.find("recording for acme") == nil {
		t.Error("the recording hook did not run for the session's tenant")
	}
}

func TestBuildErrorsAndLoadCheck(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string // the problem, as file:line…: message
	}{
		{"syntax error in a module", map[string]string{"index.ts": `import { f } from "./menus"; export default f;`, "menus.ts": "export function f() {\n  return [;\n}"}, "menus.ts:2:"},
		{"missing import", map[string]string{"index.js": `import x from "./nope"; export default x;`}, "index.js:1:"},
		{"node built-in", map[string]string{"index.js": `import fs from "fs"; export default () => fs;`}, "index.js:1:"},
		{"throws at init", map[string]string{"index.js": "const a = 1;\nthrow new Error(\"init failed\");\nexport default () => a;"}, "index.js:2:"},
		{"no handler", map[string]string{"index.js": `export const x = 1;`}, "must export a handler"},
		{"misspelt hook", map[string]string{"index.js": `export default { onCallRecieved() {} };`}, "did you mean onCallReceived"},
		{"endless init", map[string]string{"tenant.json": `{"timeoutMs": 200}`, "index.js": `while (true) {} export default () => 1;`}, "did not finish"},
		{"bad settings", map[string]string{"tenant.json": `{"timeoutMS": 200}`, "index.js": `export default () => 1;`}, "tenant.json:1:"},
		{"bad fallback", map[string]string{"tenant.json": `{"fallback": {"callflow": [{"action": "dance"}]}}`, "index.js": `export default () => 1;`}, "fallback"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeTenant(t, root, "acme", tc.files)
			e, _ := newEngine(t, root, engine.Options{})
			info, ok := e.Tenant("acme")
			if !ok || info.Error == nil {
				t.Fatalf("the tenant built: %+v", info)
			}
			if !strings.Contains(info.Error.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", info.Error, tc.want)
			}
			// A tenant that never built still answers a call safely.
			a := handle(t, e, callAction(nil))
			if a.Fallback != engine.FallbackNotLoaded || sayText(t, a.Body) == "" {
				t.Errorf("never-built tenant answered %q %s", a.Fallback, a.Body)
			}
		})
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "evil", map[string]string{"index.js": `
Object.prototype.polluted = "yes";
Array.prototype.push = function () { throw new Error("hijacked"); };
JSON.stringify = () => "[]";
globalThis.secret = "evil's";
export default () => [{ action: "say", params: { text: "evil" } }];`})
	writeTenant(t, root, "good", map[string]string{"index.js": `
export default () => { const a = []; a.push(1);
  return [{ action: "say", params: { text: [({}).polluted, typeof globalThis.secret, a.length].join(",") } }]; };`})
	e, _ := newEngine(t, root, engine.Options{})
	if a := handle(t, e, callAction(map[string]any{"subAccountId": "evil"})); a.Fallback != "" || sayText(t, a.Body) != "evil" {
		t.Errorf("evil: %q %s (a replaced JSON.stringify must not break the engine)", a.Fallback, a.Body)
	}
	if a := handle(t, e, callAction(map[string]any{"subAccountId": "good"})); sayText(t, a.Body) != ",undefined,1" {
		t.Errorf("good saw another tenant's changes: %s", a.Body)
	}
}

func TestEnvIsReadOnly(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{
		"tenant.json": `{"env": {"CRM_URL": "${TEST_CRM_URL}", "hours": {"open": 9}}}`,
		"index.js": `export default (event, ctx) => {
  let changed = "no";
  try { ctx.env.hours.open = 0; changed = "yes"; } catch (e) { changed = e.name; }
  return [{ action: "say", params: { text: [ctx.env.CRM_URL, ctx.env.hours.open, changed].join(" ") } }];
};`,
	})
	e, _ := newEngine(t, root, engine.Options{LookupEnv: func(name string) (string, bool) {
		return "https://crm.example.com", name == "TEST_CRM_URL"
	}})
	for range 2 { // the second call must see the same env, untouched
		a := handle(t, e, callAction(nil))
		if got := sayText(t, a.Body); got != "https://crm.example.com 9 TypeError" {
			t.Fatalf("got %q", got)
		}
	}
}

func TestDeepRecursionIsAScriptError(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": `
function down(n) { return down(n + 1) + 1; }
export default (event) => {
  if (event.payload.destination === "deep") down(0);
  return [{ action: "say", params: { text: "still here" } }];
};`})
	e, logs := newEngine(t, root, engine.Options{})
	a := handle(t, e, callAction(map[string]any{"destination": "deep"}))
	if a.Fallback != engine.FallbackScriptError {
		t.Fatalf("fallback %q, want script-error", a.Fallback)
	}
	if logs.find("Maximum call stack size exceeded") == nil {
		t.Error("the stack overflow was not reported to the author")
	}
	if a := handle(t, e, callAction(nil)); sayText(t, a.Body) != "still here" {
		t.Fatalf("after the overflow: %s", a.Body)
	}
}
