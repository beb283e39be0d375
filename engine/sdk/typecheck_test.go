package sdk_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
)

// TestTypeScriptDeclarations runs typecheck/run.sh: the real TypeScript compiler over the
// tenant `callscript init` writes, over typecheck/good (which must pass) and typecheck/bad
// (whose every file must fail). It needs node and npm, and reaches the npm registry once to
// install the pinned compiler into a cache folder.
func TestTypeScriptDeclarations(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it runs the TypeScript compiler")
	}
	for _, tool := range []string{"bash", "node", "npm", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipped: %s is not installed, and the TypeScript check needs bash, node, npm and go", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("typecheck", "run.sh"))
	out, err := cmd.CombinedOutput()
	t.Logf("typecheck/run.sh:\n%s", out)
	if err != nil {
		if strings.Contains(string(out), `unknown command "init"`) {
			t.Fatal("callscript has no init command: cmd/callscript/main.go needs `case \"init\": err = initTenant(ctx, args, stdout, stderr)`")
		}
		t.Fatalf("typecheck/run.sh failed: %v", err)
	}
	if !strings.Contains(string(out), "typecheck: ok") {
		t.Fatal("typecheck/run.sh did not report success")
	}
}

// TestTypecheckFixtureRuns loads typecheck/good as a tenant: every name it imports from
// "callscript" must exist at run time, not only in the declarations.
func TestTypecheckFixtureRuns(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "typed")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	matches, err := filepath.Glob(filepath.Join("typecheck", "good", "*.ts"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no fixture files: %v", err)
	}
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(m)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e, err := engine.New(context.Background(), engine.Options{ScriptsDir: root})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	info, ok := e.Tenant("typed")
	if !ok {
		t.Fatal("the fixture tenant was not loaded")
	}
	if info.Error != nil {
		t.Fatalf("typecheck/good does not build and load: %v", info.Error)
	}
	// The hooks of the fixture run: keys no dialog asked for are read out.
	body := callAction(t, "typed", "s-typed", "e1", "ACTION_COMPLETED", "-", "7")
	a, err := e.Handle(context.Background(), engine.Request{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if a.Fallback != "" || !strings.Contains(string(a.Body), `"text":"7"`) {
		t.Fatalf("onActionCompleted of typecheck/good answered %s (fallback %q), want it to say 7", a.Body, a.Fallback)
	}
}
