package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// waitTimeout is how long a test waits for a report: generous, for a loaded
// 2-core CI machine under -race. Tests never wait for something NOT to happen.
const waitTimeout = 5 * time.Second

// modes are the two ways of watching; every behaviour is tested in both.
var modes = []struct {
	name string
	opts Options
}{
	{"inotify", Options{}},
	{"poll", Options{Poll: 20 * time.Millisecond}},
}

type report struct {
	Change
	at time.Time
}

// recorder collects the reports of a running watcher.
type recorder struct {
	mu      sync.Mutex
	reports []report
	signal  chan struct{}
	w       *Watcher
	logs    *logSink
}

func (r *recorder) onChange(c Change) {
	r.mu.Lock()
	r.reports = append(r.reports, report{c, time.Now()})
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

func (r *recorder) since(t time.Time) []report {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []report
	for _, rep := range r.reports {
		if !rep.at.Before(t) {
			out = append(out, rep)
		}
	}
	return out
}

// waitFor waits until the reports received since t name every tenant of want
// (in one report or several), or, if allowAll, until one of them has All.
func (r *recorder) waitFor(t *testing.T, since time.Time, want []string, allowAll bool) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		got := map[string]bool{}
		sawAll := false
		for _, rep := range r.since(since) {
			sawAll = sawAll || rep.All
			for _, name := range rep.Tenants {
				got[name] = true
			}
		}
		if allowAll && sawAll {
			return
		}
		missing := false
		for _, name := range want {
			missing = missing || !got[name]
		}
		if !missing {
			return
		}
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("no report of %v (all allowed: %v) within %v; reports since: %+v", want, allowAll, waitTimeout, r.since(since))
		}
	}
}

// waitForAll waits for a report with All set.
func (r *recorder) waitForAll(t *testing.T, since time.Time) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		for _, rep := range r.since(since) {
			if rep.All {
				if len(rep.Tenants) != 0 {
					t.Errorf("report with All also names tenants %v", rep.Tenants)
				}
				return
			}
		}
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("no report with All within %v; reports since: %+v", waitTimeout, r.since(since))
		}
	}
}

// checkReports checks what holds for every report, whatever the timing:
// tenants sorted and unique, and no two reports within one debounce window.
func (r *recorder) checkReports(t *testing.T, debounce time.Duration) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, rep := range r.reports {
		if !slices.IsSorted(rep.Tenants) || len(slices.Compact(slices.Clone(rep.Tenants))) != len(rep.Tenants) {
			t.Errorf("report %d: tenants %q are not sorted and unique", i, rep.Tenants)
		}
		if i > 0 {
			if gap := rep.at.Sub(r.reports[i-1].at); gap < debounce {
				t.Errorf("reports %d and %d came %v apart, within one debounce window (%v): %+v, %+v",
					i-1, i, gap, debounce, r.reports[i-1].Change, rep.Change)
			}
		}
	}
}

// start creates a watcher of root and runs it until the test ends, checking
// then that Run returns promptly with context.Canceled.
func start(t *testing.T, root string, opts Options) *recorder {
	t.Helper()
	r := &recorder{signal: make(chan struct{}, 1), logs: newLogSink()}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	w, err := New(root, opts)
	if err != nil {
		t.Fatalf("New(%s): %v", root, err)
	}
	r.w = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, r.onChange) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("Run did not return within %v of its context being cancelled", waitTimeout)
		}
		debounce := opts.Debounce
		if debounce <= 0 {
			debounce = defaultDebounce
		}
		r.checkReports(t, debounce)
		if t.Failed() || os.Getenv("WATCH_DEBUG") != "" {
			t.Logf("reports: %+v", r.reports)
			t.Logf("watcher log:\n%s", r.logs.String())
		}
	})
	return r
}

// logSink is a log destination a test can wait on.
type logSink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	signal chan struct{}
}

func newLogSink() *logSink { return &logSink{signal: make(chan struct{}, 1)} }

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.signal <- struct{}{}:
	default:
	}
	return l.buf.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logSink) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for !strings.Contains(l.String(), text) {
		select {
		case <-l.signal:
		case <-deadline:
			t.Fatalf("the log never said %q within %v; it says:\n%s", text, waitTimeout, l.String())
		}
	}
}

