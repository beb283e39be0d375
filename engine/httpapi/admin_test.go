package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/httpapi"
	"github.com/callscript/callscript/engine/metrics"
)

const adminToken = "test-admin-token-0123456789"

// adminTenants are the tenant folders of the admin tests.
var adminTenants = map[string]string{
	// acme counts the webhooks of a call in ctx.session and says the count and the first eventId.
	"acme/index.js": `import { text } from "./lib/text.js";
export default {
  onCallAction(event, ctx) {
    ctx.session.n = (ctx.session.n ?? 0) + 1;
    ctx.session.first ??= event.payload.eventId;
    console.log("acme handled", event.payload.eventId);
    if (event.payload.destination === "throw") throw new Error("asked to throw");
    return [{ action: "say", params: { text: text + " " + ctx.session.n + " " + ctx.session.first } }];
  },
};`,
	"acme/lib/text.js":    `export const text = "one";`,
	"plain/index.js":      `export default () => [{ action: "hangup" }];`,
	"broken/index.js":     "export default () => {\n  return [;\n};\n",
	"guarded/index.js":    `export default () => [{ action: "hangup" }];`,
	"guarded/tenant.json": `{"authorization": "Basic dXNlcjpwYXNz"}`,
}

func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// newAdminServer serves adminTenants with the admin routes and /metrics on.
func newAdminServer(t testing.TB) (srv *httptest.Server, root string) {
	t.Helper()
	root = t.TempDir()
	writeTree(t, root, adminTenants)
	reg := metrics.NewRegistry()
	srv, _ = newServer(t, root, engine.Options{Registerer: reg}, httpapi.Options{AdminToken: adminToken, Metrics: reg})
	return srv, root
}

// do sends a request with a raw URL path, so that encodings such as %2e%2e reach the server
// as written.
func do(t testing.TB, method, url string, body []byte, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func admin(t testing.TB, method, url string, body []byte) reply {
	t.Helper()
	return do(t, method, url, body, "Authorization", "Bearer "+adminToken)
}

type apiError struct {
	Error struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Problems []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Column  int    `json:"column"`
			Message string `json:"message"`
		} `json:"problems"`
	} `json:"error"`
}

func decode[T any](t testing.TB, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("status %d, body is not the expected JSON (%v): %s", r.status, err, r.body)
	}
	return v
}

func wantError(t testing.TB, r reply, status int, code string) apiError {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	e := decode[apiError](t, r)
	if e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("error %s, want code %q and a message", r.body, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return e
}

type tenantView struct {
	ID        string     `json:"id"`
	Version   *string    `json:"version"`
	LoadedAt  *time.Time `json:"loadedAt"`
	Files     []string   `json:"files"`
	Hooks     []string   `json:"hooks"`
	LastError *struct {
		Problems []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Column  int    `json:"column"`
			Message string `json:"message"`
		} `json:"problems"`
		At time.Time `json:"at"`
	} `json:"lastError"`
}

func callEvent(tenant, eventID, sessionID, destination string) []byte {
	b, _ := json.Marshal(map[string]any{
		"namespace": "VOICE", "eventType": "CALL_ACTION",
		"payload": map[string]any{"eventId": eventID, "sessionId": sessionID, "subAccountId": tenant,
			"callStatus": "CALL_RECEIVED", "destination": destination},
	})
	return b
}

func sayText(t testing.TB, body []byte) string {
	t.Helper()
	var a struct {
		Callflow []struct {
			Params struct{ Text string } `json:"params"`
		} `json:"callflow"`
	}
	if err := json.Unmarshal(body, &a); err != nil || len(a.Callflow) == 0 {
		t.Fatalf("not a say callflow (%v): %s", err, body)
	}
	return a.Callflow[0].Params.Text
}

