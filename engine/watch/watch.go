// Package watch tells the engine which tenant folders of the scripts folder
// changed, so that only those are rebuilt. It never reads or builds scripts.
//
// It follows every sub-folder of every tenant folder with inotify (through
// fsnotify), or, on file systems without inotify, compares a fingerprint of
// each tenant folder at a fixed interval. Symbolic links are followed: a
// tenant folder that is a link is watched where it points, and a change of
// any link on the way (a Kubernetes ConfigMap's ..data swap included) counts
// as a change of the tenant.
//
// Inside a tenant folder, what the bundler never reads is not watched:
// dot-files and dot-folders, node_modules, editors' backups and temporaries
// (index.js~, JetBrains' ___jb_tmp___), and where links leading out of the
// tenant folder point (the link itself is watched). An editor's save, however
// it renames things, is seen under the real file name.
//
// When the scripts folder itself disappears, nothing is reported while it is
// gone (the engine keeps serving what it has, so that a deployment replacing
// the whole folder causes no outage); once it is back, a Change with All set
// asks for a full rescan.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options configures a Watcher. The zero value watches with inotify.
type Options struct {
	// Poll, when > 0, polls the folder at this interval instead of using
	// inotify (file systems without inotify: NFS, some container mounts).
	Poll time.Duration
	// Debounce is the quiet period before reporting (default 25ms), so that
	// an editor's burst of writes and renames becomes one report. A burst
	// that never goes quiet is reported at the latest after 20 periods.
	Debounce time.Duration
	// Logger receives warnings and errors; nil discards them.
	Logger *slog.Logger
}

// Change is one report: the tenant folders to rebuild, or everything.
type Change struct {
	// Tenants are the top-level entries of the scripts folder (tenant folder
	// names) whose contents, existence or target changed: sorted, no
	// duplicates.
	Tenants []string
	// All asks for a rescan of the whole folder (a queue overflow, the
	// scripts folder replaced or back after it disappeared); Tenants is
	// then empty.
	All bool
}

const (
	defaultDebounce = 25 * time.Millisecond
	// maxWaitFactor bounds how long a burst that never goes quiet (a process
	// rewriting a file in a loop) can hold back its report: Debounce times this.
	maxWaitFactor = 20
	// rootRetry is how often a vanished scripts folder is looked for in
	// inotify mode (poll mode looks at every poll).
	rootRetry = 250 * time.Millisecond
	// maxTreeDirs bounds the folders watched or fingerprinted per tenant, so
	// that a link to / or a huge tree cannot exhaust the inotify watches.
	maxTreeDirs = 10000
)

// Watcher watches one scripts folder. Create it with New, then call Run once.
type Watcher struct {
	root     string // absolute and clean, as given
	poll     time.Duration
	debounce time.Duration
	log      *slog.Logger

	fsw       *fsnotify.Watcher // nil in poll mode
	closeOnce sync.Once
	closeErr  error
	running   atomic.Bool

	// Everything below belongs to New, then to Run's goroutine.
	realRoot string      // root with every symbolic link resolved
	rootInfo fs.FileInfo // identity of realRoot, to notice its replacement
	rootGone bool        // the scripts folder is missing: wait for it
	limitErr error       // an inotify limit was hit during the last scan (logged once)

	// inotify bookkeeping (see inotify.go).
	dirs     map[string]*watchedDir // real path of a watched folder → why it is watched
	subjects map[string]*deps       // tenant name (rootSubject for the root) → what it depends on

	// poll bookkeeping (see poll.go).
	prints map[string]tenantPrint // tenant name → fingerprint
	hasher fingerprinter

	// The pending report.
	dirty   map[string]struct{}
	all     bool
	touched bool      // something was marked since the timer was last armed
	firstAt time.Time // when the pending report got its first mark
}

// New prepares a watcher of the scripts folder root and establishes its
// watches (or its first fingerprints) before returning, so that a change
// made after New returns is never missed. Call Run to receive the changes,
// or Close to give the watcher up.
//
// New fails when root is missing or not a folder, or when the system's
// inotify limits leave some folder unwatched (the error says which limit;
// polling avoids them).
func New(root string, opts Options) (*Watcher, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("scripts folder %s: %w", root, err)
	}
	w := &Watcher{
		root:     abs,
		poll:     opts.Poll,
		debounce: opts.Debounce,
		log:      opts.Logger,
		dirty:    make(map[string]struct{}),
	}
	if w.debounce <= 0 {
		w.debounce = defaultDebounce
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if err := w.checkRoot(); err != nil {
		return nil, err
	}
	if w.poll > 0 {
		w.hasher = newFingerprinter()
		w.prints = w.fingerprintAll(context.Background())
		return w, nil
	}
	w.fsw, err = fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch scripts folder %s: %w (use polling instead, e.g. --poll 2s)", abs, err)
	}
	if err := w.build(); err != nil {
		w.fsw.Close()
		return nil, err
	}
	if w.limitErr != nil {
		w.fsw.Close()
		return nil, fmt.Errorf("watch scripts folder %s: %w", abs, w.limitErr)
	}
	return w, nil
}

// checkRoot resolves the scripts folder and records its identity; it fails
// when the folder is missing or not a folder.
func (w *Watcher) checkRoot() error {
	real, err := filepath.EvalSymlinks(w.root)
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
	return nil
}

