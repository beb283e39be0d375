package scripttest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/scripttest"
)

// handler is a tenant's entry that the tests of this file run against.
const handler = `import { say, sayAndCapture, makeCall, hangup } from "callscript";

export default {
  onCallReceived(event, ctx) {
    ctx.session.calls = (ctx.session.calls ?? 0) + 1;
    return { clientActionId: "main", callflow: [sayAndCapture("Press 1 for sales", { maxDigits: 1 })] };
  },
  async onActionCompleted(event, ctx) {
    switch (ctx.dtmf) {
      case "1":
        return [makeCall({ source: event.payload.destination, destination: ctx.env.SALES })];
      case "2": {
        const res = await fetch(ctx.env.CRM + "/agent?line=" + encodeURIComponent(event.payload.destination));
        const agent = await res.json();
        return [makeCall({ source: event.payload.destination, destination: agent.number })];
      }
      case "3":
        return [say("It is " + new Date().toISOString())];
      case "8":
        return undefined.boom; // THROWS
      case "9":
        ctx.session.broken = true;
        return [say("")];
    }
    return [say("Goodbye"), hangup()];
  },
};
`

const settings = `{
  "env": { "SALES": "+6560000001", "CRM": "https://crm.example.com" },
  "fetch": { "allow": ["crm.example.com"] },
  "defaults": { "voiceProfile": "en-GB-Emma" }
}`

// writeTenant writes files into root/id.
func writeTenant(t *testing.T, root, id string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, id, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runTests writes a tenant "acme" with the handler above, its settings and the given files,
// and runs its tests.
func runTests(t *testing.T, files map[string]string, opts scripttest.Options) *scripttest.TenantResult {
	t.Helper()
	root := t.TempDir()
	all := map[string]string{"index.js": handler, "tenant.json": settings}
	for name, content := range files {
		all[name] = content
	}
	writeTenant(t, root, "acme", all)
	res, err := scripttest.RunTenant(context.Background(), root, "acme", opts)
	if err != nil {
		t.Fatalf("RunTenant: %v", err)
	}
	return res
}

// testFile is the start of every test file here: the test API and the handler.
const testFile = `import { test, expect, describe, simulateCall, mockFetch, clock, jsonResponse, StepError } from "callscript/test";
import handler from "./index";
`

// only returns the file's results, failing the test unless there is exactly one file that ran.
func only(t *testing.T, res *scripttest.TenantResult) scripttest.FileResult {
	t.Helper()
	if len(res.Problems) > 0 {
		t.Fatalf("the tenant did not build: %v", res.Problems)
	}
	if len(res.Files) != 1 {
		t.Fatalf("%d test files ran, want 1", len(res.Files))
	}
	f := res.Files[0]
	if len(f.Problems) > 0 {
		t.Fatalf("%s did not run: %v", f.File, f.Problems)
	}
	return f
}

// byName returns the results by test name.
func byName(f scripttest.FileResult) map[string]scripttest.TestResult {
	out := make(map[string]scripttest.TestResult)
	for _, r := range f.Tests {
		out[r.Name] = r
	}
	return out
}

// lineOf returns the 1-based line of src holding marker.
func lineOf(t *testing.T, src, marker string) int {
	t.Helper()
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, marker) {
			return i + 1
		}
	}
	t.Fatalf("marker %q not found", marker)
	return 0
}