// File helpers: each fails the test on error.

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// swapLink points link at target atomically, as `ln -sfn` and kubelet do:
// a new link under a temporary name renamed over the old one.
func swapLink(t *testing.T, target, link string) {
	t.Helper()
	tmp := link + ".tmp"
	symlink(t, target, tmp)
	rename(t, tmp, link)
}

// step is one action on the folder and the tenants it must be reported for.
type step struct {
	name     string
	do       func(t *testing.T, root, outside string)
	want     []string
	allowAll bool // a report with All is an acceptable answer too
}

// configMapUpdate does what kubelet does to a ConfigMap volume: a new
// timestamped folder, a ..data_tmp link to it renamed over ..data, and the
// old folder removed.
func configMapUpdate(t *testing.T, root, version string, files map[string]string) {
	t.Helper()
	old, err := os.Readlink(filepath.Join(root, "..data"))
	if err != nil {
		t.Fatal(err)
	}
	dir := "..2026_11_27_" + version
	for rel, content := range files {
		write(t, filepath.Join(root, dir, rel), content)
	}
	swapLink(t, dir, filepath.Join(root, "..data"))
	remove(t, filepath.Join(root, old))
}

func configMapLayout(t *testing.T, root string) {
	write(t, filepath.Join(root, "..2026_11_27_v1", "acme", "index.js"), "export default () => 1")
	write(t, filepath.Join(root, "..2026_11_27_v1", "zeta", "index.js"), "export default () => 1")
	symlink(t, "..2026_11_27_v1", filepath.Join(root, "..data"))
	symlink(t, filepath.Join("..data", "acme"), filepath.Join(root, "acme"))
	symlink(t, filepath.Join("..data", "zeta"), filepath.Join(root, "zeta"))
}

