package vm

import (
	"encoding/json"
	"testing"

	"github.com/dop251/goja"
)

// sameAsJSONStringify checks stringifyJSON against goja's JSON.stringify on the value of a
// JavaScript expression.
func sameAsJSONStringify(t *testing.T, expr string) {
	t.Helper()
	vm := goja.New()
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	v, err := vm.RunString("(" + expr + ")")
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	want, werr := stringify(goja.Undefined(), v)
	got, ok, gerr := stringifyJSON(v, stringify)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: JSON.stringify error %v, stringifyJSON error %v", expr, werr, gerr)
	}
	if werr != nil {
		return
	}
	if goja.IsUndefined(want) {
		if ok {
			t.Fatalf("%s: JSON.stringify gives undefined, stringifyJSON %s", expr, got)
		}
		return
	}
	if !ok || string(got) != want.String() {
		t.Fatalf("%s:\nJSON.stringify  %s\nstringifyJSON   %s (ok %v)", expr, want, got, ok)
	}
}

func TestStringifyJSONAgreesWithJSONStringify(t *testing.T) {
	for _, expr := range []string{
		`{ clientActionId: "m", callflow: [{ action: "say", params: { text: "Hi", repetition: 2, speed: 1.5 } }] }`,
		`[0, -0, 1.5, -2.25e-7, 1e21, 123456789012345680000, NaN, Infinity, -Infinity, 2**53, 0.1 + 0.2]`,
		`{ a: undefined, b: () => 1, c: Symbol("x"), d: null, e: true, f: false }`,
		`[undefined, function () {}, Symbol("y"), , 1]`,
		`"quote \" backslash \\ nl \n tab \t cr \r bs \b ff \f nul \u0000 us \u001f del \u007f"`,
		`"é ü 日本 😀 \u2028 \u2029"`, `"lone \ud800 surrogate"`, `"\udc00\ud800"`,
		`{ "2": "b", "1": "a", x: 0, "01": 1, [Symbol("s")]: 1 }`,
		`{ toJSON() { return { replaced: true } } }`, `{ a: { toJSON: () => "inner" } }`,
		`new Date(0)`, `{ d: new Date(0) }`, `new Map([[1, 2]])`, `[new Number(3), new String("s"), new Boolean(false)]`,
		`new (class Point { constructor() { this.x = 1; this.y = 2 } })()`,
		`Object.create(null)`, `Object.assign(Object.create(null), { a: 1 })`,
		`Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true }, hidden: { value: 3 } })`,
		`{ get g() { return "got" } }`, `{ get g() { throw new Error("boom") } }`,
		`new Proxy({ a: 1 }, {})`, `new Proxy([1, 2], {})`, `{ callflow: new Proxy([{ action: "hangup" }], {}) }`, `(() => { const a = [1]; a.extra = 2; return a })()`,
		`(() => { const o = {}; o.self = o; return o })()`, `(() => { const a = []; a.push(a); return a })()`,
		`{ big: 10n }`, `undefined`, `null`, `() => 1`, `Symbol("top")`, `"top"`, `42`, `new Error("e")`,
		`(() => { let v = 1; for (let i = 0; i < 40; i++) v = i % 2 ? [v] : { v }; return v })()`,
	} {
		sameAsJSONStringify(t, expr)
	}
}

func TestStringifyJSONReadsTheLazyEvent(t *testing.T) {
	vm := goja.New()
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	text := `{"a":1,"b":{"c":[1,{"d":"e"}],"f":"\u00e9\n"},"g":null}`
	v, err := DecodeEvent(vm, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := stringifyJSON(v, stringify)
	if err != nil || !ok || string(got) != `{"a":1,"b":{"c":[1,{"d":"e"}],"f":"é\n"},"g":null}` {
		t.Errorf("got %s %v %v", got, ok, err)
	}
}

func FuzzStringifyJSON(f *testing.F) {
	f.Add(`{"callflow":[{"action":"say","params":{"text":"a\u0001b"}}],"n":-0.5e-3}`)
	f.Add(`["\ud83d\ude00",1e300,{"":{"":[]}}]`)
	f.Fuzz(func(t *testing.T, text string) {
		if !json.Valid([]byte(text)) {
			return
		}
		quoted, _ := json.Marshal(text)
		sameAsJSONStringify(t, "JSON.parse("+string(quoted)+")")
	})
}

func BenchmarkStringifyAnswer(b *testing.B) {
	vm := goja.New()
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	v, _ := vm.RunString(`({ clientActionId: "support_menu", callflow: [{ action: "sayAndCapture", params: { promptMessage: "For technical support, press 1. For billing, press 2.", maxDigits: 1, overallTimeout: 8000, noOfTries: 1 } }] })`)
	b.Run("stringifyJSON", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, _, err := stringifyJSON(v, stringify); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("JSON.stringify", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := stringify(goja.Undefined(), v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
