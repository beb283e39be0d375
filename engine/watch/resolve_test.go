package watch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(base, "root")
	write(t, filepath.Join(root, "..2026_v1", "acme", "index.js"), "")
	symlink(t, "..2026_v1", filepath.Join(root, "..data"))
	symlink(t, filepath.Join("..data", "acme"), filepath.Join(root, "acme"))
	symlink(t, "acme", filepath.Join(root, "alias"))
	symlink(t, filepath.Join(base, "elsewhere", "x"), filepath.Join(root, "dangling"))
	symlink(t, "loop2", filepath.Join(root, "loop1"))
	symlink(t, "loop1", filepath.Join(root, "loop2"))
	mkdir(t, filepath.Join(root, "plain"))
	symlink(t, filepath.Join("..", "root", "plain", "..", "acme"), filepath.Join(root, "dotdot"))

	real := filepath.Join(root, "..2026_v1", "acme")
	tests := []struct {
		name     string
		want     string
		wantErr  error
		wantDeps []string // "dir/name", dir relative to base
	}{
		{name: "plain", want: filepath.Join(root, "plain")},
		{name: "acme", want: real, wantDeps: []string{"root/acme", "root/..data"}},
		{name: "alias", want: real, wantDeps: []string{"root/alias", "root/acme", "root/..data"}},
		{name: "dotdot", want: real, wantDeps: []string{"root/dotdot", "root/acme", "root/..data"}},
		{name: "dangling", wantErr: fs.ErrNotExist, wantDeps: []string{"root/dangling", "elsewhere"}},
		{name: "missing", wantErr: fs.ErrNotExist},
		{name: "loop1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var deps []string
			got, err := resolve(root, tt.name, func(dir, name string) {
				rel, _ := filepath.Rel(base, filepath.Join(dir, name))
				deps = append(deps, filepath.ToSlash(rel))
			})
			if tt.name == "loop1" {
				if err == nil || !strings.Contains(err.Error(), "symbolic links") {
					t.Fatalf("resolve = %q, %v; want a link cycle error", got, err)
				}
				return
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("resolve = %q, %v; want %v", got, err, tt.wantErr)
				}
			} else if err != nil || got != tt.want {
				t.Errorf("resolve = %q, %v; want %q", got, err, tt.want)
			}
			if !slices.Equal(deps, tt.wantDeps) {
				t.Errorf("dependencies %q, want %q", deps, tt.wantDeps)
			}
			if tt.wantErr == nil {
				if std, err := filepath.EvalSymlinks(filepath.Join(root, tt.name)); err != nil || std != got {
					t.Errorf("filepath.EvalSymlinks = %q, %v; resolve says %q", std, err, got)
				}
			}
		})
	}

	// An absolute path resolves from the top.
	if got, err := resolveAbs(filepath.Join(root, "alias"), nil); err != nil || got != real {
		t.Errorf("resolveAbs = %q, %v; want %q", got, err, real)
	}
}

func TestIsTenantName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"acme", true},
		{"_default", true},
		{"a-b.c&d_e", true},
		{"ab", false},
		{"..data", false},
		{"..data_tmp", false},
		{"..2026_11_27_10_00_00.123", false},
		{".acme", false},
		{"acme~", false},
		{"acme.tmp", true}, // may be reported; the engine finds no folder
	}
	for _, tt := range tests {
		if got := isTenantName(tt.name); got != tt.want {
			t.Errorf("isTenantName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSkipName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"index.js", false},
		{"tenant.json", false},
		{"4913", false},
		{"lib", false},
		{".index.js.swp", true},
		{".git", true},
		{"index.js~", true},
		{"index.js___jb_tmp___", true},
		{"index.js___jb_old___", true},
		{"node_modules", true},
	}
	for _, tt := range tests {
		if got := skipName(tt.name); got != tt.want {
			t.Errorf("skipName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// FuzzResolve builds small trees of folders, files and symbolic links and
// checks resolve against filepath.EvalSymlinks.
func FuzzResolve(f *testing.F) {
	for _, seed := range [][]byte{
		{1, 2, 3, 4, 1, 2},
		{3, 3, 3, 3, 3, 3},
		{5, 6, 1, 0, 9, 14},
		{11, 12, 13, 14, 15, 16},
		{1, 17, 10, 2, 18, 4},
	} {
		f.Add(seed)
	}
	// Targets a link may have; ABS stands for the absolute path of the tree.
	targets := []string{"a", "b", "c", "d", "x", "x/e", "x/f", "../root/a", "..", ".", "x/..", "ABS/x/e", "a/e", "e", "../a", "./b/", "missing"}
	f.Fuzz(func(t *testing.T, spec []byte) {
		base, err := filepath.EvalSymlinks(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(base, "root")
		if err := os.MkdirAll(filepath.Join(root, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		names := []string{"a", "b", "c", "d", "x/e", "x/f"}
		for i, name := range names {
			if i >= len(spec) {
				break
			}
			path := filepath.Join(root, name)
			switch b := int(spec[i]); {
			case b == 0:
			case b == 1:
				err = os.Mkdir(path, 0o755)
			case b == 2:
				err = os.WriteFile(path, nil, 0o644)
			default:
				target := strings.Replace(targets[(b-3)%len(targets)], "ABS", root, 1)
				err = os.Symlink(target, path)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range append(names, "x", "missing") {
			got, err := resolve(root, name, nil)
			want, wantErr := filepath.EvalSymlinks(filepath.Join(root, name))
			if (err == nil) != (wantErr == nil) || got != want {
				t.Errorf("resolve(%s) = %q, %v; filepath.EvalSymlinks says %q, %v", name, got, err, want, wantErr)
			}
		}
	})
}
