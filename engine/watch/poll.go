package watch

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// entryInfo is what a fingerprint takes from one entry.
type entryInfo struct {
	typ   fs.FileMode // type bits only: 0 for a regular file
	size  int64
	mtime int64  // nanoseconds
	ctime int64  // nanoseconds; 0 where unknown
	ino   uint64 // 0 where unknown
}

// racyWindow is how close to a poll a modification time must be for the
// poll not to trust it: file times come from a coarse clock (one kernel tick,
// up to 10ms), so a file written again within the same tick after the poll
// read it keeps the same time. A tenant with such a file is compared again
// at the next poll even if its fingerprint did not change.
const racyWindow = 20 * time.Millisecond

// tenantPrint is the fingerprint of one tenant folder.
type tenantPrint struct {
	sum  uint64
	racy bool // a file was modified within racyWindow of the fingerprint
}

// fingerprinter hashes what a build could read of a tenant folder: the path,
// kind, size, modification and change times and inode of every entry, and
// where its symbolic links lead. Entry hashes are summed, so the order in
// which the file system lists a folder does not matter. Folders' own times
// are left out: they change when a skipped file (an editor's swap file)
// comes and goes.
type fingerprinter struct{ seed maphash.Seed }

func newFingerprinter() fingerprinter { return fingerprinter{seed: maphash.MakeSeed()} }

// Entry kinds, hashed so that a file replaced by a folder of the same name
// changes the fingerprint.
const (
	kindFile byte = iota + 1
	kindDir
	kindLink // followed: the hash then carries its target
	kindOther
	kindMissing
)

func (f fingerprinter) entry(parent uint64, name string, kind byte, e *entryInfo, target string) uint64 {
	var buf [41]byte
	b := binary.LittleEndian.AppendUint64(buf[:0], parent)
	b = append(b, kind)
	if e != nil {
		b = binary.LittleEndian.AppendUint64(b, uint64(e.size))
		b = binary.LittleEndian.AppendUint64(b, uint64(e.mtime))
		b = binary.LittleEndian.AppendUint64(b, uint64(e.ctime))
		b = binary.LittleEndian.AppendUint64(b, e.ino)
	}
	var h maphash.Hash
	h.SetSeed(f.seed)
	h.Write(b)
	h.WriteString(name)
	h.WriteByte(0)
	h.WriteString(target)
	return h.Sum64()
}

// fingerprintAll fingerprints every tenant folder of the scripts folder.
func (w *Watcher) fingerprintAll(ctx context.Context) map[string]tenantPrint {
	prints := make(map[string]tenantPrint, len(w.prints))
	t := treeWalk{f: w.hasher, racyAfter: time.Now().Add(-racyWindow).UnixNano(), buf: make([]byte, 8<<10)}
	type top struct {
		name string
		e    entryInfo
	}
	var tops []top // fingerprinted after the listing, which shares t.buf
	if err := scanDir(w.realRoot, t.buf, notTenantName, func(name string, e entryInfo) {
		tops = append(tops, top{name, e})
	}); err != nil {
		w.log.Warn("cannot read the scripts folder", "dir", w.root, "err", err)
	}
	for i, top := range tops {
		if i%256 == 0 && ctx.Err() != nil {
			break
		}
		prints[top.name] = t.tenant(w.realRoot, top.name, top.e)
	}
	return prints
}

func notTenantName(name string) bool { return !isTenantName(name) }

// treeWalk computes fingerprints; one serves a whole poll.
type treeWalk struct {
	f         fingerprinter
	racyAfter int64 // modification times after this are not trusted (ns)
	buf       []byte

	// Per tenant.
	home   string // real path of the tenant folder: links inside lead no further out
	racy   bool
	linked []string // real paths of the folders entered through links, to stop at cycles
	dirs   int
}

