package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/callscript/callscript/engine"
)

// dialogTenant uses every dialog helper: a main menu leading to a sub-menu and to a PIN
// prompt, routed by dialogs(). Every hook says something a test can recognise.
const dialogTenant = `import { menu, collectNumber, dialogs, say, hangup, makeCall } from "callscript";

const pin = collectNumber("pin", {
  prompt: "Enter your PIN.",
  minDigits: 4,
  maxDigits: 6,
  noInput: ["No PIN heard."],
  wrongInput: "Wrong PIN.",
  capture: { overallTimeout: 20000 },
  validate: async (digits) => (digits === "0000" ? "That PIN is blocked." : digits !== "9999"),
  onComplete: async (digits, event, ctx) => {
    await null;
    return [say("PIN " + digits + " " + ctx.session.mine), hangup()];
  },
  onTooManyTries: (event, ctx, tries) => [say("PIN gave up " + tries.noInput + "/" + tries.wrongInput), hangup()],
});

const support = menu("support", {
  prompt: "Support menu.",
  options: { "1": () => [say("Technical"), hangup()], "0": () => main },
});

const main = menu("main", {
  prompt: "Main menu.",
  options: {
    "1": (event) => [say("Sales"), makeCall({ source: event.payload.destination, destination: "+6560000001" })],
    "2": support,
    "3": async (event, ctx) => pin.start(ctx, { before: say("PIN time.") }),
    "4": () => undefined,
    "10": () => [say("Ten"), hangup()],
  },
  noInput: ["Silence one.", "Silence two."],
  wrongInput: ["Wrong one."],
  maxTries: 4,
  onTooManyTries: (event, ctx, tries) => [say("Main gave up " + tries.noInput + "/" + tries.wrongInput), hangup()],
});

const quick = collectNumber("quick", {
  prompt: "Enter a code.",
  maxDigits: 3,
  confirm: false,
  completeOnHash: false,
  onComplete: (digits) => [say("Code " + digits), hangup()],
});

const ivr = dialogs([main, support, pin, quick], {
  otherwise: (event, ctx) => [say("Lost " + ctx.clientActionId), hangup()],
});

export default {
  onCallReceived(event, ctx) {
    ctx.session.mine = "kept";
    return event.payload.destination === "+6560009999" ? quick.start(ctx) : main.start(ctx);
  },
  onActionCompleted: ivr.continue,
};
`

// answer is an answer to a CALL_ACTION, decoded.
type answer struct {
	ClientActionID string `json:"clientActionId"`
	Callflow       []struct {
		Action string         `json:"action"`
		Params map[string]any `json:"params"`
	} `json:"callflow"`
	fallback string
}

// prompt is the promptMessage of the answer's sayAndCapture, or "".
func (a answer) prompt() string {
	for _, act := range a.Callflow {
		if act.Action == "sayAndCapture" {
			s, _ := act.Params["promptMessage"].(string)
			return s
		}
	}
	return ""
}

// says is the text of the answer's say actions, joined by " | ".
func (a answer) says() string {
	var out []string
	for _, act := range a.Callflow {
		if act.Action == "say" {
			s, _ := act.Params["text"].(string)
			out = append(out, s)
		}
	}
	return strings.Join(out, " | ")
}

// actions lists the answer's actions by name.
func (a answer) actions() string {
	var out []string
	for _, act := range a.Callflow {
		out = append(out, act.Action)
	}
	return strings.Join(out, ",")
}

// capture is one param of the answer's sayAndCapture, as JSON.
func (a answer) capture(name string) string {
	for _, act := range a.Callflow {
		if act.Action == "sayAndCapture" {
			b, _ := json.Marshal(act.Params[name])
			return string(b)
		}
	}
	return ""
}

