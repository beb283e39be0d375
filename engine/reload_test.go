package engine_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
)

func mustVersion(t testing.TB, e *engine.Engine, id string) string {
	t.Helper()
	info, ok := e.Tenant(id)
	if !ok || info.Version == "" {
		t.Fatalf("tenant %s has no version: %+v", id, info)
	}
	return info.Version
}

// waitFor polls cond until it holds or 10 s pass (CI machines are slow and shared).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitVersionChange(t testing.TB, e *engine.Engine, id, old string) string {
	t.Helper()
	var v string
	waitFor(t, "a new version of "+id, func() bool {
		info, _ := e.Tenant(id)
		v = info.Version
		return v != "" && v != old
	})
	return v
}

func say(text string) string {
	return `export default () => [{ action: "say", params: { text: "` + text + `" } }];`
}

func TestReload(t *testing.T) {
	for _, mode := range []struct {
		name string
		poll time.Duration
	}{{"inotify", 0}, {"poll", 20 * time.Millisecond}} {
		t.Run(mode.name, func(t *testing.T) {
			root := t.TempDir()
			writeTenant(t, root, "acme", map[string]string{"index.js": say("one")})
			e, _ := newEngine(t, root, engine.Options{Watch: true, Poll: mode.poll})
			answer := func(tenant string) string {
				a := handle(t, e, callAction(map[string]any{"subAccountId": tenant}))
				return sayText(t, a.Body)
			}
			v1 := mustVersion(t, e, "acme")

			// An edit in place: the new version answers.
			writeTenant(t, root, "acme", map[string]string{"index.js": say("two")})
			v2 := waitVersionChange(t, e, "acme", v1)
			if got := answer("acme"); got != "two" {
				t.Fatalf("after an edit: %q", got)
			}

			// A broken edit: the old version keeps answering and the error is reported.
			writeTenant(t, root, "acme", map[string]string{"index.js": "export default () => [;"})
			waitFor(t, "the build error", func() bool { info, _ := e.Tenant("acme"); return info.Error != nil })
			if info, _ := e.Tenant("acme"); info.Version != v2 || info.Error.Problems[0].File != "index.js" || info.Error.Problems[0].Line != 1 {
				t.Fatalf("after a broken edit: %+v", info)
			}
			if got := answer("acme"); got != "two" {
				t.Fatalf("a broken edit stopped the old version: %q", got)
			}

			// An editor's save: write a temporary file, rename it over the original.
			tmp := filepath.Join(root, "acme", ".index.js.swp")
			if err := os.WriteFile(tmp, []byte(say("three")), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(root, "acme", "index.js")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the rename-save", func() bool { info, _ := e.Tenant("acme"); return info.Version != v2 && info.Error == nil })
			if got := answer("acme"); got != "three" {
				t.Fatalf("after a rename-save: %q", got)
			}

			// A new tenant folder appears.
			writeTenant(t, root, "newco", map[string]string{"lib/menu.js": `export const text = "new";`,
				"index.js": `import { text } from "./lib/menu.js"; export default () => [{ action: "say", params: { text } }];`})
			waitFor(t, "the new tenant", func() bool { info, _ := e.Tenant("newco"); return info.Version != "" })
			if got := answer("newco"); got != "new" {
				t.Fatalf("new tenant: %q", got)
			}
			// A file in its sub-folder changes.
			v := mustVersion(t, e, "newco")
			writeTenant(t, root, "newco", map[string]string{"lib/menu.js": `export const text = "newer";`})
			waitVersionChange(t, e, "newco", v)
			if got := answer("newco"); got != "newer" {
				t.Fatalf("after a nested edit: %q", got)
			}

			// The folder is deleted: the tenant is gone.
			if err := os.RemoveAll(filepath.Join(root, "newco")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the unload", func() bool { _, ok := e.Tenant("newco"); return !ok })
			if _, err := e.Handle(t.Context(), engine.Request{Body: callAction(map[string]any{"subAccountId": "newco"})}); err == nil {
				t.Fatal("a deleted tenant still answers")
			}
		})
	}
}

// TestConfigMapSwap follows how Kubernetes updates a mounted ConfigMap: the files live in a
// timestamped folder, ..data points at it, the tenant folder points into ..data, and an
// update swaps ..data to a new timestamped folder in one rename.
func TestConfigMapSwap(t *testing.T) {
	root := t.TempDir()
	writeTenant(t, root, "..2026_11_27_01", map[string]string{"acme/index.js": say("v1")})
	must(t, os.Symlink("..2026_11_27_01", filepath.Join(root, "..data")))
	must(t, os.Symlink("..data/acme", filepath.Join(root, "acme")))
	e, _ := newEngine(t, root, engine.Options{Watch: true})
	v1 := mustVersion(t, e, "acme")

	for i, text := range []string{"v2", "v3"} {
		stamp := "..2026_11_27_0" + string(rune('2'+i))
		writeTenant(t, root, stamp, map[string]string{"acme/index.js": say(text)})
		must(t, os.Symlink(stamp, filepath.Join(root, "..data_tmp")))
		must(t, os.Rename(filepath.Join(root, "..data_tmp"), filepath.Join(root, "..data")))
		old := "..2026_11_27_0" + string(rune('1'+i))
		must(t, os.RemoveAll(filepath.Join(root, old)))
		v1 = waitVersionChange(t, e, "acme", v1)
		a := handle(t, e, callAction(nil))
		if got := sayText(t, a.Body); got != text {
			t.Fatalf("after swap %d: %q, want %q", i+1, got, text)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
