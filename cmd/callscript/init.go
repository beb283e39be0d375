package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/sdk"
	"github.com/callscript/callscript/engine/tenant"
)

// typesDir is the folder of a tenant that holds callscript's TypeScript declarations.
const typesDir = "types"

// initTenant writes a new tenant folder, NAME under --scripts, with a working TypeScript
// handler, a test of it, the TypeScript settings and callscript's type declarations. It never
// overwrites: an existing folder is refused, and a folder it could not finish is removed.
func initTenant(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("init", flag.ContinueOnError)
	flags.SetOutput(stderr)
	scripts := flags.String("scripts", engine.DefaultScriptsDir, "the tenants' folder; NAME is created in it")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	switch {
	case flags.NArg() == 0:
		return usageError{"want the new tenant's name, its 8x8 subAccountId: callscript init [--scripts DIR] NAME"}
	case flags.NArg() > 1:
		return usageError{fmt.Sprintf("want one tenant name, got %d arguments (%s); flags go before NAME",
			flags.NArg(), strings.Join(flags.Args(), " "))}
	}
	name := flags.Arg(0)
	if err := tenant.ValidateID(name); err != nil {
		return usageError{err.Error()}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	files, err := tenantFiles(name)
	if err != nil {
		return err
	}
	dir := filepath.Join(*scripts, name)
	if err := writeNewFolder(*scripts, dir, files); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "Created tenant %s in %s:\n", name, dir)
	table := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, f := range files {
		fmt.Fprintf(table, "  %s\t%s\n", filepath.Join(dir, filepath.FromSlash(f.name)), f.about)
	}
	table.Flush()
	fmt.Fprintf(stdout, `
Next steps:
  1. Open %[1]s in your editor and change the menu; tsconfig.json gives it the types.
  2. callscript check --scripts %[2]s %[3]s    build it and report any error
  3. callscript test --scripts %[2]s %[3]s     run index.test.ts
  4. callscript serve --scripts %[2]s          and point the voice webhooks of 8x8
     sub-account %[3]s at https://YOUR-SERVER/webhooks/voice
`, filepath.Join(dir, "index.ts"), *scripts, name)
	return nil
}

// tenantFile is one file of a new tenant folder.
type tenantFile struct {
	name  string // slash-separated, relative to the tenant folder
	data  []byte
	about string // what the file is, for the listing init prints
}

// tenantFiles is the content of a new tenant folder: the template with the tenant's name put
// in, and every file of the shipped type declarations under types/.
func tenantFiles(name string) ([]tenantFile, error) {
	about := map[string]string{
		"index.ts":      "the handler: a menu and an order number prompt",
		"index.test.ts": "its tests (callscript test)",
		"tsconfig.json": "TypeScript settings for your editor",
		"README.md":     "how to check, test and serve it",
	}
	var files []tenantFile
	err := fs.WalkDir(sdk.Template(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sdk.Template(), p)
		if err != nil {
			return err
		}
		data = []byte(strings.ReplaceAll(string(data), sdk.TemplateTenant, name))
		files = append(files, tenantFile{name: p, data: data, about: about[p]})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the tenant template: %w", err)
	}
	err = fs.WalkDir(sdk.Types(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sdk.Types(), p)
		if err != nil {
			return err
		}
		files = append(files, tenantFile{name: path.Join(typesDir, p), data: data, about: "type declarations (replaced on upgrade; do not edit)"})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the type declarations: %w", err)
	}
	return files, nil
}

// writeNewFolder creates dir, which must not exist, inside scripts (created if need be) and
// writes files into it. On failure it removes dir again, so a half-written tenant never
// reaches a server watching the scripts folder.
func writeNewFolder(scripts, dir string, files []tenantFile) (err error) {
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("%s already exists: init never overwrites a folder; choose another name or remove it first", dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	if err := os.MkdirAll(scripts, 0o755); err != nil {
		return fmt.Errorf("create the scripts folder: %w", err)
	}
	// Mkdir, not MkdirAll: it fails if the folder appeared since the check above.
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists: init never overwrites a folder; choose another name or remove it first", dir)
		}
		return fmt.Errorf("create the tenant folder: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	for _, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(target), err)
		}
		if err := writeExclusive(target, f.data); err != nil {
			return err
		}
	}
	return nil
}

// writeExclusive writes a file that must not exist yet.
func writeExclusive(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
