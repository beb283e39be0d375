package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/tenant"
)

// check builds and load-checks tenants and prints every problem as file:line:col: message,
// with paths the user can open from where they ran the command.
func check(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scripts := fs.String("scripts", engine.DefaultScriptsDir, "the tenants' folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	wanted := fs.Args()
	for _, id := range wanted {
		if err := tenant.ValidateID(id); err != nil {
			return usageError{fmt.Sprintf("tenant %q: %v", id, err)}
		}
		if _, err := os.Stat(filepath.Join(*scripts, id)); err != nil {
			return usageError{fmt.Sprintf("tenant %q: no folder %s", id, filepath.Join(*scripts, id))}
		}
	}
	if len(wanted) == 0 {
		warnBadFolders(*scripts, stderr)
	}
	eng, err := engine.New(ctx, engine.Options{ScriptsDir: *scripts, Tenants: wanted})
	if err != nil {
		return err
	}
	defer eng.Close()
	failed := 0
	for _, t := range eng.Tenants() {
		if t.Error == nil {
			fmt.Fprintf(stdout, "ok   %s (version %s, %d files)\n", t.ID, t.Version, len(t.Files))
			continue
		}
		failed++
		for _, p := range t.Error.Problems {
			p.File = filepath.Join(*scripts, t.ID, p.File)
			fmt.Fprintln(stderr, p.String())
		}
		fmt.Fprintf(stdout, "FAIL %s\n", t.ID)
	}
	if failed > 0 {
		return exitError(1)
	}
	return nil
}

// warnBadFolders names folders the server ignores because their names are not tenant ids.
func warnBadFolders(dir string, stderr io.Writer) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		if err := tenant.ValidateID(name); err != nil {
			fmt.Fprintf(stderr, "warning: %s is ignored: %v\n", filepath.Join(dir, name), err)
		}
	}
}
