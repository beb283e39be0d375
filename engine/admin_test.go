package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/callscript/callscript/engine"
)

func TestWriteFile(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": `import { text } from "./lib/text.js"; export default () => [{ action: "say", params: { text } }];`,
		"lib/text.js": `export const text = "one";`})
	e, _ := newEngine(t, root, engine.Options{Watch: true})
	ctx := context.Background()

	// A file that builds is written and serves at once.
	info, err := e.WriteFile(ctx, "acme", "lib/text.js", []byte(`export const text = "two";`))
	if err != nil {
		t.Fatal(err)
	}
	if got := sayText(t, handle(t, e, callAction(nil)).Body); got != "two" || info.Version == "" {
		t.Fatalf("after upload: %q %+v", got, info)
	}
	// A file that does not build is refused with its error, and the old file stays.
	_, err = e.WriteFile(ctx, "acme", "lib/text.js", []byte("export const text = ;"))
	var berr *engine.BuildError
	if !errors.As(err, &berr) || berr.Problems[0].File != "lib/text.js" || berr.Problems[0].Line != 1 {
		t.Fatalf("a broken upload: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "acme", "lib", "text.js")); string(data) != `export const text = "two";` {
		t.Fatalf("the refused upload changed the file: %s", data)
	}
	if got := sayText(t, handle(t, e, callAction(nil)).Body); got != "two" {
		t.Fatalf("after a refused upload: %q", got)
	}
	// A new tenant can be created by uploading its entry.
	if _, err := e.WriteFile(ctx, "newco", "index.ts", []byte(`export default (): unknown => [{ action: "hangup" }];`)); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Tenant("newco"); !ok {
		t.Fatal("the uploaded tenant is not loaded")
	}
	// Paths stay inside the tenant folder.
	for _, bad := range []string{"../other/index.js", "/etc/passwd.js", "lib/../../x.js", ".hidden.js", "a\x00.js", `lib\x.js`, "run.sh", "", "lib//x.js", "%2e%2e/x.js.exe"} {
		if _, err := e.WriteFile(ctx, "acme", bad, []byte("x")); !errors.Is(err, engine.ErrBadPath) {
			t.Errorf("path %q: %v, want ErrBadPath", bad, err)
		}
	}
	if _, err := e.WriteFile(ctx, "../acme", "index.js", []byte("x")); err == nil {
		t.Error("a bad tenant id was accepted")
	}
	// A symlink inside the folder cannot lead a write outside it.
	outside := t.TempDir()
	must(t, os.Symlink(outside, filepath.Join(root, "acme", "escape")))
	if _, err := e.WriteFile(ctx, "acme", "escape/x.js", []byte(`export const y = 1;`)); err == nil {
		t.Error("a write through a symlink out of the folder succeeded")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files appeared outside the tenant folder: %v", entries)
	}
}

func TestDryRunHasNoSideEffects(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": counterTenant})
	e, _ := newEngine(t, root, engine.Options{})
	body := callAction(map[string]any{"sessionId": "real-call", "eventId": "same"})
	for range 2 {
		a, err := e.Handle(context.Background(), engine.Request{Body: body, DryRun: true})
		if err != nil || a.Replayed || sayText(t, a.Body) != "1 same" {
			t.Fatalf("dry run: %v replayed=%v %s", err, a.Replayed, a.Body)
		}
	}
	// The real delivery of the same event still runs, on an untouched session.
	if a := handle(t, e, body); a.Replayed || sayText(t, a.Body) != "1 same" {
		t.Fatalf("real delivery after dry runs: replayed=%v %s", a.Replayed, a.Body)
	}
}

func TestDryRunReturnsLogsAndTenantLogsAreKept(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": `export default (event, ctx) => { console.log("hello from", ctx.tenant); throw new Error("boom"); };`})
	e, _ := newEngine(t, root, engine.Options{})
	a, err := e.Handle(context.Background(), engine.Request{Body: callAction(nil), DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, l := range a.Logs {
		msgs = append(msgs, l.Message)
	}
	joined := strings.Join(msgs, "|")
	if !strings.Contains(joined, "hello from acme") || !strings.Contains(joined, "boom") || a.Fallback != engine.FallbackScriptError {
		t.Fatalf("dry-run logs %q, fallback %q", joined, a.Fallback)
	}
	recent := e.Logs("acme", 10)
	if len(recent) < 2 || !strings.Contains(recent[0].Message, "boom") {
		t.Fatalf("tenant logs newest first: %+v", recent)
	}
	if len(e.Logs("acme", 1)) != 1 {
		t.Error("limit not applied")
	}
}

// TestVersionMetricFollowsReloads: callscript_tenant_version_info holds one series per tenant,
// its serving version, across new versions.
func TestVersionMetricFollowsReloads(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "acme", map[string]string{"index.js": say("one")})
	writeTenant(t, root, "other", map[string]string{"index.js": say("other")})
	registry := prometheus.NewRegistry()
	e, _ := newEngine(t, root, engine.Options{Registerer: registry})
	ctx := context.Background()
	var last string
	for _, text := range []string{"two", "three"} {
		info, err := e.WriteFile(ctx, "acme", "index.js", []byte(say(text)))
		if err != nil {
			t.Fatal(err)
		}
		last = info.Version
	}
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string][]string{}
	for _, f := range families {
		if f.GetName() != "callscript_tenant_version_info" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			versions[labels["tenant"]] = append(versions[labels["tenant"]], labels["version"])
		}
	}
	if got := versions["acme"]; len(got) != 1 || got[0] != last {
		t.Errorf("acme's version series: %v, want only %s", got, last)
	}
	if got := versions["other"]; len(got) != 1 {
		t.Errorf("other's version series: %v, want one", got)
	}
}
