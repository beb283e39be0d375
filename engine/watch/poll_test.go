package watch

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkPollPass measures one poll of 1,000 tenant folders of 3 files.
func BenchmarkPollPass(b *testing.B) {
	root := b.TempDir()
	old := time.Now().Add(-time.Hour) // not racy: no file looks just written
	for i := range 1000 {
		dir := filepath.Join(root, fmt.Sprintf("tenant%04d", i))
		for _, name := range []string{"index.js", "menus.js", "tenant.json"} {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte("export default {}"), 0o644); err != nil {
				b.Fatal(err)
			}
			if err := os.Chtimes(path, old, old); err != nil {
				b.Fatal(err)
			}
		}
	}
	w, err := New(root, Options{Poll: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	for b.Loop() {
		w.pollPass(ctx)
	}
	if len(w.prints) != 1000 {
		b.Fatalf("%d tenants fingerprinted, want 1000", len(w.prints))
	}
	if len(w.dirty) != 0 {
		b.Fatalf("unchanged folders reported as changed: %d", len(w.dirty))
	}
}

// scanDir talks to the system directly on Linux; it must see what package os
// sees.
func TestScanDirMatchesOS(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "index.js"), "export default () => 1")
	write(t, filepath.Join(dir, "empty.js"), "")
	write(t, filepath.Join(dir, ".index.js.swp"), "skipped")
	mkdir(t, filepath.Join(dir, "lib"))
	symlink(t, "index.js", filepath.Join(dir, "alias.js"))
	symlink(t, "missing", filepath.Join(dir, "dangling"))
	for i := range 300 { // more than one buffer of entries
		write(t, filepath.Join(dir, "many", fmt.Sprintf("file-with-a-long-name-%03d.js", i)), strings.Repeat("x", i))
	}
	for _, path := range []string{dir, filepath.Join(dir, "many")} {
		list := func(scan func(string, func(string, entryInfo)) error) map[string]entryInfo {
			got := map[string]entryInfo{}
			err := scan(path, func(name string, e entryInfo) {
				e.ino, e.ctime = 0, 0 // unknown to package os
				got[name] = e
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		fast := list(func(p string, fn func(string, entryInfo)) error { return scanDir(p, make([]byte, 1024), skipName, fn) })
		portable := list(func(p string, fn func(string, entryInfo)) error { return scanDirPortable(p, skipName, fn) })
		if !maps.Equal(fast, portable) {
			t.Errorf("%s: scanDir saw %v\nscanDirPortable saw %v", path, fast, portable)
		}
		if path == dir && (len(fast) != 6 || fast["lib"].typ != fs.ModeDir || fast["alias.js"].typ != fs.ModeSymlink || fast["index.js"].size != 22) {
			t.Errorf("scanDir saw %v", fast)
		}
	}
	if _, err := statInfo(filepath.Join(dir, "dangling")); err == nil {
		t.Error("statInfo of a dangling link succeeded")
	}
	if e, err := statInfo(filepath.Join(dir, "alias.js")); err != nil || e.typ != 0 || e.size != 22 {
		t.Errorf("statInfo of a link to a file = %+v, %v", e, err)
	}
}
