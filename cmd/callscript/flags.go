package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// envPrefix names the environment variable of each flag: --max-body is CALLSCRIPT_MAX_BODY.
const envPrefix = "CALLSCRIPT_"

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args; every flag not given on the command line is taken from its
// environment variable when that is set. A bad value names where it came from.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage of callscript %s:\n", fs.Name())
		fs.VisitAll(func(f *flag.Flag) {
			name, help := flag.UnquoteUsage(f)
			fmt.Fprintf(out, "  --%s %s\n    \t%s", f.Name, name, help)
			if f.DefValue != "" && f.DefValue != "0s" && f.DefValue != "false" {
				fmt.Fprintf(out, " (default %s)", f.DefValue)
			}
			fmt.Fprintf(out, " [$%s]\n", envName(f.Name))
		})
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err.Error()}
	}
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = usageError{fmt.Sprintf("$%s=%q: %v", envName(f.Name), v, e)}
			}
		}
	})
	return err
}

// byteSize is a flag holding a size with an optional IEC suffix: 1048576, 512KiB, 1MiB, 2GiB.
type byteSize int64

func (s *byteSize) String() string { return formatSize(int64(*s)) }

func (s *byteSize) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = byteSize(n)
	return nil
}

func parseSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	i := strings.IndexFunc(v, func(r rune) bool { return !unicode.IsDigit(r) })
	digits, suffix := v, ""
	if i >= 0 {
		digits, suffix = v[:i], strings.TrimSpace(v[i:])
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want a positive whole number with an optional KiB, MiB or GiB suffix", v)
	}
	shift := map[string]uint{"": 0, "B": 0, "KiB": 10, "MiB": 20, "GiB": 30}
	sh, ok := shift[suffix]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown suffix %q (use KiB, MiB or GiB)", v, suffix)
	}
	if n > (1<<62)>>sh {
		return 0, fmt.Errorf("size %q is too large", v)
	}
	return n << sh, nil
}

func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n > 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// newLogger makes the process logger: JSON lines by default, or text for people.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("log level %q: use debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("log format %q: use json or text", format)}
}
