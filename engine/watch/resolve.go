package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/callscript/callscript/engine/tenant"
)

// maxLinks bounds how many symbolic links one path may pass through, as the
// kernel does (ELOOP), so that a link cycle ends in an error instead of a hang.
const maxLinks = 255

// resolve returns the real path of the entry name inside dir, dir itself being
// a real path (no symbolic links in it). It calls dep(d, n) for every entry n
// of a folder d whose replacement would change the answer: each symbolic link
// it follows, called before the link is read so that a caller can watch d
// first and never miss a swap, and, once a link has been followed, the entry
// that turned out to be missing (a dangling link starts to resolve when it
// appears). dep may be nil.
func resolve(dir, name string, dep func(dir, name string)) (string, error) {
	cur, rest := dir, name
	links := 0
	for rest != "" {
		comp, after, slash := strings.Cut(rest, string(filepath.Separator))
		rest = after
		switch comp {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, comp)
		info, err := os.Lstat(next)
		if err != nil {
			if links > 0 && dep != nil && errors.Is(err, fs.ErrNotExist) {
				dep(cur, comp)
			}
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			if slash && !info.IsDir() { // "file/" names no file, as for the kernel
				return "", &fs.PathError{Op: "lstat", Path: next + string(filepath.Separator), Err: syscall.ENOTDIR}
			}
			cur = next
			continue
		}
		links++
		if links > maxLinks {
			return "", fmt.Errorf("%s: more than %d symbolic links in a row (a link cycle?)", filepath.Join(dir, name), maxLinks)
		}
		if dep != nil {
			dep(cur, comp)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			vol := filepath.VolumeName(target)
			cur = vol + string(filepath.Separator)
			target = target[len(vol):]
		}
		if slash {
			target += string(filepath.Separator) + rest
		}
		rest = target
	}
	return cur, nil
}

// resolveAbs is resolve for an absolute, clean path.
func resolveAbs(path string, dep func(dir, name string)) (string, error) {
	vol := filepath.VolumeName(path)
	return resolve(vol+string(filepath.Separator), path[len(vol):], dep)
}

// isTenantName reports whether a top-level entry of the scripts folder can be
// a tenant folder. Dot entries never are: they are Kubernetes' ..data
// machinery and editors' files.
func isTenantName(name string) bool { return tenant.ValidateID(name) == nil }

// skipName reports whether an entry inside a tenant folder is never read by a
// build, so that neither watching nor fingerprinting needs it: dot-files and
// dot-folders (.git, .idea, vim's .index.js.swp) and node_modules, which the
// bundler skips too, and editors' backups and temporaries (index.js~,
// JetBrains' index.js___jb_tmp___ and ___jb_old___), whose renames onto real
// names are seen under the real names.
func skipName(name string) bool {
	return strings.HasPrefix(name, ".") ||
		name == "node_modules" ||
		strings.HasSuffix(name, "~") ||
		strings.HasSuffix(name, "___jb_tmp___") ||
		strings.HasSuffix(name, "___jb_old___")
}
