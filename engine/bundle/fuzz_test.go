package bundle

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// FuzzResolve checks that no specifier resolves to anything but a loadable
// file of the tenant folder.
func FuzzResolve(f *testing.F) {
	src := sourceOf(map[string]string{
		"index.ts": "", "menus.ts": "", "lib/index.js": "", "lib/a.mjs": "", "data.json": "", "README.md": "",
	})
	for _, seed := range [][2]string{
		{"index.ts", "./menus"}, {"index.ts", "./menus.js"}, {"lib/a.mjs", ".."}, {"lib/a.mjs", "../../x"},
		{"index.ts", "/etc/passwd"}, {"index.ts", "fs"}, {"index.ts", "./lib/./../data"}, {"index.ts", "./README.md"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, importer, specifier string) {
		name, problem := src.resolve(importer, specifier)
		if (name == "") == (problem == "") {
			t.Fatalf("resolve(%q, %q) = %q, %q: want exactly one of a file and a problem", importer, specifier, name, problem)
		}
		if name == "" {
			return
		}
		if _, ok := src.Files[name]; !ok || !isSourceFile(name) {
			t.Fatalf("resolve(%q, %q) = %q, not a loadable file of the folder", importer, specifier, name)
		}
		if !strings.HasPrefix(specifier, "./") && !strings.HasPrefix(specifier, "../") && specifier != "." && specifier != ".." {
			t.Fatalf("resolve(%q, %q) = %q: a specifier that is not relative resolved", importer, specifier, name)
		}
	})
}

// FuzzShiftMappings checks that shiftMappings moves every column by one and
// changes nothing else.
func FuzzShiftMappings(f *testing.F) {
	for _, seed := range []string{
		"", ";;AAAA", "AAAA,CAAC;AACA", ";;;;;;;;;;;;;;;;;;;;;AAAA;AAAA;AAAA;AAAA;;;ACCO,WAAS,KAAK,GAAgB;AACnC",
		"A", "AAAAA,CAACA", "+/+/", "gggggggA", "AAAA;;E",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, mappings string) {
		before, err := decodeMappings(mappings)
		shifted, shiftErr := shiftMappings(mappings)
		if (err == nil) != (shiftErr == nil) {
			t.Fatalf("decode error %v, shift error %v: want both or neither", err, shiftErr)
		}
		if err != nil {
			return
		}
		after, err := decodeMappings(shifted)
		if err != nil {
			t.Fatalf("shifted mappings %q do not decode: %v", shifted, err)
		}
		if len(after) != len(before) {
			t.Fatalf("%d lines became %d", len(before), len(after))
		}
		sourceShifted := false
		for i := range before {
			if len(after[i]) != len(before[i]) {
				t.Fatalf("line %d: %d segments became %d", i, len(before[i]), len(after[i]))
			}
			for j := range before[i] {
				want := slices.Clone(before[i][j])
				if j == 0 && len(want) > 0 {
					want[0]++
				}
				if !sourceShifted && len(want) >= 4 {
					want[3]++
					sourceShifted = true
				}
				if !slices.Equal(after[i][j], want) {
					t.Fatalf("line %d segment %d: %v became %v, want %v", i, j, before[i][j], after[i][j], want)
				}
			}
		}
	})
}

// decodeMappings decodes every segment of a source map's mappings.
func decodeMappings(mappings string) ([][][]int, error) {
	var lines [][][]int
	for _, line := range strings.Split(mappings, ";") {
		var segments [][]int
		for _, segment := range strings.Split(line, ",") {
			fields, err := decodeSegment(segment)
			if err != nil {
				return nil, err
			}
			segments = append(segments, fields)
		}
		lines = append(lines, segments)
	}
	return lines, nil
}

// FuzzBuild checks that whatever two tenant files hold, Build either
// reports the problem as a *BuildError in those files or produces a program
// that goja compiles (or, for a regular expression goja refuses, whose
// SyntaxError names the author's file).
func FuzzBuild(f *testing.F) {
	for _, seed := range [][2]string{
		{`import { menu } from "./menus"; export default () => menu();`, `export const menu = () => 1;`},
		{`module.exports = require("./menus.js");`, `module.exports = { onCallReceived() {} };`},
		{`import { say } from "callscript"; export default async () => [say("hi")];`, ``},
		{`export default class { #x = 1n; static { } get x() { return this.#x ?? 0n; } }`, ``},
		{`async function* g() { yield 1 } export default async () => { for await (const x of g()) {} }`, ``},
		{`import x from "fs";`, `export let = ;`},
		{`export default () => /(?<a>x)/su.exec("x")?.groups.a;`, `export default 1`},
		{`import("./menus").then(m => m)`, `throw new Error("x")`},
		{`export * from "./menus"; export { f as "on-x", f as default }; function f() {}`, `exports.onCallReceived = () => 1;`},
		{`export let __proto__ = 1; export var $a, _b; export { $a as default };`, `export {};`},
		{`await 1; export default () => import.meta;`, ``},
		{`module.exports = function () { var yield = 1; return yield; };`, ``},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, index, menus string) {
		src := sourceOf(map[string]string{"index.js": index, "menus.ts": menus})
		b, err := Build(context.Background(), src, "index.js")
		if err != nil {
			var buildErr *BuildError
			if !errors.As(err, &buildErr) || len(buildErr.Errors) == 0 {
				t.Fatalf("Build error %v (%T), want a *BuildError", err, err)
			}
			for _, e := range buildErr.Errors {
				if _, ok := src.Files[e.File]; !ok && e.File != "" && e.File != SDKFile {
					t.Fatalf("error %q names a file that is not the tenant's", e.Error())
				}
				if e.File != "" && (e.Line < 1 || e.Column < 1) {
					t.Fatalf("error %q has no 1-based position", e.Error())
				}
			}
			return
		}
		if _, err := goja.Compile(ProgramName, b.Code, false); err != nil {
			// esbuild does not check the pattern of a regular expression literal; goja does,
			// and its SyntaxError must then name the author's file.
			var syntax *goja.CompilerSyntaxError
			if !errors.As(err, &syntax) || !strings.Contains(err.Error(), "index.js:") && !strings.Contains(err.Error(), "menus.ts:") {
				t.Fatalf("goja cannot compile the bundle of %q, %q: %v", index, menus, err)
			}
		}
	})
}