func TestReportsChanges(t *testing.T) {
	acme := func(t *testing.T, root, outside string) {
		write(t, filepath.Join(root, "acme", "index.js"), "export default () => 1")
		write(t, filepath.Join(root, "acme", "lib", "x.js"), "export const x = 1")
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, root, outside string)
		steps []step
	}{
		{
			name:  "file edited in place",
			setup: acme,
			steps: []step{{do: func(t *testing.T, root, _ string) {
				write(t, filepath.Join(root, "acme", "index.js"), "export default () => 22")
			}, want: []string{"acme"}}},
		},
		{
			name:  "file in a nested folder",
			setup: acme,
			steps: []step{{do: func(t *testing.T, root, _ string) {
				write(t, filepath.Join(root, "acme", "lib", "x.js"), "export const x = 22")
			}, want: []string{"acme"}}},
		},
		{
			name:  "new sub-folders and the files in them",
			setup: acme,
			steps: []step{
				{name: "mkdir then file", do: func(t *testing.T, root, _ string) {
					mkdir(t, filepath.Join(root, "acme", "lib2"))
					write(t, filepath.Join(root, "acme", "lib2", "y.js"), "export const y = 1")
				}, want: []string{"acme"}},
				{name: "edit in the new folder", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "acme", "lib2", "y.js"), "export const y = 22")
				}, want: []string{"acme"}},
				{name: "mkdir -p and a file at the bottom", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "acme", "a", "b", "c", "z.js"), "export const z = 1")
				}, want: []string{"acme"}},
				{name: "edit at the bottom", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "acme", "a", "b", "c", "z.js"), "export const z = 22")
				}, want: []string{"acme"}},
				{name: "folder renamed within the tenant", do: func(t *testing.T, root, _ string) {
					rename(t, filepath.Join(root, "acme", "a"), filepath.Join(root, "acme", "moved"))
				}, want: []string{"acme"}},
				{name: "edit in the renamed folder", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "acme", "moved", "b", "c", "z.js"), "export const z = 333")
				}, want: []string{"acme"}},
			},
		},
		{
			name:  "file removed",
			setup: acme,
			steps: []step{{do: func(t *testing.T, root, _ string) {
				remove(t, filepath.Join(root, "acme", "lib", "x.js"))
			}, want: []string{"acme"}}},
		},
		{
			name:  "new tenant folder, mkdir then files",
			setup: acme,
			steps: []step{
				{do: func(t *testing.T, root, _ string) {
					mkdir(t, filepath.Join(root, "beta"))
					write(t, filepath.Join(root, "beta", "index.js"), "export default () => 1")
				}, want: []string{"beta"}},
				{name: "then edited", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "beta", "index.js"), "export default () => 22")
				}, want: []string{"beta"}},
			},
		},
		{
			name:  "new tenant folder renamed into place",
			setup: acme,
			steps: []step{
				{do: func(t *testing.T, root, outside string) {
					write(t, filepath.Join(outside, "gamma", "lib", "x.js"), "export const x = 1")
					write(t, filepath.Join(root, ".gamma.tmp", "index.js"), "export default () => 1")
					rename(t, filepath.Join(outside, "gamma", "lib"), filepath.Join(root, ".gamma.tmp", "lib"))
					rename(t, filepath.Join(root, ".gamma.tmp"), filepath.Join(root, "gamma"))
				}, want: []string{"gamma"}},
				{name: "then edited", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "gamma", "lib", "x.js"), "export const x = 22")
				}, want: []string{"gamma"}},
			},
		},
		{
			name:  "tenant folder deleted",
			setup: acme,
			steps: []step{{do: func(t *testing.T, root, _ string) {
				remove(t, filepath.Join(root, "acme"))
			}, want: []string{"acme"}}},
		},
		{
			name:  "tenant folder renamed away and back",
			setup: acme,
			steps: []step{
				{name: "away", do: func(t *testing.T, root, outside string) {
					rename(t, filepath.Join(root, "acme"), filepath.Join(outside, "acme"))
				}, want: []string{"acme"}},
				{name: "back", do: func(t *testing.T, root, outside string) {
					rename(t, filepath.Join(outside, "acme"), filepath.Join(root, "acme"))
				}, want: []string{"acme"}},
				{name: "edited", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "acme", "lib", "x.js"), "export const x = 22")
				}, want: []string{"acme"}},
			},
		},
		{
			name:  "tenant folder renamed to another tenant name",
			setup: acme,
			steps: []step{{do: func(t *testing.T, root, _ string) {
				rename(t, filepath.Join(root, "acme"), filepath.Join(root, "acme2"))
			}, want: []string{"acme", "acme2"}}},
		},
		{
			name:  "Kubernetes ConfigMap updates",
			setup: func(t *testing.T, root, _ string) { configMapLayout(t, root) },
			steps: []step{
				{name: "first update", do: func(t *testing.T, root, _ string) {
					configMapUpdate(t, root, "v2", map[string]string{
						"acme/index.js": "export default () => 2",
						"zeta/index.js": "export default () => 1",
					})
				}, want: []string{"acme"}, allowAll: true},
				{name: "second update", do: func(t *testing.T, root, _ string) {
					configMapUpdate(t, root, "v3", map[string]string{
						"acme/index.js": "export default () => 333",
						"zeta/index.js": "export default () => 1",
					})
				}, want: []string{"acme"}, allowAll: true},
				{name: "third update, adding a sub-folder", do: func(t *testing.T, root, _ string) {
					configMapUpdate(t, root, "v4", map[string]string{
						"acme/index.js":    "export default () => 4444",
						"acme/lib/menu.js": "export const m = 1",
						"zeta/index.js":    "export default () => 1",
					})
				}, want: []string{"acme"}, allowAll: true},
				{name: "file edited where it now lives", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "..2026_11_27_v4", "acme", "lib", "menu.js"), "export const m = 22")
				}, want: []string{"acme"}},
			},
		},
		{
			name: "tenant folder that is a symbolic link elsewhere",
			setup: func(t *testing.T, root, outside string) {
				write(t, filepath.Join(outside, "v1", "index.js"), "export default () => 1")
				write(t, filepath.Join(outside, "v2", "index.js"), "export default () => 2")
				symlink(t, filepath.Join(outside, "v1"), filepath.Join(root, "acme"))
			},
			steps: []step{
				{name: "target edited", do: func(t *testing.T, _, outside string) {
					write(t, filepath.Join(outside, "v1", "index.js"), "export default () => 11")
				}, want: []string{"acme"}},
				{name: "link swapped", do: func(t *testing.T, root, outside string) {
					swapLink(t, filepath.Join(outside, "v2"), filepath.Join(root, "acme"))
				}, want: []string{"acme"}},
				{name: "new target edited", do: func(t *testing.T, _, outside string) {
					write(t, filepath.Join(outside, "v2", "index.js"), "export default () => 22")
				}, want: []string{"acme"}},
			},
		},
		{
			name: "link through a swapped link outside the folder",
			setup: func(t *testing.T, root, outside string) {
				write(t, filepath.Join(outside, "releases", "r1", "acme", "index.js"), "export default () => 1")
				write(t, filepath.Join(outside, "releases", "r2", "acme", "index.js"), "export default () => 2")
				symlink(t, filepath.Join("releases", "r1"), filepath.Join(outside, "current"))
				symlink(t, filepath.Join(outside, "current", "acme"), filepath.Join(root, "acme"))
			},
			steps: []step{{do: func(t *testing.T, _, outside string) {
				swapLink(t, filepath.Join("releases", "r2"), filepath.Join(outside, "current"))
			}, want: []string{"acme"}}},
		},
		{
			name: "two tenant names for one folder",
			setup: func(t *testing.T, root, _ string) {
				write(t, filepath.Join(root, "acme", "index.js"), "export default () => 1")
				symlink(t, "acme", filepath.Join(root, "acme_uk"))
			},
			steps: []step{{do: func(t *testing.T, root, _ string) {
				write(t, filepath.Join(root, "acme", "index.js"), "export default () => 22")
			}, want: []string{"acme", "acme_uk"}}},
		},
		{
			name: "dangling tenant link whose target appears",
			setup: func(t *testing.T, root, outside string) {
				symlink(t, filepath.Join(outside, "later"), filepath.Join(root, "acme"))
			},
			steps: []step{{do: func(t *testing.T, _, outside string) {
				write(t, filepath.Join(outside, ".later.tmp", "index.js"), "export default () => 1")
				rename(t, filepath.Join(outside, ".later.tmp"), filepath.Join(outside, "later"))
			}, want: []string{"acme"}}},
		},
		{
			name: "tenant folder that is a ConfigMap volume itself",
			setup: func(t *testing.T, root, _ string) {
				acme := filepath.Join(root, "acme")
				write(t, filepath.Join(acme, "..2026_11_27_v1", "index.js"), "export default () => 1")
				write(t, filepath.Join(acme, "..2026_11_27_v1", "lib", "menu.js"), "export const m = 1")
				symlink(t, "..2026_11_27_v1", filepath.Join(acme, "..data"))
				symlink(t, filepath.Join("..data", "index.js"), filepath.Join(acme, "index.js"))
				symlink(t, filepath.Join("..data", "lib"), filepath.Join(acme, "lib"))
			},
			steps: []step{
				{name: "first update", do: func(t *testing.T, root, _ string) {
					configMapUpdate(t, filepath.Join(root, "acme"), "v2", map[string]string{
						"index.js":    "export default () => 2",
						"lib/menu.js": "export const m = 1",
					})
				}, want: []string{"acme"}},
				{name: "second update, a file in the linked folder", do: func(t *testing.T, root, _ string) {
					configMapUpdate(t, filepath.Join(root, "acme"), "v3", map[string]string{
						"index.js":    "export default () => 2",
						"lib/menu.js": "export const m = 333",
					})
				}, want: []string{"acme"}},
				{name: "linked file edited where it now lives", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "acme", "..2026_11_27_v3", "index.js"), "export default () => 4444")
				}, want: []string{"acme"}},
				{name: "file in the linked folder edited where it now lives", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "acme", "..2026_11_27_v3", "lib", "menu.js"), "export const m = 4444")
				}, want: []string{"acme"}},
			},
		},
		{
			name: "symbolic links inside a tenant folder leading out of it",
			setup: func(t *testing.T, root, outside string) {
				write(t, filepath.Join(root, "acme", "index.js"), "export default () => 1")
				write(t, filepath.Join(outside, "shared", "lib.js"), "export const l = 1")
				write(t, filepath.Join(outside, "other", "lib.js"), "export const l = 2")
				symlink(t, filepath.Join(outside, "shared"), filepath.Join(root, "acme", "shared"))
				symlink(t, "..", filepath.Join(root, "acme", "up"))
				symlink(t, "/", filepath.Join(root, "acme", "rootfs"))
				symlink(t, ".", filepath.Join(root, "acme", "self"))
			},
			steps: []step{
				{name: "link retargeted", do: func(t *testing.T, root, outside string) {
					swapLink(t, filepath.Join(outside, "other"), filepath.Join(root, "acme", "shared"))
				}, want: []string{"acme"}},
				{name: "file edited next to the links", do: func(t *testing.T, root, _ string) {
					write(t, filepath.Join(root, "acme", "index.js"), "export default () => 22")
				}, want: []string{"acme"}},
			},
		},
		{
			name:  "top-level entry replaced by a file",
			setup: acme,
			steps: []step{{do: func(t *testing.T, root, _ string) {
				remove(t, filepath.Join(root, "acme"))
				write(t, filepath.Join(root, "acme"), "not a folder")
			}, want: []string{"acme"}}},
		},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				base := t.TempDir()
				root, outside := filepath.Join(base, "scripts"), filepath.Join(base, "outside")
				mkdir(t, root)
				mkdir(t, outside)
				tt.setup(t, root, outside)
				r := start(t, root, mode.opts)
				for i, s := range tt.steps {
					ok := t.Run(fmt.Sprintf("%d %s", i, s.name), func(t *testing.T) {
						since := time.Now()
						s.do(t, root, outside)
						r.waitFor(t, since, s.want, s.allowAll)
					})
					if !ok {
						break
					}
				}
			})
		}
	}
}

