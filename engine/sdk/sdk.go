// Package sdk holds what callscript gives script authors: the source of "callscript", the
// JavaScript module that a tenant script gets from `import ... from "callscript"` or
// `require("callscript")`; the TypeScript declarations of that module, the handler, its
// events and ctx; and the template of a new tenant folder that `callscript init` writes.
//
// The module is plain JavaScript, bundled into every tenant's program by package bundle. Its
// builders return plain action objects and check only what is plainly wrong at the author's
// call site (a misspelt option, a text that is not a string); the complete callflow rules,
// and the defaults taken from tenant settings, are applied later in Go. Its dialog helpers
// (menu, collectNumber, dialogs) keep their state in ctx.session.
package sdk

import (
	"embed"
	"io/fs"
	"regexp"
	"slices"
)

// ModuleName is the import specifier that resolves to this module.
const ModuleName = "callscript"

// ModuleSource is the ES module source of "callscript".
//
//go:embed callscript.js
var ModuleSource string

// ModuleExports lists the names "callscript" exports, in the order of its source.
func ModuleExports() []string { return slices.Clone(moduleExports) }

// DialogsStart is the line of ModuleSource above the dialog helpers; everything before it is
// the builders. The SDK program makes the helpers only when a tenant uses one.
const DialogsStart = "// ---------------------------------------------------------------------------\n"

// ExportsOf lists the names that part of ModuleSource exports, in the order of its source:
// the module's declarations are all `export function name(`.
func ExportsOf(part string) []string {
	var names []string
	for _, m := range exportRE.FindAllStringSubmatch(part, -1) {
		names = append(names, m[1])
	}
	return names
}

var exportRE = regexp.MustCompile(`(?m)^export function (\w+)\(`)

// moduleExports is read once from the module's export declarations; every tenant build asks
// for it. Never modified.
var moduleExports = ExportsOf(ModuleSource)

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
