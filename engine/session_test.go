package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/store"
)

// counterTenant keeps a count in ctx.session and can be told to fail after changing it.
const counterTenant = `export default { onCallAction(event, ctx) {
  ctx.session.n = (ctx.session.n ?? 0) + 1;
  ctx.session.first ??= event.payload.eventId;
  switch (event.payload.destination) {
    case "fail": throw new Error("failed after changing the session");
    case "huge": ctx.session.blob = "x".repeat(70 * 1024); break;
    case "replace": ctx.session = [1, 2]; break;
  }
  return [{ action: "say", params: { text: ctx.session.n + " " + ctx.session.first } }];
} };`

func TestSessionPersistsAcrossTheCall(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": counterTenant})
	e, logs := newEngine(t, root, engine.Options{})
	step := func(session, eventID, dest string) *engine.Answer {
		return handle(t, e, callAction(map[string]any{"sessionId": session, "eventId": eventID, "destination": dest}))
	}
	if got := sayText(t, step("call-a", "a1", "").Body); got != "1 a1" {
		t.Fatalf("step 1 said %q", got)
	}
	// A failed handler leaves the session as it was.
	for _, dest := range []string{"fail", "huge", "replace"} {
		a := step("call-a", "a-"+dest, dest)
		if a.Fallback != engine.FallbackScriptError {
			t.Errorf("%s: fallback %q, want script-error", dest, a.Fallback)
		}
	}
	if logs.find("over the limit of 65536 bytes") == nil {
		t.Error("an oversized session was not reported to the author")
	}
	if logs.find("ctx.session must stay a plain object") == nil {
		t.Error("a replaced session was not reported to the author")
	}
	if got := sayText(t, step("call-a", "a2", "").Body); got != "2 a1" {
		t.Fatalf("step 2 said %q, want the count of the successful steps only", got)
	}
	if got := sayText(t, step("call-a", "a3", "").Body); got != "3 a1" {
		t.Fatalf("step 3 said %q: state of step 1 is not visible", got)
	}
}