// callAction builds a CALL_ACTION body. clientActionID and dtmf are left out when "-".
func callAction(t testing.TB, tenant, session, eventID, status, clientActionID, dtmf string) []byte {
	t.Helper()
	payload := map[string]any{
		"eventId": eventID, "callId": "call-" + session, "sessionId": session, "subAccountId": tenant,
		"callStatus": status, "callDirection": "INBOUND", "callType": "PSTN",
		"source": "+6591234567", "destination": "+6560001000",
	}
	if clientActionID != "-" {
		payload["clientActionId"] = clientActionID
	}
	switch dtmf {
	case "-":
	case "":
		payload["eventData"] = map[string]any{"dtmf": nil}
	default:
		payload["eventData"] = map[string]any{"dtmf": dtmf}
	}
	body, err := json.Marshal(map[string]any{"namespace": "VOICE", "eventType": "CALL_ACTION", "payload": payload})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// syncBuffer collects log output from concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startEngine serves one tenant, "ivr", whose index.js is script.
func startEngine(t *testing.T, script string) (*engine.Engine, *syncBuffer) {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "ivr"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "ivr", "index.js"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	e, err := engine.New(context.Background(), engine.Options{
		ScriptsDir: root,
		Logger:     slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if info, _ := e.Tenant("ivr"); info.Error != nil {
		t.Fatalf("the tenant does not build: %v", info.Error)
	}
	return e, logs
}

// call plays one phone call against the engine, as 8x8 would: each answer's clientActionId
// comes back with the next CALL_ACTION.
type call struct {
	t        *testing.T
	e        *engine.Engine
	session  string
	events   int
	actionID string
}

func newCall(t *testing.T, e *engine.Engine) *call {
	return &call{t: t, e: e, session: "session-" + strings.ReplaceAll(t.Name(), "/", "-")}
}

func (c *call) post(body []byte) answer {
	c.t.Helper()
	res, err := c.e.Handle(context.Background(), engine.Request{Body: body})
	if err != nil {
		c.t.Fatalf("Handle: %v", err)
	}
	var a answer
	if err := json.Unmarshal(res.Body, &a); err != nil {
		c.t.Fatalf("the answer is not JSON: %v: %s", err, res.Body)
	}
	a.fallback = res.Fallback
	c.actionID = a.ClientActionID
	return a
}

// send delivers one step: "start" is the inbound call (to destination "+6560009999" for
// "start-quick"), "" is a sayAndCapture that captured nothing, anything else the digits pressed.
func (c *call) send(input string) answer {
	c.t.Helper()
	return c.sendAs(input, "")
}

// sendAs is send with the clientActionId 8x8 sends back: actionID, or when "" the one of the
// last answer.
func (c *call) sendAs(input, actionID string) answer {
	c.t.Helper()
	c.events++
	id := fmt.Sprintf("%s-e%d", c.session, c.events)
	if input == "start" || input == "start-quick" {
		body := callAction(c.t, "ivr", c.session, id, "CALL_RECEIVED", "-", "-")
		if input == "start-quick" {
			body = bytes.Replace(body, []byte("+6560001000"), []byte("+6560009999"), 1)
		}
		return c.post(body)
	}
	if actionID == "" {
		actionID = c.actionID
	}
	if actionID == "" {
		actionID = "-" // the last answer had none: 8x8 has none to send back
	}
	return c.post(callAction(c.t, "ivr", c.session, id, "ACTION_COMPLETED", actionID, input))
}

// turn is one step of a call and what the caller must hear.
type turn struct {
	send   string // see call.send
	as     string // the clientActionId sent back, when not the last answer's
	id     string // the answer's clientActionId
	prompt string // its sayAndCapture's promptMessage ("" when none)
	says   string // the text of its say actions
	flow   string // its actions, when it matters
}

func TestDialogPaths(t *testing.T) {
	tests := []struct {
		name  string
		turns []turn
	}{
		{"menu: a valid key runs its option", []turn{
			{send: "start", id: "main", prompt: "Main menu."},
			{send: "1", says: "Sales", flow: "say,makeCall"},
		}},
		{"menu: no input, escalating re-prompts, then a valid key", []turn{
			{send: "start", id: "main", prompt: "Main menu."},
			{send: "", id: "main", prompt: "Silence one. Main menu."},
			{send: "", id: "main", prompt: "Silence two. Main menu."},
			{send: "", id: "main", prompt: "Silence two. Main menu."}, // the last message again
			{send: "1", says: "Sales", flow: "say,makeCall"},
		}},
		{"menu: wrong keys and no input together end in onTooManyTries", []turn{
			{send: "start", id: "main", prompt: "Main menu."},
			{send: "7", id: "main", prompt: "Wrong one. Main menu."},
			{send: "", id: "main", prompt: "Silence one. Main menu."},
			{send: "*", id: "main", prompt: "Wrong one. Main menu."},
			{send: "99", says: "Main gave up 1/3", flow: "say,hangup"},
		}},
		{"menu: the # that ends an entry is not part of the key", []turn{
			{send: "start", id: "main"},
			{send: "1#", says: "Sales"},
		}},
		{"menu: a key of two digits", []turn{
			{send: "start", id: "main"},
			{send: "10", says: "Ten", flow: "say,hangup"},
		}},
		{"menu: a dialog as option, and an option returning a dialog, start it afresh", []turn{
			{send: "start", id: "main"},
			{send: "7", id: "main", prompt: "Wrong one. Main menu."},
			{send: "7", id: "main", prompt: "Wrong one. Main menu."},
			{send: "7", id: "main", prompt: "Wrong one. Main menu."},
			{send: "2", id: "support", prompt: "Support menu."},
			{send: "", id: "support", prompt: "Sorry, I did not hear anything. Support menu."}, // the defaults
			{send: "5", id: "support", prompt: "Sorry, that is not a valid choice. Support menu."},
			{send: "0", id: "main", prompt: "Main menu."},
			// main starts with fresh counters: three more failures are allowed before the fourth gives up.
			{send: "7", id: "main", prompt: "Wrong one. Main menu."},
			{send: "7", id: "main", prompt: "Wrong one. Main menu."},
			{send: "7", id: "main", prompt: "Wrong one. Main menu."},
			{send: "7", says: "Main gave up 0/4"},
		}},
		{"menu: default onTooManyTries apologises and hangs up", []turn{
			{send: "start", id: "main"},
			{send: "2", id: "support"},
			{send: "", id: "support"},
			{send: "", id: "support"},
			{send: "", says: "Sorry, we could not understand your answer. Please call again later. Goodbye.", flow: "say,hangup"},
		}},
		{"collectNumber: entry, confirmation, re-entry, confirmation, onComplete", []turn{
			{send: "start", id: "main"},
			{send: "3", id: "pin", prompt: "Enter your PIN.", says: "PIN time.", flow: "say,sayAndCapture"},
			{send: "1234", id: "pin", prompt: "You entered 1 2 3 4. Press 1 to confirm, or 2 to enter it again."},
			{send: "2", id: "pin", prompt: "Enter your PIN."},
			{send: "5678#", id: "pin", prompt: "You entered 5 6 7 8. Press 1 to confirm, or 2 to enter it again."},
			{send: "1", says: "PIN 5678 kept", flow: "say,hangup"},
		}},
		{"collectNumber: no input and wrong entries while entering", []turn{
			{send: "start", id: "main"},
			{send: "3", id: "pin", prompt: "Enter your PIN."},
			{send: "", id: "pin", prompt: "No PIN heard. Enter your PIN."},
			{send: "#", id: "pin", prompt: "No PIN heard. Enter your PIN."}, // only the # that ends the entry
			{send: "1234", id: "pin", prompt: "You entered 1 2 3 4. Press 1 to confirm, or 2 to enter it again."},
			{send: "1", says: "PIN 1234 kept"},
		}},
		{"collectNumber: too short, not digits, refused by validate: too many tries", []turn{
			{send: "start", id: "main"},
			{send: "3", id: "pin"},
			{send: "12", id: "pin", prompt: "Wrong PIN. Enter your PIN."},
			{send: "12*4", id: "pin", prompt: "Wrong PIN. Enter your PIN."},
			{send: "9999", says: "PIN gave up 0/3", flow: "say,hangup"},
		}},
		{"collectNumber: validate's own message replaces wrongInput", []turn{
			{send: "start", id: "main"},
			{send: "3", id: "pin"},
			{send: "0000", id: "pin", prompt: "That PIN is blocked. Enter your PIN."},
			{send: "1234567", id: "pin", prompt: "Wrong PIN. Enter your PIN."}, // too long
			{send: "", says: "PIN gave up 1/2"},
		}},
		{"collectNumber: no input and wrong keys while confirming share the counters", []turn{
			{send: "start", id: "main"},
			{send: "3", id: "pin"},
			{send: "1234", id: "pin", prompt: "You entered 1 2 3 4. Press 1 to confirm, or 2 to enter it again."},
			{send: "", id: "pin", prompt: "No PIN heard. You entered 1 2 3 4. Press 1 to confirm, or 2 to enter it again."},
			{send: "5", id: "pin", prompt: "Wrong PIN. You entered 1 2 3 4. Press 1 to confirm, or 2 to enter it again."},
			{send: "", says: "PIN gave up 2/1"},
		}},
		{"collectNumber: without confirmation", []turn{
			{send: "start-quick", id: "quick", prompt: "Enter a code."},
			{send: "12345", id: "quick", prompt: "Sorry, that is not a valid entry. Enter a code."},
			{send: "123", says: "Code 123"},
		}},
		{"dialogs: a clientActionId no dialog asked for goes to otherwise", []turn{
			{send: "start", id: "main"},
			{send: "1", says: "Sales"},
			// The last answer had no clientActionId, and 8x8 sends none back.
			{send: "1", says: "Lost null"},
		}},
		{"dialogs: a dialog that is done does not take a stale clientActionId", []turn{
			{send: "start", id: "main"},
			{send: "1", says: "Sales"},
			{send: "1", as: "main", says: "Lost main"},
		}},
		{"dialogs: an unknown clientActionId goes to otherwise", []turn{
			{send: "start", id: "main"},
			{send: "1", as: "survey", says: "Lost survey"},
		}},
	}
	e, _ := startEngine(t, dialogTenant)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCall(t, e)
			for i, want := range tt.turns {
				got := c.sendAs(want.send, want.as)
				where := fmt.Sprintf("turn %d (sent %q)", i+1, want.send)
				if got.fallback != "" {
					t.Fatalf("%s: answered with the fallback (%s): %+v", where, got.fallback, got)
				}
				if got.ClientActionID != want.id {
					t.Errorf("%s: clientActionId %q, want %q", where, got.ClientActionID, want.id)
				}
				if want.prompt != "" && got.prompt() != want.prompt {
					t.Errorf("%s: prompt %q, want %q", where, got.prompt(), want.prompt)
				}
				if want.prompt == "" && want.id == "" && got.prompt() != "" {
					t.Errorf("%s: asked %q, want no sayAndCapture", where, got.prompt())
				}
				if want.says != "" && got.says() != want.says {
					t.Errorf("%s: said %q, want %q", where, got.says(), want.says)
				}
				if want.flow != "" && got.actions() != want.flow {
					t.Errorf("%s: callflow %s, want %s", where, got.actions(), want.flow)
				}
			}
		})
	}
}

