package bundle

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree creates files (path → contents) and symbolic links
// (path → "-> target") under dir.
func writeTree(t *testing.T, dir string, tree map[string]string) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(tree)) {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(tree[name], "-> "); ok {
			if err := os.Symlink(filepath.FromSlash(target), full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(tree[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadSource(t *testing.T) {
	tests := []struct {
		name    string
		tree    map[string]string // under a temporary folder; the tenant is "scripts/acme"
		tenant  string            // default "scripts/acme"
		want    map[string]string // the snapshot's files
		wantErr string            // a substring of the error
	}{
		{
			name: "source files at any depth, nothing else",
			tree: map[string]string{
				"scripts/acme/index.ts":                    "index",
				"scripts/acme/lib/menus.mts":               "menus",
				"scripts/acme/lib/deep/data.json":          "{}",
				"scripts/acme/legacy.cjs":                  "cjs",
				"scripts/acme/a.js":                        "js",
				"scripts/acme/b.mjs":                       "mjs",
				"scripts/acme/c.cts":                       "cts",
				"scripts/acme/tenant.json":                 "{}",
				"scripts/acme/index.test.js":               "test",
				"scripts/acme/README.md":                   "readme",
				"scripts/acme/notes.txt":                   "notes",
				"scripts/acme/index":                       "no extension",
				"scripts/acme/.eslintrc.js":                "dot-file",
				"scripts/acme/.git/hooks/x.js":             "dot-dir",
				"scripts/acme/node_modules/lodash/x.js":    "dependency",
				"scripts/acme/lib/node_modules/y/index.js": "dependency",
			},
			want: map[string]string{
				"index.ts":           "index",
				"lib/menus.mts":      "menus",
				"lib/deep/data.json": "{}",
				"legacy.cjs":         "cjs",
				"a.js":               "js",
				"b.mjs":              "mjs",
				"c.cts":              "cts",
				"tenant.json":        "{}",
				"index.test.js":      "test",
			},
		},
		{
			name: "symbolic links inside the folder are followed",
			tree: map[string]string{
				"scripts/acme/index.js":    "-> lib/real.js",
				"scripts/acme/lib/real.js": "real",
				"scripts/acme/alias":       "-> lib",
				"scripts/acme/dangling.js": "-> gone.js",
				"scripts/acme/lib/up.js":   "-> ../lib/real.js",
			},
			want: map[string]string{
				"index.js":      "real",
				"lib/real.js":   "real",
				"lib/up.js":     "real",
				"alias/real.js": "real",
				"alias/up.js":   "real",
			},
		},
		{
			name: "Kubernetes ConfigMap mounted as the tenant folder",
			tree: map[string]string{
				"scripts/acme/..2024_01_01/index.js": "v1",
				"scripts/acme/..data":                "-> ..2024_01_01",
				"scripts/acme/index.js":              "-> ..data/index.js",
			},
			want: map[string]string{"index.js": "v1"},
		},
		{
			name: "tenant folder that is itself a symbolic link",
			tree: map[string]string{
				"scripts/..2024_01_01/acme/index.js": "v2",
				"scripts/..data":                     "-> ..2024_01_01",
				"scripts/acme":                       "-> ..data/acme",
			},
			want: map[string]string{"index.js": "v2"},
		},
		{
			name: "file link escaping the folder",
			tree: map[string]string{
				"scripts/acme/index.js":  "x",
				"scripts/acme/secret.js": "-> ../../outside/secret.js",
				"outside/secret.js":      "secret",
			},
			wantErr: `secret.js: symbolic link to "../../outside/secret.js" leads outside the tenant folder`,
		},
		{
			name: "folder link escaping the folder",
			tree: map[string]string{
				"scripts/acme/index.js": "x",
				"scripts/acme/shared":   "-> ../shared",
				"scripts/shared/x.js":   "shared",
			},
			wantErr: `shared: symbolic link to "../shared" leads outside the tenant folder`,
		},
		{
			name: "link chain leaving the folder",
			tree: map[string]string{
				"scripts/acme/index.js":   "-> lib/hop.js",
				"scripts/acme/lib/hop.js": "-> ../../outside.js",
				"scripts/outside.js":      "secret",
			},
			wantErr: `index.js: symbolic link to "lib/hop.js": `,
		},
		{
			name: "folders nested too deep",
			tree: map[string]string{
				"scripts/acme/index.js": "x",
				"scripts/acme/" + strings.Repeat("d/", MaxDepth+1) + "x.js": "x",
			},
			wantErr: "folders nested more than 32 deep",
		},
		{
			name: "symbolic link loop",
			tree: map[string]string{
				"scripts/acme/index.js": "x",
				"scripts/acme/loop":     "-> .",
			},
			wantErr: `symbolic link to ".": too many levels of symbolic links`,
		},
		{
			name:    "missing folder",
			tree:    map[string]string{"scripts/other/index.js": "x"},
			wantErr: "open tenant folder",
		},
		{
			name:    "a file, not a folder",
			tree:    map[string]string{"scripts/acme": "x"},
			wantErr: "open tenant folder",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.tree)
			src, err := ReadSource(filepath.Join(dir, "scripts", "acme"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadSource error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := make(map[string]string, len(src.Files))
			for name, data := range src.Files {
				got[name] = string(data)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("files = %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestReadSourceAbsoluteLinkRefused(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "passwd.js")
	writeTree(t, dir, map[string]string{"passwd.js": "secret", "acme/index.js": "x", "acme/p.js": "-> " + outside})
	_, err := ReadSource(filepath.Join(dir, "acme"))
	if err == nil || !strings.Contains(err.Error(), "p.js: symbolic link to the absolute path") {
		t.Fatalf("ReadSource error = %v, want the link refused", err)
	}
}

func TestReadSourceLimits(t *testing.T) {
	big := strings.Repeat("x", MaxFileBytes)
	tests := []struct {
		name    string
		tree    map[string]string
		wantErr string
	}{
		{
			name:    "one file too large",
			tree:    map[string]string{"index.js": "x", "lib/huge.js": big + "x"},
			wantErr: "lib/huge.js: file is larger than 4 MiB",
		},
		{
			name: "all files together too large",
			tree: map[string]string{
				"a.js": big, "b.js": big, "c.js": big, "d.js": big, "e.js": "x",
			},
			wantErr: "e.js: the tenant folder's source files together pass 16 MiB",
		},
		{
			name: "large files that are not source are not read",
			tree: map[string]string{"index.js": "x", "recording.mp3.txt": big + big},
		},
	}
	tooMany := map[string]string{}
	for i := range MaxFiles + 1 {
		tooMany[fmt.Sprintf("f/%04d.js", i)] = ""
	}
	tests = append(tests, struct {
		name    string
		tree    map[string]string
		wantErr string
	}{"too many files", tooMany, "f/1000.js: the tenant folder has more than 1000 source files"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.tree)
			_, err := ReadSource(dir)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReadSource error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestSourceEntry(t *testing.T) {
	tests := []struct {
		files []string
		want  string // "" for none
	}{
		{[]string{"index.js", "index.ts", "index.mjs", "index.cjs"}, "index.ts"},
		{[]string{"index.js", "index.mjs", "index.cjs"}, "index.mjs"},
		{[]string{"index.cjs", "index.js"}, "index.js"},
		{[]string{"index.cjs"}, "index.cjs"},
		{[]string{"index.mts", "main.js", "lib/index.js", "index.test.js"}, ""},
	}
	for _, tt := range tests {
		src := &Source{Files: map[string][]byte{}}
		for _, name := range tt.files {
			src.Files[name] = nil
		}
		got, ok := src.Entry()
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Entry() of %v = %q, %v; want %q", tt.files, got, ok, tt.want)
		}
	}
}

func TestSourceHash(t *testing.T) {
	hash := func(files map[string]string) string { return sourceOf(files).Hash() }
	base := hash(map[string]string{"index.js": "a", "menus.js": "b"})
	if len(base) != 64 {
		t.Fatalf("Hash() = %q, want 64 hex digits", base)
	}
	for range 20 { // map order varies from one iteration to the next
		if got := hash(map[string]string{"menus.js": "b", "index.js": "a"}); got != base {
			t.Fatalf("Hash() differs for the same files: %s, %s", got, base)
		}
	}
	different := []map[string]string{
		{"index.js": "a", "menus.js": "c"},
		{"index.js": "a", "menus.ts": "b"},
		{"index.js": "a"},
		{"index.js": "a", "menus.js": "b", "x.js": ""},
		{"index.jsa": "", "menus.js": "b"}, // the same bytes cut differently
	}
	for _, files := range different {
		if hash(files) == base {
			t.Errorf("Hash() of %v equals that of a different snapshot", files)
		}
	}
}