func TestAdminNeedsTheToken(t *testing.T) {
	srv, _ := newAdminServer(t)
	cases := []struct {
		name          string
		authorization string
		status        int
	}{
		{"no header", "", 401},
		{"wrong token", "Bearer not-the-token", 401},
		{"token as a prefix", "Bearer " + adminToken[:10], 401},
		{"token with more", "Bearer " + adminToken + "x", 401},
		{"other scheme", "Basic " + adminToken, 401},
		{"bare token", adminToken, 401},
		{"right token", "Bearer " + adminToken, 200},
		{"scheme in lower case", "bearer " + adminToken, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var header []string
			if tc.authorization != "" {
				header = []string{"Authorization", tc.authorization}
			}
			for _, route := range []struct{ method, path string }{
				{http.MethodGet, "/admin/tenants"},
				{http.MethodGet, "/admin/tenants/acme"},
				{http.MethodGet, "/admin/tenants/acme/logs"},
				{http.MethodPost, "/admin/tenants/acme/dry-run"},
				{http.MethodPut, "/admin/tenants/acme/files/lib/text.js"},
			} {
				body := []byte(`export const text = "one";`)
				if route.method == http.MethodPost {
					body = callEvent("acme", "e1", "s1", "")
				}
				r := do(t, route.method, srv.URL+route.path, body, header...)
				if tc.status == 200 {
					if r.status != 200 {
						t.Errorf("%s %s: %d %s", route.method, route.path, r.status, r.body)
					}
					continue
				}
				wantError(t, r, 401, "unauthorized")
				if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("%s %s: WWW-Authenticate %q", route.method, route.path, got)
				}
			}
		})
	}
}

func TestAdminRoutesNeedAToken(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, adminTenants)
	srv, _ := newServer(t, root, engine.Options{}, httpapi.Options{})
	r := do(t, http.MethodGet, srv.URL+"/admin/tenants", nil, "Authorization", "Bearer ")
	e := wantError(t, r, 404, "not_found")
	if !strings.Contains(e.Error.Message, "--admin-token") {
		t.Errorf("the 404 does not say how to turn the admin routes on: %s", e.Error.Message)
	}
}

