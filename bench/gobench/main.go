// Command gobench reads `go test -bench` output on standard input and prints, for each
// benchmark, the median of every metric over the runs (-count), in a Markdown table, followed
// by the ratio of each benchmark's ns/op to the one named by -base. When the output covers
// several packages, each name is prefixed with its package's last element ("callflow.Parse").
//
//	go test -run '^$' -bench 'CallAction|NativeGo' -benchmem -count 6 ./engine/ | go run ./bench/gobench -base NativeGo
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	base := flag.String("base", "", "benchmark whose ns/op the others are divided by (name without the Benchmark prefix and -N suffix)")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *base); err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
}

// bench holds one benchmark's values per unit, over its runs.
type bench struct {
	pkg   string
	name  string
	units []string // in the order first seen
	vals  map[string][]float64
}

func run(in io.Reader, out io.Writer, base string) error {
	var order []*bench
	byName := map[string]*bench{} // by package and name
	pkgs := map[string]bool{}
	pkg := ""
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "pkg: "); ok {
			pkg = p[strings.LastIndexByte(p, '/')+1:]
			pkgs[pkg] = true
			continue
		}
		fields := strings.Fields(sc.Text())
		// "BenchmarkX-2  1000  1234 ns/op  56 B/op  7 allocs/op"
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue
		}
		name := strings.TrimPrefix(fields[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		b := byName[pkg+"."+name]
		if b == nil {
			b = &bench{pkg: pkg, name: name, vals: map[string][]float64{}}
			byName[pkg+"."+name] = b
			order = append(order, b)
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			unit := fields[i+1]
			if _, ok := b.vals[unit]; !ok {
				b.units = append(b.units, unit)
			}
			b.vals[unit] = append(b.vals[unit], v)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if len(order) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	if len(pkgs) > 1 {
		for _, b := range order {
			b.name = b.pkg + "." + b.name
		}
	}
	byLabel := map[string]*bench{}
	for _, b := range order {
		byLabel[b.name] = b
	}
	var units []string
	for _, b := range order {
		for _, u := range b.units {
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
	}
	fmt.Fprintf(out, "| benchmark | runs | %s |", strings.Join(units, " | "))
	if base != "" {
		fmt.Fprint(out, " ns/op vs "+base+" |")
	}
	fmt.Fprintf(out, "\n|---|---:|%s", strings.Repeat("---:|", len(units)))
	if base != "" {
		fmt.Fprint(out, "---:|")
	}
	fmt.Fprintln(out)
	baseNs := 0.0
	if b := byLabel[base]; b != nil {
		baseNs = median(b.vals["ns/op"])
	}
	for _, b := range order {
		fmt.Fprintf(out, "| %s | %d |", b.name, len(b.vals[b.units[0]]))
		for _, u := range units {
			if vs, ok := b.vals[u]; ok {
				fmt.Fprintf(out, " %s |", format(median(vs)))
			} else {
				fmt.Fprint(out, " |")
			}
		}
		if base != "" {
			if ns := median(b.vals["ns/op"]); baseNs > 0 && ns > 0 {
				fmt.Fprintf(out, " %.2fx |", ns/baseNs)
			} else {
				fmt.Fprint(out, " |")
			}
		}
		fmt.Fprintln(out)
	}
	return nil
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func format(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
