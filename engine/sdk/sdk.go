// Package sdk holds what callscript gives script authors: "callscript", the module that a
// tenant script gets from `import ... from "callscript"` or `require("callscript")`; the
// TypeScript declarations of that module, the handler, its events and ctx; and the template
// of a new tenant folder that `callscript init` writes.
//
// The module's builders are Go functions (builders.go); its dialog helpers are JavaScript
// (ModuleSource), compiled once for all runtimes (bundle.SDKProgram) and made in a runtime
// only when its tenant uses one. Install gives a runtime the module. Builders return plain
// action objects and check only what is plainly wrong at the author's call site (a misspelt
// option, a text that is not a string); the complete callflow rules, and the defaults taken
// from tenant settings, are applied later in Go. The dialog helpers (menu, collectNumber,
// dialogs) keep their state in ctx.session.
package sdk

import (
	"embed"
	"errors"
	"io/fs"
	"regexp"
	"slices"

	"github.com/dop251/goja"
)

// ModuleName is the import specifier that resolves to this module.
const ModuleName = "callscript"

// ModuleSource is the JavaScript half of "callscript", its dialog helpers (the builders are in
// Go: see builders.go). It reads the module's Go part from host(name) (see Install), a
// function that bundle.SDKProgram wraps it in.
//
//go:embed callscript.js
var ModuleSource string

// ModuleExports lists the names "callscript" exports: the builders, then the exports of
// ModuleSource, in the order of its source.
func ModuleExports() []string { return slices.Clone(moduleExports) }

// Global is the global that a runtime's imports of "callscript" read: Install makes it a
// function that returns the export of the name it is given.
const Global = "__callscript_sdk"

// HelperNames lists the exports of ModuleSource (the dialog helpers), in the order of its
// source; and ModuleScript is ModuleSource without its export keywords, to run as the body of a
// function (see bundle.SDKProgram). Its declarations are all `export function name(`. Never
// modified.
var (
	HelperNames  = exportsOf(ModuleSource)
	ModuleScript = exportRE.ReplaceAllString(ModuleSource, "function $1(")
)

var exportRE = regexp.MustCompile(`(?m)^export function (\w+)\(`)

func exportsOf(source string) []string {
	var names []string
	for _, m := range exportRE.FindAllStringSubmatch(source, -1) {
		names = append(names, m[1])
	}
	return names
}

// moduleExports is read once; every tenant build asks for it. Never modified.
var moduleExports = append(slices.Clone(BuilderNames), HelperNames...)

// Install defines Global on rt, before any tenant program runs there, from program, the
// compiled bundle.SDKProgram. The program gets host(name), the module's Go part: the builders,
// and for the dialog helpers "describe" (Describe), "rejectUnknown" (the builders' check of
// option names, with its "did you mean" hint) and "sayAndCaptureOptions" (the builder's
// options, in order); each is made
// the first time it is asked for, and the dialog helpers the first time one is.
// An error is the script's exception, as goja reports it, or says what else went wrong.
func Install(rt *goja.Runtime, program *goja.Program) error {
	v, err := rt.RunProgram(program)
	if err != nil {
		return err
	}
	module, ok := goja.AssertFunction(v)
	if !ok {
		return errors.New("its program is not bundle.SDKProgram")
	}
	b := newBuilders(rt)
	host := rt.ToValue(func(call goja.FunctionCall) goja.Value { return b.get(call.Argument(0).String()) })
	exports, err := module(goja.Undefined(), host)
	if err != nil {
		return err
	}
	return rt.Set(Global, exports)
}

// typesFS holds types/*.d.ts: callscript.d.ts declares "callscript", and any other file
// declares a module of its own (such as the test API).
//
//go:embed types/*.d.ts
var typesFS embed.FS

// templateFS holds the files of a new tenant folder.
//
//go:embed template
var templateFS embed.FS

// Types returns the TypeScript declarations that ship with callscript, as files at the root
// of the returned file system ("callscript.d.ts", ...). A tenant folder keeps them in types/.
func Types() fs.FS { return sub(typesFS, "types") }

// Template returns the files of a new tenant folder, at the root of the returned file system
// ("index.ts", "tsconfig.json", ...). In each file, TemplateTenant stands for the tenant id.
func Template() fs.FS { return sub(templateFS, "template") }

// TemplateTenant is the placeholder for the tenant id in the files of Template.
const TemplateTenant = "__TENANT__"

// sub is fs.Sub for a folder that go:embed guarantees to exist.
func sub(fsys embed.FS, dir string) fs.FS {
	out, err := fs.Sub(fsys, dir)
	if err != nil {
		panic("sdk: embedded folder " + dir + ": " + err.Error()) // cannot happen: the folder is embedded
	}
	return out
}