// Editors save by writing a temporary file and renaming it over the
// original, with probes, backups and swap files around it; all of it must
// become a report of the tenant once the burst is over.
func TestEditorSaves(t *testing.T) {
	saves := []struct {
		name string
		save func(t *testing.T, dir, content string) // the last action is the one that puts content in place
	}{
		{"vim", func(t *testing.T, dir, content string) {
			write(t, filepath.Join(dir, ".index.js.swp"), "swap "+content)
			write(t, filepath.Join(dir, "4913"), "")
			remove(t, filepath.Join(dir, "4913"))
			rename(t, filepath.Join(dir, "index.js"), filepath.Join(dir, "index.js~"))
			write(t, filepath.Join(dir, "index.js"), content)
			remove(t, filepath.Join(dir, "index.js~"))
		}},
		{"vscode", func(t *testing.T, dir, content string) {
			f, err := os.OpenFile(filepath.Join(dir, "index.js"), os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, part := range []string{content[:len(content)/2], content[len(content)/2:]} {
				if _, err := f.WriteString(part); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"vscode atomic", func(t *testing.T, dir, content string) {
			write(t, filepath.Join(dir, ".index.js.vsctmp"), content)
			rename(t, filepath.Join(dir, ".index.js.vsctmp"), filepath.Join(dir, "index.js"))
		}},
		{"jetbrains", func(t *testing.T, dir, content string) {
			write(t, filepath.Join(dir, "index.js___jb_tmp___"), content)
			rename(t, filepath.Join(dir, "index.js"), filepath.Join(dir, "index.js___jb_old___"))
			rename(t, filepath.Join(dir, "index.js___jb_tmp___"), filepath.Join(dir, "index.js"))
			remove(t, filepath.Join(dir, "index.js___jb_old___"))
		}},
	}
	for _, mode := range modes {
		for _, s := range saves {
			t.Run(mode.name+"/"+s.name, func(t *testing.T) {
				t.Parallel()
				root := t.TempDir()
				for _, dir := range []string{"acme", "acme/lib"} {
					write(t, filepath.Join(root, dir, "index.js"), "export default () => 0")
				}
				r := start(t, root, mode.opts)
				for i, dir := range []string{"acme", "acme/lib", "acme"} {
					since := time.Now()
					s.save(t, filepath.Join(root, dir), fmt.Sprintf("export default () => %d%s", i, strings.Repeat(" ", i)))
					r.waitFor(t, since, []string{"acme"}, false)
					for _, rep := range r.since(since) {
						if rep.All || !slices.Equal(rep.Tenants, []string{"acme"}) {
							t.Errorf("save %d: report %+v, want only acme", i, rep.Change)
						}
					}
				}
			})
		}
	}
}

// A burst of changes across tenants is reported at most once per debounce
// window, and the last report comes after the burst.
func TestBurstIsDebounced(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			tenants := []string{"t01", "t02", "t03", "t04", "t05"}
			for _, id := range tenants {
				write(t, filepath.Join(root, id, "index.js"), "export default () => 0")
			}
			opts := mode.opts
			opts.Debounce = 50 * time.Millisecond
			r := start(t, root, opts)
			since := time.Now()
			for i := range 20 {
				for _, id := range tenants {
					write(t, filepath.Join(root, id, "index.js"), fmt.Sprintf("export default () => %d", i))
				}
			}
			last := time.Now()
			write(t, filepath.Join(root, "t03", "index.js"), "export default () => 'last'")
			r.waitFor(t, since, tenants, false)
			r.waitFor(t, last, []string{"t03"}, false)
			// The spacing of the reports is checked when the test ends.
		})
	}
}

