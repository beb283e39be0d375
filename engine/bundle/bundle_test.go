package bundle

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"

	"github.com/callscript/callscript/engine/sdk"
)

// sourceOf makes an in-memory tenant snapshot.
func sourceOf(files map[string]string) *Source {
	src := &Source{Files: make(map[string][]byte, len(files))}
	for name, text := range files {
		src.Files[name] = []byte(text)
	}
	return src
}

// build bundles files from their entry and fails the test on any error.
func build(t testing.TB, files map[string]string) *Bundle {
	t.Helper()
	src := sourceOf(files)
	entry, ok := src.Entry()
	if !ok {
		t.Fatalf("no entry among %v", slices.Sorted(func(yield func(string) bool) {
			for name := range src.Files {
				if !yield(name) {
					return
				}
			}
		}))
	}
	b, err := Build(context.Background(), src, entry)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return b
}

// load compiles and runs a bundle in a fresh goja runtime, as the engine does.
func load(t testing.TB, b *Bundle) *goja.Runtime {
	t.Helper()
	program, err := goja.Compile(ProgramName, b.Code, false)
	if err != nil {
		t.Fatalf("goja.Compile: %v", err)
	}
	sdkProgram, err := goja.Compile(SDKFile, SDKProgram(), false)
	if err != nil {
		t.Fatalf("goja.Compile the SDK: %v", err)
	}
	vm := goja.New()
	if err := sdk.Install(vm, sdkProgram); err != nil {
		t.Fatalf("run the SDK: %v", err)
	}
	if _, err := vm.RunProgram(program); err != nil {
		t.Fatalf("run program: %v", err)
	}
	if exports := vm.Get(ExportsGlobal); exports == nil || goja.IsUndefined(exports) {
		t.Fatalf("the program did not set %s", ExportsGlobal)
	}
	return vm
}

