package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/logbuf"
	"github.com/callscript/callscript/engine/tenant"
)

// Bounds of GET /admin/tenants/:tenant/logs?limit=N.
const (
	DefaultLogLimit = 100
	MaxLogLimit     = 1000
)

// adminRoutes adds the operators' routes (SPEC §7), each behind the admin token.
func (a *api) adminRoutes(r *httprouter.Router) {
	r.GET("/admin/tenants", a.needToken(a.listTenants))
	r.GET("/admin/tenants/:tenant", a.needToken(a.getTenant))
	r.GET("/admin/tenants/:tenant/logs", a.needToken(a.tenantLogs))
	r.POST("/admin/tenants/:tenant/dry-run", a.needToken(a.dryRun))
	r.PUT("/admin/tenants/:tenant/files/*path", a.needToken(a.putFile))
}

// needToken lets a request through only with "Authorization: Bearer <admin token>".
func (a *api) needToken(next httprouter.Handle) httprouter.Handle {
	return func(w http.ResponseWriter, req *http.Request, params httprouter.Params) {
		header := req.Header.Get("Authorization")
		scheme, token, _ := strings.Cut(header, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			a.unauthorized(w, req, "the admin routes need the header Authorization: Bearer <admin token>")
			return
		}
		// Digests of equal length: the comparison takes the same time whatever was sent.
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if subtle.ConstantTimeCompare(got[:], a.adminDigest[:]) != 1 {
			a.unauthorized(w, req, "the bearer token is not the admin token")
			return
		}
		next(w, req, params)
	}
}

func (a *api) unauthorized(w http.ResponseWriter, req *http.Request, msg string) {
	a.logger.Warn("refused an admin request", "method", req.Method, "path", req.URL.Path, "remote", req.RemoteAddr, "why", msg)
	w.Header().Set("WWW-Authenticate", `Bearer realm="callscript admin"`)
	writeError(w, http.StatusUnauthorized, "unauthorized", msg)
}

// tenantJSON is a tenant as the admin API shows it.
type tenantJSON struct {
	ID string `json:"id"`
	// Version and LoadedAt are null while no version of the folder ever built.
	Version  *string    `json:"version"`
	LoadedAt *time.Time `json:"loadedAt"`
	Files    []string   `json:"files"`
	// Hooks is null when the default export is a function.
	Hooks     []string      `json:"hooks"`
	LastError *buildFailure `json:"lastError"`
}

type buildFailure struct {
	Problems []problemJSON `json:"problems"`
	At       time.Time     `json:"at"`
}

type problemJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func newTenantJSON(info engine.TenantInfo) tenantJSON {
	out := tenantJSON{ID: info.ID, Files: info.Files, Hooks: info.Hooks}
	if out.Files == nil {
		out.Files = []string{}
	}
	if info.Version != "" {
		version, loadedAt := info.Version, info.LoadedAt
		out.Version, out.LoadedAt = &version, &loadedAt
	}
	if info.Error != nil {
		out.LastError = &buildFailure{Problems: problemsJSON(info.Error.Problems), At: info.Error.At}
	}
	return out
}

func problemsJSON(problems []engine.Problem) []problemJSON {
	out := make([]problemJSON, len(problems))
	for i, p := range problems {
		out[i] = problemJSON{File: p.File, Line: p.Line, Column: p.Column, Message: p.Message}
	}
	return out
}

func (a *api) listTenants(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	infos := a.engine.Tenants()
	out := make([]tenantJSON, len(infos))
	for i, info := range infos {
		out[i] = newTenantJSON(info)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tenants": out})
}

func (a *api) getTenant(w http.ResponseWriter, _ *http.Request, params httprouter.Params) {
	id := params.ByName("tenant")
	if err := tenant.ValidateID(id); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_tenant", err.Error())
		return
	}
	info, ok := a.engine.Tenant(id)
	if !ok {
		writeError(w, http.StatusNotFound, "unknown_tenant", fmt.Sprintf("tenant %q has no folder in the scripts folder", id))
		return
	}
	writeJSON(w, http.StatusOK, newTenantJSON(info))
}

