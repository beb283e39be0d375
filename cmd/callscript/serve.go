package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/httpapi"
)

// shutdownGrace is how long requests in flight may take to finish after SIGTERM.
const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8080", "listen address")
	scripts := fs.String("scripts", engine.DefaultScriptsDir, "the tenants' folder: one folder per 8x8 subAccountId")
	timeout := fs.Duration("timeout", engine.DefaultTimeout, "default time budget per event (a tenant's timeoutMs overrides it)")
	maxBody := byteSize(httpapi.DefaultMaxBody)
	fs.Var(&maxBody, "max-body", "largest webhook body (KiB, MiB, GiB suffixes)")
	poll := fs.Duration("poll", 0, "poll the scripts folder at this interval instead of using inotify (e.g. 2s; for NFS and some container mounts)")
	logFormat := fs.String("log-format", "json", "log format: json or text")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	eng, err := engine.New(ctx, engine.Options{
		ScriptsDir: *scripts,
		Timeout:    *timeout,
		Watch:      true,
		Poll:       *poll,
		Logger:     logger,
	})
	if err != nil {
		return err
	}
	defer eng.Close()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           httpapi.New(eng, httpapi.Options{MaxBody: int64(maxBody), Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      max(30*time.Second, 2**timeout),
		IdleTimeout:       2 * time.Minute,
	}
	tenants := eng.Tenants()
	broken := 0
	for _, t := range tenants {
		if t.Error != nil {
			broken++
		}
	}
	logger.Info("callscript serving", "addr", listener.Addr().String(), "scripts", eng.ScriptsDir(),
		"tenants", len(tenants), "broken", broken)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight", "grace", shutdownGrace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
