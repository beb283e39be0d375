package bundle

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Limits on what ReadSource reads from one tenant folder. They keep a
// mistaken folder (a checked-in dependency tree, a log file named .js) from
// costing the server memory or build time.
const (
	MaxFiles      = 1000     // source files per tenant folder
	MaxFileBytes  = 4 << 20  // bytes per source file
	MaxTotalBytes = 16 << 20 // bytes of all source files together
	MaxDepth      = 32       // nested folders, linked ones included
)

// Source is a snapshot of a tenant folder: every file read once, so a build
// never mixes two states of the folder.
type Source struct {
	// Files maps slash-separated paths relative to the tenant folder
	// ("index.js", "lib/menus.ts") to their contents.
	Files map[string][]byte
}

// isSourceFile reports whether name has an extension ReadSource reads and
// Build can load.
func isSourceFile(name string) bool {
	_, ok := loaderFor(name)
	return ok
}

// ReadSource reads every source file (.js .mjs .cjs .ts .mts .cts .json) of
// the tenant folder dir, at any depth. Dot-files, dot-directories and
// node_modules are skipped; the caller decides what to do with tenant.json
// and test files, which are included.
//
// The folder is opened with os.OpenRoot, so a symbolic link inside it may
// point to another place inside it (as Kubernetes ConfigMap volumes do) but
// never outside; dir itself may be a symbolic link. Files that disappear
// while the folder is read are left out of the snapshot.
func ReadSource(dir string) (*Source, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open tenant folder: %w", err)
	}
	defer root.Close()
	r := &sourceReader{root: root, src: &Source{Files: make(map[string][]byte)}}
	if err := r.readDir(".", 0); err != nil {
		return nil, err
	}
	return r.src, nil
}

// sourceReader carries the state of one ReadSource call.
type sourceReader struct {
	root  *os.Root
	src   *Source
	total int64
}

func (r *sourceReader) readDir(dir string, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%s: folders nested more than %d deep", dir, MaxDepth)
	}
	f, err := r.root.Open(dir)
	if err != nil {
		if dir != "." && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("read tenant folder: %w", err)
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return fmt.Errorf("read tenant folder: %w", err)
	}
	// Sorted, so that which file trips a limit does not depend on the
	// directory order of the file system.
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, entry := range entries {
		name := entry.Name()
		if strings.HasPrefix(name, ".") || name == "node_modules" {
			continue
		}
		rel := name
		if dir != "." {
			rel = dir + "/" + name
		}
		mode := entry.Type()
		if mode&fs.ModeSymlink != 0 {
			info, err := r.root.Stat(rel)
			if errors.Is(err, fs.ErrNotExist) {
				continue // a dangling link reads as a missing file
			}
			if err != nil {
				return r.linkError(rel, err)
			}
			mode = info.Mode().Type()
		}
		switch {
		case mode.IsDir():
			if err := r.readDir(rel, depth+1); err != nil {
				return err
			}
		case mode.IsRegular() && isSourceFile(name):
			if err := r.readFile(rel); err != nil {
				return err
			}
		}
		// Anything else (sockets, pipes, devices, other file types) is not
		// source; opening a pipe could even block.
	}
	return nil
}

// linkError explains why the symbolic link rel cannot be followed.
func (r *sourceReader) linkError(rel string, err error) error {
	target, readErr := r.root.Readlink(rel)
	switch {
	case readErr != nil:
		return fmt.Errorf("%s: %w", rel, err)
	case errors.Is(err, syscall.ELOOP):
		return fmt.Errorf("%s: symbolic link to %q: too many levels of symbolic links (a loop?)", rel, target)
	case filepath.IsAbs(target):
		return fmt.Errorf("%s: symbolic link to the absolute path %q; only relative links inside the tenant folder are followed", rel, target)
	}
	if resolved := path.Join(path.Dir(rel), filepath.ToSlash(target)); resolved == ".." || strings.HasPrefix(resolved, "../") {
		return fmt.Errorf("%s: symbolic link to %q leads outside the tenant folder", rel, target)
	}
	// A link that stays inside but leads to one that does not, say.
	return fmt.Errorf("%s: symbolic link to %q: %w", rel, target, err)
}

func (r *sourceReader) readFile(rel string) error {
	if len(r.src.Files) >= MaxFiles {
		return fmt.Errorf("%s: the tenant folder has more than %d source files", rel, MaxFiles)
	}
	f, err := r.root.Open(rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("read %s: %w", rel, err)
	}
	defer f.Close()
	// Read one byte past the limit instead of trusting Stat: the file may
	// grow while it is read.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", rel, err)
	}
	if len(data) > MaxFileBytes {
		return fmt.Errorf("%s: file is larger than %d MiB, the limit for one source file", rel, MaxFileBytes>>20)
	}
	r.total += int64(len(data))
	if r.total > MaxTotalBytes {
		return fmt.Errorf("%s: the tenant folder's source files together pass %d MiB, the limit for one tenant", rel, MaxTotalBytes>>20)
	}
	r.src.Files[rel] = data
	return nil
}

// Entry returns the tenant's entry file: the first of index.ts, index.mjs,
// index.js and index.cjs that the snapshot holds.
func (s *Source) Entry() (string, bool) {
	for _, name := range [...]string{"index.ts", "index.mjs", "index.js", "index.cjs"} {
		if _, ok := s.Files[name]; ok {
			return name, true
		}
	}
	return "", false
}

// Hash returns the hex SHA-256 of the snapshot's paths and contents, the
// same whatever the map order.
func (s *Source) Hash() string {
	names := make([]string, 0, len(s.Files))
	for name := range s.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	h := sha256.New()
	var size [8]byte
	for _, name := range names {
		// Length prefixes keep ("ab","c") and ("a","bc") apart.
		binary.BigEndian.PutUint64(size[:], uint64(len(name)))
		h.Write(size[:])
		io.WriteString(h, name)
		data := s.Files[name]
		binary.BigEndian.PutUint64(size[:], uint64(len(data)))
		h.Write(size[:])
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))
}
