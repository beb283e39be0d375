package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/callscript/callscript/engine/store"
	"github.com/callscript/callscript/engine/store/redisstore"
)

// storeStartupWait is how long serve waits for Redis to answer at startup before it gives up
// (an orchestrator may start callscript and Redis side by side).
const storeStartupWait = 15 * time.Second

// openStore opens the store a --store value names: "memory" (the default; "" too) keeps call
// state in this process, a redis:// or rediss:// URL shares it with every replica using the
// same Redis. The returned func closes the store.
func openStore(ctx context.Context, spec string) (store.Store, func() error, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "" || spec == "memory":
		return store.NewMemory(0), func() error { return nil }, nil
	case strings.HasPrefix(spec, "redis://") || strings.HasPrefix(spec, "rediss://"):
		ctx, cancel := context.WithTimeout(ctx, storeStartupWait)
		defer cancel()
		s, err := redisstore.Open(ctx, spec)
		if err != nil {
			return nil, nil, fmt.Errorf("--store: %w", err)
		}
		return s, s.Close, nil
	}
	shown := spec
	if i := strings.Index(shown, "://"); i >= 0 {
		shown = shown[:i+3] + "…" // the rest may hold a password
	}
	return nil, nil, usageError{fmt.Sprintf("--store: %q is neither \"memory\" nor a Redis URL (redis://host:6379/0, or rediss:// for TLS)", shown)}
}

// storeLabel names a --store value for logs: "memory", or the Redis URL without its password.
func storeLabel(spec string) string {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "memory" {
		return "memory"
	}
	u, err := url.Parse(spec)
	if err != nil {
		return "redis (unparsable URL)"
	}
	return u.Redacted()
}

// routeRedisLogs sends the Redis client's own log lines (dial failures while Redis is away, …)
// to logger at debug level instead of unstructured lines on stderr: every store failure that
// affects an event is already logged, with its cause, by the engine. The Redis client's logger
// is process-wide, so serve calls this once, before opening the store.
func routeRedisLogs(logger *slog.Logger) {
	redis.SetLogger(redisLogger{logger})
}

type redisLogger struct{ logger *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	if l.logger.Enabled(ctx, slog.LevelDebug) {
		l.logger.DebugContext(ctx, strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "), "component", "redis")
	}
}
