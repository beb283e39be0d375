package vm

import (
	"context"
	"testing"

	"github.com/callscript/callscript/engine/bundle"
)

// idleProgram loads a trivial program that shares budget.
func idleProgram(t *testing.T, budget *IdleRuntimes) *Program {
	t.Helper()
	prog, err := Compile(bundle.ProgramName, "var "+bundle.ExportsGlobal+" = { default() {} };")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), Config{Tenant: "t", Version: "v", Program: prog, Idle: budget, MaxIdle: 2})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newIdleRuntime(t *testing.T, p *Program) *runtime {
	t.Helper()
	rt, err := p.newRuntime(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func TestIdleRuntimesKeepsTheRecentlyUsed(t *testing.T) {
	budget := NewIdleRuntimes(2)
	a, b, c := idleProgram(t, budget), idleProgram(t, budget), idleProgram(t, budget)
	ra := newIdleRuntime(t, a)
	a.put(ra)
	b.put(newIdleRuntime(t, b))
	if got := a.get(); got != ra { // a is used again: b is now the least recently used
		t.Fatalf("a's idle runtime was not handed back")
	}
	a.put(ra)
	c.put(newIdleRuntime(t, c)) // over the bound: b gives its runtime up
	if budget.Count() != 2 {
		t.Errorf("%d idle runtimes kept, want 2", budget.Count())
	}
	if b.get() != nil {
		t.Error("the least recently used program kept its runtime past the bound")
	}
	if a.get() == nil || c.get() == nil {
		t.Error("a recently used program lost its runtime")
	}
	if budget.Count() != 0 {
		t.Errorf("%d idle runtimes counted after all were taken", budget.Count())
	}
}

func TestIdleRuntimesPerProgramBoundAndRetire(t *testing.T) {
	budget := NewIdleRuntimes(10)
	p := idleProgram(t, budget)
	for range 3 {
		p.put(newIdleRuntime(t, p))
	}
	if budget.Count() != 2 {
		t.Errorf("%d idle runtimes kept for one program, want its MaxIdle, 2", budget.Count())
	}
	p.Retire()
	if budget.Count() != 0 || p.get() != nil {
		t.Errorf("a retired program kept idle runtimes (%d counted)", budget.Count())
	}
	p.put(newIdleRuntime(t, p)) // a call that was running when it retired returns its runtime
	if budget.Count() != 1 {
		t.Errorf("%d idle runtimes counted, want 1", budget.Count())
	}
}