// Run reports changes until ctx is done, calling onChange from a single
// goroutine (never concurrently), then releases everything. It returns
// ctx.Err(), or an error if watching cannot go on. Errors of the file system
// watcher are logged, not returned.
func (w *Watcher) Run(ctx context.Context, onChange func(Change)) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("watch: Run called twice")
	}
	defer w.Close()
	if onChange == nil {
		return errors.New("watch: Run needs an onChange function")
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	var events <-chan fsnotify.Event
	var errs <-chan error
	if w.fsw != nil {
		events, errs = w.fsw.Events, w.fsw.Errors
	}
	// In poll mode this ticker drives the polls; in inotify mode it runs
	// only while the scripts folder is missing, to notice its return.
	var tick *time.Ticker
	var tickC <-chan time.Time
	setTicker := func(on bool, every time.Duration) {
		switch {
		case on && tick == nil:
			tick = time.NewTicker(every)
			tickC = tick.C
		case !on && tick != nil:
			tick.Stop()
			tick, tickC = nil, nil
		}
	}
	defer setTicker(false, 0)
	if w.poll > 0 {
		setTicker(true, w.poll)
	}
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	defer flush.Stop()

	for {
		select {
		case <-ctx.Done():
			return ctx.Err()

		case ev, ok := <-events:
			if !ok {
				return errors.New("watch: the file system watcher stopped")
			}
			w.handleEvent(ev)

		case err, ok := <-errs:
			if !ok {
				return errors.New("watch: the file system watcher stopped")
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.log.Warn("too many file changes at once; rescanning the whole scripts folder",
					"dir", w.root, "err", err)
				w.markAll()
			} else {
				w.log.Warn("file system watcher error", "dir", w.root, "err", err)
			}

		case <-tickC:
			if w.poll > 0 {
				w.pollPass(ctx)
			} else if w.rootIsBack() {
				setTicker(false, 0)
			}

		case <-flush.C:
			w.firstAt = time.Time{}
			change, ok := w.flush(ctx)
			if w.rootGone && w.fsw != nil {
				setTicker(true, rootRetry)
			}
			if ok && ctx.Err() == nil {
				onChange(change)
			}
		}
		if w.touched {
			w.touched = false
			flush.Reset(w.delay(time.Now()))
		}
	}
}

// delay is how long to wait before reporting what is pending: the quiet
// period, cut short when the pending report has already waited too long.
func (w *Watcher) delay(now time.Time) time.Duration {
	if w.firstAt.IsZero() {
		w.firstAt = now
	}
	d := w.debounce
	if left := w.firstAt.Add(maxWaitFactor * w.debounce).Sub(now); left < d {
		d = max(left, 0)
	}
	return d
}

// Close releases the watcher. Run calls it on return; call it only for a
// watcher that is never run. It is safe to call more than once.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() {
		if w.fsw != nil {
			w.closeErr = w.fsw.Close()
		}
	})
	return w.closeErr
}

func (w *Watcher) mark(tenant string) {
	w.dirty[tenant] = struct{}{}
	w.touched = true
}

func (w *Watcher) markAll() {
	w.all = true
	w.touched = true
}

// flush turns what is pending into a report, first bringing the watches of
// the reported tenants up to date, so that the engine, which reads their
// folders after the report, cannot miss a later change.
func (w *Watcher) flush(ctx context.Context) (Change, bool) {
	defer func() {
		clear(w.dirty)
		w.all = false
	}()
	if w.rootGone {
		return Change{}, false
	}
	if !w.all {
		// Seen before the root's own removal, while a whole tree is deleted:
		// hold back, the All that follows its return covers these tenants.
		if info, err := os.Stat(w.realRoot); err != nil || !info.IsDir() {
			w.enterRootGone(err)
			return Change{}, false
		}
	}
	if w.all {
		if err := w.rescan(ctx); err != nil {
			w.enterRootGone(err)
			return Change{}, false
		}
		return Change{All: true}, true
	}
	if len(w.dirty) == 0 {
		return Change{}, false
	}
	tenants := slices.Sorted(maps.Keys(w.dirty))
	if w.fsw != nil {
		w.syncTenants(tenants...)
	}
	return Change{Tenants: tenants}, true
}

// rescan rebuilds every watch or fingerprint from scratch.
func (w *Watcher) rescan(ctx context.Context) error {
	if w.fsw == nil {
		if err := w.checkRoot(); err != nil {
			return err
		}
		w.prints = w.fingerprintAll(ctx)
		return nil
	}
	w.unwatchAll()
	return w.build()
}

// enterRootGone starts waiting for the scripts folder to come back.
func (w *Watcher) enterRootGone(err error) {
	if w.rootGone {
		return
	}
	w.rootGone = true
	clear(w.dirty)
	w.all = false
	if w.fsw != nil {
		w.unwatchAll()
	}
	w.log.Warn("the scripts folder is gone; serving what is loaded until it is back",
		"dir", w.root, "err", err)
}

// rootIsBack reports whether the missing scripts folder is back, and if so
// asks for a full rescan.
func (w *Watcher) rootIsBack() bool {
	if !w.rootGone {
		return true
	}
	if err := w.checkRoot(); err != nil {
		return false
	}
	w.rootGone = false
	w.log.Info("the scripts folder is back; rescanning it", "dir", w.root)
	w.markAll()
	return true
}
