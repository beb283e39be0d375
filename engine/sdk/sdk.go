// Package sdk holds the source of "callscript", the JavaScript module that a
// tenant script gets from `import ... from "callscript"` or
// `require("callscript")`.
//
// The module is plain JavaScript, bundled into every tenant's program by
// package bundle. Its builders return plain action objects and check only
// what is plainly wrong at the author's call site (a misspelt option, a text
// that is not a string); the complete callflow rules, and the defaults taken
// from tenant settings, are applied later in Go.
package sdk

import _ "embed"

// ModuleName is the import specifier that resolves to this module.
const ModuleName = "callscript"

// ModuleSource is the ES module source of "callscript".
//
//go:embed callscript.js
var ModuleSource string
