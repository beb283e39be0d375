package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/tenant"
)

// runEvent runs one webhook event through a tenant's script and prints the answer. The exit
// status is 1 when the answer is a fallback, so scripts and CI can tell.
func runEvent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scripts := fs.String("scripts", engine.DefaultScriptsDir, "the tenants' folder")
	timeout := fs.Duration("timeout", engine.DefaultTimeout, "time budget of the event (a tenant's timeoutMs overrides it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{"want TENANT EVENT.json (use - to read the event from standard input)"}
	}
	id, eventPath := fs.Arg(0), fs.Arg(1)
	if err := tenant.ValidateID(id); err != nil {
		return usageError{fmt.Sprintf("tenant %q: %v", id, err)}
	}
	var body []byte
	var err error
	if eventPath == "-" {
		body, err = io.ReadAll(os.Stdin)
	} else {
		body, err = os.ReadFile(eventPath)
	}
	if err != nil {
		return fmt.Errorf("read event: %w", err)
	}
	logger, err := newLogger(stderr, "text", "debug")
	if err != nil {
		return err
	}
	eng, err := engine.New(ctx, engine.Options{
		ScriptsDir: *scripts,
		Tenants:    []string{id, tenant.DefaultID},
		Timeout:    *timeout,
		Logger:     logger,
	})
	if err != nil {
		return err
	}
	defer eng.Close()
	if t, ok := eng.Tenant(id); ok && t.Error != nil {
		for _, p := range t.Error.Problems {
			fmt.Fprintln(stderr, p.String())
		}
	}
	answer, err := eng.Handle(ctx, engine.Request{Body: body, Tenant: id, Impersonate: true})
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, answer.Body, "", "  ") != nil {
		pretty.Write(answer.Body)
	}
	pretty.WriteByte('\n')
	_, _ = stdout.Write(pretty.Bytes())
	if answer.Fallback != "" {
		fmt.Fprintf(stderr, "answered with the fallback (%s), version %s\n", answer.Fallback, orNone(answer.Version))
		return exitError(1)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
