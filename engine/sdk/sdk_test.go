package sdk_test

import (
	"context"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/sdk"
	"github.com/dop251/goja"
)

// loadModule bundles a tenant that re-exports "callscript" and runs it in
// goja, so that the builders are tested exactly as scripts get them.
func loadModule(t testing.TB) *goja.Runtime {
	t.Helper()
	src := &bundle.Source{Files: map[string][]byte{
		"index.js": []byte(`export * from "callscript";`),
	}}
	b, err := bundle.Build(context.Background(), src, "index.js")
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	program, err := goja.Compile(bundle.ProgramName, b.Code, false)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	sdkProgram, err := goja.Compile(bundle.SDKFile, bundle.SDKProgram(), false)
	if err != nil {
		t.Fatalf("Compile the SDK: %v", err)
	}
	vm := goja.New()
	if err := sdk.Install(vm, sdkProgram); err != nil {
		t.Fatalf("RunProgram the SDK: %v", err)
	}
	if _, err := vm.RunProgram(program); err != nil {
		t.Fatalf("RunProgram: %v", err)
	}
	if _, err := vm.RunString(`var cs = ` + bundle.ExportsGlobal); err != nil {
		t.Fatal(err)
	}
	return vm
}

func TestModuleExportsListsEveryExport(t *testing.T) {
	declared := regexp.MustCompile(`(?m)^export\b`).FindAllString(sdk.ModuleSource, -1)
	if got := sdk.ModuleExports(); len(got) != len(sdk.BuilderNames)+len(declared) || len(declared) == 0 {
		t.Errorf("ModuleExports() = %v, but the module has %d builders and %d export declarations: the stub tenants import would miss some", got, len(sdk.BuilderNames), len(declared))
	}
}

func TestModuleExports(t *testing.T) {
	vm := loadModule(t)
	v, err := vm.RunString(`Object.keys(cs).sort().join(",")`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), "collectNumber,defineHandler,dialogs,hangup,makeCall,menu,playFile,say,sayAndCapture"; got != want {
		t.Errorf("exports = %s, want %s", got, want)
	}
}

