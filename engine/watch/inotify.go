package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// rootSubject stands for the scripts folder itself among the subjects that
// depend on a symbolic link; it cannot be a tenant name.
const rootSubject = ""

// watchedDir says why a folder is watched. Folders are keyed by real path:
// inotify watches inodes, and fsnotify names events after the path a folder
// was first added under, so adding only real paths keeps names predictable
// and lets two tenants that reach the same folder share its watch.
type watchedDir struct {
	trees map[string]struct{}            // tenants with this folder in their tree: any entry matters
	links map[string]map[string]struct{} // entry name → subjects whose path resolves through it
	root  bool                           // the scripts folder: its tenant-named entries matter
}

func (d *watchedDir) unused() bool { return len(d.trees) == 0 && len(d.links) == 0 && !d.root }

// deps is what one subject (a tenant, or the root) depends on.
type deps struct {
	home  string              // real path of the tenant folder
	tree  map[string]struct{} // real paths of the folders of its tree
	links []dirEntry          // entries its resolution went through
	full  bool                // maxTreeDirs reached (warned once)
}

type dirEntry struct{ dir, name string }

// build watches the scripts folder and every tenant in it. It fails when the
// folder is missing or cannot be watched at all.
func (w *Watcher) build() error {
	if w.dirs == nil {
		w.dirs = make(map[string]*watchedDir)
		w.subjects = make(map[string]*deps)
	}
	w.limitErr = nil
	rootDeps := &deps{tree: map[string]struct{}{}}
	w.subjects[rootSubject] = rootDeps
	real, err := resolveAbs(w.root, func(dir, name string) { w.dependOn(rootDeps, rootSubject, dir, name) })
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("scripts folder %s does not exist", w.root)
		}
		return fmt.Errorf("scripts folder %s: %w", w.root, err)
	}
	info, err := os.Stat(real)
	if err != nil {
		return fmt.Errorf("scripts folder %s: %w", w.root, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("scripts folder %s is not a folder", w.root)
	}
	w.realRoot, w.rootInfo = real, info
	w.dir(real).root = true
	// Watched before it is listed: a tenant created in between is both
	// listed and reported.
	if err := w.fsw.Add(real); err != nil {
		return fmt.Errorf("watch scripts folder %s: %w", w.root, explainAddError(err))
	}
	entries, err := readDir(real)
	if err != nil {
		return fmt.Errorf("read scripts folder %s: %w", w.root, err)
	}
	for _, e := range entries {
		if name := e.Name(); isTenantName(name) {
			w.syncTenants(name)
		}
	}
	return nil
}

// unwatchAll drops every watch and all bookkeeping.
func (w *Watcher) unwatchAll() {
	for path := range w.dirs {
		_ = w.fsw.Remove(path) // already gone with its folder, or never added
	}
	clear(w.dirs)
	clear(w.subjects)
}

// handleEvent marks the tenants an event concerns. A folder that appears
// inside a watched tree is watched at once, and what it already holds too,
// so that files created in it right after are seen.
func (w *Watcher) handleEvent(ev fsnotify.Event) {
	if w.rootGone {
		return
	}
	name := ev.Name
	dir, base := filepath.Dir(name), filepath.Base(name)
	if d := w.dirs[dir]; d != nil {
		for s := range d.links[base] {
			w.markSubject(s)
		}
		if d.root && isTenantName(base) {
			w.mark(base)
			if ev.Has(fsnotify.Create) {
				w.syncTenants(base)
			}
		}
		if len(d.trees) > 0 && !skipName(base) {
			for t := range d.trees {
				w.mark(t)
				if ev.Has(fsnotify.Create) {
					w.extend(t, dir, base)
				}
			}
		}
	}
	// A watched folder removed or renamed away; its watch is gone.
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if d := w.dirs[name]; d != nil {
			if d.root {
				w.markAll()
			}
			for t := range d.trees {
				w.mark(t)
			}
		}
	}
}

func (w *Watcher) markSubject(s string) {
	if s == rootSubject {
		w.markAll()
		return
	}
	w.mark(s)
}

// syncTenants brings the watches of some tenants up to date with their
// folders.
//
// fsnotify knows a watch by the path it was first added under, and inotify
// by inode: after a folder is renamed, the watches of its sub-folders live on
// under their old paths, and adding the new paths does nothing. So the stale
// paths are removed first and every folder of the trees is then added again,
// even if believed watched; adding an existing watch costs one system call.
func (w *Watcher) syncTenants(tenants ...string) {
	var old []*deps
	for _, t := range tenants {
		if st := w.subjects[t]; st != nil {
			w.forget(t, st)
			old = append(old, st)
		}
		st := &deps{tree: make(map[string]struct{})}
		w.subjects[t] = st
		w.watchPath(st, t, w.realRoot, t)
		if len(st.tree) == 0 && len(st.links) == 0 {
			delete(w.subjects, t)
		}
	}
	dropped := false
	for _, st := range old {
		for path := range st.tree {
			dropped = w.dropIfUnused(path) || dropped
		}
		for _, l := range st.links {
			dropped = w.dropIfUnused(l.dir) || dropped
		}
	}
	if !dropped {
		return
	}
	for _, t := range tenants {
		if st := w.subjects[t]; st != nil {
			for path := range st.tree {
				w.add(path)
			}
			for _, l := range st.links {
				w.add(l.dir)
			}
		}
	}
}

