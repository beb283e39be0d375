package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// runTestCommand runs `callscript test` with args and returns its outputs and exit status.
func runTestCommand(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := testTenants(context.Background(), args, &out, &errOut)
	var exit exitError
	var usage usageError
	switch {
	case err == nil:
		status = 0
	case errors.As(err, &exit):
		status = int(exit)
	case errors.As(err, &usage):
		status = 2
		errOut.WriteString(err.Error())
	default:
		t.Fatalf("callscript test %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), status
}

// lastLine is the last line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

func writeTenantFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTestCommandRunsTheExamples(t *testing.T) {
	stdout, stderr, status := runTestCommand(t, "--scripts", filepath.Join("..", "..", "examples"))
	if status != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	for _, tenant := range []string{"ivr_demo", "masking_demo", "summary_demo"} {
		if !regexp.MustCompile(`(?m)^ok   ` + tenant + `  \d+ passed`).MatchString(stdout) {
			t.Errorf("no ok line for %s:\n%s", tenant, stdout)
		}
	}
	m := regexp.MustCompile(`^(\d+) passed, 0 failed$`).FindStringSubmatch(lastLine(stdout))
	if m == nil {
		t.Fatalf("the last line is %q, want \"N passed, 0 failed\"", lastLine(stdout))
	}
	if n, _ := strconv.Atoi(m[1]); n < 20 {
		t.Errorf("only %d tests ran in the examples", n)
	}
	if strings.Contains(stdout, "embed") {
		t.Errorf("the Go example, which has no entry file, was not skipped:\n%s", stdout)
	}
}

func TestTestCommandReportsFailures(t *testing.T) {
	root := t.TempDir()
	writeTenantFiles(t, filepath.Join(root, "acme"), map[string]string{
		"index.js": `import { say, hangup } from "callscript";
export default { onCallReceived: () => [say("Hello"), hangup()] };
`,
		"index.test.js": `import { test, expect, simulateCall } from "callscript/test";

test("greets", async () => {
  const answer = await simulateCall().start();
  expect(answer.spoken).toEqual(["Hello"]);
});

test("says goodbye", async () => {
  const answer = await simulateCall().start();
  expect(answer.spoken[0]).toBe("Goodbye");
});
`,
		"broken.test.js": "import { test } from \"callscript/test\";\nconst a = ;\n",
	})
	writeTenantFiles(t, filepath.Join(root, "other"), map[string]string{
		"index.js": `export default () => [{ action: "hangup" }];`,
	})

	stdout, stderr, status := runTestCommand(t, "--scripts", root)
	if status != 1 {
		t.Fatalf("exit status %d, want 1\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	want := "FAIL " + filepath.Join(root, "acme", "index.test.js") + `:10:28 says goodbye: expected "Hello" to be "Goodbye"`
	if !strings.Contains(stdout, want+"\n") {
		t.Errorf("stdout does not name the failing test as\n  %s\n%s", want, stdout)
	}
	if want := filepath.Join(root, "acme", "broken.test.js") + `:2:11: Unexpected ";"`; !strings.Contains(stderr, want) {
		t.Errorf("stderr does not give the compile error as %s:\n%s", want, stderr)
	}
	if !strings.Contains(stdout, "?    other [no test files]") {
		t.Errorf("a tenant without tests is not listed:\n%s", stdout)
	}
	if got := lastLine(stdout); got != "1 passed, 2 failed" {
		t.Errorf("the last line is %q, want \"1 passed, 2 failed\"", got)
	}

	// Only the tests named by --run, of the tenant named.
	stdout, _, status = runTestCommand(t, "--scripts", root, "--run", "^greets$", "-v", "acme")
	if !strings.Contains(stdout, "PASS "+filepath.Join(root, "acme", "index.test.js")+":3:1 greets") {
		t.Errorf("-v does not list the passing test:\n%s", stdout)
	}
	if got := lastLine(stdout); got != "1 passed, 1 failed" || status != 1 {
		t.Errorf("with --run: last line %q, status %d; want the test and the broken file", got, status)
	}
}

func TestTestCommandUsage(t *testing.T) {
	root := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--scripts", root, "../etc"}, "tenant"},
		{[]string{"--scripts", root, "missing"}, "no folder"},
		{[]string{"--scripts", root, "--run", "("}, "--run"},
	}
	for _, c := range cases {
		_, stderr, status := runTestCommand(t, c.args...)
		if status != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("callscript test %s: status %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), status, stderr, c.want)
		}
	}
}
