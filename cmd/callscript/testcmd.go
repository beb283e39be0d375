package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/scripttest"
	"github.com/callscript/callscript/engine/tenant"
)

// testTenants runs the tenants' test files (*.test.ts, *.test.js) in the engine itself. Each
// failing test is printed as "FAIL file:line:col name: message" with the author's own file,
// and the last line is "N passed, N failed", which CI can read; the exit status is 1 when a
// test failed or a tenant or test file did not build.
func testTenants(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scripts := fs.String("scripts", engine.DefaultScriptsDir, "the tenants' folder")
	match := fs.String("run", "", "run only the tests whose name matches this regular expression")
	timeout := fs.Duration("test-timeout", scripttest.DefaultTimeout, "time limit of one test, unless the test sets its own { timeout }")
	verbose := fs.Bool("v", false, "list every test, and the log lines of passing tests")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts := scripttest.Options{Timeout: *timeout, LookupEnv: lookupEnvForTests}
	if *match != "" {
		re, err := regexp.Compile(*match)
		if err != nil {
			return usageError{fmt.Sprintf("--run %q: %v", *match, err)}
		}
		opts.Match = re
	}
	ids := fs.Args()
	for _, id := range ids {
		if err := tenant.ValidateID(id); err != nil {
			return usageError{fmt.Sprintf("tenant %q: %v", id, err)}
		}
		if _, err := os.Stat(filepath.Join(*scripts, id)); err != nil {
			return usageError{fmt.Sprintf("tenant %q: no folder %s", id, filepath.Join(*scripts, id))}
		}
	}
	if len(ids) == 0 {
		warnBadFolders(*scripts, stderr)
		var err error
		if ids, err = scripttest.Folders(*scripts); err != nil {
			return err
		}
	}

	r := &testReport{scripts: *scripts, stdout: stdout, stderr: stderr, verbose: *verbose, filtered: opts.Match != nil}
	for _, id := range ids {
		start := time.Now()
		res, err := scripttest.RunTenant(ctx, *scripts, id, opts)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// An unreadable folder, say: report it and go on with the other tenants.
			fmt.Fprintf(stderr, "%s: %v\n", filepath.Join(*scripts, id), err)
			fmt.Fprintf(stdout, "FAIL %s: its tests could not run\n", id)
			r.failed++
			continue
		}
		r.tenant(res, time.Since(start))
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", r.passed, r.failed)
	if r.failed > 0 {
		return exitError(1)
	}
	return nil
}

// lookupEnvForTests resolves ${NAME} in tenant.json from the environment, and leaves a
// reference to a variable that is not set as it is written: tests must not need the
// production secrets that tenant.json reads from the server's environment.
func lookupEnvForTests(name string) (string, bool) {
	if v, ok := os.LookupEnv(name); ok {
		return v, true
	}
	return "${" + name + "}", true
}

// testReport prints the results of a test run and counts them.
type testReport struct {
	scripts        string
	stdout, stderr io.Writer
	verbose        bool
	filtered       bool // --run: files may have no test that matches
	passed, failed int
}

// path names a file of a tenant folder as the user can open it from where they ran the command.
func (r *testReport) path(id, file string) string {
	return filepath.Join(r.scripts, id, file)
}

func (r *testReport) problems(id string, problems []engine.Problem) {
	for _, p := range problems {
		if p.File != "" {
			p.File = r.path(id, p.File)
		} else {
			p.File = r.path(id, "")
		}
		fmt.Fprintln(r.stderr, p.String())
	}
}

func (r *testReport) tenant(res *scripttest.TenantResult, took time.Duration) {
	if res.NoEntry {
		return
	}
	passed, failed, _ := res.Counts()
	r.passed += passed
	r.failed += failed
	id := res.Tenant
	if len(res.Problems) > 0 {
		r.problems(id, res.Problems)
		fmt.Fprintf(r.stdout, "FAIL %s: the tenant does not build, so its tests did not run\n", id)
		return
	}
	if len(res.Files) == 0 {
		fmt.Fprintf(r.stdout, "?    %s [no test files]\n", id)
		return
	}
	for _, f := range res.Files {
		if len(f.Problems) > 0 {
			r.problems(id, f.Problems)
			fmt.Fprintf(r.stdout, "FAIL %s: the test file did not run\n", r.path(id, f.File))
			continue
		}
		if len(f.Tests) == 0 && !r.filtered {
			fmt.Fprintf(r.stdout, "?    %s [no tests]\n", r.path(id, f.File))
		}
		for _, t := range f.Tests {
			r.test(id, t)
		}
	}
	summary := fmt.Sprintf("%d passed", passed)
	if failed > 0 {
		summary += fmt.Sprintf(", %d failed", failed)
		fmt.Fprintf(r.stdout, "FAIL %s  %s (%v)\n", id, summary, took.Round(time.Millisecond))
		return
	}
	fmt.Fprintf(r.stdout, "ok   %s  %s (%v)\n", id, summary, took.Round(time.Millisecond))
}

func (r *testReport) test(id string, t scripttest.TestResult) {
	switch t.Outcome {
	case scripttest.Failed:
		pos := t.Failure.Pos
		pos.File = r.path(id, pos.File)
		first, rest, _ := strings.Cut(t.Failure.Message, "\n")
		fmt.Fprintf(r.stdout, "FAIL %s %s: %s\n", pos, t.Name, first)
		r.indented(rest)
		r.indented(t.Failure.Detail)
		if len(t.Logs) > 0 {
			fmt.Fprintln(r.stdout, "    logs:")
			for _, l := range t.Logs {
				fmt.Fprintf(r.stdout, "      %s\n", l)
			}
		}
	case scripttest.Passed:
		if r.verbose {
			pos := t.Pos
			pos.File = r.path(id, pos.File)
			fmt.Fprintf(r.stdout, "PASS %s %s (%v)\n", pos, t.Name, t.Duration.Round(time.Millisecond))
			for _, l := range t.Logs {
				fmt.Fprintf(r.stdout, "      %s\n", l)
			}
		}
	case scripttest.Skipped:
		if r.verbose {
			pos := t.Pos
			pos.File = r.path(id, pos.File)
			fmt.Fprintf(r.stdout, "SKIP %s %s\n", pos, t.Name)
		}
	}
}

// indented prints text under a failure, each line indented.
func (r *testReport) indented(text string) {
	if text = strings.TrimSpace(text); text == "" {
		return
	}
	for line := range strings.SplitSeq(text, "\n") {
		fmt.Fprintf(r.stdout, "    %s\n", strings.TrimSpace(line))
	}
}
