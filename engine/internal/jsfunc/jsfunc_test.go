package jsfunc_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/jsfunc"
)

func TestNewLooksLikeABuiltIn(t *testing.T) {
	rt := goja.New()
	_ = rt.Set("f", jsfunc.New(rt, "greet", 2, func(call goja.FunctionCall) goja.Value {
		return rt.ToValue("hi " + call.Argument(0).String())
	}))
	_ = rt.Set("g", jsfunc.New(rt, "none", 0, func(goja.FunctionCall) goja.Value { return goja.Undefined() }))
	tests := []struct{ script, want string }{
		{`f("ann")`, "hi ann"},
		{`f.name + "/" + f.length + "/" + g.name + "/" + g.length`, "greet/2/none/0"},
		{`JSON.stringify(Object.getOwnPropertyDescriptor(f, "name"))`, `{"value":"greet","writable":false,"enumerable":false,"configurable":true}`},
		{`JSON.stringify(Object.getOwnPropertyDescriptor(f, "length"))`, `{"value":2,"writable":false,"enumerable":false,"configurable":true}`},
		{`Object.keys(f).length + Object.keys(g).length`, "0"},
		{`String(f)`, "function greet() { [native code] }"},
	}
	for _, tt := range tests {
		v, err := rt.RunString(tt.script)
		if err != nil {
			t.Errorf("%s: %v", tt.script, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.script, got, tt.want)
		}
	}
}
