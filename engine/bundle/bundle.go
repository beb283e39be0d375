// Package bundle turns one tenant folder into one JavaScript program for goja.
//
// ReadSource takes a snapshot of the folder; Build bundles the snapshot in
// memory with esbuild (TypeScript, ES modules and CommonJS alike) into a
// single script that assigns the entry's exports to the global
// ExportsGlobal. esbuild never touches the disk: every file comes from the
// snapshot, only relative imports and "callscript" resolve (and
// "callscript/test" in a bundle built from a test file, see IsTestFile), and
// nothing may leave the tenant folder. The "callscript" module is not copied
// into each tenant's program: SDKProgram makes it a program of its own, which
// sdk.Install runs in every runtime before the tenant's, and a tenant's
// imports of it read the global SDKGlobal that sdk.Install defines.
//
// # Positions
//
// Build reports its errors with 1-based lines and columns in the author's
// files. The program carries an inline source map that goja reads by itself:
// compiled under ProgramName, the frames of a goja exception's stack name
// the author's file (its path relative to the tenant folder, such as
// "lib/menus.ts"), line and column, all 1-based. Bundle.Position undoes the
// URL escapes goja applies to unusual file names, and Bundle.AuthorPosition
// finds the innermost frame in the author's code. Frames inside the
// "callscript" module are named SDKFile.
//
// # Language
//
// The program is ES2022, less the async generators and for await loops goja
// lacks, which esbuild lowers. goja also lacks the RegExp flags d and v,
// which cannot be lowered: such a regular expression throws a SyntaxError
// when the script creates it. Every module runs in
// strict mode, as ES modules do anyway: an assignment to an undeclared
// variable throws instead of leaving a global behind for the next call the
// same VM serves. A tsconfig.json in the tenant folder is not read.
package bundle

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/callscript/callscript/engine/internal/suggest"
	"github.com/callscript/callscript/engine/sdk"
	"github.com/evanw/esbuild/pkg/api"
)

// ExportsGlobal is the global the program assigns the entry's exports to:
// an object of the exports of an ES module entry (its handler is "default"),
// or module.exports of a CommonJS entry.
const ExportsGlobal = "__callscript_exports"

// SDKFile is the file name that stack positions give for code of the
// "callscript" module. It cannot be the name of a tenant file.
const SDKFile = "callscript:sdk.js"

// SDKGlobal is the global that a tenant's imports of "callscript" read (see
// sdk.Install). A tenant's program does not carry the module's code, so that
// ten thousand tenants share one compiled copy of it instead of holding one
// each.
const SDKGlobal = sdk.Global

// The esbuild namespaces of the two kinds of module a bundle is made of.
// Their names appear only inside esbuild: Build strips them from error
// positions and from the source map.
const (
	tenantNamespace = "callscript-tenant"
	sdkNamespace    = "callscript-sdk"
)

// entryPlaceholder is the entry point esbuild is given; the plugin resolves
// it to the tenant's entry. Before running plugins esbuild looks for an
// entry point among the files of its working directory (and expands one
// with a "*" as a glob on the disk); the NUL byte fails that look-up before
// it reaches the file system, so that no build depends on, or reads, the
// server's working directory.
const entryPlaceholder = "\x00callscript/entry"

// outputName is the name esbuild believes it writes to. Nothing is written;
// esbuild needs a name to produce a separate source map.
const outputName = "/callscript/bundle.js"

// tsconfig fixes how TypeScript is compiled, whatever tsconfig.json a tenant
// folder holds (that file is for the author's editor). alwaysStrict makes
// every module strict, as ES modules are anyway, so that an assignment to an
// undeclared variable throws instead of creating a global that would survive
// into the next call served by the same VM.
const tsconfig = `{"compilerOptions": {"alwaysStrict": true}}`