func TestBuilders(t *testing.T) {
	tests := []struct {
		call string
		want string // JSON.stringify of the result
	}{
		{`cs.say("Hello")`, `{"action":"say","params":{"text":"Hello"}}`},
		{`cs.say("Hello", { speed: 1.5, repetition: 2, voiceProfile: "en-GB-Emma" })`,
			`{"action":"say","params":{"text":"Hello","voiceProfile":"en-GB-Emma","repetition":2,"speed":1.5}}`},
		{`cs.say("Hello", { voiceProfile: undefined, speed: undefined })`, `{"action":"say","params":{"text":"Hello"}}`},
		{`cs.say("Hello", null)`, `{"action":"say","params":{"text":"Hello"}}`},
		{`cs.say("Hello", Object.create({ voiceProfile: "en-GB-Emma" }))`, `{"action":"say","params":{"text":"Hello","voiceProfile":"en-GB-Emma"}}`},
		{`cs.say("Hello", new (class { get speed() { return 2 } })())`, `{"action":"say","params":{"text":"Hello","speed":2}}`},
		{`cs.say("Hello", Object.assign(Object.create(null), { repetition: 3 }))`, `{"action":"say","params":{"text":"Hello","repetition":3}}`},
		{`cs.say("Hello", {})`, `{"action":"say","params":{"text":"Hello"}}`},
		{`cs.sayAndCapture("Press 1")`, `{"action":"sayAndCapture","params":{"promptMessage":"Press 1"}}`},
		{`cs.sayAndCapture("Enter your PIN", { repetition: 1, speed: 1, failureMessage: null, successMessage: "Thanks",
			noOfTries: 3, completeOnHash: false, overallTimeout: 10000, digitTimeout: 3000, maxDigits: 6, minDigits: 4,
			voiceProfile: "en-US-Standard-A" })`,
			`{"action":"sayAndCapture","params":{"promptMessage":"Enter your PIN","voiceProfile":"en-US-Standard-A",` +
				`"minDigits":4,"maxDigits":6,"digitTimeout":3000,"overallTimeout":10000,"completeOnHash":false,"noOfTries":3,` +
				`"successMessage":"Thanks","failureMessage":null,"speed":1,"repetition":1}}`},
		{`cs.playFile("https://example.com/a.mp3")`, `{"action":"playFile","params":{"fileUrl":"https://example.com/a.mp3"}}`},
		{`cs.playFile("https://example.com/a.mp3", { repetition: 3 })`,
			`{"action":"playFile","params":{"fileUrl":"https://example.com/a.mp3","repetition":3}}`},
		{`cs.makeCall({ destination: "+6560000001", source: "+6560000000" })`,
			`{"action":"makeCall","params":{"source":"+6560000000","destination":"+6560000001"}}`},
		{`cs.makeCall({ source: "+6560000000", destination: "+6560000001", callRecording: true })`,
			`{"action":"makeCall","params":{"source":"+6560000000","destination":"+6560000001","callRecording":true}}`},
		{`cs.hangup()`, `{"action":"hangup"}`},
		// Each call returns a new object: a script may change what it got.
		{`(() => { const a = cs.hangup(); a.x = 1; return cs.hangup(); })()`, `{"action":"hangup"}`},
		// Values are copied as given; the engine checks them against 8x8's rules.
		{`cs.say("", { repetition: 9 })`, `{"action":"say","params":{"text":"","repetition":9}}`},
		// A getter of a plain object is read once, as the options are copied.
		{`(() => { let n = 0; const r = cs.say("Hi", { get speed() { return ++n; } }); return [r, n]; })()`,
			`[{"action":"say","params":{"text":"Hi","speed":1}},1]`},
		// The builders are functions like any other, the same function wherever they are read,
		// and do not depend on built-ins a script may replace.
		{`[cs.say.name, cs.say.length, cs.makeCall.length, cs.hangup.length, typeof cs.defineHandler]`, `["say",2,1,0,"function"]`},
		// Their name and length are what a built-in's are: not enumerable, not listed as keys.
		{`[Object.keys(cs.say).length, Object.getOwnPropertyDescriptor(cs.sayAndCapture, "name")]`,
			`[0,{"value":"sayAndCapture","writable":false,"enumerable":false,"configurable":true}]`},
		{`(() => { const h = { onCallReceived() {} }; return cs.defineHandler(h) === h; })()`, `true`},
		{`(() => { const keys = Object.keys; Object.keys = null; try { return cs.say("Hi", { speed: 1 }); } finally { Object.keys = keys; } })()`,
			`{"action":"say","params":{"text":"Hi","speed":1}}`},
		// Setters a script puts on Object.prototype do not catch what a builder writes.
		{`(() => { for (const k of ["action", "params", "text", "speed"]) Object.defineProperty(Object.prototype, k, { set() {}, configurable: true });
			try { return [cs.say("Hi", { speed: 1 }), cs.hangup()]; } finally { for (const k of ["action", "params", "text", "speed"]) delete Object.prototype[k]; } })()`,
			`[{"action":"say","params":{"text":"Hi","speed":1}},{"action":"hangup"}]`},
	}
	vm := loadModule(t)
	for _, tt := range tests {
		v, err := vm.RunString(`JSON.stringify(` + tt.call + `)`)
		if err != nil {
			t.Errorf("%s: %v", tt.call, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.call, got, tt.want)
		}
	}
}

