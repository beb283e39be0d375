// Package httpapi is the HTTP face of the engine: the 8x8 webhook routes and the health
// probes. It only translates between HTTP and engine.Handle; every decision is the engine's.
package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"

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
	// Logger receives request errors (default: discard).
	Logger *slog.Logger
}

type api struct {
	engine  *engine.Engine
	maxBody int64
	logger  *slog.Logger
}

// New returns the HTTP handler serving e.
func New(e *engine.Engine, opts Options) http.Handler {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a := &api{engine: e, maxBody: opts.MaxBody, logger: opts.Logger}
	r := httprouter.New()
	r.POST("/webhooks/voice", a.webhook)
	r.POST("/webhooks/voice/:tenant", a.webhook)
	r.GET("/healthz", a.healthz)
	r.GET("/readyz", a.readyz)
	r.NotFound = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route for %s %s", req.Method, req.URL.Path))
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
	body, err := a.readBody(w, req)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the webhook body is larger than %d bytes", a.maxBody))
			return
		}
		writeError(w, http.StatusBadRequest, "unreadable_body", "could not read the request body: "+err.Error())
		return
	}
	answer, err := a.engine.Handle(req.Context(), engine.Request{
		Body:          body,
		Tenant:        params.ByName("tenant"),
		Authorization: req.Header.Get("Authorization"),
		Received:      received,
	})
	if err != nil {
		var refused *engine.RequestError
		if !errors.As(err, &refused) {
			a.logger.Error("webhook failed", "err", err)
			writeError(w, http.StatusInternalServerError, "internal", "internal error")
			return
		}
		writeError(w, statusOf(refused.Kind), refused.Code, refused.Message)
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

// readBody reads the body up to the limit, sized from Content-Length when it is given.
func (a *api) readBody(w http.ResponseWriter, req *http.Request) ([]byte, error) {
	if req.ContentLength > a.maxBody {
		return nil, &http.MaxBytesError{Limit: a.maxBody}
	}
	r := http.MaxBytesReader(w, req.Body, a.maxBody)
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

func (a *api) readyz(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	if !a.engine.Ready() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "loading"})
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