// TestDialogCaptureParams checks the sayAndCapture each dialog sends: 8x8 must not re-prompt
// on its own (noOfTries 1), and must accept as many digits as the dialog expects.
func TestDialogCaptureParams(t *testing.T) {
	e, _ := startEngine(t, dialogTenant)
	c := newCall(t, e)
	main := c.send("start")
	pinEntry := c.send("3")
	pinConfirm := c.send("1234")
	quick := newCall(t, e)
	quick.session += "-quick"
	quickEntry := quick.send("start-quick")

	tests := []struct {
		name, param, want string
		a                 answer
	}{
		{"menu maxDigits is its longest key", "maxDigits", "2", main},
		{"menu noOfTries", "noOfTries", "1", main},
		{"menu completeOnHash stays default", "completeOnHash", "null", main},
		{"number maxDigits", "maxDigits", "6", pinEntry},
		{"number minDigits is checked by the dialog, not 8x8", "minDigits", "null", pinEntry},
		{"number completeOnHash", "completeOnHash", "true", pinEntry},
		{"number noOfTries", "noOfTries", "1", pinEntry},
		{"number capture options", "overallTimeout", "20000", pinEntry},
		{"confirmation takes one key", "maxDigits", "1", pinConfirm},
		{"confirmation capture options", "overallTimeout", "20000", pinConfirm},
		{"completeOnHash false", "completeOnHash", "false", quickEntry},
		{"completeOnHash false keeps maxDigits", "maxDigits", "3", quickEntry},
	}
	for _, tt := range tests {
		if got := tt.a.capture(tt.param); got != tt.want {
			t.Errorf("%s: %s = %s, want %s", tt.name, tt.param, got, tt.want)
		}
	}
}