func TestBuilderMisuse(t *testing.T) {
	tests := []struct {
		call string
		want string // the TypeError's message
	}{
		{`cs.say(42)`, `say: text must be a string, got a number (42)`},
		{`cs.say()`, `say: text must be a string, got undefined`},
		{`cs.say("Hi", "fast")`, `say: options must be an object such as { voiceProfile: ... }, got a string ("fast")`},
		{`cs.say("Hi", [1])`, `say: options must be an object such as { voiceProfile: ... }, got an array`},
		{`cs.say("Hi", { voiceprofile: "x" })`, `say: unknown option "voiceprofile"; did you mean "voiceProfile"?`},
		{`cs.say("Hi", { text: "x" })`, `say: unknown option "text"; the options are voiceProfile, repetition, speed`},
		{`cs.sayAndCapture("Press 1", { maxdigits: 1 })`, `sayAndCapture: unknown option "maxdigits"; did you mean "maxDigits"?`},
		{`cs.sayAndCapture("Press 1", { maxDigit: 1 })`, `sayAndCapture: unknown option "maxDigit"; did you mean "maxDigits"?`},
		{`cs.sayAndCapture("Press 1", { numberOfTries: 1 })`,
			`sayAndCapture: unknown option "numberOfTries"; the options are voiceProfile, minDigits, maxDigits, digitTimeout, overallTimeout, completeOnHash, noOfTries, successMessage, failureMessage, speed, repetition`},
		{`cs.sayAndCapture({ promptMessage: "Press 1" })`, `sayAndCapture: promptMessage must be a string, got an object`},
		{`cs.playFile("https://example.com/a.mp3", { repetitions: 2 })`, `playFile: unknown option "repetitions"; did you mean "repetition"?`},
		{`cs.playFile(null)`, `playFile: fileUrl must be a string, got null`},
		{`cs.makeCall()`, `makeCall: expects an object such as { source: "+6560000000", destination: "+6560000001" }, got undefined`},
		{`cs.makeCall("+6560000001")`, `makeCall: expects an object such as { source: "+6560000000", destination: "+6560000001" }, got a string ("+6560000001")`},
		{`cs.makeCall({ source: "+6560000000" })`, `makeCall: destination must be a string, got undefined`},
		{`cs.makeCall({ source: 6560000000, destination: "+6560000001" })`, `makeCall: source must be a string, got a number (6560000000)`},
		{`cs.makeCall({ source: "+6560000000", destination: "+6560000001", record: true })`,
			`makeCall: unknown option "record"; the options are source, destination, callRecording`},
		{`cs.makeCall({ source: "+6560000000", destination: "+6560000001", callrecording: true })`,
			`makeCall: unknown option "callrecording"; did you mean "callRecording"?`},
		{`cs.makeCall(() => ({}))`, `makeCall: expects an object such as { source: "+6560000000", destination: "+6560000001" }, got a function`},
		{`cs.say("Hi", new Proxy([], {}))`, `say: options must be an object such as { voiceProfile: ... }, got an array`},
		{`cs.makeCall(new Proxy([], {}))`, `makeCall: expects an object such as { source: "+6560000000", destination: "+6560000001" }, got an array`},
		{`cs.say("Hi", { 'speed"': 1 })`, `say: unknown option "speed""; did you mean "speed"?`},
		{`cs.say("Hi", { "spééd": 1 })`, `say: unknown option "spééd"; did you mean "speed"?`},
		{`cs.say("Hi", "a".repeat(39) + "😀")`, `say: options must be an object such as { voiceProfile: ... }, got a string ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\ud83d...")`},
		{`cs.say("Hi", "\ud800 lone")`, `say: options must be an object such as { voiceProfile: ... }, got a string ("\ud800 lone")`},
		{`cs.say("Hi", "tab\tquote\"")`, `say: options must be an object such as { voiceProfile: ... }, got a string ("tab\tquote\"")`},
		{`cs.say(Symbol("x"))`, `say: text must be a string, got a symbol`},
		{`cs.say(2n ** 70n)`, `say: text must be a string, got a bigint (1180591620717411303424)`},
		{`cs.say(true)`, `say: text must be a string, got a boolean (true)`},
		{`cs.say(0.1 + 0.2)`, `say: text must be a string, got a number (0.30000000000000004)`},
		{`cs.say(new String("Hi"))`, `say: text must be a string, got an object`},
		{`cs.say(() => "Hi")`, `say: text must be a string, got a function`},
		{`cs.say("Hi", () => 1)`, `say: options must be an object such as { voiceProfile: ... }, got a function`},
		{`cs.say("Hi", 42)`, `say: options must be an object such as { voiceProfile: ... }, got a number (42)`},
		{`cs.say("Hi", "a \"long\" string of more than forty characters, cut")`,
			`say: options must be an object such as { voiceProfile: ... }, got a string ("a \"long\" string of more than forty chara...")`},
		{`cs.say("Hi", new (class { constructor() { this.sped = 1; } })())`, `say: unknown option "sped"; did you mean "speed"?`},
		{`cs.sayAndCapture("Press 1", { noOfTries: 1, maxDigits: 1, bogus: 1 })`,
			`sayAndCapture: unknown option "bogus"; the options are voiceProfile, minDigits, maxDigits, digitTimeout, overallTimeout, completeOnHash, noOfTries, successMessage, failureMessage, speed, repetition`},
	}
	vm := loadModule(t)
	for _, tt := range tests {
		_, err := vm.RunString(tt.call)
		var ex *goja.Exception
		if !errors.As(err, &ex) {
			t.Errorf("%s: got %v, want a TypeError", tt.call, err)
			continue
		}
		obj := ex.Value().ToObject(vm)
		if name := obj.Get("name").String(); name != "TypeError" {
			t.Errorf("%s threw a %s, want a TypeError", tt.call, name)
		}
		if got := obj.Get("message").String(); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.call, got, tt.want)
		}
	}
}

