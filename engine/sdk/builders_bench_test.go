package sdk_test

import (
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkBuilders times the builders as a handler calls them, from JavaScript, each iteration
// a call with its options written inline (which the call's time includes, as in a handler).
func BenchmarkBuilders(b *testing.B) {
	vm := loadModule(b)
	for _, bc := range []struct{ name, call string }{
		{"say", `cs.say("Connecting you to sales.")`},
		{"sayAndCapture", `cs.sayAndCapture("Press 1.", { maxDigits: 1, overallTimeout: 8000, noOfTries: 1 })`},
		{"makeCall", `cs.makeCall({ source: "+6560000000", destination: "+6560000001" })`},
		{"literal", `({ action: "sayAndCapture", params: { promptMessage: "Press 1.", maxDigits: 1, overallTimeout: 8000, noOfTries: 1 } })`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			fn, err := vm.RunString(`(function (n) { for (let i = 0; i < n; i++) ` + bc.call + `; })`)
			if err != nil {
				b.Fatal(err)
			}
			loop, _ := goja.AssertFunction(fn)
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := loop(goja.Undefined(), vm.ToValue(b.N)); err != nil {
				b.Fatal(err)
			}
		})
	}
}