// A burst that never goes quiet (a process rewriting a file in a loop) is
// still reported while it goes on.
func TestEndlessBurstIsReported(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			write(t, filepath.Join(root, "acme", "index.js"), "export default () => 0")
			r := start(t, root, mode.opts)
			since := time.Now()
			deadline := time.Now().Add(waitTimeout)
			for i := 0; len(r.since(since)) == 0; i++ {
				if time.Now().After(deadline) {
					t.Fatalf("no report within %v of a file rewritten every 5ms", waitTimeout)
				}
				write(t, filepath.Join(root, "acme", "index.js"), fmt.Sprintf("export default () => %d", i))
				time.Sleep(5 * time.Millisecond) // the pace of the writer, not a wait for the watcher
			}
			if got := r.since(since)[0]; !slices.Equal(got.Tenants, []string{"acme"}) {
				t.Errorf("report %+v, want acme", got.Change)
			}
		})
	}
}

// New establishes its watches: a change made after New and before Run is
// reported by Run.
func TestChangeBeforeRunIsReported(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			write(t, filepath.Join(root, "acme", "index.js"), "export default () => 0")
			w, err := New(root, mode.opts)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(root, "acme", "index.js"), "export default () => 'edited'")
			write(t, filepath.Join(root, "beta", "index.js"), "export default () => 'new'")
			r := &recorder{signal: make(chan struct{}, 1)}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx, r.onChange) }()
			r.waitFor(t, time.Time{}, []string{"acme", "beta"}, false)
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		})
	}
}

