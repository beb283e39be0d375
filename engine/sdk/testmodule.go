package sdk

import _ "embed"

// TestModuleName is the import specifier of the module that test files
// (*.test.ts, *.test.js) get their test API and call simulator from. Only a
// test file's bundle can import it: the server's programs cannot.
const TestModuleName = "callscript/test"

// TestModuleSource is the ES module source of "callscript/test". It talks to
// the test runner through a host object the runner installs before the
// bundle runs (see package scripttest).
//
//go:embed test.js
var TestModuleSource string