func TestAdminTenants(t *testing.T) {
	srv, _ := newAdminServer(t)
	r := admin(t, http.MethodGet, srv.URL+"/admin/tenants", nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	list := decode[struct{ Tenants []tenantView }](t, r).Tenants
	var ids []string
	for _, v := range list {
		ids = append(ids, v.ID)
	}
	if want := []string{"acme", "broken", "guarded", "plain"}; !slices.Equal(ids, want) {
		t.Fatalf("tenants %v, want %v", ids, want)
	}

	acme := list[0]
	if acme.Version == nil || *acme.Version == "" || acme.LoadedAt == nil || time.Since(*acme.LoadedAt) > time.Minute {
		t.Errorf("acme: version %v, loadedAt %v", acme.Version, acme.LoadedAt)
	}
	if !slices.Contains(acme.Files, "index.js") || !slices.Contains(acme.Files, "lib/text.js") {
		t.Errorf("acme files %v", acme.Files)
	}
	if !slices.Equal(acme.Hooks, []string{"onCallAction"}) || acme.LastError != nil {
		t.Errorf("acme hooks %v, lastError %+v", acme.Hooks, acme.LastError)
	}
	if plain := list[3]; plain.Hooks != nil || plain.Version == nil {
		t.Errorf("a function export: hooks %v (want null), version %v", plain.Hooks, plain.Version)
	}

	broken := list[1]
	if broken.Version != nil || broken.LoadedAt != nil || broken.Files == nil || len(broken.Files) != 0 {
		t.Errorf("a tenant that never built: version %v, loadedAt %v, files %#v", broken.Version, broken.LoadedAt, broken.Files)
	}
	if broken.LastError == nil || len(broken.LastError.Problems) == 0 || broken.LastError.At.IsZero() {
		t.Fatalf("broken: lastError %+v", broken.LastError)
	}
	if p := broken.LastError.Problems[0]; p.File != "index.js" || p.Line != 2 || p.Column == 0 || p.Message == "" {
		t.Errorf("broken: problem %+v, want index.js line 2", p)
	}

	// One tenant: the same fields.
	r = admin(t, http.MethodGet, srv.URL+"/admin/tenants/acme", nil)
	if one := decode[tenantView](t, r); r.status != 200 || one.ID != "acme" || *one.Version != *acme.Version {
		t.Errorf("GET acme: %d %s", r.status, r.body)
	}
	wantError(t, admin(t, http.MethodGet, srv.URL+"/admin/tenants/nobody", nil), 404, "unknown_tenant")
	wantError(t, admin(t, http.MethodGet, srv.URL+"/admin/tenants/%2e%2e", nil), 400, "invalid_tenant")
	wantError(t, admin(t, http.MethodGet, srv.URL+"/admin/tenants/x", nil), 400, "invalid_tenant")
}

func TestAdminLogs(t *testing.T) {
	srv, _ := newAdminServer(t)
	for _, id := range []string{"first", "second", "third"} {
		if r := post(t, srv.URL+"/webhooks/voice", callEvent("acme", id, "s-"+id, "")); r.status != 200 {
			t.Fatalf("webhook: %d %s", r.status, r.body)
		}
	}
	type logsView struct {
		Tenant string `json:"tenant"`
		Lines  []struct {
			Time    time.Time      `json:"time"`
			Level   string         `json:"level"`
			Message string         `json:"msg"`
			Attrs   map[string]any `json:"attrs"`
		} `json:"lines"`
	}
	r := admin(t, http.MethodGet, srv.URL+"/admin/tenants/acme/logs", nil)
	logs := decode[logsView](t, r)
	var handled []string
	for _, l := range logs.Lines {
		if strings.HasPrefix(l.Message, "acme handled") {
			handled = append(handled, strings.TrimPrefix(l.Message, "acme handled "))
		}
	}
	if r.status != 200 || logs.Tenant != "acme" || !slices.Equal(handled, []string{"third", "second", "first"}) {
		t.Fatalf("logs %d, handled %v (want newest first): %s", r.status, handled, r.body)
	}
	if l := logs.Lines[0]; l.Level != "INFO" || l.Time.IsZero() || l.Attrs["eventId"] != "third" {
		t.Errorf("newest line %+v", l)
	}
	r = admin(t, http.MethodGet, srv.URL+"/admin/tenants/acme/logs?limit=1", nil)
	if got := decode[logsView](t, r).Lines; len(got) != 1 || got[0].Message != logs.Lines[0].Message {
		t.Errorf("limit=1: %s", r.body)
	}
	for _, bad := range []string{"0", "-1", "abc", "1001", "", "1.5"} {
		wantError(t, admin(t, http.MethodGet, srv.URL+"/admin/tenants/acme/logs?limit="+bad, nil), 400, "bad_limit")
	}
	wantError(t, admin(t, http.MethodGet, srv.URL+"/admin/tenants/nobody/logs", nil), 404, "unknown_tenant")
}

func TestAdminDryRun(t *testing.T) {
	srv, _ := newAdminServer(t)
	type dryRunView struct {
		Tenant     string          `json:"tenant"`
		Version    *string         `json:"version"`
		Answer     json.RawMessage `json:"answer"`
		Fallback   *string         `json:"fallback"`
		DurationMs float64         `json:"durationMs"`
		Logs       []struct {
			Message string `json:"msg"`
			Level   string `json:"level"`
		} `json:"logs"`
	}
	url := srv.URL + "/admin/tenants/acme/dry-run"
	// The event names another subAccountId: a dry run replays it as the tenant of the URL.
	event := callEvent("someone_else", "same-event", "real-call", "")
	for range 2 {
		r := admin(t, http.MethodPost, url, event)
		v := decode[dryRunView](t, r)
		if r.status != 200 || v.Tenant != "acme" || v.Version == nil || v.Fallback != nil || v.DurationMs <= 0 {
			t.Fatalf("dry run: %d %s", r.status, r.body)
		}
		// A fresh session each time: a saved session would count 2 the second time.
		if got := sayText(t, v.Answer); got != "one 1 same-event" {
			t.Fatalf("dry run answered %q", got)
		}
		if len(v.Logs) == 0 || v.Logs[0].Message != "acme handled same-event" {
			t.Fatalf("dry-run logs %+v", v.Logs)
		}
	}
	// The real delivery of the same event runs the script on an untouched session, and only
	// its own repetition is a replay.
	real := callEvent("acme", "same-event", "real-call", "")
	for i, want := range []string{"", "true"} {
		r := post(t, srv.URL+"/webhooks/voice", real)
		if r.status != 200 || sayText(t, r.body) != "one 1 same-event" || r.header.Get(httpapi.HeaderReplay) != want {
			t.Fatalf("real delivery %d after dry runs: %d replay=%q %s", i+1, r.status, r.header.Get(httpapi.HeaderReplay), r.body)
		}
	}
	// A dry run after the real call does not see or change its session.
	r := admin(t, http.MethodPost, url, callEvent("acme", "next-event", "real-call", ""))
	if got := sayText(t, decode[dryRunView](t, r).Answer); got != "one 1 next-event" {
		t.Fatalf("a dry run saw the call's session: %q", got)
	}
	if r := post(t, srv.URL+"/webhooks/voice", callEvent("acme", "next-event", "real-call", "")); sayText(t, r.body) != "one 2 same-event" {
		t.Fatalf("the real call's session after a dry run: %s", r.body)
	}

	// A failing script: the fallback, why, and the error among the logs.
	r = admin(t, http.MethodPost, url, callEvent("acme", "e-throw", "s-throw", "throw"))
	v := decode[dryRunView](t, r)
	if r.status != 200 || v.Fallback == nil || *v.Fallback != engine.FallbackScriptError {
		t.Fatalf("a throwing script: %d %s", r.status, r.body)
	}
	var messages []string
	for _, l := range v.Logs {
		messages = append(messages, l.Level+" "+l.Message)
	}
	if joined := strings.Join(messages, "\n"); !strings.Contains(joined, "ERROR") || !strings.Contains(joined, "asked to throw") {
		t.Errorf("dry-run logs of a throwing script:\n%s", joined)
	}

	wantError(t, admin(t, http.MethodPost, url, []byte(`{"eventType":`)), 400, "malformed_webhook")
	wantError(t, admin(t, http.MethodPost, srv.URL+"/admin/tenants/%2e%2e/dry-run", event), 400, "invalid_tenant")
	wantError(t, admin(t, http.MethodPost, srv.URL+"/admin/tenants/nobody/dry-run", event), 404, "unknown_tenant")
	big := append(callEvent("acme", "e", "s", "")[:10], bytes.Repeat([]byte(" "), httpapi.DefaultMaxBody)...)
	wantError(t, admin(t, http.MethodPost, url, big), 413, "body_too_large")
}

// TestAdminDryRunOfAGuardedTenant: the admin token stands for the tenant's own authorization
// setting, which the operator should not need to know.
func TestAdminDryRunOfAGuardedTenant(t *testing.T) {
	srv, _ := newAdminServer(t)
	r := admin(t, http.MethodPost, srv.URL+"/admin/tenants/guarded/dry-run", callEvent("guarded", "g", "g", ""))
	if r.status != 200 {
		t.Fatalf("a dry run of a tenant with an authorization setting: %d %s", r.status, r.body)
	}
}

// TestDryRunsAreNotCountedAsWebhooks: an operator's dry runs must not show up as 8x8 traffic.
func TestDryRunsAreNotCountedAsWebhooks(t *testing.T) {
	srv, _ := newAdminServer(t)
	if r := admin(t, http.MethodPost, srv.URL+"/admin/tenants/acme/dry-run", callEvent("acme", "d1", "d1", "")); r.status != 200 {
		t.Fatalf("dry run: %d %s", r.status, r.body)
	}
	r := do(t, http.MethodGet, srv.URL+"/metrics", nil)
	if strings.Contains(string(r.body), `callscript_webhooks_total{event_type="CALL_ACTION",outcome="answered",reason="",tenant="acme"}`) {
		t.Fatal("a dry run was counted as an answered webhook")
	}
}

func TestAdminPutFile(t *testing.T) {
	srv, root := newAdminServer(t)
	base := srv.URL + "/admin/tenants/acme/files/"
	before := decode[tenantView](t, admin(t, http.MethodGet, srv.URL+"/admin/tenants/acme", nil))

	// A file that builds is written and serves at once.
	r := admin(t, http.MethodPut, base+"lib/text.js", []byte(`export const text = "two";`))
	after := decode[tenantView](t, r)
	if r.status != 200 || after.ID != "acme" || after.Version == nil || *after.Version == *before.Version {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	if got := sayText(t, post(t, srv.URL+"/webhooks/voice", callEvent("acme", "after-upload", "s-up", "")).body); got != "two 1 after-upload" {
		t.Fatalf("the uploaded file does not serve: %q", got)
	}

	// A file that would not build is refused with where and why, and the old one stays.
	r = admin(t, http.MethodPut, base+"lib/text.js", []byte("export const text = ;"))
	e := wantError(t, r, 422, "build_failed")
	if len(e.Error.Problems) == 0 || e.Error.Problems[0].File != "lib/text.js" || e.Error.Problems[0].Line != 1 || e.Error.Problems[0].Message == "" {
		t.Fatalf("422 problems %+v", e.Error.Problems)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "acme", "lib", "text.js")); string(data) != `export const text = "two";` {
		t.Fatalf("the refused upload changed the file: %s", data)
	}
	if got := sayText(t, post(t, srv.URL+"/webhooks/voice", callEvent("acme", "after-refusal", "s-ref", "")).body); got != "two 1 after-refusal" {
		t.Fatalf("after a refused upload: %q", got)
	}

	// A new tenant is created by uploading its entry; a folder without one is refused.
	r = admin(t, http.MethodPut, srv.URL+"/admin/tenants/newco/files/index.ts", []byte(`export default (): unknown => [{ action: "hangup" }];`))
	if v := decode[tenantView](t, r); r.status != 200 || v.ID != "newco" || v.Version == nil {
		t.Fatalf("creating a tenant: %d %s", r.status, r.body)
	}
	if r := post(t, srv.URL+"/webhooks/voice", callEvent("newco", "n1", "n1", "")); r.status != 200 || r.header.Get(httpapi.HeaderFallback) != "" {
		t.Fatalf("the created tenant: %d %s", r.status, r.body)
	}
	wantError(t, admin(t, http.MethodPut, srv.URL+"/admin/tenants/emptyco/files/lib.js", []byte(`export const x = 1;`)), 422, "build_failed")

	// Too large, with and without a Content-Length.
	huge := bytes.Repeat([]byte("/"), engine.MaxUploadBytes+1)
	wantError(t, admin(t, http.MethodPut, base+"big.js", huge), 413, "body_too_large")
	req, _ := http.NewRequest(http.MethodPut, base+"big.js", io.MultiReader(bytes.NewReader(huge)))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("a chunked upload over the limit: %d", resp.StatusCode)
	}
}