// extend watches an entry that appeared in the tree of a tenant, if it is
// (or links to) a folder.
func (w *Watcher) extend(tenant, dir, name string) {
	st := w.subjects[tenant]
	if st == nil {
		return
	}
	w.watchPath(st, tenant, dir, name)
}

// forget removes the references of a subject, without dropping watches yet.
func (w *Watcher) forget(subject string, st *deps) {
	for path := range st.tree {
		if d := w.dirs[path]; d != nil {
			delete(d.trees, subject)
		}
	}
	for _, l := range st.links {
		if d := w.dirs[l.dir]; d != nil {
			if subs := d.links[l.name]; subs != nil {
				delete(subs, subject)
				if len(subs) == 0 {
					delete(d.links, l.name)
				}
			}
		}
	}
}

// dropIfUnused removes the watch of a folder no subject needs any more.
func (w *Watcher) dropIfUnused(path string) bool {
	d := w.dirs[path]
	if d == nil || !d.unused() {
		return false
	}
	delete(w.dirs, path)
	_ = w.fsw.Remove(path) // may be gone with its folder already
	return true
}

func (w *Watcher) dir(path string) *watchedDir {
	d := w.dirs[path]
	if d == nil {
		d = &watchedDir{trees: make(map[string]struct{}), links: make(map[string]map[string]struct{})}
		w.dirs[path] = d
	}
	return d
}

// dependOn records that subject resolves through the entry name of dir, and
// watches dir (before the entry is read, so that no swap is missed).
func (w *Watcher) dependOn(st *deps, subject, dir, name string) {
	st.links = append(st.links, dirEntry{dir, name})
	d := w.dir(dir)
	subs := d.links[name]
	if subs == nil {
		subs = make(map[string]struct{})
		d.links[name] = subs
	}
	subs[subject] = struct{}{}
	w.add(dir)
}

// watchPath watches the entry name of the real folder dir for a tenant,
// through its symbolic links. The tenant's own entry (the first call) may
// lead anywhere, and its whole tree is watched there. A link inside the
// tree is followed only while it stays inside the tenant folder, as the
// bundler requires; one leading out is watched as an entry, not where it
// leads, so that a link to / costs nothing. A link to a file makes the
// file's own entry a dependency.
func (w *Watcher) watchPath(st *deps, tenant, dir, name string) {
	links := len(st.links)
	real, err := resolve(dir, name, func(d, n string) { w.dependOn(st, tenant, d, n) })
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.log.Warn("cannot follow a path in a tenant folder", "tenant", tenant, "path", filepath.Join(dir, name), "err", err)
		}
		return
	}
	if st.home == "" {
		st.home = real
	} else if !within(real, st.home) {
		return
	}
	info, err := os.Stat(real)
	if err != nil {
		return // removed meanwhile: its removal is an event of its own
	}
	if !info.IsDir() {
		if len(st.links) > links {
			w.dependOn(st, tenant, filepath.Dir(real), filepath.Base(real))
		}
		return
	}
	w.watchTree(st, tenant, real)
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// watchTree watches the real folder path and every folder below it. Each
// folder is watched before it is listed, so that an entry created in
// between is both listed and reported.
func (w *Watcher) watchTree(st *deps, tenant, path string) {
	if _, seen := st.tree[path]; seen {
		return // a link cycle, or a folder reached twice
	}
	if len(st.tree) >= maxTreeDirs {
		if !st.full {
			st.full = true
			w.log.Warn("tenant folder has too many sub-folders; the rest are not watched",
				"tenant", tenant, "limit", maxTreeDirs)
		}
		return
	}
	st.tree[path] = struct{}{}
	w.dir(path).trees[tenant] = struct{}{}
	if !w.add(path) {
		return
	}
	entries, err := readDir(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.log.Warn("cannot read a folder of a tenant", "tenant", tenant, "dir", path, "err", err)
		}
		return
	}
	for _, e := range entries {
		name := e.Name()
		if skipName(name) {
			continue
		}
		switch {
		case e.IsDir():
			w.watchTree(st, tenant, filepath.Join(path, name))
		case e.Type()&fs.ModeSymlink != 0:
			w.watchPath(st, tenant, path, name)
		}
	}
}

// add adds a watch, logging why it failed. A folder that vanished meanwhile
// is no failure: its removal is reported by its parent.
func (w *Watcher) add(path string) bool {
	err := w.fsw.Add(path)
	if err == nil {
		return true
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return false
	}
	err = explainAddError(err)
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) {
		if w.limitErr != nil {
			return false // said once per scan; every further folder fails the same way
		}
		w.limitErr = err
	}
	w.log.Error("cannot watch a folder; its changes will be missed", "dir", path, "err", err)
	return false
}

// explainAddError says what to do about the usual inotify limits.
func explainAddError(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%w: the inotify watch limit is reached (raise fs.inotify.max_user_watches, or poll with --poll)", err)
	case errors.Is(err, syscall.EMFILE):
		return fmt.Errorf("%w: the inotify instance limit is reached (raise fs.inotify.max_user_instances, or poll with --poll)", err)
	}
	return err
}

// readDir lists a folder without sorting it (the order does not matter here).
func readDir(path string) ([]fs.DirEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}
