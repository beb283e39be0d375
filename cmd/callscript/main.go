// Command callscript runs telephony call logic written in JavaScript or TypeScript for 8x8's
// Voice platform: `serve` answers webhooks, `check` builds the tenant scripts, `run` runs one
// event through a tenant's script.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dlclark/regexp2/v2"
)

const usage = `callscript: telephony call logic in JavaScript and TypeScript for 8x8 Voice

Usage:
  callscript [serve] [flags]                        serve the tenants' scripts over HTTP (the default)
  callscript check [--scripts DIR] [TENANT...]      build and load-check tenants; exit 1 on any error
  callscript run [--scripts DIR] TENANT EVENT.json  run one event and print the answer JSON
  callscript test [--scripts DIR] [--run REGEXP] [TENANT...]
                                                    run the tenants' *.test.ts / *.test.js files; exit 1 on any failure
  callscript init [--scripts DIR] NAME              write a new tenant folder with a typed handler and a test

Run "callscript COMMAND --help" for a command's flags.
`

// regexpTimeout bounds one match of a backtracking regular expression (goja runs those in
// regexp2, which no interrupt reaches): the CPU a catastrophic pattern burns after its event
// was already answered at the deadline.
const regexpTimeout = 5 * time.Second

func main() {
	// Process-wide, so set once here, before anything compiles a pattern.
	regexp2.DefaultMatchTimeout = regexpTimeout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the exit status: 0 success, 1 failure, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	command := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		command, args = args[0], args[1:]
	}
	var err error
	switch command {
	case "serve":
		err = serve(ctx, args, stderr)
	case "check":
		err = check(ctx, args, stdout, stderr)
	case "run":
		err = runEvent(ctx, args, stdout, stderr)
	case "init":
		err = initTenant(ctx, args, stdout, stderr)
	case "test":
		err = testTenants(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "callscript: unknown command %q\n\n%s", command, usage)
		return 2
	}
	var exit exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &exit):
		return int(exit)
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "callscript %s: %v\n", command, err)
		return 2
	}
	fmt.Fprintf(stderr, "callscript %s: %v\n", command, err)
	return 1
}

// exitError ends a command with a status whose reason was already printed.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
