package sdk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/dop251/goja"
)

// loadModule bundles a tenant that re-exports "callscript" and runs it in
// goja, so that the builders are tested exactly as scripts get them.
func loadModule(t *testing.T) *goja.Runtime {
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
	vm := goja.New()
	if _, err := vm.RunProgram(program); err != nil {
		t.Fatalf("RunProgram: %v", err)
	}
	if _, err := vm.RunString(`var cs = ` + bundle.ExportsGlobal); err != nil {
		t.Fatal(err)
	}
	return vm
}

func TestModuleExports(t *testing.T) {
	vm := loadModule(t)
	v, err := vm.RunString(`Object.keys(cs).sort().join(",")`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), "hangup,makeCall,playFile,say,sayAndCapture"; got != want {
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