// tenant fingerprints the top-level entry name of the scripts folder root.
func (t *treeWalk) tenant(root, name string, e entryInfo) tenantPrint {
	t.home, t.racy, t.linked, t.dirs = "", false, t.linked[:0], 0
	var sum uint64
	if e.typ == fs.ModeDir {
		path := filepath.Join(root, name)
		t.home, t.linked = path, append(t.linked, path)
		h := t.f.entry(0, name, kindDir, nil, "")
		sum = h + t.dir(path, h)
	} else {
		sum = t.link(root, name, 0)
	}
	return tenantPrint{sum: sum, racy: t.racy}
}

func (t *treeWalk) file(parent uint64, name string, kind byte, e *entryInfo, target string) uint64 {
	// Only the modification time: a write always moves it to the current
	// tick, so it can be missed only if the time already was that tick.
	if e.mtime > t.racyAfter {
		t.racy = true
	}
	return t.f.entry(parent, name, kind, e, target)
}

// dir sums the hashes of the entries below the real folder path.
func (t *treeWalk) dir(path string, id uint64) uint64 {
	if t.dirs++; t.dirs > maxTreeDirs {
		return 0
	}
	var sum uint64
	type sub struct {
		name string
		typ  fs.FileMode
	}
	var subs []sub // walked after the listing, which shares t.buf
	err := scanDir(path, t.buf, skipName, func(name string, e entryInfo) {
		switch e.typ {
		case fs.ModeDir, fs.ModeSymlink:
			subs = append(subs, sub{name, e.typ})
		case 0:
			sum += t.file(id, name, kindFile, &e, "")
		default:
			sum += t.f.entry(id, name, kindOther, nil, "")
		}
	})
	if err != nil {
		return t.f.entry(id, "", kindMissing, nil, "")
	}
	for _, s := range subs {
		if s.typ == fs.ModeDir {
			h := t.f.entry(id, s.name, kindDir, nil, "")
			sum += h + t.dir(filepath.Join(path, s.name), h)
		} else {
			sum += t.link(path, s.name, id)
		}
	}
	return sum
}

// link hashes an entry that may be a symbolic link by where it leads and,
// for a folder, by the tree there. The tenant's own entry may lead anywhere;
// a link inside the tenant folder that leads out of it is hashed by its
// target alone, as in inotify mode.
func (t *treeWalk) link(dir, name string, parent uint64) uint64 {
	real, err := resolve(dir, name, nil)
	if err != nil {
		target, _ := os.Readlink(filepath.Join(dir, name))
		return t.f.entry(parent, name, kindMissing, nil, target)
	}
	if t.home == "" {
		t.home = real
	} else if !within(real, t.home) {
		return t.f.entry(parent, name, kindOther, nil, real)
	}
	e, err := statInfo(real)
	if err != nil {
		return t.f.entry(parent, name, kindMissing, nil, real)
	}
	switch e.typ {
	case fs.ModeDir:
	case 0:
		return t.file(parent, name, kindLink, &e, real)
	default:
		return t.f.entry(parent, name, kindOther, nil, real)
	}
	h := t.f.entry(parent, name, kindLink, nil, real)
	if slices.Contains(t.linked, real) {
		return h
	}
	t.linked = append(t.linked, real)
	return h + t.dir(real, h)
}

// pollPass compares every tenant folder with its last fingerprint.
func (w *Watcher) pollPass(ctx context.Context) {
	if w.rootGone {
		w.rootIsBack()
		return
	}
	prevReal, prevInfo := w.realRoot, w.rootInfo
	if err := w.checkRoot(); err != nil {
		w.enterRootGone(err)
		return
	}
	if w.realRoot != prevReal || !os.SameFile(prevInfo, w.rootInfo) {
		w.log.Info("the scripts folder was replaced; rescanning it", "dir", w.root)
		w.markAll()
		return
	}
	prints := w.fingerprintAll(ctx)
	if ctx.Err() != nil {
		return
	}
	for name, fp := range prints {
		if old, ok := w.prints[name]; !ok || old.sum != fp.sum || old.racy {
			w.mark(name)
		}
	}
	for name := range w.prints {
		if _, ok := prints[name]; !ok {
			w.mark(name)
		}
	}
	w.prints = prints
}
