package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/tenant"
)

// MaxUploadBytes bounds one file written through WriteFile.
const MaxUploadBytes = bundle.MaxFileBytes

// uploadExtensions are the files a tenant folder may be given through WriteFile: sources,
// tests and tenant.json.
func uploadExtension(name string) bool {
	switch path.Ext(name) {
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".json":
		return true
	}
	return false
}

// ErrBadPath refuses a file path that is not a plain path inside the tenant folder.
var ErrBadPath = errors.New("bad file path")

// CheckFilePath accepts a slash-separated path relative to a tenant folder that names a
// source, test or settings file, and refuses everything else: absolute paths, "..", dot
// files and folders, backslashes, NUL and other control characters, and other extensions.
func CheckFilePath(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrBadPath, name, why) }
	switch {
	case name == "":
		return bad("empty")
	case len(name) > 255:
		return bad("longer than 255 bytes")
	case strings.HasPrefix(name, "/"):
		return bad("must be relative to the tenant folder")
	case strings.ContainsAny(name, "\\\x00"):
		return bad("contains a backslash or NUL")
	case path.Clean(name) != name:
		return bad("is not a clean path (no //, ./ or trailing /)")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return bad("contains a control character")
		}
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return bad("no part of it may start with a dot (.., hidden files)")
		}
		if part == "node_modules" {
			return bad("node_modules is not read")
		}
	}
	if strings.Count(name, "/") >= bundle.MaxDepth {
		return bad("nested too deep")
	}
	if !uploadExtension(name) {
		return bad("only .js .mjs .cjs .ts .mts .cts and .json files belong in a tenant folder")
	}
	return nil
}

// WriteFile writes one file of a tenant folder, creating the folder for a new tenant, but only
// if the tenant builds and passes its load check with the new file: otherwise it returns the
// *BuildError and the folder is left as it was. The file is written atomically (a temporary
// file renamed into place), confined to the tenant folder, and the new version serves when
// WriteFile returns.
func (e *Engine) WriteFile(ctx context.Context, id, name string, content []byte) (TenantInfo, error) {
	if err := tenant.ValidateID(id); err != nil {
		return TenantInfo{}, err
	}
	if err := CheckFilePath(name); err != nil {
		return TenantInfo{}, err
	}
	if len(content) > MaxUploadBytes {
		return TenantInfo{}, fmt.Errorf("%s is %d bytes; the limit is %d", name, len(content), MaxUploadBytes)
	}
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()

	dir := filepath.Join(e.root, id)
	src, err := bundle.ReadSource(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		src = &bundle.Source{Files: map[string][]byte{}}
	case err != nil:
		return TenantInfo{}, &BuildError{Tenant: id, Problems: []Problem{{Message: err.Error()}}}
	}
	src.Files[name] = content
	if _, ok := src.Entry(); !ok {
		return TenantInfo{}, &BuildError{Tenant: id, Problems: []Problem{{Message: "the folder has no entry file yet: upload index.ts, index.mjs, index.js or index.cjs first"}}}
	}
	start := time.Now()
	rel, berr := e.build(ctx, id, src)
	if berr != nil {
		return TenantInfo{}, berr
	}
	if err := writeAtomically(dir, name, content); err != nil {
		return TenantInfo{}, fmt.Errorf("write %s/%s: %w", id, name, err)
	}
	// The folder now holds what was just built: install it, and the watcher's report of the
	// write finds nothing new.
	e.install(id, rel, time.Since(start))
	info, _ := e.Tenant(id)
	return info, nil
}

// writeAtomically writes dir/name through a temporary file renamed into place, every step
// confined to dir by os.Root so that no symlink inside it leads the write elsewhere.
func writeAtomically(dir, name string, content []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if d := path.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	tmp := path.Join(path.Dir(name), ".upload-"+hex.EncodeToString(suffix[:])+".tmp")
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(content)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = root.Rename(tmp, name)
	}
	if werr != nil {
		_ = root.Remove(tmp)
	}
	return werr
}