// Bundle is one tenant's program.
type Bundle struct {
	Code     string   // the JavaScript program for goja, with an inline source map
	Hash     string   // hex SHA-256 of Code
	Files    []string // the tenant files that went into the program, sorted
	Warnings []Error  // esbuild's warnings, such as a comparison that is always false
}

// Version returns the tenant's script version: the first 12 hex digits of
// the hash of its program.
func (b *Bundle) Version() string {
	return b.Hash[:12]
}

// Error is one problem in a tenant's source, at a position in the author's
// own file.
type Error struct {
	File    string // path relative to the tenant folder, such as "lib/menus.ts"; empty if no file is at fault
	Line    int    // 1-based; 0 if unknown
	Column  int    // 1-based, in characters; 0 if unknown
	Message string
}

// Error formats the problem as compilers do: "menus.ts:3:9: message".
func (e Error) Error() string {
	switch {
	case e.File == "":
		return e.Message
	case e.Line == 0:
		return e.File + ": " + e.Message
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
}

// BuildError is a build that failed because of the tenant's source.
type BuildError struct {
	Errors []Error // at least one
}

// Error returns one line per problem.
func (e *BuildError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, err := range e.Errors {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// loaderFor returns the esbuild loader for a tenant file, and whether the
// file is one Build can load at all.
func loaderFor(name string) (api.Loader, bool) {
	switch path.Ext(name) {
	case ".ts", ".mts", ".cts":
		return api.LoaderTS, true
	case ".js", ".mjs", ".cjs":
		return api.LoaderJS, true
	case ".json":
		return api.LoaderJSON, true
	}
	return api.LoaderNone, false
}

// Build bundles the tenant snapshot src, starting at its file entry (see
// Source.Entry), into one program. A problem in the tenant's source is
// returned as a *BuildError; any other error is the engine's.
func Build(ctx context.Context, src *Source, entry string) (*Bundle, error) {
	if _, ok := src.Files[entry]; !ok {
		return nil, &BuildError{Errors: []Error{{File: entry, Message: "entry file not found in the tenant folder"}}}
	}
	return esbuildBundle(ctx, &resolver{src: src, entry: entry, loaded: make(map[string]bool)})
}

// SDKProgram is the program that sdk.Install runs in every runtime before its
// tenant's: a function of host, the module's Go part (a function from a name
// to a builder or a helper, see sdk.Install), that returns the function a
// tenant's imports of "callscript" call (see sdkStub), from an export's name
// to it (only exports are asked for: esbuild refuses an import of anything
// else). The builders are Go; the rest of the module, sdk.ModuleScript, is
// made the first time a program asks for one of its exports, so a runtime
// whose tenant uses only builders never pays for the few dozen functions and
// tables it is made of. Compile the program under the name SDKFile: its lines
// are the module's own, so stack positions need no source map.
func SDKProgram() string {
	// The head goes on the module's first line, so that every line keeps its number.
	return `(function (host) { "use strict"; let helpers; function loadHelpers() { if (helpers === undefined) helpers = (function () {` +
		sdk.ModuleScript +
		"\nreturn Object.freeze({ __proto__: null, " + strings.Join(sdk.HelperNames, ", ") + " }); })(); return helpers; }" +
		"\nreturn function (name) { const made = host(name); return made !== undefined ? made : loadHelpers()[name]; };" +
		"\n})\n"
}

// esbuildBundle runs esbuild for r. It bundles the tenant as an ES module first and wraps that
// in a function of its own (see moduleScript): esbuild's IIFE output would turn the entry's
// exports into a CommonJS-style object through helpers that cost every runtime about 28 KB and
// a fifth of its start. Only an entry whose exports esbuild does not end the ES module with
// (such as `export * from` a CommonJS file) is bundled in the IIFE format after all.
func esbuildBundle(ctx context.Context, r *resolver) (*Bundle, error) {
	code, sourceMap, warnings, err := r.build(ctx, api.FormatESModule)
	var buildErr *BuildError
	if err != nil && !errors.As(err, &buildErr) {
		return nil, err
	}
	// A build error may be the ES module format's own (a CommonJS file that names a variable
	// yield): the IIFE build says whether the source is at fault. When both fail, the first
	// build's errors are reported (they say the same, or name what goja lacks more plainly).
	script, scripted := moduleScript(code)
	linesAbove := 1 // moduleScript's head
	if err != nil || !scripted {
		iife, iifeMap, iifeWarnings, iifeErr := r.build(ctx, api.FormatIIFE)
		switch {
		case iifeErr == nil:
			script, sourceMap, warnings, linesAbove = iife, iifeMap, iifeWarnings, 0
		case err != nil && errors.As(iifeErr, &buildErr):
			return nil, err
		default:
			return nil, iifeErr
		}
	}
	inline, err := inlineSourceMap(sourceMap, linesAbove)
	if err != nil {
		return nil, err
	}
	program := string(script) + "//# sourceMappingURL=data:application/json;base64," + inline + "\n"
	sum := sha256.Sum256([]byte(program))
	return &Bundle{
		Code:     program,
		Hash:     hex.EncodeToString(sum[:]),
		Files:    r.files(),
		Warnings: convertMessages(warnings),
	}, nil
}

// build runs esbuild for r with the output format format: the program, its source map and
// esbuild's warnings. In the IIFE format the program assigns the entry's exports to
// ExportsGlobal itself.
func (r *resolver) build(ctx context.Context, format api.Format) (code, sourceMap []byte, warnings []api.Message, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	opts := api.BuildOptions{
		EntryPoints: []string{entryPlaceholder},
		Bundle:      true,
		Write:       false,
		Outfile:     outputName,
		Format:      format,
		Platform:    api.PlatformNeutral,
		Target:      api.ES2022,
		// goja runs ES2022 except for these, which esbuild lowers (or, for a top-level await,
		// refuses, as the IIFE format does).
		Supported: map[string]bool{
			"async-generator":      false,
			"for-await":            false,
			"regexp-match-indices": false,
			"regexp-set-notation":  false,
			"top-level-await":      false,
			"import-meta":          false,
		},
		TsconfigRaw:    tsconfig,
		Sourcemap:      api.SourceMapExternal,
		SourcesContent: api.SourcesContentExclude,
		LogLevel:       api.LogLevelSilent,
		Plugins:        []api.Plugin{{Name: "callscript", Setup: r.setup}},
	}
	if format == api.FormatIIFE {
		opts.GlobalName = ExportsGlobal
	}
	esb, ctxErr := api.Context(opts)
	if ctxErr != nil {
		return nil, nil, nil, fmt.Errorf("bundle: set up esbuild: %v", ctxErr.Errors)
	}
	defer esb.Dispose()

	// esbuild cannot take a context; cancel the build when ctx ends.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			esb.Cancel()
		case <-done:
		}
	}()
	result := esb.Rebuild()
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	if len(result.Errors) > 0 {
		return nil, nil, nil, &BuildError{Errors: convertMessages(result.Errors)}
	}
	for _, out := range result.OutputFiles {
		switch out.Path {
		case outputName:
			code = out.Contents
		case outputName + ".map":
			sourceMap = out.Contents
		}
	}
	if code == nil || sourceMap == nil {
		return nil, nil, nil, fmt.Errorf("bundle: esbuild produced %d files but not the program and its source map", len(result.OutputFiles))
	}
	return code, sourceMap, result.Warnings, nil
}

// The two ways esbuild ends an ES module bundle with the entry's exports: a clause listing
// them, or, for a CommonJS entry, its module.exports as the default export.
var (
	exportClauseRE  = regexp.MustCompile(`\nexport \{\n((?:  [\w$]+(?: as [\w$]+)?,\n)*  [\w$]+(?: as [\w$]+)?)\n\};\n$`)
	exportRequireRE = regexp.MustCompile(`\nexport default (require_[\w$]+\(\));\n$`)
)

// moduleScript turns esbuild's ES module bundle into a script that assigns the entry's exports
// to ExportsGlobal: a strict function around the module's code, one line above it, that
// returns an object with a getter for each export (live bindings, as an ES module namespace
// has, and as esbuild's IIFE output gives), or a CommonJS entry's module.exports. It reports
// false for a bundle that does not end in one of the two ways esbuild ends one with exports,
// and for one that re-exports a CommonJS module's exports, which esbuild adds to the entry's
// exports only while the program runs and leaves out of the clause.
func moduleScript(code []byte) ([]byte, bool) {
	if code == nil || bytes.Contains(code, []byte("__reExport(")) {
		return nil, false
	}
	head := "var " + ExportsGlobal + " = (() => { \"use strict\";\n"
	var tail string
	var cut int
	if m := exportClauseRE.FindSubmatchIndex(code); m != nil {
		var fields []string
		for _, item := range strings.Split(string(code[m[2]:m[3]]), ",\n") {
			local, exported, renamed := strings.Cut(strings.TrimSpace(item), " as ")
			if !renamed {
				exported = local
			}
			fields = append(fields, "get "+strconv.Quote(exported)+"() { return "+local+"; }")
		}
		tail, cut = "\nreturn { "+strings.Join(fields, ", ")+" };\n", m[0]
	} else if m := exportRequireRE.FindSubmatchIndex(code); m != nil {
		tail, cut = "\nreturn "+string(code[m[2]:m[3]])+";\n", m[0]
	} else {
		return nil, false
	}
	out := make([]byte, 0, len(head)+len(code)+len(tail)+8)
	out = append(out, head...)
	out = append(out, code[:cut]...)
	out = append(out, tail...)
	return append(out, "})();\n"...), true
}

// convertMessages turns esbuild's messages into Errors in the author's terms.
func convertMessages(msgs []api.Message) []Error {
	if len(msgs) == 0 {
		return nil
	}
	// esbuild quotes module names with their namespace in its texts:
	// No matching export in "callscript-tenant:menus.js" for import "x".
	names := strings.NewReplacer(
		`"`+sdkNamespace+`:`+sdk.ModuleName+`"`, `"`+sdk.ModuleName+`"`,
		`"`+sdkNamespace+`:`+sdk.TestModuleName+`"`, `"`+sdk.TestModuleName+`"`,
		`"`+tenantNamespace+`:`, `"`,
	)
	errs := make([]Error, 0, len(msgs))
	for _, msg := range msgs {
		e := Error{Message: targetRE.ReplaceAllString(names.Replace(msg.Text), "in callscript's JavaScript engine")}
		if loc := msg.Location; loc != nil {
			e.File = authorFile(loc.File)
			e.Line = loc.Line
			// esbuild counts bytes from 0; people count characters from 1.
			col := min(loc.Column, len(loc.LineText))
			e.Column = utf8.RuneCountInString(loc.LineText[:col]) + 1
		}
		errs = append(errs, e)
	}
	return errs
}

// targetRE matches how esbuild names the language level it builds for, which
// says nothing to an author: "Top-level await is not available in the
// configured target environment ("es2022" + 6 overrides)".
var targetRE = regexp.MustCompile(`in the configured target environment \([^)]*\)`)

// authorFile returns the name an author knows for a file esbuild names in a
// message: esbuild writes files outside its "file" namespace as
// "namespace:path".
func authorFile(file string) string {
	if rel, ok := strings.CutPrefix(file, tenantNamespace+":"); ok {
		return rel
	}
	if strings.HasPrefix(file, sdkNamespace+":") {
		return SDKFile
	}
	return file
}

// resolver serves one build's imports and loads from its Source.
type resolver struct {
	src   *Source
	entry string

	mu     sync.Mutex      // esbuild calls plugins from several goroutines
	loaded map[string]bool // tenant files loaded so far
}

func (r *resolver) files() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	files := make([]string, 0, len(r.loaded))
	for name := range r.loaded {
		files = append(files, name)
	}
	slices.Sort(files)
	return files
}

