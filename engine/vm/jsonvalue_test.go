package vm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/webhook"
)

// sameAsJSONParse reports whether decodeJSON and goja's JSON.parse agree on text, compared
// through JSON.stringify (which keeps key order, number forms and string contents).
func sameAsJSONParse(t *testing.T, text string) {
	t.Helper()
	vm := goja.New()
	jsonObj := vm.Get("JSON").ToObject(vm)
	parse, _ := goja.AssertFunction(jsonObj.Get("parse"))
	stringify, _ := goja.AssertFunction(jsonObj.Get("stringify"))
	want, werr := parse(goja.Undefined(), vm.ToValue(text))
	got, gerr := decodeJSON(vm, []byte(text))
	if werr != nil && gerr == nil && strings.Contains(werr.Error(), "cannot unmarshal number") {
		return // goja refuses numbers beyond float64 (1e400); JavaScript makes them Infinity, as decodeJSON does
	}
	if werr != nil || gerr != nil {
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: JSON.parse error %v, decodeJSON error %v", text, werr, gerr)
		}
		return
	}
	a, _ := stringify(goja.Undefined(), want)
	b, _ := stringify(goja.Undefined(), got)
	if a.String() != b.String() {
		t.Fatalf("%q:\nJSON.parse  %s\ndecodeJSON  %s", text, a, b)
	}
	lazy, err := decodeLazyJSON(vm, []byte(text))
	if err != nil {
		t.Fatalf("%q: decodeLazyJSON: %v", text, err)
	}
	if c, _ := stringify(goja.Undefined(), lazy); c.String() != a.String() {
		t.Fatalf("%q:\nJSON.parse      %s\ndecodeLazyJSON  %s", text, a, c)
	}
	if obj, ok := got.(*goja.Object); ok && obj.ClassName() == "Object" {
		if proto := obj.Prototype(); proto == nil || proto != vm.Get("Object").ToObject(vm).Get("prototype").(*goja.Object) {
			t.Fatalf("%q: the decoded object's prototype changed", text)
		}
	}
}

func TestDecodeJSONAgreesWithJSONParse(t *testing.T) {
	cases := []string{
		`{}`, `[]`, `null`, `true`, `0`, `-0`, `1.5e3`, `12345678901234567890`, `"x"`,
		`{"a":1,"b":[1,2,{"c":null}],"d":"\u00e9\ud83d\ude00\n"}`,
		`{"a":1,"a":2}`, `{"2":"b","1":"a","x":0}`, `{"__proto__":{"polluted":true}}`,
		`"\ud800"`, `"\udc00\ud800x"`, `" \u0000 "`, "\"\xff\"", `[1e400]`, ` { "a" : [ ] } `,
	}
	events, _ := filepath.Glob("../webhook/testdata/events/*.json")
	for _, path := range events {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, string(data))
	}
	for _, text := range cases {
		sameAsJSONParse(t, text)
	}
}

// TestSessionWrittenBack: ctx.session, a plain object made from its saved JSON, is saved as
// JSON.stringify writes it after a handler changed it, nested members included.
func TestSessionWrittenBack(t *testing.T) {
	const saved = `{"1":0,"a":{"b":1,"c":[1,2]},"d":"x","e":{"f":true}}`
	tests := []struct{ script, want string }{
		{``, saved},
		{`s.a.b = 2; delete s.d; s.g = null; s.h = undefined; Object.defineProperty(s.a, "z", {});`, `{"1":0,"a":{"b":2,"c":[1,2]},"e":{"f":true},"g":null}`},
		{`s.a.c.push(3); s[0] = "z"`, `{"0":"z","1":0,"a":{"b":1,"c":[1,2,3]},"d":"x","e":{"f":true}}`},
		{`s.e = () => 1; s.d = new Date(0)`, `{"1":0,"a":{"b":1,"c":[1,2]},"d":"1970-01-01T00:00:00.000Z"}`},
		{`Object.prototype.toJSON = function () { return "own"; }`, `"own"`},
		{`Object.freeze(s.a); Object.defineProperty(s, "g", { get() { return 7; }, enumerable: true })`, `{"1":0,"a":{"b":1,"c":[1,2]},"d":"x","e":{"f":true},"g":7}`},
	}
	for _, tt := range tests {
		vm := goja.New()
		stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
		session, err := decodeJSON(vm, []byte(saved))
		if err != nil {
			t.Fatal(err)
		}
		_ = vm.Set("s", session)
		if _, err := vm.RunString(tt.script); err != nil {
			t.Fatalf("%s: %v", tt.script, err)
		}
		got, _, err := stringifyJSON(session, stringify)
		want, _ := stringify(goja.Undefined(), session)
		if err != nil || string(got) != tt.want || want.String() != tt.want {
			t.Errorf("after %q: written %s (%v), JSON.stringify %s, want %s", tt.script, got, err, want, tt.want)
		}
	}
}

