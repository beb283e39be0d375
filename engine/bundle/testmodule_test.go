package bundle

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestIsTestFile(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"index.test.ts", true},
		{"index.test.js", true},
		{"lib/menus.test.mjs", true},
		{"a.test.cts", true},
		{"index.ts", false},
		{"test.ts", false},
		{"index.test.json", false},
		{"index.tests.ts", false},
		{"index.test", false},
		{"lib.test/index.ts", false},
	}
	for _, tt := range tests {
		if got := IsTestFile(tt.name); got != tt.want {
			t.Errorf("IsTestFile(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestTestModuleOnlyInTestFiles: "callscript/test" resolves in a bundle built from a test file,
// and a server build (from the entry) refuses it with a message naming test files.
func TestTestModuleOnlyInTestFiles(t *testing.T) {
	src := &Source{Files: map[string][]byte{
		"index.js":      []byte("export default () => [];\n"),
		"helpers.js":    []byte("import { expect } from \"callscript/test\";\nexport const check = expect;\n"),
		"index.test.js": []byte("import { test } from \"callscript/test\";\nimport { check } from \"./helpers.js\";\ntest(\"x\", () => check(1));\n"),
		"server.js":     []byte("import { check } from \"./helpers.js\";\nexport default check;\n"),
	}}
	b, err := Build(context.Background(), src, "index.test.js")
	if err != nil {
		t.Fatalf("building a test file: %v", err)
	}
	if !strings.Contains(b.Code, "__callscript_test_host") {
		t.Error("the test module is not in the test file's bundle")
	}
	_, err = Build(context.Background(), src, "server.js")
	var berr *BuildError
	if !errors.As(err, &berr) {
		t.Fatalf("a server build importing the test module: %v, want a *BuildError", err)
	}
	want := `helpers.js:1:24: cannot import "callscript/test" here: it is only for test files`
	if got := berr.Errors[0].Error(); !strings.HasPrefix(got, want) {
		t.Errorf("error\n  %s\nwant it to start with\n  %s", got, want)
	}
}