// evalJSON evaluates expr in vm, waits for a promise it returns (goja runs
// its job queue before RunString returns) and gives the value as JSON.
func evalJSON(t *testing.T, vm *goja.Runtime, expr string) string {
	t.Helper()
	v, err := vm.RunString(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if p, ok := v.Export().(*goja.Promise); ok {
		if p.State() != goja.PromiseStateFulfilled {
			t.Fatalf("%s: promise %v: %v", expr, p.State(), p.Result())
		}
		v = p.Result()
	}
	out, err := json.Marshal(v.Export())
	if err != nil {
		t.Fatalf("%s: marshal result: %v", expr, err)
	}
	return string(out)
}

func TestBuildRunsInGoja(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		expr      string // evaluated after the program ran
		want      string // the value of expr, as JSON
		wantFiles []string
	}{
		{
			name:  "ES module default function",
			files: map[string]string{"index.js": `export default function (event) { return "hello " + event.name; }`},
			expr:  `__callscript_exports.default({ name: "ann" })`,
			want:  `"hello ann"`,
		},
		{
			name: "ES module hooks object beside named exports",
			files: map[string]string{"index.mjs": `
export const menu = "main";
export default {
  onCallReceived(event, ctx) { return [menu, event.n]; },
};`},
			expr: `__callscript_exports.default.onCallReceived({ n: 2 })`,
			want: `["main",2]`,
		},
		{
			name:  "async handler awaits",
			files: map[string]string{"index.js": `export default async function () { const v = await Promise.resolve(41); return v + 1; }`},
			expr:  `__callscript_exports.default()`,
			want:  `42`,
		},
		{
			name:  "CommonJS module.exports = function",
			files: map[string]string{"index.js": `module.exports = function (event) { return "cjs " + event.name; };`},
			expr:  `__callscript_exports({ name: "bo" })`,
			want:  `"cjs bo"`,
		},
		{
			name:  "CommonJS module.exports = hooks in index.cjs",
			files: map[string]string{"index.cjs": `module.exports = { onCallReceived() { return "hook"; }, onSessionSummary() {} };`},
			expr:  `Object.keys(__callscript_exports).concat(__callscript_exports.onCallReceived())`,
			want:  `["onCallReceived","onSessionSummary","hook"]`,
		},
		{
			name: "CommonJS require of a sibling",
			files: map[string]string{
				"index.js": `const menus = require("./menus"); exports.handler = () => menus.greeting;`,
				"menus.js": `module.exports = { greeting: "hi" };`,
			},
			expr:      `__callscript_exports.handler()`,
			want:      `"hi"`,
			wantFiles: []string{"index.js", "menus.js"},
		},
		{
			name: "TypeScript with types, interfaces, enums and classes",
			files: map[string]string{"index.ts": `
interface CallEvent { payload: { source: string } }
type Answer = { callflow: unknown[] };
enum Menu { Main = "main", Sales = "sales" }
class Counter {
  #count = 0;
  constructor(private readonly step: number) {}
  next(): number { this.#count += this.step; return this.#count; }
}
function first<T>(items: T[]): T | undefined { return items[0]; }
export default function (event: CallEvent): Answer {
  const c = new Counter(2);
  c.next();
  return { callflow: [Menu.Sales, c.next(), first([event.payload.source])!] };
}`},
			expr: `__callscript_exports.default({ payload: { source: "+65" } })`,
			want: `{"callflow":["sales",4,"+65"]}`,
		},
		{
			name: "two TypeScript files, ./menus",
			files: map[string]string{
				"index.ts":      `import { mainMenu } from "./menus"; export default () => mainMenu("x");`,
				"menus.ts":      `export function mainMenu(id: string): string { return "menu " + id; }`,
				"tenant.json":   `{"timeoutMs": 1000}`,
				"index.test.ts": `import handler from "./index"; handler();`,
			},
			expr:      `__callscript_exports.default()`,
			want:      `"menu x"`,
			wantFiles: []string{"index.ts", "menus.ts"},
		},
		{
			name: "./menus.js names menus.ts",
			files: map[string]string{
				"index.ts": `import { n } from "./menus.js"; export default () => n;`,
				"menus.ts": `export const n: number = 7;`,
			},
			expr: `__callscript_exports.default()`,
			want: `7`,
		},
		{
			name: "./util.mjs names util.mts",
			files: map[string]string{
				"index.mts": `export { n as default } from "./util.mjs";`,
				"index.ts":  `export { n as default } from "./util.mjs";`,
				"util.mts":  `export const n = 8;`,
			},
			expr: `__callscript_exports.default`,
			want: `8`,
		},
		{
			name: "folder index and parent imports inside the tenant folder",
			files: map[string]string{
				"index.js":     `import { a } from "./lib"; export default () => a;`,
				"lib/index.ts": `import { b } from "../shared"; export const a = "a" + b;`,
				"shared.js":    `export const b = "b";`,
			},
			expr:      `__callscript_exports.default()`,
			want:      `"ab"`,
			wantFiles: []string{"index.js", "lib/index.ts", "shared.js"},
		},
		{
			name: "JSON import",
			files: map[string]string{
				"index.js":          `import numbers from "./data/numbers.json"; export default () => numbers.sales;`,
				"data/numbers.json": `{"sales": "+6560000001"}`,
			},
			expr: `__callscript_exports.default()`,
			want: `"+6560000001"`,
		},
		{
			name: "dynamic import",
			files: map[string]string{
				"index.js": `export default async () => (await import("./later.js")).value;`,
				"later.js": `export const value = "later";`,
			},
			expr: `__callscript_exports.default()`,
			want: `"later"`,
		},
		{
			name:  `"callscript" through import`,
			files: map[string]string{"index.ts": `import { say, hangup } from "callscript"; export default () => [say("Hi"), hangup()];`},
			expr:  `__callscript_exports.default()`,
			want:  `[{"action":"say","params":{"text":"Hi"}},{"action":"hangup"}]`,
		},
		{
			name:  `"callscript" through require`,
			files: map[string]string{"index.js": `const cs = require("callscript"); module.exports = () => cs.say("Hi");`},
			expr:  `__callscript_exports()`,
			want:  `{"action":"say","params":{"text":"Hi"}}`,
		},
		{
			name: "export * from a CommonJS file (bundled in the IIFE format)",
			files: map[string]string{
				"index.js":  `export * from "./hooks.cjs"; export default { onCallEnded() { return "ended"; } };`,
				"hooks.cjs": `exports.onCallReceived = () => "received";`,
			},
			expr: `[__callscript_exports.onCallReceived(), __callscript_exports.default.onCallEnded()]`,
			want: `["received","ended"]`,
		},
		{
			name:  "an export name that is not an identifier",
			files: map[string]string{"index.js": `const hook = () => 1; export { hook as "on-call", hook as default };`},
			expr:  `[__callscript_exports["on-call"](), __callscript_exports.default()]`,
			want:  `[1,1]`,
		},
		{
			name:  "CommonJS exports object",
			files: map[string]string{"index.js": `exports.onCallReceived = () => "received"; exports.other = 2;`},
			expr:  `[__callscript_exports.onCallReceived(), __callscript_exports.other]`,
			want:  `["received",2]`,
		},
		{
			name:  "module code is strict and its declarations stay out of the global scope",
			files: map[string]string{"index.js": `var fetch = 1; function setTimeout() {} export default () => [typeof globalThis.fetch, typeof globalThis.setTimeout, (function () { return this; })()];`},
			expr:  `__callscript_exports.default()`,
			want:  `["undefined","undefined",null]`,
		},
		{
			name:  "import.meta is empty",
			files: map[string]string{"index.js": `export default () => typeof import.meta;`},
			expr:  `__callscript_exports.default()`,
			want:  `"object"`,
		},
		{
			name:  "a CommonJS file that is not strict-mode code (bundled in the IIFE format)",
			files: map[string]string{"index.js": "module.exports = function () { var yield = 1; return yield; };"},
			expr:  `__callscript_exports()`,
			want:  `1`,
		},
		{
			name:  "exports are live bindings, as in an ES module",
			files: map[string]string{"index.js": `export let counter = 0; export function onCallReceived() { counter++; return this.counter; }`},
			expr:  `[__callscript_exports.onCallReceived(), __callscript_exports.onCallReceived(), __callscript_exports.counter]`,
			want:  `[1,2,2]`,
		},
		{
			name:  "an export named __proto__ is an export",
			files: map[string]string{"index.js": `export const __proto__ = { onCallReceived() { return 1; } }; export default () => 2;`},
			expr:  `[Object.keys(__callscript_exports).sort(), typeof __callscript_exports.onCallReceived, __callscript_exports.default()]`,
			want:  `[["__proto__","default"],"undefined",2]`,
		},
		{
			name:  `"callscript" as a namespace, dialog helpers included`,
			files: map[string]string{"index.js": `import * as cs from "callscript"; export default () => [typeof cs.menu, typeof cs.dialogs, cs.hangup()];`},
			expr:  `__callscript_exports.default()`,
			want:  `["function","function",{"action":"hangup"}]`,
		},
		{
			name:  `"callscript" dialog helper through require`,
			files: map[string]string{"index.js": `const { menu } = require("callscript"); module.exports = () => menu("main", { prompt: "Press 1.", options: { 1: () => [] } }).id;`},
			expr:  `__callscript_exports()`,
			want:  `"main"`,
		},
		{
			name: "syntax goja lacks is lowered",
			files: map[string]string{"index.js": `
async function* ticks() { yield 1n; yield 2n; }
export default async function () {
  let total = 0n;
  for await (const t of ticks()) total += t;
  const { a, ...rest } = { a: 1, b: 2 };
  let missing;
  missing ??= rest.b;
  const label = "id-42".match(/(?<num>\d+)/).groups?.num;
  return [String(total), missing, label];
}`},
			expr: `__callscript_exports.default()`,
			want: `["3",2,"42"]`,
		},
		{
			name:  "modules are strict: an undeclared assignment throws",
			files: map[string]string{"index.js": `module.exports = () => { leaked = 1; };`},
			expr:  `(() => { try { __callscript_exports(); return "no error"; } catch (e) { return e.name + " " + typeof leaked; } })()`,
			want:  `"ReferenceError undefined"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := build(t, tt.files)
			vm := load(t, b)
			if got := evalJSON(t, vm, tt.expr); got != tt.want {
				t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
			}
			if tt.wantFiles != nil && !slices.Equal(b.Files, tt.wantFiles) {
				t.Errorf("Files = %q, want %q", b.Files, tt.wantFiles)
			}
		})
	}
}

func TestBundleHashAndVersion(t *testing.T) {
	files := map[string]string{"index.js": `export default () => 1;`}
	a, b := build(t, files), build(t, files)
	if a.Hash != b.Hash || a.Code != b.Code {
		t.Errorf("two builds of the same source differ: %s, %s", a.Hash, b.Hash)
	}
	if len(a.Hash) != 64 || a.Version() != a.Hash[:12] {
		t.Errorf("Hash %q, Version %q: want 64 hex digits and their first 12", a.Hash, a.Version())
	}
	c := build(t, map[string]string{"index.js": `export default () => 2;`})
	if c.Version() == a.Version() {
		t.Errorf("a changed script kept version %s", a.Version())
	}
}

// positionOf returns the 1-based line and column of the first occurrence of
// mark in text.
func positionOf(t *testing.T, text, mark string) (line, col int) {
	t.Helper()
	i := strings.Index(text, mark)
	if i < 0 || strings.Contains(text[i+1:], mark) {
		t.Fatalf("mark %q must occur once", mark)
	}
	before := text[:i]
	line = strings.Count(before, "\n") + 1
	col = len([]rune(before[strings.LastIndex(before, "\n")+1:])) + 1
	return line, col
}

func TestExceptionPositions(t *testing.T) {
	type frame struct{ file, mark string } // mark: the text the frame points at
	tests := []struct {
		name    string
		files   map[string]string
		expr    string
		inSDK   bool    // the exception comes from the "callscript" module's JavaScript (or the Go it calls)
		builder string  // the exception comes from this builder (Go)
		frames  []frame // the innermost frames of the exception's stack outside the module
	}{
		{
			name: "throw in a second TypeScript file",
			files: map[string]string{
				"index.ts": "import { menu } from \"./menus\";\n\nexport default function (event: unknown) {\n  return menu(event);\n}\n",
				"menus.ts": "// Menus.\ninterface Event { boom?: boolean }\n\nexport function menu(event: Event): string {\n  if (event) {\n    throw new Error(\"boom\");\n  }\n  return \"ok\";\n}\n",
			},
			expr:   `__callscript_exports.default({})`,
			frames: []frame{{"menus.ts", `new Error("boom")`}, {"index.ts", `menu(event)`}},
		},
		{
			name: "CommonJS in a sub-folder",
			files: map[string]string{
				"index.js":     "const util = require(\"./lib/util\");\nmodule.exports = () => util.fail();\n",
				"lib/util.cjs": "exports.fail = function () {\n  const x = 1;\n  throw new RangeError(\"bad \" + x);\n};\n",
			},
			expr:   `__callscript_exports()`,
			frames: []frame{{"lib/util.cjs", `new RangeError`}, {"index.js", `fail()`}}, // a method call is placed at the method's name
		},
		{
			name: "first token of a file",
			files: map[string]string{
				"index.js": "module.exports = () => require(\"./boom\");\n",
				"boom.js":  "missing();\n",
			},
			expr:   `__callscript_exports()`,
			frames: []frame{{"boom.js", `missing`}},
		},
		{
			name: "file name with a space and a non-ASCII line",
			files: map[string]string{
				"index.js":   "import { f } from \"./my menu.js\";\nexport default () => f();\n",
				"my menu.js": "export function f() {\n  const é = \"é\"; throw new Error(é);\n}\n",
			},
			expr:   `__callscript_exports.default()`,
			frames: []frame{{"my menu.js", `new Error(é)`}},
		},
		{
			name: "misuse of a builder points at the author's call after the builder's frame",
			files: map[string]string{
				"index.js": "import { sayAndCapture } from \"callscript\";\n\nexport default () => [\n  sayAndCapture(\"Press 1\", { maxdigits: 1 }),\n];\n",
			},
			expr:    `__callscript_exports.default()`,
			builder: "sayAndCapture",
			frames:  []frame{{"index.js", `sayAndCapture("Press 1"`}},
		},
		{
			name: "misuse of a dialog helper points at the author's call after the module's frames",
			files: map[string]string{
				"index.js": "import { menu } from \"callscript\";\n\nexport default () =>\n  menu(\"main\", { prompt: \"Press 1\", optoins: {} });\n",
			},
			expr:   `__callscript_exports.default()`,
			inSDK:  true,
			frames: []frame{{"index.js", `menu("main"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := build(t, tt.files)
			vm := load(t, b)
			_, err := vm.RunString(tt.expr)
			var ex *goja.Exception
			if !errors.As(err, &ex) {
				t.Fatalf("%s: got %v, want a JavaScript exception", tt.expr, err)
			}
			stack := ex.Stack()
			if tt.builder != "" {
				if len(stack) == 0 || stack[0].FuncName() != tt.builder || stack[0].Position().Filename != "" {
					t.Fatalf("innermost frame of %v is not the builder %s", stack, tt.builder)
				}
				stack = stack[1:]
			}
			if tt.inSDK {
				for len(stack) > 0 && stack[0].Position().Filename == "" {
					stack = stack[1:] // the module's Go part that the JavaScript called
				}
				if len(stack) == 0 || stack[0].Position().Filename != SDKFile {
					t.Fatalf("innermost frame of %v is not in %s", stack, SDKFile)
				}
				for len(stack) > 0 && stack[0].Position().Filename == SDKFile {
					stack = stack[1:]
				}
			}
			if len(stack) < len(tt.frames) {
				t.Fatalf("stack has %d frames, want at least %d", len(stack), len(tt.frames))
			}
			author, ok := b.AuthorPosition(ex.Stack())
			if first := b.Position(stack[0].Position()); !ok || author != first {
				t.Errorf("AuthorPosition = %v, %v; want %v", author, ok, first)
			}
			for i, want := range tt.frames {
				got := b.Position(stack[i].Position())
				line, col := positionOf(t, tt.files[want.file], want.mark)
				if got.Filename != want.file || got.Line != line || got.Column != col {
					t.Errorf("frame %d at %s:%d:%d, want %s:%d:%d (%s)", i, got.Filename, got.Line, got.Column, want.file, line, col, want.mark)
				}
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		entry string // default: the Source's entry
		want  []string
	}{
		{
			name: "syntax error in a second file, columns in characters",
			files: map[string]string{
				"index.ts": `import "./menus";`,
				"menus.ts": "const ok = 1;\nconst é: string = \"é\" +;\n",
			},
			want: []string{`menus.ts:2:24: Unexpected ";"`},
		},
		{
			name:  "missing relative import",
			files: map[string]string{"index.js": "import { x } from \"./nope\";\nexport default x;\n"},
			want:  []string{`index.js:1:19: cannot find "./nope": the tenant folder has no nope.ts, nope.js or nope/index.ts (nor with another source extension)`},
		},
		{
			name: "missing import with an extension, from a sub-folder",
			files: map[string]string{
				"index.ts": `import "./lib/a";`,
				"lib/a.ts": `import "../util.js";`,
			},
			want: []string{`lib/a.ts:1:8: cannot find "../util.js": the tenant folder has no util.js or util.ts`},
		},
		{
			name: "file names are case-sensitive",
			files: map[string]string{
				"index.js": `import m from "./Menus";`,
				"menus.js": `export default 1;`,
			},
			want: []string{`index.js:1:15: cannot find "./Menus": the tenant folder has no Menus.ts, Menus.js or Menus/index.ts (nor with another source extension); there is menus.js, but file names are case-sensitive`},
		},
		{
			name:  "bare imports are refused",
			files: map[string]string{"index.js": "import fs from \"fs\";\nimport _ from \"lodash\";\nimport http from \"node:http\";\nconst cp = require(\"child_process\");\n"},
			want: []string{
				`index.js:1:16: cannot import "fs": only files of the tenant folder (relative paths such as "./menus") and "callscript" can be imported; npm packages and Node built-ins are not available`,
				`index.js:2:15: cannot import "lodash": only files of the tenant folder (relative paths such as "./menus") and "callscript" can be imported; npm packages and Node built-ins are not available`,
				`index.js:3:18: cannot import "node:http": only files of the tenant folder (relative paths such as "./menus") and "callscript" can be imported; npm packages and Node built-ins are not available`,
				`index.js:4:20: cannot import "child_process": only files of the tenant folder (relative paths such as "./menus") and "callscript" can be imported; npm packages and Node built-ins are not available`,
			},
		},
		{
			name: "escapes from the tenant folder",
			files: map[string]string{
				"index.js":   "import \"../other/x\";\nimport \"/etc/passwd\";\nimport \"./lib/a\";\n",
				"lib/a.js":   "import \"../../secret.js\";\nimport \"./../../x\";\n",
				"other/x.js": "",
			},
			want: []string{
				`index.js:1:8: cannot import "../other/x": it leads outside the tenant folder`,
				`index.js:2:8: cannot import "/etc/passwd": absolute paths are not allowed; import files of the tenant folder with a relative path such as "./menus"`,
				`lib/a.js:1:8: cannot import "../../secret.js": it leads outside the tenant folder`,
				`lib/a.js:2:8: cannot import "./../../x": it leads outside the tenant folder`,
			},
		},
		{
			name:  "unknown name from callscript",
			files: map[string]string{"index.js": "import { sya } from \"callscript\";\nexport default () => sya(\"hi\");\n"},
			want:  []string{`index.js:1:10: No matching export in "callscript" for import "sya"`},
		},
		{
			name: "unknown name from a tenant file",
			files: map[string]string{
				"index.js": `import { nope } from "./menus"; export default nope;`,
				"menus.js": `export const yes = 1;`,
			},
			want: []string{`index.js:1:10: No matching export in "menus.js" for import "nope"`},
		},
		{
			name:  "strict mode is enforced at build time",
			files: map[string]string{"index.js": "const o = {};\nwith (o) {}\n"},
			want:  []string{`index.js:2:1: With statements cannot be used in strict mode`},
		},
		{
			name: "JSON syntax error",
			files: map[string]string{
				"index.js": `import d from "./d.json"; export default d;`,
				"d.json":   "{\n  \"a\": \n}\n",
			},
			want: []string{`d.json:3:1: Unexpected "}" in JSON`},
		},
		{
			name:  "missing entry",
			files: map[string]string{"main.js": ``},
			entry: "index.js",
			want:  []string{`index.js: entry file not found in the tenant folder`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := sourceOf(tt.files)
			entry := tt.entry
			if entry == "" {
				entry, _ = src.Entry()
			}
			b, err := Build(context.Background(), src, entry)
			var buildErr *BuildError
			if !errors.As(err, &buildErr) {
				t.Fatalf("Build = %v, %v; want a *BuildError", b, err)
			}
			var got []string
			for _, e := range buildErr.Errors {
				got = append(got, e.Error())
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if err.Error() != strings.Join(got, "\n") && len(got) == 1 {
				t.Errorf("Error() = %q, want %q", err.Error(), got[0])
			}
		})
	}
}

// TestBuildLeavesOutModuleGlue: an ES module entry's exports come back as a plain object made
// by the program itself, not through esbuild's CommonJS helpers, which would cost every runtime
// that runs the program about 28 KB.
func TestBuildLeavesOutModuleGlue(t *testing.T) {
	for _, files := range []map[string]string{
		{"index.js": `export default { onCallReceived() { return []; } };`},
		{"index.ts": `export function onCallReceived(): unknown[] { return []; }`},
		{"index.js": `module.exports = { onCallReceived() { return []; } };`},
	} {
		if b := build(t, files); strings.Contains(b.Code, "__toCommonJS") || strings.Contains(b.Code, "__export(") {
			t.Errorf("%v: the program carries esbuild's module helpers:\n%s", files, b.Code)
		}
	}
}

// TestBuildLanguageLimits: what goja cannot run is refused, or warned about, in the author's
// terms.
func TestBuildLanguageLimits(t *testing.T) {
	_, err := Build(context.Background(), sourceOf(map[string]string{"index.js": "await Promise.resolve(1);\nexport default () => 1;\n"}), "index.js")
	if want := "index.js:1:1: Top-level await is not available in callscript's JavaScript engine"; err == nil || err.Error() != want {
		t.Errorf("top-level await: %v, want %s", err, want)
	}
	b := build(t, map[string]string{"index.js": "export default () => import.meta.url;\n"})
	if want := `index.js:1:22: "import.meta" is not available in callscript's JavaScript engine and will be empty`; len(b.Warnings) != 1 || b.Warnings[0].Error() != want {
		t.Errorf("import.meta: %v, want %s", b.Warnings, want)
	}
}

// TestBuildRefusesFilesNotInUTF8: a file that is not UTF-8 text is refused at its first bad
// byte (esbuild would pass it through to goja, which refuses the program without naming the
// file).
func TestBuildRefusesFilesNotInUTF8(t *testing.T) {
	src := sourceOf(map[string]string{"index.js": "import \"./menus\";\nexport default () => [];\n", "menus.js": "// menus\nconst re = /\xb2/;\n"})
	_, err := Build(context.Background(), src, "index.js")
	if want := "menus.js:2:13: the file is not UTF-8 text (byte 0xb2); save it as UTF-8"; err == nil || err.Error() != want {
		t.Errorf("Build = %v, want %s", err, want)
	}
}

func TestBuildWarnings(t *testing.T) {
	b := build(t, map[string]string{"index.js": "export default (x) => typeof x == \"strng\";\n"})
	want := `index.js:1:35: The "typeof" operator will never evaluate to "strng"`
	if len(b.Warnings) != 1 || b.Warnings[0].Error() != want {
		t.Errorf("Warnings = %q, want [%s]", b.Warnings, want)
	}
}

func TestBuildCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Build(ctx, sourceOf(map[string]string{"index.js": ``}), "index.js")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Build with a canceled context = %v, want context.Canceled", err)
	}
}

func TestBuildErrorFormat(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "menus.ts", Line: 3, Column: 9, Message: "m"}, "menus.ts:3:9: m"},
		{Error{File: "menus.ts", Line: 3, Message: "m"}, "menus.ts:3: m"},
		{Error{File: "menus.ts", Message: "m"}, "menus.ts: m"},
		{Error{Message: "m"}, "m"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
	joined := (&BuildError{Errors: []Error{tests[0].err, tests[3].err}}).Error()
	if joined != "menus.ts:3:9: m\nm" {
		t.Errorf("BuildError.Error() = %q", joined)
	}
}

func TestResolve(t *testing.T) {
	src := sourceOf(map[string]string{
		"index.ts":       "",
		"menus.ts":       "",
		"both.js":        "",
		"both.ts":        "",
		"util.mts":       "",
		"legacy.cts":     "",
		"data.json":      "",
		"lib/index.js":   "",
		"lib/deep/x.ts":  "",
		"README.md":      "",
		"notes":          "",
		"notes/index.ts": "",
	})
	tests := []struct {
		importer, specifier string
		want                string // "" when resolve must refuse
	}{
		{"index.ts", "./menus", "menus.ts"},
		{"index.ts", "./menus.ts", "menus.ts"},
		{"index.ts", "./menus.js", "menus.ts"},
		{"index.ts", "./both.js", "both.js"}, // the file as written wins
		{"index.ts", "./both", "both.ts"},    // .ts before .js
		{"index.ts", "./util.mjs", "util.mts"},
		{"index.ts", "./legacy.cjs", "legacy.cts"},
		{"index.ts", "./data.json", "data.json"},
		{"index.ts", "./data", "data.json"},
		{"index.ts", "./lib", "lib/index.js"},
		{"index.ts", "./lib/", "lib/index.js"},
		{"lib/index.js", ".", "lib/index.js"},
		{"lib/index.js", "..", "index.ts"},
		{"lib/deep/x.ts", "../../menus", "menus.ts"},
		{"lib/deep/x.ts", "../index", "lib/index.js"},
		{"index.ts", "./notes", "notes/index.ts"}, // a file without a source extension is not loadable
		{"index.ts", "./README.md", ""},
		{"index.ts", "./missing", ""},
		{"index.ts", "../index", ""},
		{"lib/index.js", "../../index", ""},
		{"index.ts", "./lib/../../index", ""},
		{"index.ts", "/index.ts", ""},
		{"index.ts", "menus", ""},
		{"index.ts", "menus.ts", ""},
		{"index.ts", ".\\menus", ""},
		{"index.ts", "node:fs", ""},
		{"index.ts", "", ""},
	}
	for _, tt := range tests {
		got, problem := src.resolve(tt.importer, tt.specifier)
		if got != tt.want || (got == "") == (problem == "") {
			t.Errorf("resolve(%q, %q) = %q, %q; want %q", tt.importer, tt.specifier, got, problem, tt.want)
		}
	}
}

func TestPosition(t *testing.T) {
	b := &Bundle{Files: []string{"index.js", "my menu.ts", "100%.ts"}}
	tests := []struct {
		name     string
		goja     string
		col      int
		wantFile string
		wantCol  int
	}{
		{"tenant file", "index.js", 4, "index.js", 4},
		{"escaped name", "my%20menu.ts", 1, "my menu.ts", 1},
		{"name with a percent sign", "100%.ts", 2, "100%.ts", 2},
		{"unknown name stays", "other%20file.ts", 2, "other%20file.ts", 2},
		{"module", SDKFile, 9, SDKFile, 9},
		{"bundle glue code", ProgramName, 7, ProgramName, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.Position(file.Position{Filename: tt.goja, Line: 3, Column: tt.col})
			if p.Filename != tt.wantFile || p.Line != 3 || p.Column != tt.wantCol {
				t.Errorf("Position = %s:%d:%d, want %s:3:%d", p.Filename, p.Line, p.Column, tt.wantFile, tt.wantCol)
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	src := sourceOf(map[string]string{
		"index.ts": `
import { say, sayAndCapture, makeCall, hangup } from "callscript";
import { mainMenu, agentFor } from "./menus";

export default {
  async onCallReceived(event: { payload: { destination: string } }) {
    return { clientActionId: "main", callflow: [mainMenu()] };
  },
  async onActionCompleted(event: { payload: { destination: string } }, ctx: { dtmf: string | null }) {
    const agent = agentFor(ctx.dtmf);
    if (agent) return [makeCall({ source: event.payload.destination, destination: agent })];
    return [say("Goodbye"), hangup()];
  },
};`,
		"menus.ts": `
import { sayAndCapture } from "callscript";

const agents: Record<string, string> = { "1": "+6560000001", "2": "+6560000002" };

export function mainMenu() {
  return sayAndCapture("Press 1 for sales, 2 for support", { maxDigits: 1 });
}

export function agentFor(dtmf: string | null): string | undefined {
  return dtmf === null ? undefined : agents[dtmf];
}`,
	})
	ctx := context.Background()
	// The first build of the process also pays for esbuild's lazy set-up;
	// run the benchmark alone (-run=^$) for this figure to mean that.
	start := time.Now()
	if _, err := Build(ctx, src, "index.ts"); err != nil {
		b.Fatal(err)
	}
	first := time.Since(start)
	for b.Loop() {
		if _, err := Build(ctx, src, "index.ts"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(first.Microseconds()), "first-µs")
}

// esbuild looks for entry points in its working directory; a file there
// with the entry's name must change nothing.
func TestBuildIgnoresWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"index.js":      `export default "from the disk";`,
		"menus.js":      `export default "from the disk";`,
		"tsconfig.json": `{"compilerOptions": {"alwaysStrict": false}}`,
		"package.json":  `{"type": "commonjs"}`,
	})
	t.Chdir(dir)
	b := build(t, map[string]string{
		"index.js": `import menus from "./menus"; export default "from memory, " + menus;`,
		"menus.js": `export default "too";`,
	})
	if got := evalJSON(t, load(t, b), `__callscript_exports.default`); got != `"from memory, too"` {
		t.Errorf("default export = %s", got)
	}
}

func TestBuildConcurrently(t *testing.T) {
	src := sourceOf(map[string]string{
		"index.ts": `import { a } from "./a"; import { b } from "./b"; export default () => a + b;`,
		"a.ts":     `export const a = 1;`,
		"b.ts":     `export const b = 2;`,
	})
	want := build(t, map[string]string{"index.ts": string(src.Files["index.ts"]), "a.ts": "export const a = 1;", "b.ts": "export const b = 2;"})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			b, err := Build(context.Background(), src, "index.ts")
			if err == nil && (b.Hash != want.Hash || !slices.Equal(b.Files, want.Files)) {
				err = errors.New("a concurrent build differs")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestSDKProgramKeepsTheModuleLines checks that a line of the SDK program is the module's line
// of the same number (less the export keyword), so that stack positions in SDKFile need no
// source map.
func TestSDKProgramKeepsTheModuleLines(t *testing.T) {
	module := strings.Split(sdk.ModuleSource, "\n")
	program := strings.Split(SDKProgram(), "\n")
	if len(program) < len(module) {
		t.Fatalf("the program has %d lines, the module %d", len(program), len(module))
	}
	for i, line := range module {
		got, want := program[i], strings.Replace(line, "export function ", "function ", 1)
		if i == 0 && !strings.HasSuffix(got, want) || i > 0 && got != want {
			t.Fatalf("line %d = %q, want %q", i+1, got, want)
		}
	}
}

// TestUnusedImportsLeftOut checks that a tenant's program reads only the exports it uses, so
// that a runtime never makes the dialog helpers of a tenant that uses none.
func TestUnusedImportsLeftOut(t *testing.T) {
	b := build(t, map[string]string{"index.js": `import { say, menu } from "callscript"; export default () => say("Hi");`})
	if !strings.Contains(b.Code, SDKGlobal+`("say")`) || strings.Contains(b.Code, SDKGlobal+`("menu")`) {
		t.Errorf("the program should read say and not menu:\n%s", b.Code)
	}
}