func (r *resolver) setup(build api.PluginBuild) {
	// Every import goes through this callback, and it always answers with a
	// path or an error, so esbuild's own resolver never looks at the disk.
	build.OnResolve(api.OnResolveOptions{Filter: ".*"}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
		if args.Kind == api.ResolveEntryPoint {
			return api.OnResolveResult{Path: r.entry, Namespace: tenantNamespace}, nil
		}
		if args.Path == sdk.ModuleName {
			return api.OnResolveResult{Path: sdk.ModuleName, Namespace: sdkNamespace}, nil
		}
		if args.Path == sdk.TestModuleName {
			if !IsTestFile(r.entry) {
				return failResolve(fmt.Sprintf("cannot import %q here: it is only for test files (*.test.ts, *.test.js), which `callscript test` runs and the server never loads", sdk.TestModuleName)), nil
			}
			return api.OnResolveResult{Path: sdk.TestModuleName, Namespace: sdkNamespace}, nil
		}
		if args.Namespace != tenantNamespace {
			return failResolve(fmt.Sprintf("cannot import %q from the %q module", args.Path, sdk.ModuleName)), nil
		}
		name, problem := r.src.resolve(args.Importer, args.Path)
		if problem != "" {
			return failResolve(problem), nil
		}
		return api.OnResolveResult{Path: name, Namespace: tenantNamespace}, nil
	})
	build.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: sdkNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
		var source string
		switch args.Path {
		case sdk.TestModuleName:
			source = sdk.TestModuleSource
		default:
			source = sdkStub()
		}
		return api.OnLoadResult{Contents: &source, Loader: api.LoaderJS}, nil
	})
	build.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: tenantNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
		data, ok := r.src.Files[args.Path]
		loader, known := loaderFor(args.Path)
		if !ok || !known {
			// resolve only hands out files that exist and can be loaded,
			// but Build takes the entry as given.
			return api.OnLoadResult{Errors: []api.Message{{Text: fmt.Sprintf("cannot load %q: not a source file of the tenant folder", args.Path)}}}, nil
		}
		r.mu.Lock()
		r.loaded[args.Path] = true
		r.mu.Unlock()
		if msg, ok := notUTF8(args.Path, data); ok {
			return api.OnLoadResult{Errors: []api.Message{msg}}, nil
		}
		contents := string(data)
		return api.OnLoadResult{Contents: &contents, Loader: loader}, nil
	})
}