// TestDialogFailuresNameTheirPlace checks that a dialog misused at run time makes the engine
// answer with the fallback and log what went wrong, in the author's terms.
func TestDialogFailuresNameTheirPlace(t *testing.T) {
	tests := []struct {
		name   string
		script string
		turns  []string
		want   string // in the logged error
	}{
		{"an option that returns nothing", dialogTenant, []string{"start", "4"},
			`menu \"main\": option \"4\" returned undefined; it must return a callflow`},
		{"continue without a waiting dialog", `import { menu, hangup } from "callscript";
const m = menu("m", { prompt: "Menu.", options: { "1": () => [hangup()] } });
export default { onCallReceived: (e, ctx) => m.start(ctx), onActionCompleted: m.continue };`,
			[]string{"start", "1", "1"},
			`menu \"m\" is not waiting for the caller's keys in this call (ctx.clientActionId is null)`},
		{"dialogs without otherwise", `import { menu, dialogs, hangup } from "callscript";
const m = menu("m", { prompt: "Menu.", options: { "1": () => [hangup()] } });
export default { onCallReceived: (e, ctx) => m.start(ctx), onActionCompleted: dialogs([m]).continue };`,
			[]string{"start", "1", "1"},
			`dialogs: no dialog is waiting for this answer (ctx.clientActionId is null; the dialogs are m)`},
		{"a prompt function that returns no text", `import { menu, hangup } from "callscript";
const m = menu("m", { prompt: (ctx) => ctx.session.missing, options: { "1": () => [hangup()] } });
export default { onCallReceived: (e, ctx) => m.start(ctx) };`,
			[]string{"start"},
			`menu \"m\": prompt must return the text to say, got undefined`},
		{"a confirmPrompt that returns no text", `import { collectNumber, hangup } from "callscript";
const n = collectNumber("n", { prompt: "Number.", maxDigits: 3, confirmPrompt: (digits) => Number(digits), onComplete: () => [hangup()] });
export default { onCallReceived: (e, ctx) => n.start(ctx), onActionCompleted: n.continue };`,
			[]string{"start", "123"},
			`collectNumber \"n\": confirmPrompt must return the text to say, got a number (123)`},
		{"validate returning something else", `import { collectNumber, hangup } from "callscript";
const n = collectNumber("n", { prompt: "Number.", maxDigits: 3, validate: () => 1, onComplete: () => [hangup()] });
export default { onCallReceived: (e, ctx) => n.start(ctx), onActionCompleted: n.continue };`,
			[]string{"start", "123"},
			`collectNumber \"n\": validate must return true, false or a message to say, got a number (1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs := startEngine(t, tt.script)
			c := newCall(t, e)
			var last answer
			for _, input := range tt.turns {
				last = c.send(input)
			}
			if last.fallback != engine.FallbackScriptError {
				t.Errorf("fallback %q, want %q", last.fallback, engine.FallbackScriptError)
			}
			if !strings.Contains(logs.String(), tt.want) {
				t.Errorf("the log does not say %s:\n%s", tt.want, logs.String())
			}
		})
	}
}

// TestDialogStateIsNamespaced checks that the dialogs keep their state under one key of
// ctx.session and leave the author's keys alone.
func TestDialogStateIsNamespaced(t *testing.T) {
	e, _ := startEngine(t, `import { menu, hangup, say } from "callscript";
const m = menu("m", { prompt: "Menu.", options: { "1": () => [hangup()] } });
export default {
  onCallReceived(e, ctx) { ctx.session.count = 1; ctx.session.__callscript_not = "mine"; return m.start(ctx); },
  onActionCompleted(e, ctx) {
    if (ctx.dtmf === "9") return [say(JSON.stringify(ctx.session)), hangup()];
    ctx.session.count += 1;
    return m.continue(e, ctx);
  },
};`)
	c := newCall(t, e)
	c.send("start")
	c.send("5") // a wrong key: counted in the dialog's state
	got := c.send("9")
	want := `{"count":2,"__callscript_not":"mine","__callscript":{"dialog":"m","phase":"choose","noInput":0,"wrongInput":1}}`
	if got.says() != want {
		t.Errorf("ctx.session = %s\n                want %s", got.says(), want)
	}
}

// TestDocsExamples builds every complete example of docs/dialogs.md (a code block with an
// `export default`) as a tenant and answers a new call with it, so that the documentation
// cannot drift from the module.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "dialogs.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```(js|ts)\n(.*?)```").FindAllSubmatch(doc, -1)
	examples := 0
	for i, b := range blocks {
		lang, code := string(b[1]), string(b[2])
		if !strings.Contains(code, "export default") {
			continue
		}
		examples++
		t.Run(fmt.Sprintf("block %d", i+1), func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "ivr")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "index."+lang), []byte(code), 0o644); err != nil {
				t.Fatal(err)
			}
			e, err := engine.New(context.Background(), engine.Options{ScriptsDir: root})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if info, _ := e.Tenant("ivr"); info.Error != nil {
				t.Fatalf("the example does not build: %v\n%s", info.Error, code)
			}
			c := newCall(t, e)
			if a := c.send("start"); a.fallback != "" || a.prompt() == "" {
				t.Fatalf("the example answered a new call with %+v", a)
			}
			if a := c.send(""); a.fallback != "" || !strings.HasPrefix(a.prompt(), "Sorry, I did not hear anything.") {
				t.Errorf("the example answered no input with %+v", a)
			}
		})
	}
	if examples < 4 {
		t.Errorf("found %d complete examples in docs/dialogs.md, want at least 4", examples)
	}
}
