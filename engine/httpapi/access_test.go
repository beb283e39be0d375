package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/httpapi"
)

// TestAllowIPs sends webhooks from various addresses through the handler.
func TestAllowIPs(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"acme/index.js": `export default () => [{ action: "hangup" }];`})
	e, err := engine.New(t.Context(), engine.Options{ScriptsDir: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	eightByEight, err := httpapi.ParseCIDRs(httpapi.EightByEightWebhookSources)
	if err != nil {
		t.Fatal(err)
	}
	proxies, err := httpapi.ParseCIDRs("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	withProxies := httpapi.New(e, httpapi.Options{AllowIPs: eightByEight, TrustedProxies: proxies, AdminToken: adminToken})
	direct := httpapi.New(e, httpapi.Options{AllowIPs: eightByEight})
	open := httpapi.New(e, httpapi.Options{})

	cases := []struct {
		name    string
		handler http.Handler
		method  string
		path    string
		remote  string
		xff     string
		status  int
	}{
		{"8x8 directly", direct, "POST", "/webhooks/voice", "52.74.232.241:41000", "", 200},
		{"8x8 directly, tenant in the path", direct, "POST", "/webhooks/voice/acme", "18.140.80.2:41000", "", 200},
		{"someone else", direct, "POST", "/webhooks/voice", "203.0.113.9:41000", "", 403},
		{"someone else on the tenant path", direct, "POST", "/webhooks/voice/acme", "203.0.113.9:41000", "", 403},
		{"someone else claiming 8x8 without a trusted proxy", direct, "POST", "/webhooks/voice", "203.0.113.9:41000", "18.140.80.2", 403},
		{"8x8 through the trusted proxy", withProxies, "POST", "/webhooks/voice", "10.0.0.5:41000", "18.140.80.2", 200},
		{"someone else through the trusted proxy", withProxies, "POST", "/webhooks/voice", "10.0.0.5:41000", "203.0.113.9", 403},
		{"someone else prepending 8x8 through the proxy", withProxies, "POST", "/webhooks/voice", "10.0.0.5:41000", "18.140.80.2, 203.0.113.9", 403},
		{"the proxy itself", withProxies, "POST", "/webhooks/voice", "10.0.0.5:41000", "", 403},
		{"garbage forwarded by the proxy", withProxies, "POST", "/webhooks/voice", "10.0.0.5:41000", "unknown", 403},
		{"no list: anyone", open, "POST", "/webhooks/voice", "203.0.113.9:41000", "", 200},
		{"probes are not limited", direct, "GET", "/healthz", "203.0.113.9:41000", "", 200},
		{"readiness is not limited", direct, "GET", "/readyz", "203.0.113.9:41000", "", 200},
		{"admin routes are not limited (the token guards them)", withProxies, "GET", "/admin/tenants", "203.0.113.9:41000", "", 401},
	}
	body := `{"eventType":"CALL_ACTION","payload":{"eventId":"e","sessionId":"s","subAccountId":"acme","callStatus":"CALL_RECEIVED"}}`
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(body))
			req.RemoteAddr = tc.remote
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			rec := httptest.NewRecorder()
			tc.handler.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status != 403 {
				return
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "forbidden" || e.Error.Message == "" {
				t.Fatalf("403 body %s", rec.Body)
			}
		})
	}
}
