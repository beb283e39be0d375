package vm

import (
	"context"
	"os"
	"testing"

	"github.com/callscript/callscript/engine/bundle"
)

// BenchmarkNewRuntime is the cost of a tenant's first call after its warm runtime was given
// up: a runtime, the SDK and the tenant's module code.
func BenchmarkNewRuntime(b *testing.B) {
	ctx := context.Background()
	code, err := os.ReadFile("../testdata/bench/ivr/index.js")
	if err != nil {
		b.Fatal(err)
	}
	tb, err := bundle.Build(ctx, &bundle.Source{Files: map[string][]byte{"index.js": code}}, "index.js")
	if err != nil {
		b.Fatal(err)
	}
	prog, _ := Compile(bundle.ProgramName, tb.Code)
	sdk, _ := Compile(bundle.SDKFile, bundle.SDKProgram())
	p, err := Load(ctx, Config{Tenant: "t", Version: "v", Program: prog, SDK: sdk})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.newRuntime(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
