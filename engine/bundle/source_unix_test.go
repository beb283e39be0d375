//go:build unix

package bundle

import (
	"maps"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// A named pipe with a source extension must not be opened: opening it would
// block until something writes to it.
func TestReadSourceSkipsPipes(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"index.js": "x"})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.js"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	src, err := ReadSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Collect(maps.Keys(src.Files)); len(src.Files) != 1 || src.Files["index.js"] == nil {
		t.Errorf("files = %v, want only index.js", got)
	}
}