// TestAdminPutRefusesBadPaths sends each path through a real HTTP request, encoded as an
// attacker would, and checks that nothing is written anywhere.
func TestAdminPutRefusesBadPaths(t *testing.T) {
	srv, root := newAdminServer(t)
	outside := filepath.Dir(root)
	cases := []struct {
		name, path string // path after /admin/tenants/
		status     int
		code       string
	}{
		{"dot dot", "acme/files/../evil.js", 400, "bad_path"},
		{"dot dot deeper", "acme/files/lib/../../evil.js", 400, "bad_path"},
		{"encoded dot dot", "acme/files/%2e%2e/evil.js", 400, "bad_path"},
		{"encoded dot dot upper case", "acme/files/%2E%2E/evil.js", 400, "bad_path"},
		{"encoded dot dot and slash", "acme/files/%2e%2e%2fevil.js", 400, "bad_path"},
		{"absolute", "acme/files//etc/evil.js", 400, "bad_path"},
		{"encoded absolute", "acme/files/%2Fetc%2Fevil.js", 400, "bad_path"},
		{"NUL", "acme/files/evil%00.js", 400, "bad_path"},
		{"NUL before the extension", "acme/files/evil.sh%00.js", 400, "bad_path"},
		{"dot file", "acme/files/.evil.js", 400, "bad_path"},
		{"encoded dot file", "acme/files/%2eevil.js", 400, "bad_path"},
		{"dot folder", "acme/files/.git/evil.js", 400, "bad_path"},
		{"backslash", "acme/files/lib%5C..%5Cevil.js", 400, "bad_path"},
		{"dot segment", "acme/files/./evil.js", 400, "bad_path"},
		{"empty segment", "acme/files/lib//evil.js", 400, "bad_path"},
		{"trailing slash", "acme/files/lib/", 400, "bad_path"},
		{"no name", "acme/files/", 400, "bad_path"},
		{"not a source file", "acme/files/evil.sh", 400, "bad_path"},
		{"node_modules", "acme/files/node_modules/x.js", 400, "bad_path"},
		{"control character", "acme/files/evil%0a.js", 400, "bad_path"},
		{"tenant dot dot", "%2e%2e/files/evil.js", 400, "invalid_tenant"},
		{"tenant with a slash", "a%2fb/files/evil.js", 404, "not_found"},
		{"tenant dot file", ".hidden/files/evil.js", 400, "invalid_tenant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := admin(t, http.MethodPut, srv.URL+"/admin/tenants/"+tc.path, []byte(`export default () => [{ action: "hangup" }];`))
			wantError(t, r, tc.status, tc.code)
		})
	}
	// Nothing was written: the folders hold what the test wrote, and nothing appeared beside them.
	var found []string
	_ = filepath.WalkDir(outside, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(filepath.Base(path), "evil") {
			found = append(found, path)
		}
		return nil
	})
	if len(found) > 0 {
		t.Fatalf("refused uploads wrote files: %v", found)
	}
	// Percent signs are decoded once: %252e%252e is the literal folder name "%2e%2e", inside
	// the tenant folder.
	if r := admin(t, http.MethodPut, srv.URL+"/admin/tenants/acme/files/%252e%252e/literal.js", []byte(`export const x = 1;`)); r.status != 200 {
		t.Fatalf("a double-encoded name: %d %s", r.status, r.body)
	}
	if _, err := os.Stat(filepath.Join(root, "acme", "%2e%2e", "literal.js")); err != nil {
		t.Fatalf("the double-encoded name was not written as a literal name inside the tenant folder: %v", err)
	}
}