func (a *api) tenantLogs(w http.ResponseWriter, req *http.Request, params httprouter.Params) {
	id := params.ByName("tenant")
	if err := tenant.ValidateID(id); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_tenant", err.Error())
		return
	}
	limit := DefaultLogLimit
	if q := req.URL.Query(); q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > MaxLogLimit {
			writeError(w, http.StatusBadRequest, "bad_limit", fmt.Sprintf("limit %q: want a whole number from 1 to %d", q.Get("limit"), MaxLogLimit))
			return
		}
		limit = n
	}
	lines := a.engine.Logs(id, limit)
	// A subAccountId served by _default has lines but no folder: only a tenant with neither is unknown.
	if _, ok := a.engine.Tenant(id); !ok && len(lines) == 0 {
		writeError(w, http.StatusNotFound, "unknown_tenant", fmt.Sprintf("tenant %q has no folder in the scripts folder and has logged nothing", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tenant": id, "lines": lines})
}

// dryRunJSON is the result of POST /admin/tenants/:tenant/dry-run.
type dryRunJSON struct {
	Tenant  string          `json:"tenant"`
	Version *string         `json:"version"`
	Answer  json.RawMessage `json:"answer"`
	// Fallback is why the answer is a fallback (the X-Callscript-Fallback values), null when the
	// answer is the script's own.
	Fallback   *string       `json:"fallback"`
	DurationMs float64       `json:"durationMs"`
	Logs       []logbuf.Line `json:"logs"` // oldest first
}

func (a *api) dryRun(w http.ResponseWriter, req *http.Request, params httprouter.Params) {
	received := time.Now()
	body, err := readBody(w, req, a.maxBody)
	if err != nil {
		a.bodyError(w, err, "event", a.maxBody)
		return
	}
	answer, err := a.engine.Handle(req.Context(), engine.Request{
		Body:        body,
		Tenant:      params.ByName("tenant"),
		Impersonate: true,
		DryRun:      true,
		Received:    received,
	})
	if err != nil {
		a.engineError(w, err)
		return
	}
	out := dryRunJSON{
		Tenant:     answer.Tenant,
		Answer:     answer.Body,
		DurationMs: float64(time.Since(received).Microseconds()) / 1000,
		Logs:       answer.Logs,
	}
	if answer.Version != "" {
		out.Version = &answer.Version
	}
	if answer.Fallback != "" {
		out.Fallback = &answer.Fallback
	}
	if out.Logs == nil {
		out.Logs = []logbuf.Line{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) putFile(w http.ResponseWriter, req *http.Request, params httprouter.Params) {
	id := params.ByName("tenant")
	// The catch-all parameter keeps the slash that precedes it; "//x" would still be absolute.
	name := strings.TrimPrefix(params.ByName("path"), "/")
	if err := tenant.ValidateID(id); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_tenant", err.Error())
		return
	}
	// Checked before the body is read, so that a refused path costs no upload.
	if err := engine.CheckFilePath(name); err != nil {
		writeError(w, http.StatusBadRequest, "bad_path", err.Error())
		return
	}
	content, err := readBody(w, req, engine.MaxUploadBytes)
	if err != nil {
		a.bodyError(w, err, "file", engine.MaxUploadBytes)
		return
	}
	info, err := a.engine.WriteFile(req.Context(), id, name, content)
	var berr *engine.BuildError
	switch {
	case errors.As(err, &berr):
		a.logger.Info("admin upload refused: the tenant would not build with it", "tenant", id, "file", name, "err", berr.Error())
		writeBuildFailure(w, id, name, berr)
		return
	case errors.Is(err, engine.ErrBadPath):
		writeError(w, http.StatusBadRequest, "bad_path", err.Error())
		return
	case errors.Is(err, tenant.ErrInvalidID):
		writeError(w, http.StatusBadRequest, "invalid_tenant", err.Error())
		return
	case err != nil:
		a.logger.Error("admin upload failed", "tenant", id, "file", name, "err", err)
		writeError(w, http.StatusInternalServerError, "write_failed", err.Error())
		return
	}
	a.logger.Info("admin upload written", "tenant", id, "file", name, "bytes", len(content), "version", info.Version, "remote", req.RemoteAddr)
	writeJSON(w, http.StatusOK, newTenantJSON(info))
}

// writeBuildFailure answers 422 with the problems that kept the tenant from building.
func writeBuildFailure(w http.ResponseWriter, id, name string, berr *engine.BuildError) {
	var body struct {
		Error struct {
			Code     string        `json:"code"`
			Message  string        `json:"message"`
			Problems []problemJSON `json:"problems"`
		} `json:"error"`
	}
	body.Error.Code = "build_failed"
	body.Error.Message = fmt.Sprintf("tenant %s would not build with this %s, so it was not written:\n%s", id, name, berr.Error())
	body.Error.Problems = problemsJSON(berr.Problems)
	writeJSON(w, http.StatusUnprocessableEntity, body)
}

// bodyError answers a request body that could not be read.
func (a *api) bodyError(w http.ResponseWriter, err error, what string, limit int64) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the %s is larger than %d bytes", what, limit))
		return
	}
	writeError(w, http.StatusBadRequest, "unreadable_body", "could not read the request body: "+err.Error())
}

// engineError answers an error engine.Handle returned.
func (a *api) engineError(w http.ResponseWriter, err error) {
	var refused *engine.RequestError
	if !errors.As(err, &refused) {
		a.logger.Error("request failed", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	writeError(w, statusOf(refused.Kind), refused.Code, refused.Message)
}
