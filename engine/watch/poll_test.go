package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
