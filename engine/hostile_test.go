package engine_test

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
)

// TestMemoryBombs runs allocation bombs under a memory limit: each is answered with the
// fallback, the heap stays under the limit, and another tenant keeps answering meanwhile.
func TestMemoryBombs(t *testing.T) {
	const limit = 512 << 20
	bombs := map[string]string{
		"push":   `const s = "x".repeat(1 << 20); const a = []; for (let i = 0; ; i++) a.push(s + i);`,
		"repeat": `const s = "x".repeat(2 ** 30); return [{ action: "say", params: { text: s.slice(0, 5) } }];`,
		"fill":   `const a = new Array(2 ** 30).fill(0); return [];`,
		"join":   `return [{ action: "say", params: { text: new Array(2 ** 28).join("ab") } }];`,
	}
	root := t.TempDir()
	for name, body := range bombs {
		writeTenant(t, root, "bomb_"+name, map[string]string{
			"tenant.json": `{"timeoutMs": 30000}`,
			"index.js":    "export default () => { " + body + " };",
		})
	}
	writeTenant(t, root, "calm", map[string]string{"index.js": say("calm")})
	e, logs := newEngine(t, root, engine.Options{MemoryLimit: limit})

	stop := make(chan struct{})
	var calmFailures, calmAnswers int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the other tenant, called steadily while the bombs go off
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			a := handle(t, e, callAction(map[string]any{"subAccountId": "calm"}))
			calmAnswers++
			if a.Fallback != "" || sayText(t, a.Body) != "calm" {
				calmFailures++
			}
		}
	}()
	for name, want := range map[string]string{"push": engine.FallbackMemoryLimit, "repeat": engine.FallbackScriptError,
		"fill": engine.FallbackScriptError, "join": engine.FallbackScriptError} {
		start := time.Now()
		a := handle(t, e, callAction(map[string]any{"subAccountId": "bomb_" + name}))
		if a.Fallback != want {
			t.Errorf("%s: fallback %q, want %q", name, a.Fallback, want)
		}
		t.Logf("%s answered %q after %v", name, a.Fallback, time.Since(start).Round(time.Millisecond))
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > limit {
			t.Errorf("%s: heap %d MiB after the bomb, over the %d MiB limit", name, ms.HeapAlloc>>20, limit>>20)
		}
	}
	close(stop)
	wg.Wait()
	if calmAnswers == 0 || calmFailures > 0 {
		t.Errorf("the other tenant: %d of %d answers failed", calmFailures, calmAnswers)
	}
	if logs.find("callscript allows at most") == nil {
		t.Error("the capped built-ins did not explain themselves")
	}
}

// TestNoReachOutside checks that a script finds no way to the host: no require, process,
// file system or environment, and no way to rebuild them from constructors.
func TestNoReachOutside(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": `
export default () => {
  const g = Function("return this")();
  let required = "nothing";
  const name = ["f", "s"].join("");
  try { required = typeof require(name); } catch (e) { required = "refused"; }
  const probes = {
    require: required, process: typeof process, Deno: typeof Deno, Bun: typeof Bun,
    globalProcess: typeof g.process, setTimeout: typeof setTimeout, XMLHttpRequest: typeof XMLHttpRequest,
    WebAssembly: typeof WebAssembly, importScripts: typeof importScripts, load: typeof load,
    goValue: Object.getOwnPropertyNames(g).filter((k) => /go|host|__/i.test(k) && k !== "__callscript_exports" && k !== "__callscript_sdk" && k !== "GoError").join(","),
  };
  return [{ action: "say", params: { text: JSON.stringify(probes) } }];
};`})
	e, _ := newEngine(t, root, engine.Options{})
	got := sayText(t, handle(t, e, callAction(nil)).Body)
	for _, want := range []string{`"require":"refused"`, `"process":"undefined"`, `"globalProcess":"undefined"`,
		`"setTimeout":"undefined"`, `"WebAssembly":"undefined"`, `"goValue":""`} {
		if !strings.Contains(got, want) {
			t.Errorf("probe %s failed: %s", want, got)
		}
	}
}

// TestPrototypeChangesStayInTheirVersion: a version that tampers with built-in prototypes at
// call time does not leak that into its next version or into other tenants.
func TestPrototypeChangesStayInTheirVersion(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": `export default () => {
  Object.prototype.hacked = "yes"; Array.prototype.map = null; String.prototype.trim = () => "pwned";
  return [{ action: "say", params: { text: "v1" } }];
};`})
	writeTenant(t, root, "other", map[string]string{"index.js": `export default () =>
  [{ action: "say", params: { text: [({}).hacked, typeof [].map, " x ".trim()].join("|") } }];`})
	e, _ := newEngine(t, root, engine.Options{})
	handle(t, e, callAction(map[string]any{"subAccountId": "acme"}))
	if got := sayText(t, handle(t, e, callAction(map[string]any{"subAccountId": "other"})).Body); got != "|function|x" {
		t.Errorf("another tenant saw the tampering: %q", got)
	}
	if _, err := e.WriteFile(t.Context(), "acme", "index.js", []byte(`export default () =>
  [{ action: "say", params: { text: [({}).hacked, typeof [].map, " x ".trim()].join("|") } }];`)); err != nil {
		t.Fatal(err)
	}
	if got := sayText(t, handle(t, e, callAction(map[string]any{"subAccountId": "acme"})).Body); got != "|function|x" {
		t.Errorf("the next version saw the old version's tampering: %q", got)
	}
}

// TestRegexCatastropheIsBoundedByTheDeadline: a backtracking regular expression that would run
// for minutes still gets its answer within the budget.
func TestRegexCatastropheIsBoundedByTheDeadline(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{
		"tenant.json": `{"timeoutMs": 300}`,
		"index.js":    `export default () => { /^(a+)+\1b$/.test("a".repeat(40)); return []; };`,
	})
	e, _ := newEngine(t, root, engine.Options{})
	start := time.Now()
	a := handle(t, e, callAction(nil))
	if took := time.Since(start); took > 400*time.Millisecond || a.Fallback != engine.FallbackTimeout {
		t.Errorf("answered %q after %v, want the timeout fallback within 300ms+100ms", a.Fallback, took)
	}
}
