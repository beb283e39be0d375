// Package logbuf keeps each tenant's recent log lines in memory, for operators who cannot read
// the server's log stream: a slog.Handler that passes every record on and also files the ones
// carrying a "tenant" attribute in that tenant's bounded ring, newest kept.
package logbuf

import (
	"context"
	"log/slog"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Line is one log line as an operator sees it.
type Line struct {
	Time    time.Time      `json:"time"`
	Level   string         `json:"level"`
	Message string         `json:"msg"`
	Attrs   map[string]any `json:"attrs,omitempty"`
}

// Buffers holds the rings of every tenant. It is safe for concurrent use.
type Buffers struct {
	perTenant int
	rings     *lru.Cache[string, *ring] // bounded: a _default folder serves any subAccountId
}

// ring keeps a tenant's newest lines. It grows as lines come, up to its size, so that ten
// thousand quiet tenants hold a line or two each rather than room for a full ring.
type ring struct {
	mu    sync.Mutex
	lines []Line // oldest first until it is full; then a circle
	next  int    // where the next line goes
}

// New keeps up to perTenant lines for each of at most tenants tenants.
func New(perTenant, tenants int) *Buffers {
	rings, _ := lru.New[string, *ring](max(tenants, 1))
	return &Buffers{perTenant: max(perTenant, 1), rings: rings}
}

// Recent returns up to limit of a tenant's lines, newest first.
func (b *Buffers) Recent(tenant string, limit int) []Line {
	r, ok := b.rings.Peek(tenant)
	if !ok || limit <= 0 {
		return []Line{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.lines)
	out := make([]Line, 0, min(limit, n))
	for i := 1; i <= n && len(out) < limit; i++ {
		out = append(out, r.lines[(r.next-i+len(r.lines))%len(r.lines)])
	}
	return out
}

func (b *Buffers) add(tenant string, line Line) {
	r, ok := b.rings.Get(tenant)
	if !ok {
		r = &ring{}
		if prev, found, _ := b.rings.PeekOrAdd(tenant, r); found {
			r = prev
		}
	}
	r.mu.Lock()
	if len(r.lines) < b.perTenant {
		r.lines = append(r.lines, line)
	} else {
		r.lines[r.next] = line
	}
	r.next = (r.next + 1) % b.perTenant
	r.mu.Unlock()
}

// Handler returns a slog.Handler that files tenant lines in b and passes every record to next.
func (b *Buffers) Handler(next slog.Handler) slog.Handler {
	return &handler{next: next, buffers: b}
}

type handler struct {
	next    slog.Handler
	buffers *Buffers
	tenant  string      // from WithAttrs
	attrs   []slog.Attr // bound with WithAttrs, for the filed lines
	group   string
}

// Enabled files info lines and above even when the next handler drops them: an operator
// reading a tenant's lines needs them whatever the server's log level.
func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo || h.next.Enabled(ctx, level)
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	tenant := h.tenant
	var attrs map[string]any
	collect := func(a slog.Attr) {
		if a.Key == "tenant" && h.group == "" {
			tenant = a.Value.String()
		}
		if attrs == nil {
			attrs = make(map[string]any, 8)
		}
		attrs[a.Key] = plain(a.Value)
	}
	for _, a := range h.attrs {
		collect(a)
	}
	r.Attrs(func(a slog.Attr) bool { collect(a); return true })
	if tenant != "" && r.Level >= slog.LevelInfo {
		delete(attrs, "tenant")
		h.buffers.add(tenant, Line{Time: r.Time, Level: r.Level.String(), Message: r.Message, Attrs: attrs})
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := *h
	out.next = h.next.WithAttrs(attrs)
	out.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	for _, a := range attrs {
		if a.Key == "tenant" && h.group == "" {
			out.tenant = a.Value.String()
		}
	}
	return &out
}

func (h *handler) WithGroup(name string) slog.Handler {
	out := *h
	out.next = h.next.WithGroup(name)
	out.group = name
	return &out
}

// Capture collects the lines logged through one handler, for a caller that wants to show them
// (a dry run). It is safe for concurrent use.
type Capture struct {
	mu    sync.Mutex
	lines []Line
}

// Lines returns the collected lines, oldest first.
func (c *Capture) Lines() []Line {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Line(nil), c.lines...)
}

// Tee returns a Capture and a handler that records every line in it and passes it to next.
func Tee(next slog.Handler) (*Capture, slog.Handler) {
	c := &Capture{}
	return c, &teeHandler{next: next, capture: c}
}

type teeHandler struct {
	next    slog.Handler
	capture *Capture
	attrs   []slog.Attr
}

func (h *teeHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *teeHandler) Handle(ctx context.Context, r slog.Record) error {
	attrs := make(map[string]any, len(h.attrs)+r.NumAttrs())
	for _, a := range h.attrs {
		attrs[a.Key] = plain(a.Value)
	}
	r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = plain(a.Value); return true })
	h.capture.mu.Lock()
	h.capture.lines = append(h.capture.lines, Line{Time: r.Time, Level: r.Level.String(), Message: r.Message, Attrs: attrs})
	h.capture.mu.Unlock()
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *teeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &teeHandler{next: h.next.WithAttrs(attrs), capture: h.capture, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h *teeHandler) WithGroup(name string) slog.Handler {
	return &teeHandler{next: h.next.WithGroup(name), capture: h.capture, attrs: h.attrs}
}

// plain is an attribute's value as JSON shows it best: durations as "16.1ms", not nanoseconds.
func plain(v slog.Value) any {
	v = v.Resolve()
	if v.Kind() == slog.KindDuration {
		return v.Duration().String()
	}
	return v.Any()
}