// notUTF8 reports a source file that is not UTF-8 text, at its first byte that is not: esbuild
// passes some such bytes through (in a regular expression), and goja then refuses the whole
// program without naming the file.
func notUTF8(name string, data []byte) (api.Message, bool) {
	if utf8.Valid(data) {
		return api.Message{}, false
	}
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			text := data[start:]
			if end := bytes.IndexByte(text, '\n'); end >= 0 {
				text = text[:end]
			}
			return api.Message{
				Text:     fmt.Sprintf("the file is not UTF-8 text (byte 0x%02x); save it as UTF-8", data[i]),
				Location: &api.Location{File: tenantNamespace + ":" + name, Line: line, Column: i - start, LineText: string(text)},
			}, true
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return api.Message{}, false
}

// sdkStub is what a tenant's import of "callscript" loads: each export of the
// module read from the SDK program's SDKGlobal. It exports the same names as the
// module, so that esbuild still refuses an import of a name the module does not
// export, at build time and at the author's line; each read is marked pure, so
// that esbuild leaves out the exports a tenant does not use, and the runtime
// never makes the dialog helpers of a tenant that uses none.
func sdkStub() string {
	var b strings.Builder
	for _, name := range sdk.ModuleExports() {
		fmt.Fprintf(&b, "export const %s = /* @__PURE__ */ %s(%q);\n", name, SDKGlobal, name)
	}
	return b.String()
}

