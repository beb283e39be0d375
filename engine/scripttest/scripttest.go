// Package scripttest runs the tests that script authors write for their tenants, inside the
// engine itself.
//
// A tenant's test files (*.test.ts, *.test.js, at any depth of its folder) import the tenant's
// modules like any module and the test API from "callscript/test". RunTenant first builds and
// load-checks the tenant as the server would (package engine), then bundles each test file
// with the same bundler, runs it in a goja runtime of its own and runs the tests it registers,
// one after the other, each under a timeout. The call simulator of "callscript/test" routes
// events and builds ctx the way the engine does, and validates every callflow with
// engine/callflow, so a test sees the normalized callflow the server would send.
//
// Within one file, tests share the runtime and so the module state of the tenant's code, as
// they would in Jest; fetch mocks and the clock are reset before each test.
package scripttest

import (
	"context"
	"errors"
	"fmt"
	"github.com/dop251/goja"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/tenant"
)

// DefaultTimeout bounds one test that sets no timeout of its own.
const DefaultTimeout = 5 * time.Second

// Options configure a test run. The zero value runs every test with the default timeout and
// no environment variables for tenant.json.
type Options struct {
	// LookupEnv resolves ${NAME} in tenant.json; nil means no variable is set.
	LookupEnv func(string) (string, bool)
	// Timeout bounds each test that sets none itself (default DefaultTimeout).
	Timeout time.Duration
	// Match, when set, runs only the tests whose full name it matches.
	Match *regexp.Regexp
}

// Position is a place in a file of the tenant folder.
type Position struct {
	File         string // relative to the tenant folder, such as "index.test.ts"
	Line, Column int    // 1-based; 0 when unknown
}

// String renders the position as "file:line:col", or "" when no file is known.
func (p Position) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Outcome is how a test ended.
type Outcome int

// The outcomes of a test.
const (
	Passed Outcome = iota
	Failed
	Skipped // test.skip, or another test of the file is test.only
)

// String names the outcome as the test command prints it: PASS, FAIL or SKIP.
func (o Outcome) String() string {
	switch o {
	case Passed:
		return "PASS"
	case Failed:
		return "FAIL"
	}
	return "SKIP"
}

// TestResult is one test that ran or was skipped.
type TestResult struct {
	Name     string   // the test's name, with its describe groups: "menu > sales"
	Pos      Position // where test() registered it
	Outcome  Outcome
	Failure  *Failure // nil unless Outcome is Failed
	Duration time.Duration
	// Logs holds the lines the test and the handler wrote through console and ctx.log,
	// formatted as "index.ts:14: warn: message".
	Logs []string
}

// Failure says why a test failed.
type Failure struct {
	// Pos is where the test failed in the author's files: the expectation, or the step of a
	// simulated call that failed; zero when unknown.
	Pos     Position
	Message string
	// Detail holds further lines: the author's stack of an error, the callflow at fault.
	Detail string
}

// FileResult is one test file.
type FileResult struct {
	File string // relative to the tenant folder
	// Problems are why the file's tests could not run: a build error, or its module code
	// threw. Each is located in the author's files.
	Problems []engine.Problem
	Tests    []TestResult
}

// TenantResult is the outcome of a tenant's tests.
type TenantResult struct {
	Tenant string
	// NoEntry is set when the folder has no entry file: it is not a tenant, and was skipped.
	NoEntry bool
	// Problems are why the tenant does not build as the server would build it (its tests
	// did not run), located in the author's files.
	Problems []engine.Problem
	Files    []FileResult // one per test file, sorted by name
}

// Counts tallies the tests of the tenant. A file that could not run counts as one failure.
func (r *TenantResult) Counts() (passed, failed, skipped int) {
	if len(r.Problems) > 0 {
		failed++
	}
	for _, f := range r.Files {
		if len(f.Problems) > 0 {
			failed++
		}
		for _, t := range f.Tests {
			switch t.Outcome {
			case Passed:
				passed++
			case Failed:
				failed++
			default:
				skipped++
			}
		}
	}
	return passed, failed, skipped
}

