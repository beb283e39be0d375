// Package httpapi is the HTTP face of the engine: the 8x8 webhook routes, the health probes,
// the Prometheus metrics and the operators' admin API. It only translates between HTTP and the
// engine; every decision about a webhook, a tenant or a file is the engine's.
package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callscript/callscript/engine"
)

// DefaultMaxBody is the largest webhook body accepted unless Options.MaxBody says otherwise.
const DefaultMaxBody = 1 << 20

// Response headers every webhook answer carries.
const (
	HeaderVersion  = "X-Callscript-Version"  // the script version that answered ("none" if none)
	HeaderFallback = "X-Callscript-Fallback" // why the answer is a fallback, absent otherwise
	HeaderReplay   = "X-Callscript-Replay"   // "true" when a duplicate delivery was answered from memory
)

// Options configure the handler.
type Options struct {
	// MaxBody is the largest webhook body in bytes (default 1 MiB).
	MaxBody int64
	// Logger receives request errors and the admin API's audit lines (default: discard).
	Logger *slog.Logger
	// AdminToken, when set, enables the /admin/ routes for requests that carry
	// "Authorization: Bearer <AdminToken>". Without it the routes do not exist.
	AdminToken string
	// Metrics, when set, is served at GET /metrics in the Prometheus text format: the registry
	// the engine's Options.Registerer registers on.
	Metrics prometheus.Gatherer
	// AllowIPs, when not empty, limits the webhook routes to clients inside these networks;
	// others get 403. The probes, /metrics and the admin routes are not limited by it.
	AllowIPs []netip.Prefix
	// TrustedProxies are the networks whose X-Forwarded-For header is believed when telling a
	// webhook's client address (see clientAddr); a request from anywhere else is judged by its
	// TCP peer address.
	TrustedProxies []netip.Prefix
	// Draining, when set and reporting true, makes /readyz answer 503 "draining": the server is
	// shutting down and load balancers should stop sending it requests.
	Draining func() bool
}

type api struct {
	engine         *engine.Engine
	maxBody        int64
	logger         *slog.Logger
	admin          bool
	adminDigest    [sha256.Size]byte // of the admin token: compared in constant time whatever its length
	allowIPs       []netip.Prefix
	trustedProxies []netip.Prefix
	draining       func() bool
}

// New returns the HTTP handler serving e.
func New(e *engine.Engine, opts Options) http.Handler {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a := &api{
		engine:         e,
		maxBody:        opts.MaxBody,
		logger:         opts.Logger,
		admin:          opts.AdminToken != "",
		adminDigest:    sha256.Sum256([]byte(opts.AdminToken)),
		allowIPs:       opts.AllowIPs,
		trustedProxies: opts.TrustedProxies,
		draining:       opts.Draining,
	}
	r := httprouter.New()
	r.POST("/webhooks/voice", a.webhook)
	r.POST("/webhooks/voice/:tenant", a.webhook)
	r.GET("/healthz", a.healthz)
	r.GET("/readyz", a.readyz)
	if opts.Metrics != nil {
		r.Handler(http.MethodGet, "/metrics", promhttp.HandlerFor(opts.Metrics, promhttp.HandlerOpts{
			ErrorLog:      promLogger{opts.Logger},
			ErrorHandling: promhttp.ContinueOnError, // a failing collector must not hide the others
		}))
	}
	if a.admin {
		a.adminRoutes(r)
	}
	r.NotFound = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		msg := fmt.Sprintf("no route for %s %s", req.Method, req.URL.Path)
		if !a.admin && strings.HasPrefix(req.URL.Path, "/admin/") {
			msg += ": the admin routes are off (start the server with --admin-token or $CALLSCRIPT_ADMIN_TOKEN)"
		}
		writeError(w, http.StatusNotFound, "not_found", msg)
	})
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", fmt.Sprintf("%s is not allowed on %s", req.Method, req.URL.Path))
	})
	r.PanicHandler = func(w http.ResponseWriter, req *http.Request, v any) {
		a.logger.Error("panic while serving a request", "path", req.URL.Path, "panic", fmt.Sprint(v))
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
	}
	return r
}

func (a *api) webhook(w http.ResponseWriter, req *http.Request, params httprouter.Params) {
	received := time.Now()
	if !a.allowed(w, req) {
		return
	}
	body, err := readBody(w, req, a.maxBody)
	if err != nil {
		a.bodyError(w, err, "webhook body", a.maxBody)
		return
	}
	answer, err := a.engine.Handle(req.Context(), engine.Request{
		Body:          body,
		Tenant:        params.ByName("tenant"),
		Authorization: req.Header.Get("Authorization"),
		Received:      received,
	})
	if err != nil {
		a.engineError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	version := answer.Version
	if version == "" {
		version = "none"
	}
	h.Set(HeaderVersion, version)
	if answer.Fallback != "" {
		h.Set(HeaderFallback, answer.Fallback)
	}
	if answer.Replayed {
		h.Set(HeaderReplay, "true")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(answer.Body)
}

// readBody reads the body up to limit bytes, sized from Content-Length when it is given.
func readBody(w http.ResponseWriter, req *http.Request, limit int64) ([]byte, error) {
	if req.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	r := http.MaxBytesReader(w, req.Body, limit)
	if req.ContentLength > 0 {
		buf := bytes.NewBuffer(make([]byte, 0, req.ContentLength+1))
		_, err := buf.ReadFrom(r)
		return buf.Bytes(), err
	}
	return io.ReadAll(r)
}

func statusOf(kind engine.ErrorKind) int {
	switch kind {
	case engine.KindBadRequest:
		return http.StatusBadRequest
	case engine.KindUnauthorized:
		return http.StatusUnauthorized
	case engine.KindNotFound:
		return http.StatusNotFound
	case engine.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func (a *api) healthz(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *api) readyz(w http.ResponseWriter, req *http.Request, _ httprouter.Params) {
	if a.draining != nil && a.draining() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	if err := a.engine.CheckReady(req.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// errorBody is the shape of every error answer (SPEC §5).
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	var body errorBody
	body.Error.Code = code
	body.Error.Message = strings.TrimSpace(message)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// promLogger passes the metrics handler's errors to the server's log.
type promLogger struct{ logger *slog.Logger }

func (l promLogger) Println(v ...any) {
	l.logger.Error("serving /metrics: " + strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}