func failResolve(text string) api.OnResolveResult {
	return api.OnResolveResult{Errors: []api.Message{{Text: text}}}
}

// resolve returns the tenant file that the import specifier names when
// imported from the tenant file importer, or a message saying why none is.
//
// Only relative specifiers resolve. Like esbuild and TypeScript, resolve
// tries the name as written, then "./menus.js" as "menus.ts" (TypeScript's
// convention for imports written as they will be after compilation), then
// the name with each source extension, then as a folder's index file.
func (s *Source) resolve(importer, specifier string) (name, problem string) {
	switch {
	case strings.HasPrefix(specifier, "/"):
		return "", fmt.Sprintf("cannot import %q: absolute paths are not allowed; import files of the tenant folder with a relative path such as \"./menus\"", specifier)
	case specifier != "." && specifier != ".." && !strings.HasPrefix(specifier, "./") && !strings.HasPrefix(specifier, "../"):
		return "", fmt.Sprintf("cannot import %q: only files of the tenant folder (relative paths such as \"./menus\") and %q can be imported; npm packages and Node built-ins are not available", specifier, sdk.ModuleName)
	}
	base := path.Join(path.Dir(importer), specifier)
	if base == ".." || strings.HasPrefix(base, "../") {
		return "", fmt.Sprintf("cannot import %q: it leads outside the tenant folder", specifier)
	}

	var candidates []string
	lookedFor := fmt.Sprintf("%s.ts, %[1]s.js or %[1]s/index.ts (nor with another source extension)", base)
	indexPrefix := base + "/"
	if base == "." {
		indexPrefix = ""
		lookedFor = "index.ts or index.js (nor with another source extension)"
	} else {
		candidates = append(candidates, base)
		if isSourceFile(base) {
			lookedFor = base
		}
		for _, ext := range [...]struct{ js, ts string }{{".js", ".ts"}, {".mjs", ".mts"}, {".cjs", ".cts"}} {
			if stem, ok := strings.CutSuffix(base, ext.js); ok {
				candidates = append(candidates, stem+ext.ts)
				lookedFor = base + " or " + stem + ext.ts
			}
		}
		for _, ext := range sourceExtensions() {
			candidates = append(candidates, base+ext)
		}
	}
	for _, ext := range sourceExtensions() {
		candidates = append(candidates, indexPrefix+"index"+ext)
	}
	for _, c := range candidates {
		if _, ok := s.Files[c]; ok && isSourceFile(c) {
			return c, ""
		}
	}
	problem = fmt.Sprintf("cannot find %q: the tenant folder has no %s", specifier, lookedFor)
	if near := s.caseInsensitiveMatch(candidates); near != "" {
		problem += fmt.Sprintf("; there is %s, but file names are case-sensitive", near)
	}
	return "", problem
}

// IsTestFile reports whether the tenant file name is a test file, such as
// "index.test.ts" or "lib/menus.test.js": `callscript test` runs it, the
// server never loads it, and only a bundle built from it as the entry may
// import "callscript/test".
func IsTestFile(name string) bool {
	stem := strings.TrimSuffix(path.Base(name), path.Ext(name))
	if stem == path.Base(name) || !strings.HasSuffix(stem, ".test") || stem == ".test" {
		return false
	}
	switch path.Ext(name) {
	case ".ts", ".mts", ".cts", ".js", ".mjs", ".cjs":
		return true
	}
	return false
}

// sourceExtensions returns the extensions resolve tries, in order.
func sourceExtensions() [7]string {
	return [...]string{".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"}
}

// caseInsensitiveMatch returns a tenant file whose name differs from one of
// the candidates only in case, or "".
func (s *Source) caseInsensitiveMatch(candidates []string) string {
	var found []string
	for name := range s.Files {
		if suggest.Closest(name, candidates, 0) != "" {
			found = append(found, name)
		}
	}
	if len(found) == 0 {
		return ""
	}
	return slices.MinFunc(found, cmp.Compare[string])
}