// TestEventFromParsedMembers: the event made from the members webhook.Parse found is the one
// a scan of the body makes (keys, order, repeated keys, values, white space).
func TestEventFromParsedMembers(t *testing.T) {
	bodies := []string{
		`{"eventType":"X"}`, ` { "eventType" : "X" , "payload" : { "a" : [ 1 , 2 ] } } `,
		`{"eventType":"X","payload":{"a":1},"payload":{"b":2},"n":-1.5e3}`,
		`{"2":"b","eventType":"X","1":"a","\u0065":"\u00e9"}`,
	}
	events, _ := filepath.Glob("../webhook/testdata/events/*.json")
	for _, path := range events {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(data))
	}
	for _, body := range bodies {
		ev, err := webhook.Parse([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		vm := goja.New()
		scanned, err := DecodeEvent(vm, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		describe := func(v goja.Value) string {
			_ = vm.Set("e", v)
			out, err := vm.RunString(`JSON.stringify([Object.keys(e), e])`)
			if err != nil {
				t.Fatal(err)
			}
			return out.String()
		}
		if got, want := describe(lazyObjectOf(vm, ev.Raw, ev.Members)), describe(scanned); got != want {
			t.Errorf("%s:\nfrom members %s\nscanned      %s", body, got, want)
		}
	}
}

// TestLazyEventBehavesAsAPlainObject runs what scripts do with an event on the lazy event and
// on JSON.parse's, and expects the same results.
func TestLazyEventBehavesAsAPlainObject(t *testing.T) {
	data, err := os.ReadFile("../webhook/testdata/events/ivr-action-completed-dtmf.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, script string }{
		{"read", `[e.eventType, e.payload.eventData.dtmf, e.payload.missing, e.nope]`},
		{"identity", `e.payload === e.payload && e.payload.eventData === e.payload.eventData`},
		{"keys", `[Object.keys(e), Object.keys(e.payload), Object.entries(e.payload.eventData)]`},
		{"in and own", `["payload" in e, "toString" in e, e.hasOwnProperty("payload"), e.hasOwnProperty("toString"), Object.prototype.hasOwnProperty.call(e.payload, "sessionId")]`},
		{"for in", `(() => { const out = []; for (const k in e.payload) out.push(k); return out })()`},
		{"mutate", `(() => { e.payload.sessionId = "changed"; e.added = [1]; delete e.eventType; e.payload.eventData.dtmf += "9"; return e })()`},
		{"delete while iterating", `(() => { const out = []; for (const k in e.payload) { out.push(k); delete e.payload.callStatus } return [out, e] })()`},
		{"spread and assign", `[{ ...e.payload, extra: 1 }, Object.assign({}, e)]`},
		{"descriptor", `Object.getOwnPropertyDescriptor(e, "payload").enumerable && Object.getOwnPropertyDescriptor(e, "payload").writable`},
		{"prototype", `Object.getPrototypeOf(e) === Object.prototype && e.constructor === Object && typeof e === "object" && !Array.isArray(e)`},
		{"stringify", `JSON.stringify(e, null, 2)`},
		{"number keys", `(() => { e[2] = "b"; e[1] = "a"; return Object.keys(e) })()`},
		{"defined without a value", `(() => { e.payload.sessionId = "s2"; Object.defineProperty(e.payload, "sessionId", { enumerable: true }); Object.defineProperty(e, "more", { enumerable: true, writable: true, configurable: true }); return [e.payload.sessionId, e.payload.callId, "more" in e, e.more, Object.keys(e).at(-1)] })()`},
		{"many keys", `(() => { for (let i = 0; i < 40; i++) e["k" + i] = i; delete e.k3; delete e.payload; return [Object.keys(e).length, e.k20, "k3" in e, e.k39] })()`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			results := make([]string, 2)
			for i, decodeEvent := range []func(*goja.Runtime) goja.Value{
				func(vm *goja.Runtime) goja.Value { v, _ := decodeLazyJSON(vm, data); return v },
				func(vm *goja.Runtime) goja.Value { v, _ := vm.RunString("(" + string(data) + ")"); return v },
			} {
				vm := goja.New()
				_ = vm.Set("e", decodeEvent(vm))
				v, err := vm.RunString("JSON.stringify(" + tc.script + ")")
				if err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
				results[i] = v.String()
			}
			if results[0] != results[1] {
				t.Errorf("lazy event:  %s\nplain event: %s", results[0], results[1])
			}
		})
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add(`{"eventType":"CALL_ACTION","payload":{"eventData":{"dtmf":"1"},"n":-1.25e-3}}`)
	f.Add(`[{"__proto__":1},"\ud83d\ude00",[[[]]]]`)
	f.Fuzz(func(t *testing.T, text string) {
		if !json.Valid([]byte(text)) {
			return
		}
		sameAsJSONParse(t, text)
	})
}

func BenchmarkDecodeEvent(b *testing.B) {
	data, err := os.ReadFile("../webhook/testdata/events/ivr-action-completed-dtmf.json")
	if err != nil {
		b.Fatal(err)
	}
	vm := goja.New()
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	b.Run("decodeJSON", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := decodeJSON(vm, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lazy", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := decodeLazyJSON(vm, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	// members is how the engine makes the event: from the members webhook.Parse found.
	ev, err := webhook.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("members", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			lazyObjectOf(vm, data, ev.Members)
		}
	})
	b.Run("JSON.parse", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := parse(goja.Undefined(), vm.ToValue(string(data))); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestLazyEventWideObject: a webhook with a hundred thousand keys is read through the key
// index (a scan per lookup would take tens of seconds here), and stays correct after deletes.
func TestLazyEventWideObject(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"eventType":"CALL_ACTION"`)
	for i := range 100_000 {
		fmt.Fprintf(&b, `,"k%d":%d`, i, i)
	}
	b.WriteString(`,"k7":"again"}`)
	vm := goja.New()
	v, err := decodeLazyJSON(vm, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	_ = vm.Set("e", v)
	got, err := vm.RunString(`delete e.k3; [e.k99999, e.k7, e.k3, Object.keys(e).length, e.k4].join(",")`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "99999,again,,100000,4"; got.String() != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