// Folders lists the folders of scriptsDir whose names are tenant ids, sorted: the tenants a
// run without names tests. Folders without an entry file are listed too; RunTenant skips them.
func Folders(scriptsDir string) ([]string, error) {
	entries, err := os.ReadDir(scriptsDir)
	if err != nil {
		return nil, fmt.Errorf("scripts folder: %w", err)
	}
	var ids []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || tenant.ValidateID(name) != nil {
			continue
		}
		if info, err := os.Stat(filepath.Join(scriptsDir, name)); err != nil || !info.IsDir() {
			continue
		}
		ids = append(ids, name)
	}
	return ids, nil
}

// RunTenant runs the tests of the tenant folder scriptsDir/id. Problems in the tenant's files
// are part of the result; the error is for what stops the run itself (an unreadable folder, a
// cancelled ctx).
func RunTenant(ctx context.Context, scriptsDir, id string, opts Options) (*TenantResult, error) {
	if err := tenant.ValidateID(id); err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = func(string) (string, bool) { return "", false }
	}
	res := &TenantResult{Tenant: id}
	src, err := bundle.ReadSource(filepath.Join(scriptsDir, id))
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", id, err)
	}
	if _, ok := src.Entry(); !ok {
		res.NoEntry = true
		return res, nil
	}
	var tests []string
	for name := range src.Files {
		if bundle.IsTestFile(name) {
			tests = append(tests, name)
		}
	}
	slices.Sort(tests)
	if len(tests) == 0 {
		return res, nil
	}

	t, problems, err := loadTenant(ctx, scriptsDir, id, src, opts.LookupEnv)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		res.Problems = problems
		return res, nil
	}
	for _, name := range tests {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, runFile(ctx, t, src, name, opts))
	}
	return res, ctx.Err()
}

// tenantUnderTest is what the simulator needs to know about the tenant: what the server
// would use when running its handler.
type tenantUnderTest struct {
	id, version string
	settings    *tenant.Settings
	budget      time.Duration // the time budget of one event
	sdk         *goja.Program // the "callscript" module, as the server runs it
}

// loadTenant builds and load-checks the tenant exactly as the server does, and reads the
// settings the simulator applies.
func loadTenant(ctx context.Context, scriptsDir, id string, src *bundle.Source, lookupEnv func(string) (string, bool)) (*tenantUnderTest, []engine.Problem, error) {
	eng, err := engine.New(ctx, engine.Options{ScriptsDir: scriptsDir, Tenants: []string{id}, LookupEnv: lookupEnv})
	if err != nil {
		return nil, nil, err
	}
	defer eng.Close()
	info, ok := eng.Tenant(id)
	if !ok {
		return nil, nil, fmt.Errorf("tenant %s: its folder vanished during the run", id)
	}
	if info.Error != nil {
		return nil, info.Error.Problems, nil
	}
	settings := &tenant.Settings{}
	if raw, ok := src.Files["tenant.json"]; ok {
		// The engine accepted this file a moment ago; an error means it changed since.
		if settings, err = tenant.ParseSettings(raw, lookupEnv); err != nil {
			return nil, []engine.Problem{{File: "tenant.json", Message: err.Error()}}, nil
		}
	}
	sdkProgram, err := engine.CompileSDK()
	if err != nil {
		return nil, nil, err
	}
	t := &tenantUnderTest{
		id:       id,
		version:  info.Version,
		settings: settings,
		budget:   engine.DefaultTimeout,
		sdk:      sdkProgram,
	}
	if settings.Timeout > 0 {
		t.budget = settings.Timeout
	}
	return t, nil, nil
}

// bundleProblems turns a bundler error into the author's problems.
func bundleProblems(err error) []engine.Problem {
	var berr *bundle.BuildError
	if !errors.As(err, &berr) {
		return []engine.Problem{{Message: err.Error()}}
	}
	out := make([]engine.Problem, len(berr.Errors))
	for i, e := range berr.Errors {
		out[i] = engine.Problem{File: e.File, Line: e.Line, Column: e.Column, Message: e.Message}
	}
	return out
}