func TestPassingTests(t *testing.T) {
	src := testFile + `
test("a caller hears the menu, and 1 reaches sales", async () => {
  const call = simulateCall(handler, { from: "+6591234567", to: "+6560001000" });
  const menu = await call.start();
  expect(menu.hook).toBe("onCallReceived");
  expect(menu.clientActionId).toBe("main");
  // The normalized callflow, as the server sends it: defaults from tenant.json filled in.
  expect(menu.callflow).toEqual([{ action: "sayAndCapture", params: {
    promptMessage: "Press 1 for sales", voiceProfile: "en-GB-Emma", maxDigits: 1, overallTimeout: 10000, noOfTries: 1 } }]);
  expect(menu.session).toEqual({ calls: 1 });

  const sales = await call.press("1");
  expect(sales.hook).toBe("onActionCompleted");
  expect(sales.event.payload.clientActionId).toBe("main"); // echoed back as 8x8 does
  expect(sales.event.payload.eventData).toEqual({ dtmf: "1" });
  expect(sales.callflow).toEqual([{ action: "makeCall", params: { source: "+6560001000", destination: "+6560000001" } }]);
  expect(sales.session).toEqual({ calls: 1 });
});

test("the tenant's own handler is the default", async () => {
  const answer = await simulateCall().start();
  expect(answer.clientActionId).toBe("main");
});

describe("digits", () => {
  test("older accounts' payloads carry them elsewhere", async () => {
    for (const dtmfIn of ["eventData", "dtmf"]) {
      const call = simulateCall({ dtmfIn });
      await call.start();
      const step = await call.press("1");
      expect(step.callflow[0].action).toBe("makeCall");
    }
  });

  test("no input reaches the handler as null", async () => {
    const call = simulateCall();
    await call.start();
    const bye = await call.noInput();
    expect(bye.event.payload.eventData).toEqual({ dtmf: null });
    expect(bye.spoken).toEqual(["Goodbye"]);
  });

  test("the simulator refuses digits the capture could not report", async () => {
    const call = simulateCall();
    await call.start();
    await expect(call.press("12")).rejects.toThrow("at most 1 digit (maxDigits 1)");
    await call.press("7");
    await expect(call.press("1")).rejects.toThrow("hung up");
  });
});

test("the end of the call goes to the session summary hook, if any", async () => {
  const call = simulateCall();
  await call.start();
  await call.press("1");
  const summary = await call.end({ duration: 30 });
  expect(summary.hook).toBe(null);
  expect(summary.event.payload).toMatchObject({ sessionStatus: "COMPLETED", lastAction: "MAKE_CALL", callCount: 2 });
  expect(summary.event.payload.details.callB.destination).toBe("+6560000001");
});
`
	res := runTests(t, map[string]string{"index.test.js": src}, scripttest.Options{})
	f := only(t, res)
	if passed, failed, skipped := res.Counts(); passed != 6 || failed != 0 || skipped != 0 {
		for _, r := range f.Tests {
			if r.Failure != nil {
				t.Errorf("%s: %s at %s\n%s", r.Name, r.Failure.Message, r.Failure.Pos, r.Failure.Detail)
			}
		}
		t.Fatalf("passed %d, failed %d, skipped %d; want 6 passed", passed, failed, skipped)
	}
	first := f.Tests[0]
	want := scripttest.Position{File: "index.test.js", Line: lineOf(t, src, "a caller hears the menu"), Column: 1}
	if first.Pos != want {
		t.Errorf("the first test is registered at %v, want %v", first.Pos, want)
	}
	if got := f.Tests[2].Name; got != "digits > older accounts' payloads carry them elsewhere" {
		t.Errorf("a test in describe is named %q", got)
	}
}