func TestQueueOverflowReportsAll(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "acme", "index.js"), "export default () => 0")
	r := start(t, root, Options{})
	since := time.Now()
	r.w.fsw.Errors <- fmt.Errorf("read: %w", fsnotify.ErrEventOverflow)
	r.waitForAll(t, since)
	r.logs.waitFor(t, "too many file changes at once")

	since = time.Now()
	write(t, filepath.Join(root, "acme", "index.js"), "export default () => 'after'")
	r.waitFor(t, since, []string{"acme"}, false)
}

func TestWatcherErrorIsLoggedNotFatal(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "acme", "index.js"), "export default () => 0")
	r := start(t, root, Options{})
	r.w.fsw.Errors <- errors.New("inotify read: input/output error")
	r.logs.waitFor(t, "input/output error")

	since := time.Now()
	write(t, filepath.Join(root, "acme", "index.js"), "export default () => 'after'")
	r.waitFor(t, since, []string{"acme"}, false)
}

func TestRootDeletedAndRecreated(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			root := filepath.Join(t.TempDir(), "scripts")
			write(t, filepath.Join(root, "acme", "index.js"), "export default () => 0")
			r := start(t, root, mode.opts)

			remove(t, root)
			r.logs.waitFor(t, "the scripts folder is gone")

			since := time.Now()
			write(t, filepath.Join(root, "acme", "index.js"), "export default () => 'back'")
			r.waitForAll(t, since)

			// Watching goes on in the new folder.
			since = time.Now()
			write(t, filepath.Join(root, "acme", "lib", "x.js"), "export const x = 1")
			r.waitFor(t, since, []string{"acme"}, false)
		})
	}
}

