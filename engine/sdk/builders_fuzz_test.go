package sdk_test

import (
	"os"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// FuzzBuildersMatchJavaScript checks the Go builders against the same builders written in
// JavaScript (bench/node/callscript.mjs, which the Node benchmark runs), on any text and any
// JSON options: the same action, or a TypeError with the same message.
func FuzzBuildersMatchJavaScript(f *testing.F) {
	source, err := os.ReadFile("../../bench/node/callscript.mjs")
	if err != nil {
		f.Fatal(err)
	}
	reference := "var ref = (function () {\n" + regexp.MustCompile(`(?m)^export function`).ReplaceAllString(string(source), "function") +
		"\nreturn { say, sayAndCapture, playFile, makeCall, hangup };\n})();"
	vm := loadModule(f)
	if _, err := vm.RunString(reference); err != nil {
		f.Fatal(err)
	}
	compare, err := vm.RunString(`(function (builder, text, optionsJSON) {
  try { JSON.parse(optionsJSON); } catch { return null; }
  const run = (module) => {
    const options = JSON.parse(optionsJSON);
    try {
      return "= " + JSON.stringify(builder === "makeCall" ? module.makeCall(options) : module[builder](text, options));
    } catch (e) {
      return e instanceof TypeError ? "TypeError: " + e.message : "not a TypeError: " + e;
    }
  };
  return [run(cs), run(ref)];
})`)
	if err != nil {
		f.Fatal(err)
	}
	run, _ := goja.AssertFunction(compare)
	builders := []string{"say", "sayAndCapture", "playFile", "makeCall", "hangup"}
	for _, seed := range []struct {
		builder uint8
		text    string
		options string
	}{
		{0, "Hello", `{"voiceProfile":"en-GB-Emma","speed":1.5}`},
		{1, "Press 1", `{"noOfTries":1,"maxDigits":1,"overallTimeout":8000}`},
		{1, "Press 1", `{"maxdigits":1}`},
		{2, "https://example.com/a.mp3", `{"repetitions":2}`},
		{3, "", `{"destination":"+6560000001","source":"+6560000000","callRecording":true}`},
		{3, "", `{"source":6560000000}`},
		{0, "Hi", `[1,2]`},
		{0, "Hi", `"a string of more than forty characters, cut here and there"`},
		{1, "Hi", `{"numberOfTries":1,"speed":null,"sped":2}`},
		{4, "", `null`},
	} {
		f.Add(seed.builder, seed.text, seed.options)
	}
	f.Fuzz(func(t *testing.T, which uint8, text, options string) {
		if !utf8.ValidString(text) || !utf8.ValidString(options) {
			return // JavaScript strings from Go text; goja's JSON.stringify and Go differ on lone surrogates only
		}
		builder := builders[int(which)%len(builders)]
		v, err := run(goja.Undefined(), vm.ToValue(builder), vm.ToValue(text), vm.ToValue(options))
		if err != nil {
			t.Fatalf("%s(%q, %s): %v", builder, text, options, err)
		}
		if goja.IsNull(v) {
			return // not JSON
		}
		pair := v.Export().([]any)
		if pair[0] != pair[1] {
			t.Fatalf("%s(%q, %s):\n  Go:         %v\n  JavaScript: %v", builder, text, options, pair[0], pair[1])
		}
	})
}