func TestFailuresAreLocated(t *testing.T) {
	src := testFile + `
test("toEqual", () => {
  expect({ callflow: [{ action: "makeCall", params: { destination: "+6560000001" } }] })
    .toEqual({ callflow: [{ action: "makeCall", params: { destination: "+6560000002" } }] }); // EQUAL
});

test("not", () => {
  expect("a").not.toBe("a"); // NOT
});

test("rejects", async () => {
  await expect(Promise.resolve(7)).rejects.toThrow(); // REJECTS
});

test("thrown", () => {
  throw new RangeError("out of range"); // THROWN
});

test("handler throws", async () => {
  const call = simulateCall();
  await call.start();
  await call.press("8"); // STEP
});

test("unawaited", async () => {
  const call = simulateCall();
  await call.start();
  call.press("9"); // UNAWAITED
});
`
	res := runTests(t, map[string]string{"tests/calls.test.js": strings.ReplaceAll(src, `"./index"`, `"../index"`)}, scripttest.Options{})
	tests := byName(only(t, res))
	cases := []struct {
		name, marker string
		message      []string // substrings of the message and detail
	}{
		{"toEqual", "// EQUAL", []string{`to equal`, `callflow[0].params.destination is "+6560000001", expected "+6560000002"`}},
		{"not", "// NOT", []string{`expected "a" not to be "a"`}},
		{"rejects", "// REJECTS", []string{`expected the promise to reject, but it resolved to 7`}},
		{"thrown", "// THROWN", []string{`RangeError: out of range`}},
		{"handler throws", "// STEP", []string{
			"onActionCompleted threw TypeError: Cannot read property 'boom' of undefined (index.js:" + strconv.Itoa(lineOf(t, handler, "// THROWS")),
			"at onActionCompleted (index.js:"}},
		{"unawaited", "// UNAWAITED", []string{"nothing awaited it", "callflow[0].params.text"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, ok := tests[c.name]
			if !ok {
				t.Fatalf("no result for %q", c.name)
			}
			if r.Outcome != scripttest.Failed || r.Failure == nil {
				t.Fatalf("outcome %v, want a failure", r.Outcome)
			}
			if want := lineOf(t, src, c.marker); r.Failure.Pos.File != "tests/calls.test.js" || r.Failure.Pos.Line != want {
				t.Errorf("failure at %v, want tests/calls.test.js:%d", r.Failure.Pos, want)
			}
			text := r.Failure.Message + "\n" + r.Failure.Detail
			for _, want := range c.message {
				if !strings.Contains(text, want) {
					t.Errorf("failure does not say %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestInvalidCallflowFailsTheStep(t *testing.T) {
	src := testFile + `
test("an invalid callflow fails the step", async () => {
  const call = simulateCall();
  await call.start();
  await call.press("9"); // INVALID
});

test("the failed step saved nothing, and the call goes on", async () => {
  const call = simulateCall();
  await call.start();
  await expect(call.press("9")).rejects.toThrow(StepError);
  expect(call.session).toEqual({ calls: 1 }); // not { broken: true }: the handler's answer was refused
  const bye = await call.press("7");
  expect(bye.spoken).toEqual(["Goodbye"]);
});
`
	tests := byName(only(t, runTests(t, map[string]string{"index.test.js": src}, scripttest.Options{})))
	r := tests["an invalid callflow fails the step"]
	if r.Failure == nil {
		t.Fatal("the invalid callflow passed")
	}
	if want := lineOf(t, src, "// INVALID"); r.Failure.Pos.Line != want {
		t.Errorf("failure at %v, want line %d (the step)", r.Failure.Pos, want)
	}
	for _, want := range []string{"onActionCompleted returned an invalid callflow", "callflow[0].params.text: must not be empty"} {
		if !strings.Contains(r.Failure.Message, want) {
			t.Errorf("message does not say %q: %s", want, r.Failure.Message)
		}
	}
	if !strings.Contains(r.Failure.Detail, `[{"action":"say","params":{"text":""}}]`) {
		t.Errorf("detail does not show what the handler returned: %s", r.Failure.Detail)
	}
	if r := tests["the failed step saved nothing, and the call goes on"]; r.Outcome != scripttest.Passed {
		t.Errorf("the session after a failed step: %s", r.Failure.Message)
	}
}

func TestTimeouts(t *testing.T) {
	src := testFile + `
test("loops", () => {
  let n = 0;
  for (;;) { n++; } // LOOP
}, { timeout: 100 });

test("loops with the default timeout", () => {
  let n = 0;
  while (n >= 0) { n = (n + 1) % 10; } // DEFAULT
});

test("waits forever", async () => {
  await new Promise(() => {});
});

test("runs after the others", async () => {
  const answer = await simulateCall().start();
  expect(answer.clientActionId).toBe("main");
});
`
	start := time.Now()
	tests := byName(only(t, runTests(t, map[string]string{"index.test.js": src}, scripttest.Options{Timeout: 200 * time.Millisecond})))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the run took %v", took)
	}
	cases := []struct{ name, marker, message string }{
		{"loops", "// LOOP", "timed out after 100ms"},
		{"loops with the default timeout", "// DEFAULT", "timed out after 200ms"},
		{"waits forever", `test("waits forever"`, "its promise never settles"},
	}
	for _, c := range cases {
		r := tests[c.name]
		if r.Failure == nil {
			t.Errorf("%s: passed", c.name)
			continue
		}
		if !strings.Contains(r.Failure.Message, c.message) {
			t.Errorf("%s: message %q does not say %q", c.name, r.Failure.Message, c.message)
		}
		if want := lineOf(t, src, c.marker); r.Failure.Pos.Line != want {
			t.Errorf("%s: failure at %v, want line %d", c.name, r.Failure.Pos, want)
		}
	}
	if r := tests["runs after the others"]; r.Outcome != scripttest.Passed {
		t.Errorf("a test after a timed out one: %v %+v", r.Outcome, r.Failure)
	}
}

func TestFetchMocks(t *testing.T) {
	src := testFile + `
test("a route answers the handler's fetch, and the request is recorded", async () => {
  const crm = mockFetch({ "GET https://crm.example.com/agent*": { number: "+6560000009" } });
  const call = simulateCall({ to: "+6560001000" });
  await call.start();
  const step = await call.press("2");
  expect(step.callflow[0].params.destination).toBe("+6560000009");
  expect(crm.calls.map((r) => r.method + " " + r.url)).toEqual(["GET https://crm.example.com/agent?line=%2B6560001000"]);
});

test("a function mock sees the request; a status and headers come back", async () => {
  mockFetch((request) => jsonResponse({ method: request.method, body: request.json() }, { status: 201, headers: { "x-id": "7" } }));
  const res = await fetch("https://crm.example.com/calls", { method: "post", body: JSON.stringify({ a: 1 }) });
  expect([res.status, res.ok, res.headers.get("X-Id")]).toEqual([201, true, "7"]);
  expect(await res.json()).toEqual({ method: "POST", body: { a: 1 } });
});

test("a mock that throws is a network failure", async () => {
  mockFetch(() => { throw new Error("connection refused"); });
  await expect(fetch("https://crm.example.com/x")).rejects.toThrow("fetch failed: https://crm.example.com/x: connection refused");
});

test("mocks do not outlive their test", async () => {
  await expect(fetch("https://crm.example.com/agent")).rejects.toThrow("fetch is not mocked in this test");
});

test("the tenant's fetch.allow still applies", async () => {
  mockFetch(() => 200);
  await expect(fetch("https://evil.example.com/x")).rejects.toThrow("host evil.example.com is not in this tenant's fetch.allow (tenant.json)");
});

test("an unmocked fetch fails the step that needed it", async () => {
  const call = simulateCall();
  await call.start();
  await call.press("2"); // UNMOCKED
});
`
	tests := byName(only(t, runTests(t, map[string]string{"index.test.js": src}, scripttest.Options{})))
	for name, r := range tests {
		if name == "an unmocked fetch fails the step that needed it" {
			if r.Failure == nil || !strings.Contains(r.Failure.Message, "fetch is not mocked in this test") {
				t.Errorf("%s: %+v", name, r.Failure)
			} else if want := lineOf(t, src, "// UNMOCKED"); r.Failure.Pos.Line != want {
				t.Errorf("%s: failure at %v, want line %d", name, r.Failure.Pos, want)
			}
			continue
		}
		if r.Outcome != scripttest.Passed {
			t.Errorf("%s: %s\n%s", name, r.Failure.Message, r.Failure.Detail)
		}
	}
	if len(tests) != 6 {
		t.Errorf("%d tests ran, want 6", len(tests))
	}
}

func TestClock(t *testing.T) {
	src := testFile + `
test("the clock controls Date in the test and in the handler", async () => {
  clock.set("2001-02-03T04:05:06Z");
  expect(new Date().toISOString()).toBe("2001-02-03T04:05:06.000Z");
  clock.advance(60_000);
  expect(Date.now()).toBe(Date.parse("2001-02-03T04:06:06Z"));
  const call = simulateCall();
  await call.start();
  clock.advance(5_000);
  const step = await call.press("3");
  expect(step.spoken).toEqual(["It is 2001-02-03T04:06:11.000Z"]);
  expect(step.event.payload.timestamp).toBe("2001-02-03T04:06:11.000Z");
  expect(step.event.payload.callDuration).toBe(5);
});

test("each test starts on real time", () => {
  expect(new Date().getUTCFullYear()).toBeGreaterThan(2020);
});
`
	for name, r := range byName(only(t, runTests(t, map[string]string{"index.test.js": src}, scripttest.Options{}))) {
		if r.Outcome != scripttest.Passed {
			t.Errorf("%s: %s\n%s", name, r.Failure.Message, r.Failure.Detail)
		}
	}
}

func TestBuildProblems(t *testing.T) {
	cases := []struct {
		name     string
		files    map[string]string
		inTenant bool   // the problem is the tenant's (its tests did not run), not the test file's
		want     string // the problem, as file:line:col: message
	}{
		{
			name:  "syntax error in a test file",
			files: map[string]string{"index.test.js": testFile + "test(\"x\", () => {\n  const a = ;\n});\n"},
			want:  `index.test.js:4:13: Unexpected ";"`,
		},
		{
			name:  "a test file imports a module that is not there",
			files: map[string]string{"index.test.js": "import { menu } from \"./menus\";\n"},
			want:  `index.test.js:1:22: cannot find "./menus"`,
		},
		{
			name:  "the test file's top level throws",
			files: map[string]string{"index.test.js": testFile + "throw new Error(\"boom\");\n"},
			want:  `index.test.js:3:7: the file's top-level code failed: Error: boom`,
		},
		{
			name:     "the handler does not build",
			files:    map[string]string{"index.js": "export default {\n  onCallReceived() { return [; },\n};\n", "index.test.js": testFile},
			inTenant: true,
			want:     `index.js:2:30: Unexpected ";"`,
		},
		{
			name:     "the handler imports the test module",
			files:    map[string]string{"index.js": "import { test } from \"callscript/test\";\nexport default () => [];\n", "index.test.js": testFile},
			inTenant: true,
			want:     `index.js:1:22: cannot import "callscript/test" here: it is only for test files`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runTests(t, c.files, scripttest.Options{})
			problems := res.Problems
			if !c.inTenant {
				if len(res.Files) != 1 {
					t.Fatalf("files: %+v, tenant problems: %v", res.Files, res.Problems)
				}
				problems = res.Files[0].Problems
			}
			if len(problems) == 0 {
				t.Fatalf("no problem reported; result %+v", res)
			}
			if got := problems[0].String(); !strings.HasPrefix(got, c.want) {
				t.Errorf("problem\n  %s\nwant it to start with\n  %s", got, c.want)
			}
			if _, failed, _ := res.Counts(); failed != 1 {
				t.Errorf("counted %d failures, want 1", failed)
			}
		})
	}
}

func TestSkipOnlyMatchAndFolders(t *testing.T) {
	src := testFile + `
test("one", () => {});
test.skip("two", () => { throw new Error("must not run"); });
test.only("three", () => {});
test.only("four", () => {});
`
	f := only(t, runTests(t, map[string]string{"index.test.js": src}, scripttest.Options{Match: regexp.MustCompile("o")}))
	var got []string
	for _, r := range f.Tests {
		got = append(got, r.Name+"="+r.Outcome.String())
	}
	if want := "one=SKIP two=SKIP four=PASS"; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}

	root := t.TempDir()
	writeTenant(t, root, "notes", map[string]string{"README.md": "no entry file"})
	writeTenant(t, root, "plain", map[string]string{"index.js": "export default () => [];"})
	writeTenant(t, root, "bad name!", map[string]string{"index.js": "export default () => [];"})
	ids, err := scripttest.Folders(root)
	if err != nil || strings.Join(ids, ",") != "notes,plain" {
		t.Fatalf("Folders = %v, %v; want notes, plain", ids, err)
	}
	notes, err := scripttest.RunTenant(context.Background(), root, "notes", scripttest.Options{})
	if err != nil || !notes.NoEntry {
		t.Errorf("a folder without an entry: %+v, %v", notes, err)
	}
	plain, err := scripttest.RunTenant(context.Background(), root, "plain", scripttest.Options{})
	if err != nil || plain.NoEntry || len(plain.Files) != 0 || len(plain.Problems) != 0 {
		t.Errorf("a tenant without tests: %+v, %v", plain, err)
	}
}

// TestSimulatorAgreesWithTheEngine runs the events of a simulated call through the engine and
// checks that it answers exactly what the simulator answered, ctx included.
func TestSimulatorAgreesWithTheEngine(t *testing.T) {
	const probe = `import { say, sayAndCapture } from "callscript";
// Every answer describes the ctx it got, so that the engine's and the simulator's can be compared.
const describe = (ctx) => JSON.stringify({
  keys: Object.keys(ctx), tenant: ctx.tenant, version: ctx.version, eventId: ctx.eventId, sessionId: ctx.sessionId,
  callId: ctx.callId, dtmf: ctx.dtmf, clientActionId: ctx.clientActionId, session: ctx.session, env: ctx.env,
  frozen: Object.isFrozen(ctx.env), deadline: typeof ctx.deadline, fetch: ctx.fetch === fetch,
});
export default {
  onCallReceived(event, ctx) {
    const seen = describe(ctx);
    ctx.session.step = 1;
    return { clientActionId: "menu", callflow: [say(seen), sayAndCapture("Press a key", { maxDigits: 2 })] };
  },
  onActionCompleted(event, ctx) {
    const seen = describe(ctx);
    ctx.session.step += 1;
    return { clientActionId: "again", callflow: [say(seen), sayAndCapture("Again")] };
  },
};
`
	const test = `import { test, simulateCall } from "callscript/test";
test("record", async () => {
  const call = simulateCall({ dtmfIn: "eventData" });
  for (const step of [await call.start(), await call.press("42"), await call.noInput()]) {
    console.log(JSON.stringify({ event: step.event, answer: step.answer }));
  }
});
`
	root := t.TempDir()
	writeTenant(t, root, "probe", map[string]string{
		"index.js":      probe,
		"index.test.js": test,
		"tenant.json":   `{"env": {"GREETING": "hi", "LIST": [1, {"a": true}]}, "defaults": {"voiceProfile": "en-GB-Emma"}}`,
	})
	res, err := scripttest.RunTenant(context.Background(), root, "probe", scripttest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := only(t, res)
	if r := f.Tests[0]; r.Outcome != scripttest.Passed || len(r.Logs) != 3 {
		t.Fatalf("the recording test: %v %+v, %d log lines", r.Outcome, r.Failure, len(r.Logs))
	}

	eng, err := engine.New(context.Background(), engine.Options{ScriptsDir: root, Tenants: []string{"probe"}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for i, line := range f.Tests[0].Logs {
		_, text, ok := strings.Cut(line, "info: ")
		if !ok {
			t.Fatalf("log line %q", line)
		}
		var step struct {
			Event, Answer json.RawMessage
		}
		if err := json.Unmarshal([]byte(text), &step); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		answer, err := eng.Handle(context.Background(), engine.Request{Body: step.Event})
		if err != nil {
			t.Fatalf("step %d: the engine refused the simulated event: %v", i, err)
		}
		if answer.Fallback != "" {
			t.Fatalf("step %d: the engine answered with the fallback (%s)", i, answer.Fallback)
		}
		if !jsonEqual(t, answer.Body, step.Answer) {
			t.Errorf("step %d:\nengine:    %s\nsimulator: %s", i, answer.Body, step.Answer)
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}