// The folder replaced faster than the watcher can notice it is gone: a
// rescan, or at least the tenants in it, must be reported.
func TestRootReplaced(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			root := filepath.Join(base, "scripts")
			write(t, filepath.Join(root, "acme", "index.js"), "export default () => 0")
			write(t, filepath.Join(base, "new", "acme", "index.js"), "export default () => 'new'")
			r := start(t, root, mode.opts)

			since := time.Now()
			rename(t, root, filepath.Join(base, "old"))
			rename(t, filepath.Join(base, "new"), root)
			r.waitFor(t, since, []string{"acme"}, true)

			since = time.Now()
			write(t, filepath.Join(root, "acme", "index.js"), "export default () => 'edited'")
			r.waitFor(t, since, []string{"acme"}, false)
		})
	}
}

// The scripts folder reached through a link that is swapped.
func TestRootLinkSwapped(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			write(t, filepath.Join(base, "r1", "acme", "index.js"), "export default () => 1")
			write(t, filepath.Join(base, "r2", "acme", "index.js"), "export default () => 2")
			root := filepath.Join(base, "scripts")
			symlink(t, "r1", root)
			r := start(t, root, mode.opts)

			since := time.Now()
			swapLink(t, "r2", root)
			r.waitFor(t, since, []string{"acme"}, true)

			since = time.Now()
			write(t, filepath.Join(base, "r2", "acme", "index.js"), "export default () => 'edited'")
			r.waitFor(t, since, []string{"acme"}, false)
		})
	}
}

func TestNewRefusesBadRoot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	write(t, file, "")
	tests := []struct {
		root, want string
	}{
		{filepath.Join(dir, "missing"), "does not exist"},
		{file, "is not a folder"},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			w, err := New(tt.root, mode.opts)
			if err == nil {
				w.Close()
				t.Errorf("%s: New(%s) succeeded, want an error", mode.name, tt.root)
				continue
			}
			if !strings.Contains(err.Error(), tt.root) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: New(%s) = %q, want the folder named and %q", mode.name, tt.root, err, tt.want)
			}
		}
	}
}

// Run returns promptly when its context is cancelled, and leaves no
// goroutine behind; so does Close on a watcher that never ran.
func TestStopsPromptlyWithoutLeaks(t *testing.T) {
	// Not parallel: it counts the goroutines of the whole test binary.
	root := t.TempDir()
	for i := range 50 {
		write(t, filepath.Join(root, fmt.Sprintf("tenant%02d", i), "lib", "index.js"), "export default () => 0")
	}
	before := runtime.NumGoroutine()
	for _, mode := range modes {
		w, err := New(root, mode.opts)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx, func(Change) {}) }()
		// Keep it busy while it is stopped.
		write(t, filepath.Join(root, "tenant01", "lib", "index.js"), "export default () => 1")
		cancel()
		stopped := time.Now()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s: Run returned %v, want context.Canceled", mode.name, err)
			}
			if took := time.Since(stopped); took > time.Second {
				t.Errorf("%s: Run took %v to return after cancel", mode.name, took)
			}
		case <-time.After(waitTimeout):
			t.Fatalf("%s: Run did not return within %v of cancel", mode.name, waitTimeout)
		}

		w, err = New(root, mode.opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%s: Close: %v", mode.name, err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%s: second Close: %v", mode.name, err)
		}
	}
	deadline := time.Now().Add(waitTimeout)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Links inside a tenant folder that lead out of it are not followed: a link
// to / must not cost a watch per folder of the machine.
func TestLinksOutOfATenantAreNotWatched(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "acme", "lib", "index.js"), "export default () => 1")
	symlink(t, "/", filepath.Join(root, "acme", "rootfs"))
	symlink(t, "..", filepath.Join(root, "acme", "up"))
	symlink(t, "lib", filepath.Join(root, "acme", "inside"))
	w, err := New(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	got := w.fsw.WatchList()
	slices.Sort(got)
	real, _ := filepath.EvalSymlinks(root)
	want := []string{real, filepath.Join(real, "acme"), filepath.Join(real, "acme", "lib")}
	if !slices.Equal(got, want) {
		t.Errorf("watched %q, want %q", got, want)
	}
}