// TestMetricsAfterTraffic scrapes /metrics after one delivery of each outcome.
func TestMetricsAfterTraffic(t *testing.T) {
	srv, _ := newAdminServer(t)
	hook := srv.URL + "/webhooks/voice"
	traffic := []struct {
		body   []byte
		header []string
		status int
	}{
		{callEvent("acme", "m1", "m1", ""), nil, 200},                                            // answered
		{callEvent("acme", "m1", "m1", ""), nil, 200},                                            // replayed
		{callEvent("acme", "m2", "m2", "throw"), nil, 200},                                       // fallback
		{callEvent("guarded", "m3", "m3", ""), []string{"Authorization", "Basic bm9wZQ=="}, 401}, // rejected
		{callEvent("nobody", "m4", "m4", ""), nil, 404},                                          // rejected before a tenant
	}
	for i, tr := range traffic {
		if r := post(t, hook, tr.body, tr.header...); r.status != tr.status {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	version := *decode[tenantView](t, admin(t, http.MethodGet, srv.URL+"/admin/tenants/acme", nil)).Version
	for _, want := range []string{
		`callscript_webhooks_total{event_type="CALL_ACTION",outcome="answered",reason="",tenant="acme"} 1`,
		`callscript_webhooks_total{event_type="CALL_ACTION",outcome="replayed",reason="",tenant="acme"} 1`,
		`callscript_webhooks_total{event_type="CALL_ACTION",outcome="fallback",reason="script-error",tenant="acme"} 1`,
		`callscript_webhooks_total{event_type="CALL_ACTION",outcome="rejected",reason="unauthorized",tenant="guarded"} 1`,
		`callscript_webhooks_total{event_type="CALL_ACTION",outcome="rejected",reason="unknown_tenant",tenant="-"} 1`,
		`callscript_idempotent_replays_total{tenant="acme"} 1`,
		`callscript_handler_duration_seconds_count{event_type="CALL_ACTION",tenant="acme"} 3`,
		`callscript_reloads_total{result="error",tenant="broken"} 1`,
		`callscript_tenant_version_info{tenant="acme",version="` + version + `"} 1`,
		`go_goroutines `,
		`process_start_time_seconds `,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(string(body), `tenant="nobody"`) {
		t.Error("an unknown subAccountId got series of its own")
	}
}

func TestReadyzWhileDraining(t *testing.T) {
	var draining atomic.Bool
	srv, _ := newServer(t, t.TempDir(), engine.Options{}, httpapi.Options{Draining: draining.Load})
	for _, tc := range []struct {
		draining bool
		status   int
		body     string
	}{{false, 200, "ready"}, {true, 503, "draining"}} {
		draining.Store(tc.draining)
		r := do(t, http.MethodGet, srv.URL+"/readyz", nil)
		if got := decode[struct{ Status string }](t, r); r.status != tc.status || got.Status != tc.body {
			t.Errorf("draining=%v: %d %s", tc.draining, r.status, r.body)
		}
		if r := do(t, http.MethodGet, srv.URL+"/healthz", nil); r.status != 200 {
			t.Errorf("draining=%v: /healthz %d", tc.draining, r.status)
		}
	}
}
