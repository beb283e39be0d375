package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheck(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"good/index.js":      `export default () => [{ action: "hangup" }];`,
		"broken/index.ts":    `import { menu } from "./menus";` + "\nexport default menu;\n",
		"broken/menus.ts":    "export const menu = () => {\n  return [;\n};\n",
		"notes/README.md":    "not a tenant: no entry file",
		"bad name!/index.js": `export default () => 1;`,
	})
	code, stdout, stderr := runCLI("check", "--scripts", root)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	wantErr := filepath.Join(root, "broken", "menus.ts") + ":2:11: "
	if !strings.Contains(stderr, wantErr) {
		t.Errorf("stderr does not name the error as file:line:col (%s):\n%s", wantErr, stderr)
	}
	if !strings.Contains(stdout, "ok   good") || !strings.Contains(stdout, "FAIL broken") || strings.Contains(stdout, "notes") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, "bad name!") {
		t.Errorf("a folder with an invalid tenant name was not warned about:\n%s", stderr)
	}
	if code, _, _ := runCLI("check", "--scripts", root, "good"); code != 0 {
		t.Errorf("checking only the good tenant: exit %d", code)
	}
	if code, _, stderr := runCLI("check", "--scripts", root, "../etc"); code != 2 || !strings.Contains(stderr, "tenant") {
		t.Errorf("a bad tenant argument: exit %d %s", code, stderr)
	}
}

func TestRunEvent(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"acme/index.js": `import { say } from "callscript";
export default (event, ctx) => { console.log("ran", ctx.tenant); return event.payload.destination === "bad" ? 42 : [say("hi " + ctx.tenant)]; };`,
		"ev.json":  `{"eventType":"CALL_ACTION","payload":{"eventId":"e","sessionId":"s","subAccountId":"someone_else","callStatus":"CALL_RECEIVED"}}`,
		"bad.json": `{"eventType":"CALL_ACTION","payload":{"eventId":"e","sessionId":"s","callStatus":"CALL_RECEIVED","destination":"bad"}}`,
	})
	code, stdout, stderr := runCLI("run", "--scripts", root, "acme", filepath.Join(root, "ev.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var answer struct {
		Callflow []struct {
			Params map[string]any `json:"params"`
		} `json:"callflow"`
	}
	if err := json.Unmarshal([]byte(stdout), &answer); err != nil || answer.Callflow[0].Params["text"] != "hi acme" {
		t.Fatalf("stdout %q (%v)", stdout, err)
	}
	if !strings.Contains(stderr, "ran acme") {
		t.Errorf("the script's log line is not on stderr:\n%s", stderr)
	}
	code, stdout, stderr = runCLI("run", "--scripts", root, "acme", filepath.Join(root, "bad.json"))
	if code != 1 || !strings.Contains(stderr, "invalid-callflow") || !strings.Contains(stdout, "callflow") {
		t.Errorf("an invalid answer: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, _ := runCLI("run", "--scripts", root, "acme"); code != 2 {
		t.Errorf("missing event argument: exit %d, want 2", code)
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	t.Setenv("CALLSCRIPT_SCRIPTS", t.TempDir()+"/missing")
	code, _, stderr := runCLI("check")
	if code != 1 || !strings.Contains(stderr, "missing") {
		t.Errorf("CALLSCRIPT_SCRIPTS was not used: exit %d %s", code, stderr)
	}
	t.Setenv("CALLSCRIPT_MAX_BODY", "12 parsecs")
	code, _, stderr = runCLI("serve")
	if code != 2 || !strings.Contains(stderr, "CALLSCRIPT_MAX_BODY") {
		t.Errorf("a bad environment value: exit %d %s", code, stderr)
	}
}

func TestSizes(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1MiB", 1 << 20, true}, {"512KiB", 512 << 10, true}, {"2GiB", 2 << 30, true}, {"1048576", 1 << 20, true},
		{"1MB", 0, false}, {"-1", 0, false}, {"0", 0, false}, {"", 0, false}, {"99999999999GiB", 0, false},
	}
	for _, tc := range cases {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v", tc.in, got, err)
		}
	}
	if s := formatSize(1 << 20); s != "1MiB" {
		t.Errorf("formatSize = %q", s)
	}
}

// TestBundledScripts: the tenants `callscript serve` runs by default build, and pass their own
// tests in the engine.
func TestBundledScripts(t *testing.T) {
	if code, stdout, stderr := runCLI("check", "--scripts", "../../scripts"); code != 0 {
		t.Fatalf("check: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := runCLI("test", "--scripts", "../../scripts")
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(stdout), " 0 failed") || strings.HasPrefix(strings.TrimSpace(stdout), "0 passed") {
		t.Fatalf("test: exit %d\n%s%s", code, stdout, stderr)
	}
}