func TestRunMisuse(t *testing.T) {
	root := t.TempDir()
	w, err := New(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Run(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "onChange") {
		t.Errorf("Run with nil onChange = %v, want an error naming onChange", err)
	}
	w, err = New(root, Options{Poll: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Run(ctx, func(Change) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context = %v, want context.Canceled", err)
	}
	if err := w.Run(context.Background(), func(Change) {}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("second Run = %v, want an error saying Run was called twice", err)
	}
}

// Poll mode notices a file rewritten with the same size within the same
// clock tick as the poll that read it, by not trusting recent times.
func TestPollRacyTimes(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "acme", "index.js"), "export default () => 1")
	r := start(t, root, Options{Poll: 20 * time.Millisecond})
	for i := range 5 {
		since := time.Now()
		write(t, filepath.Join(root, "acme", "index.js"), fmt.Sprintf("export default () => %d", i))
		r.waitFor(t, since, []string{"acme"}, false)
	}
}

func TestFingerprintSeesEveryKindOfChange(t *testing.T) {
	changes := []struct {
		name   string
		change func(t *testing.T, dir string)
	}{
		{"content, same size", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "index.js"), "export default () => 2")
		}},
		{"new file", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "b.js"), "") }},
		{"removed file", func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "lib", "x.js")) }},
		{"renamed file", func(t *testing.T, dir string) {
			rename(t, filepath.Join(dir, "lib", "x.js"), filepath.Join(dir, "lib", "y.js"))
		}},
		{"file moved to another folder", func(t *testing.T, dir string) {
			rename(t, filepath.Join(dir, "lib", "x.js"), filepath.Join(dir, "x.js"))
		}},
		{"link retargeted", func(t *testing.T, dir string) {
			swapLink(t, "index.js", filepath.Join(dir, "alias.js"))
		}},
		{"file replaced by a folder", func(t *testing.T, dir string) {
			remove(t, filepath.Join(dir, "lib", "x.js"))
			mkdir(t, filepath.Join(dir, "lib", "x.js"))
		}},
	}
	unchanged := []struct {
		name   string
		change func(t *testing.T, dir string)
	}{
		{"editor swap file", func(t *testing.T, dir string) { write(t, filepath.Join(dir, ".index.js.swp"), "x") }},
		{"backup file", func(t *testing.T, dir string) { write(t, filepath.Join(dir, "index.js~"), "x") }},
		{"node_modules", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "node_modules", "m", "index.js"), "x")
		}},
		{"read", func(t *testing.T, dir string) {
			if _, err := os.ReadFile(filepath.Join(dir, "index.js")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	setup := func(t *testing.T) (*Watcher, string, tenantPrint) {
		root := t.TempDir()
		dir := filepath.Join(root, "acme")
		write(t, filepath.Join(dir, "index.js"), "export default () => 1")
		write(t, filepath.Join(dir, "lib", "x.js"), "export const x = 1")
		symlink(t, filepath.Join("lib", "x.js"), filepath.Join(dir, "alias.js"))
		mkdir(t, filepath.Join(dir, "node_modules"))
		// Old times, so that the fingerprints are not racy.
		old := time.Now().Add(-time.Hour)
		for _, p := range []string{"index.js", "lib/x.js"} {
			if err := os.Chtimes(filepath.Join(dir, p), old, old); err != nil {
				t.Fatal(err)
			}
		}
		w, err := New(root, Options{Poll: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return w, dir, w.fingerprintAll(context.Background())["acme"]
	}
	for _, c := range changes {
		t.Run("changed/"+c.name, func(t *testing.T) {
			w, dir, before := setup(t)
			if before.racy {
				t.Fatal("a fingerprint of hour-old files is racy")
			}
			c.change(t, dir)
			if after := w.fingerprintAll(context.Background())["acme"]; after.sum == before.sum {
				t.Errorf("fingerprint unchanged after %s", c.name)
			}
		})
	}
	for _, c := range unchanged {
		t.Run("unchanged/"+c.name, func(t *testing.T) {
			w, dir, before := setup(t)
			c.change(t, dir)
			if after := w.fingerprintAll(context.Background())["acme"]; after.sum != before.sum {
				t.Errorf("fingerprint changed after %s", c.name)
			}
		})
	}
}