// TestSessionIsAPlainObjectOnEveryWebhook: ctx.session is the plain object SPEC promises on
// the call's later webhooks too, where it is read back from its saved JSON: a script may
// freeze what it kept there and define accessors on it.
func TestSessionIsAPlainObjectOnEveryWebhook(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": `import { say } from "callscript";
export default (event, ctx) => {
  ctx.session.n = (ctx.session.n ?? 0) + 1;
  ctx.session.inner ??= { a: 1 };
  if (ctx.session.n > 1) {
    Object.freeze(ctx.session.inner);
    Object.defineProperty(ctx.session, "twice", { get() { return this.n * 2; }, enumerable: true, configurable: true });
  }
  const plain = Object.getPrototypeOf(ctx.session) === Object.prototype && !Object.isFrozen(ctx.session);
  return [say(ctx.session.n + " " + Object.isFrozen(ctx.session.inner) + " " + ctx.session.twice + " " + plain)];
};
`})
	e, _ := newEngine(t, root, engine.Options{})
	for i, want := range []string{"1 false undefined true", "2 true 4 true", "3 true 6 true"} {
		a := handle(t, e, callAction(map[string]any{"sessionId": "call-p", "eventId": fmt.Sprintf("p%d", i)}))
		if a.Fallback != "" || sayText(t, a.Body) != want {
			t.Fatalf("webhook %d: said %q (fallback %q), want %q", i+1, sayText(t, a.Body), a.Fallback, want)
		}
	}
}

func TestConcurrentCallsDoNotShareState(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": counterTenant})
	e, _ := newEngine(t, root, engine.Options{})
	const calls, steps = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, calls*steps)
	for c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			session := fmt.Sprintf("call-%d", c)
			for s := 1; s <= steps; s++ {
				eventID := fmt.Sprintf("%s-e%d", session, s)
				a := handle(t, e, callAction(map[string]any{"sessionId": session, "eventId": eventID}))
				if want := fmt.Sprintf("%d %s-e1", s, session); sayText(t, a.Body) != want {
					errs <- fmt.Errorf("%s step %d said %q, want %q", session, s, sayText(t, a.Body), want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCallKeepsItsVersion(t *testing.T) {
	root := t.TempDir()
	script := func(v string) map[string]string {
		return map[string]string{"index.js": `export default () => [{ action: "say", params: { text: "` + v + `" } }];`}
	}
	writeTenant(t, root, "acme", script("A"))
	e, logs := newEngine(t, root, engine.Options{Watch: true})
	versionA := mustVersion(t, e, "acme")
	start := handle(t, e, callAction(map[string]any{"sessionId": "long-call", "eventId": "l1"}))
	if sayText(t, start.Body) != "A" {
		t.Fatalf("call start said %s", start.Body)
	}
	writeTenant(t, root, "acme", script("B"))
	versionB := waitVersionChange(t, e, "acme", versionA)

	next := handle(t, e, callAction(map[string]any{"sessionId": "long-call", "eventId": "l2", "callStatus": "ACTION_COMPLETED"}))
	if sayText(t, next.Body) != "A" || next.Version != versionA {
		t.Errorf("the call in progress moved to %s (%s), want version A %s", next.Version, next.Body, versionA)
	}
	fresh := handle(t, e, callAction(map[string]any{"sessionId": "new-call", "eventId": "n1"}))
	if sayText(t, fresh.Body) != "B" || fresh.Version != versionB {
		t.Errorf("a new call got %s (%s), want version B %s", fresh.Version, fresh.Body, versionB)
	}
	if strings.Contains(fmt.Sprint(logs.lines()), "no longer loaded") {
		t.Error("the pinned version was reported as evicted")
	}
}

func TestEvictedVersionFallsBackToNewest(t *testing.T) {
	root := t.TempDir()
	script := func(v string) map[string]string {
		return map[string]string{"index.js": `export default () => [{ action: "say", params: { text: "` + v + `" } }];`}
	}
	writeTenant(t, root, "acme", script("A"))
	e, logs := newEngine(t, root, engine.Options{Watch: true, RetainedVersions: 1, Store: forgetfulStore{store.NewMemory(0)}})
	v := mustVersion(t, e, "acme")
	handle(t, e, callAction(map[string]any{"sessionId": "s", "eventId": "1"}))
	for _, next := range []string{"B", "C"} {
		writeTenant(t, root, "acme", script(next))
		v = waitVersionChange(t, e, "acme", v)
	}
	a := handle(t, e, callAction(map[string]any{"sessionId": "s", "eventId": "2"}))
	if sayText(t, a.Body) != "C" {
		t.Errorf("got %s, want the newest version once the call's version is gone", a.Body)
	}
	if logs.find("no longer loaded") == nil {
		t.Error("no warning that the call's version was evicted")
	}
}

// TestPinnedVersionFromTheStore: a replica that never loaded the version a call started on
// (here: a second engine sharing the store, started after the script changed) still runs the
// call's next events on that version.
func TestPinnedVersionFromTheStore(t *testing.T) {
	shared := store.NewMemory(0)
	rootA, rootB := t.TempDir(), t.TempDir()
	writeTenant(t, rootA, "acme", map[string]string{"index.js": say("version 1")})
	writeTenant(t, rootB, "acme", map[string]string{"index.js": say("version 2")})
	a, _ := newEngine(t, rootA, engine.Options{Store: shared})
	start := handle(t, a, callAction(map[string]any{"sessionId": "pinned-call", "eventId": "p1"}))
	b, logs := newEngine(t, rootB, engine.Options{Store: shared})
	next := handle(t, b, callAction(map[string]any{"sessionId": "pinned-call", "eventId": "p2", "callStatus": "ACTION_COMPLETED"}))
	if sayText(t, next.Body) != "version 1" || next.Version != start.Version {
		t.Fatalf("replica B answered %s (version %s), want version 1 (%s)", next.Body, next.Version, start.Version)
	}
	if logs.find("loaded a pinned version from the store") == nil {
		t.Error("no log line for the version loaded from the store")
	}
	fresh := handle(t, b, callAction(map[string]any{"sessionId": "new-call", "eventId": "p3"}))
	if sayText(t, fresh.Body) != "version 2" {
		t.Errorf("a new call on B got %s", fresh.Body)
	}
	// A duplicate of p1 delivered to B is answered from the shared store, byte for byte.
	dup := handle(t, b, callAction(map[string]any{"sessionId": "pinned-call", "eventId": "p1"}))
	if !dup.Replayed || string(dup.Body) != string(start.Body) {
		t.Errorf("duplicate on the other replica: replayed=%v %s", dup.Replayed, dup.Body)
	}
}

// forgetfulStore keeps no programs, as a store whose entries expired.
type forgetfulStore struct{ *store.Memory }

func (forgetfulStore) LoadBundle(context.Context, string, string) ([]byte, bool, error) {
	return nil, false, nil
}
