package main

import (
	"strings"
	"testing"
)

func TestRunPrintsMedians(t *testing.T) {
	in := `goos: linux
BenchmarkCallAction-2   	    1000	    300 ns/op	   40 B/op	     7 allocs/op
BenchmarkCallAction-2   	    1000	    100 ns/op	   40 B/op	     7 allocs/op
BenchmarkCallAction-2   	    1000	    200 ns/op	   40 B/op	     7 allocs/op
BenchmarkNativeGo-2     	    1000	    50 ns/op	    8 B/op	      1 allocs/op
BenchmarkNativeGo-2     	    1000	    150 ns/op	    8 B/op	      1 allocs/op
BenchmarkReload/inotify-2	     100	   2000 ns/op	  1.5 p50-ms	 4.25 p99-ms
PASS
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out, "NativeGo"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| benchmark | runs | ns/op | B/op | allocs/op | p50-ms | p99-ms | ns/op vs NativeGo |",
		"| CallAction | 3 | 200 | 40 | 7 | | | 2.00x |",
		"| NativeGo | 2 | 100 | 8 | 1 | | | 1.00x |",
		"| Reload/inotify | 1 | 2000 | | | 1.50 | 4.25 | 20.00x |",
	} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunNamesPackagesWhenThereAreSeveral(t *testing.T) {
	in := `pkg: github.com/callscript/callscript/engine/webhook
BenchmarkParse-2	1000	100 ns/op
pkg: github.com/callscript/callscript/engine/callflow
BenchmarkParse-2	1000	300 ns/op
BenchmarkParse-2	1000	500 ns/op
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out, "webhook.Parse"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| webhook.Parse | 1 | 100 | 1.00x |", "| callflow.Parse | 2 | 400 | 4.00x |"} {
		if !strings.Contains(out.String(), want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRefusesInputWithoutResults(t *testing.T) {
	if err := run(strings.NewReader("FAIL\n"), &strings.Builder{}, ""); err == nil {
		t.Error("no error for input without benchmark lines")
	}
}