// TestDeclarationsMatchModule checks that types/callscript.d.ts declares exactly the functions
// the module exports, so that the declarations cannot drift from the code.
func TestDeclarationsMatchModule(t *testing.T) {
	dts, err := fs.ReadFile(sdk.Types(), "callscript.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, m := range regexp.MustCompile(`(?m)^\s*export function (\w+)`).FindAllStringSubmatch(string(dts), -1) {
		if !slices.Contains(declared, m[1]) {
			declared = append(declared, m[1])
		}
	}
	slices.Sort(declared)
	vm := loadModule(t)
	v, err := vm.RunString(`Object.keys(cs).sort().join(",")`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(declared, ","), v.String(); got != want {
		t.Errorf("callscript.d.ts declares %s\nthe module exports     %s", got, want)
	}
}

func TestTemplateAndTypesEmbedded(t *testing.T) {
	for _, tt := range []struct {
		fsys  fs.FS
		files []string
	}{
		{sdk.Types(), []string{"callscript.d.ts"}},
		{sdk.Template(), []string{"README.md", "index.test.ts", "index.ts", "tsconfig.json"}},
	} {
		for _, name := range tt.files {
			data, err := fs.ReadFile(tt.fsys, name)
			if err != nil || len(data) == 0 {
				t.Errorf("%s is not embedded: %v", name, err)
			}
		}
	}
}

// dialogCtx is a ctx as the engine builds it, reduced to what dialogs read.
const dialogCtx = `({ clientActionId: null, dtmf: null, session: {} })`

func TestDialogStart(t *testing.T) {
	tests := []struct {
		name   string
		dialog string // evaluates to a dialog
		start  string // the call of d.start, with ctx
		want   string // JSON of [the answer, ctx.session]
	}{
		{"menu", `cs.menu("main", { prompt: "Press 1.", options: { "1": () => [] } })`, `d.start(ctx)`,
			`[{"clientActionId":"main","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1.","maxDigits":1,"noOfTries":1}}]},` +
				`{"name":"Ann","__callscript":{"dialog":"main","phase":"choose","noInput":0,"wrongInput":0}}]`},
		{"menu with # and long keys, capture options, a prompt function",
			`cs.menu("m", { prompt: (ctx) => "Hi " + ctx.session.name + ".", options: { "1": () => [], "123#": () => [] },
				capture: { voiceProfile: "en-GB-Emma", speed: 1.5, repetition: 2, digitTimeout: 2000, overallTimeout: 9000 } })`,
			`d.start(ctx)`,
			`[{"clientActionId":"m","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Hi Ann.","voiceProfile":"en-GB-Emma",` +
				`"maxDigits":4,"digitTimeout":2000,"overallTimeout":9000,"completeOnHash":false,"noOfTries":1,"speed":1.5,"repetition":2}}]},` +
				`{"name":"Ann","__callscript":{"dialog":"m","phase":"choose","noInput":0,"wrongInput":0}}]`},
		{"collectNumber", `cs.collectNumber("pin", { prompt: "PIN?", minDigits: 4, maxDigits: 8, onComplete: () => [] })`, `d.start(ctx)`,
			`[{"clientActionId":"pin","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"PIN?","maxDigits":8,"completeOnHash":true,"noOfTries":1}}]},` +
				`{"name":"Ann","__callscript":{"dialog":"pin","phase":"enter","noInput":0,"wrongInput":0}}]`},
		{"start with actions before", `cs.menu("m", { prompt: "P.", options: { "1": () => [] } })`,
			`d.start(ctx, { before: [cs.say("Hello."), cs.playFile("https://example.com/a.mp3")] })`,
			`[{"clientActionId":"m","callflow":[{"action":"say","params":{"text":"Hello."}},{"action":"playFile","params":{"fileUrl":"https://example.com/a.mp3"}},` +
				`{"action":"sayAndCapture","params":{"promptMessage":"P.","maxDigits":1,"noOfTries":1}}]},` +
				`{"name":"Ann","__callscript":{"dialog":"m","phase":"choose","noInput":0,"wrongInput":0}}]`},
		{"start again resets the counters", `cs.menu("m", { prompt: "P.", options: { "1": () => [] } })`,
			`(ctx.session.__callscript = { dialog: "m", phase: "choose", noInput: 2, wrongInput: 1 }, d.start(ctx))`,
			`[{"clientActionId":"m","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"P.","maxDigits":1,"noOfTries":1}}]},` +
				`{"name":"Ann","__callscript":{"dialog":"m","phase":"choose","noInput":0,"wrongInput":0}}]`},
	}
	vm := loadModule(t)
	for _, tt := range tests {
		code := `(() => { const ctx = { clientActionId: null, dtmf: null, session: { name: "Ann" } }; const d = ` + tt.dialog + `;` +
			`const answer = ` + tt.start + `; return JSON.stringify([answer, ctx.session]); })()`
		v, err := vm.RunString(code)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestDialogMisuse(t *testing.T) {
	const ok = `prompt: "P.", options: { "1": () => [] }`
	const number = `prompt: "P.", maxDigits: 4, onComplete: () => []`
	tests := []struct {
		code string
		want string // the TypeError's message
	}{
		{`cs.menu("", { ` + ok + ` })`, `menu: the first argument is the dialog's name, sent to 8x8 as its clientActionId: 1 to 128 printable ASCII characters such as "main_menu", got a string ("")`},
		{`cs.menu({ ` + ok + ` })`, `menu: the first argument is the dialog's name, sent to 8x8 as its clientActionId: 1 to 128 printable ASCII characters such as "main_menu", got an object`},
		{`cs.menu("m")`, `menu "m": the settings must be an object such as { prompt: "For sales, press 1.", options: { "1": ... } }, got undefined`},
		{`cs.menu("m", { ` + ok + `, wrongImput: "x" })`, `menu "m": unknown setting "wrongImput"; did you mean "wrongInput"?`},
		{`cs.menu("m", { ` + ok + `, retries: 2 })`, `menu "m": unknown setting "retries"; the settings are prompt, options, noInput, wrongInput, maxTries, onTooManyTries, capture`},
		{`cs.menu("m", { prompt: "", options: { "1": () => [] } })`, `menu "m": prompt must be the text to say (a non-empty string) or a function (ctx) => text, got a string ("")`},
		{`cs.menu("m", { prompt: "P." })`, `menu "m": options must map each key to what happens when it is pressed, such as { "1": (event, ctx) => [...] }, got undefined`},
		{`cs.menu("m", { prompt: "P.", options: {} })`, `menu "m": options must map each key to what happens when it is pressed, such as { "1": (event, ctx) => [...] }, got an object`},
		{`cs.menu("m", { prompt: "P.", options: { "a": () => [] } })`, `menu "m": option "a" is not a key of a phone: use 1 to 25 of 0-9, * and #`},
		{`cs.menu("m", { prompt: "P.", options: { "1": "sales" } })`, `menu "m": option "1" must be a function (event, ctx) => callflow, or a dialog to start, got a string ("sales")`},
		{`cs.menu("m", { ` + ok + `, maxTries: 0 })`, `menu "m": maxTries must be a whole number from 1 to 100, got a number (0)`},
		{`cs.menu("m", { ` + ok + `, maxTries: 2.5 })`, `menu "m": maxTries must be a whole number from 1 to 100, got a number (2.5)`},
		{`cs.menu("m", { ` + ok + `, noInput: 3 })`, `menu "m": noInput must be a message or a list of messages such as ["Sorry, I did not hear anything."], got a number (3)`},
		{`cs.menu("m", { ` + ok + `, wrongInput: ["a", null] })`, `menu "m": wrongInput[1] must be a string, got null`},
		{`cs.menu("m", { ` + ok + `, onTooManyTries: [] })`, `menu "m": onTooManyTries must be a function, got an array`},
		{`cs.menu("m", { ` + ok + `, capture: { maxDigits: 2 } })`, `menu "m": capture.maxDigits is set by the dialog itself; the capture options are voiceProfile, speed, repetition, digitTimeout, overallTimeout`},
		{`cs.menu("m", { ` + ok + `, capture: { overalTimeout: 2 } })`, `menu "m": capture: unknown option "overalTimeout"; did you mean "overallTimeout"?`},
		{`cs.collectNumber("n", { prompt: "P.", onComplete: () => [] })`, `collectNumber "n": maxDigits is required: the most digits the number may have, 1 to 25`},
		{`cs.collectNumber("n", { ` + number + `, minDigits: 6 })`, `collectNumber "n": minDigits (6) must not be more than maxDigits (4)`},
		{`cs.collectNumber("n", { prompt: "P.", maxDigits: 26, onComplete: () => [] })`, `collectNumber "n": maxDigits must be a whole number from 1 to 25, got a number (26)`},
		{`cs.collectNumber("n", { prompt: "P.", maxDigits: 4 })`, `collectNumber "n": onComplete must be a function, got undefined`},
		{`cs.collectNumber("n", { ` + number + `, confirm: "yes" })`, `collectNumber "n": confirm must be true or false, got a string ("yes")`},
		{`cs.collectNumber("n", { ` + number + `, completeOnHash: 1 })`, `collectNumber "n": completeOnHash must be true or false, got a number (1)`},
		{`cs.collectNumber("n", { ` + number + `, validate: true })`, `collectNumber "n": validate must be a function, got a boolean (true)`},
		{`cs.collectNumber("n", { ` + number + `, onComplet: () => [] })`, `collectNumber "n": unknown setting "onComplet"; did you mean "onComplete"?`},
		{`cs.dialogs(cs.menu("m", { ` + ok + ` }))`, `dialogs: expects a list of dialogs such as dialogs([mainMenu, accountNumber]), got an object`},
		{`cs.dialogs([{ id: "m" }])`, `dialogs: item 0 of the list is not a dialog made by menu() or collectNumber(), got an object`},
		{`cs.dialogs([cs.menu("m", { ` + ok + ` }), cs.menu("m", { ` + ok + ` })])`, `dialogs: two dialogs are named "m"; each needs a name of its own, which is its clientActionId`},
		{`cs.dialogs([], { otherwize: () => [] })`, `dialogs: unknown setting "otherwize"; did you mean "otherwise"?`},
		{`cs.dialogs([], { otherwise: "main" })`, `dialogs: otherwise must be a function (event, ctx) => callflow, or a dialog to start, got a string ("main")`},
		{`cs.menu("m", { ` + ok + ` }).start()`, `menu "m".start: expects (ctx) or (ctx, { before }), with the ctx your hook received; got undefined for ctx`},
		{`cs.menu("m", { ` + ok + ` }).start({ payload: {} })`, `menu "m".start: expects (ctx) or (ctx, { before }), with the ctx your hook received; got an object for ctx`},
		{`cs.menu("m", { ` + ok + ` }).start(` + dialogCtx + `, [])`, `menu "m".start: options must be an object such as { before: [say("Welcome.")] }, got an array`},
		{`cs.menu("m", { ` + ok + ` }).start(` + dialogCtx + `, { befor: [] })`, `menu "m".start: unknown option "befor"; did you mean "before"?`},
		{`cs.menu("m", { ` + ok + ` }).continue(` + dialogCtx + `)`, `menu "m".continue: expects (event, ctx), with the ctx your hook received; got undefined for ctx`},
		{`cs.dialogs([]).continue({}, {})`, `dialogs.continue: expects (event, ctx), with the ctx your hook received; got an object for ctx`},
	}
	vm := loadModule(t)
	for _, tt := range tests {
		_, err := vm.RunString(tt.code)
		var ex *goja.Exception
		if !errors.As(err, &ex) {
			t.Errorf("%s: got %v, want a TypeError", tt.code, err)
			continue
		}
		obj := ex.Value().ToObject(vm)
		if name := obj.Get("name").String(); name != "TypeError" {
			t.Errorf("%s threw a %s, want a TypeError", tt.code, name)
		}
		if got := obj.Get("message").String(); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.code, got, tt.want)
		}
	}
}

// TestDialogHandlesAndSessionless checks which CALL_ACTIONs a dialog takes, and that a dialog
// used on an event without a session says so.
func TestDialogHandlesAndSessionless(t *testing.T) {
	vm := loadModule(t)
	tests := []struct {
		code string
		want string
	}{
		{`m.handles({ clientActionId: "m", session: {} })`, "false"},       // never started in this call
		{`m.handles({ clientActionId: "m", session: started })`, "true"},   // waiting
		{`m.handles({ clientActionId: "x", session: started })`, "false"},  // another step's answer
		{`m.handles({ clientActionId: null, session: started })`, "false"}, // no clientActionId
		{`m.handles(undefined)`, "false"},
		{`router.handles({ clientActionId: "m", session: started })`, "true"},
		{`router.get("m") === m`, "true"},
		{`router.get("x") === undefined`, "true"},
		{`Object.isFrozen(m) && Object.isFrozen(router)`, "true"},
		{`(() => { try { m.start({ clientActionId: null }); } catch (e) { return e.message; } })()`,
			`menu "m": ctx.session is not available for this event (it carries no sessionId), so the dialog has nowhere to keep its counters`},
	}
	if _, err := vm.RunString(`
		var m = cs.menu("m", { prompt: "P.", options: { "1": () => [] } });
		var router = cs.dialogs([m]);
		var started = {};
		m.start({ clientActionId: null, session: started });`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		v, err := vm.RunString(tt.code)
		if err != nil {
			t.Errorf("%s: %v", tt.code, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.code, got, tt.want)
		}
	}
}
