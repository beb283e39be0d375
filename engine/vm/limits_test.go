package vm_test

import (
	"context"
	"testing"
	"time"

	"github.com/callscript/callscript/engine/vm"
)

// TestBuiltinLimits: the built-ins that could build a huge value in one native call throw a
// RangeError past the limits, and still work, under their own names, below them.
func TestBuiltinLimits(t *testing.T) {
	p := loadScript(t, `
const tries = {
  repeat: () => "ab".repeat(2 ** 24),
  padStart: () => "x".padStart(2 ** 25),
  padEnd: () => "x".padEnd(2 ** 25),
  join: () => new Array(2 ** 24).join("--"),
  fill: () => new Array(2 ** 23).fill(0),
  from: () => Array.from({ length: 2 ** 23 }),
};
export default () => {
  const out = {};
  for (const [name, f] of Object.entries(tries)) {
    try { f(); out[name] = "no error"; } catch (e) { out[name] = e.name + ": " + e.message; }
  }
  out.small = ["ab".repeat(2), "7".padStart(3, "0"), "7".padEnd(2, "!"), [1, 2].join("+"), [0, 0].fill(1).join(), Array.from("ab").join()];
  out.names = [String.prototype.repeat.name, Array.prototype.join.name, Array.from.name];
  return out;
};
`)
	res := p.Run(context.Background(), vm.Call{Event: []byte(`{}`), Deadline: time.Now().Add(5 * time.Second), Answer: true})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := `{"repeat":"RangeError: the repeated string would be 33554432 long; callscript allows at most 16777216",` +
		`"padStart":"RangeError: the padded string would be 33554432 long; callscript allows at most 16777216",` +
		`"padEnd":"RangeError: the padded string would be 33554432 long; callscript allows at most 16777216",` +
		`"join":"RangeError: the joined string would be 33554432 long; callscript allows at most 16777216",` +
		`"fill":"RangeError: the filled array would be 8388608 long; callscript allows at most 4194304",` +
		`"from":"RangeError: the array would be 8388608 long; callscript allows at most 4194304",` +
		`"small":["abab","007","7!","1+2","1,1","a,b"],"names":["repeat","join","from"]}`
	if string(res.JSON) != want {
		t.Errorf("got  %s\nwant %s", res.JSON, want)
	}
}

// TestBuiltinLimitsWithRangeErrorReplaced: a script that replaced RangeError still has the call
// refused, with what its own RangeError throws or makes.
func TestBuiltinLimitsWithRangeErrorReplaced(t *testing.T) {
	p := loadScript(t, `
const tries = [
  () => { globalThis.RangeError = function () { throw new Error("mine"); }; },
  () => { globalThis.RangeError = function () { return { message: "made" }; }; },
  () => { globalThis.RangeError = 42; },
];
export default () => tries.map((replace) => {
  replace();
  try { "ab".repeat(2 ** 24); return "no error"; } catch (e) { return String(e.message); }
});
`)
	res := p.Run(context.Background(), vm.Call{Event: []byte(`{}`), Deadline: time.Now().Add(5 * time.Second), Answer: true})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := `["mine","made","the repeated string would be 33554432 long; callscript allows at most 16777216"]`
	if string(res.JSON) != want {
		t.Errorf("got  %s\nwant %s", res.JSON, want)
	}
}
