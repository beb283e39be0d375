package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/callflow"
	"github.com/callscript/callscript/engine/httpapi"
)

// samples is the folder of 8x8's sample webhook bodies (copies of shared/voice/events).
const samples = "../webhook/testdata/events"

func newServer(t testing.TB, scripts string, opts engine.Options, api httpapi.Options) (*httptest.Server, *engine.Engine) {
	t.Helper()
	opts.ScriptsDir = scripts
	e, err := engine.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(e, api))
	t.Cleanup(func() { srv.Close(); e.Close() })
	return srv, e
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func post(t testing.TB, url string, body []byte, header ...string) reply {
	t.Helper()
	return do(t, http.MethodPost, url, body, append([]string{"Content-Type", "application/json"}, header...)...)
}

// TestBundledScriptsAnswerEverySample posts every sample event to the scripts that
// `callscript serve` runs by default.
func TestBundledScriptsAnswerEverySample(t *testing.T) {
	srv, e := newServer(t, "../../scripts", engine.Options{}, httpapi.Options{})
	for _, info := range e.Tenants() {
		if info.Error != nil {
			t.Fatalf("bundled tenant %s does not build: %v", info.ID, info.Error)
		}
	}
	entries, err := os.ReadDir(samples)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 10 {
		t.Fatalf("only %d sample events", len(entries))
	}
	for _, entry := range entries {
		t.Run(entry.Name(), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(samples, entry.Name()))
			if err != nil {
				t.Fatal(err)
			}
			var envelope struct {
				EventType string `json:"eventType"`
				Payload   struct {
					SubAccountID string `json:"subAccountId"`
				} `json:"payload"`
			}
			if err := json.Unmarshal(body, &envelope); err != nil {
				t.Fatal(err)
			}
			url := srv.URL + "/webhooks/voice"
			if envelope.Payload.SubAccountID == "" {
				url += "/rideshare_nm" // recordings carry no subAccountId: the tenant is in the URL
			}
			r := post(t, url, body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if r.header.Get(httpapi.HeaderVersion) == "" || r.header.Get(httpapi.HeaderVersion) == "none" {
				t.Errorf("no %s header", httpapi.HeaderVersion)
			}
			if f := r.header.Get(httpapi.HeaderFallback); f != "" {
				t.Errorf("answered with the fallback (%s): the bundled script failed on this sample", f)
			}
			if r.header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", r.header.Get("Content-Type"))
			}
			if envelope.EventType != "CALL_ACTION" {
				if string(r.body) != "{}" {
					t.Errorf("non-call event answered %s, want {}", r.body)
				}
				return
			}
			answer, err := callflow.Parse(r.body, callflow.Defaults{})
			if err != nil {
				t.Fatalf("the answer does not pass the validator: %v\n%s", err, r.body)
			}
			if !bytes.Equal(answer.Encode(), r.body) {
				t.Errorf("the answer is not in canonical form: %s", r.body)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"tenant.json": `{"authorization": "Basic dXNlcjpwYXNz"}`,
		"index.js":    `export default () => [{ action: "hangup" }];`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, "acme", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv, _ := newServer(t, root, engine.Options{}, httpapi.Options{MaxBody: 4096})
	call := func(tenant string) []byte {
		return []byte(`{"namespace":"VOICE","eventType":"CALL_ACTION","payload":{"eventId":"e-` + tenant + `","sessionId":"s","subAccountId":"` + tenant + `","callStatus":"CALL_RECEIVED"}}`)
	}
	auth := []string{"Authorization", "Basic dXNlcjpwYXNz"}
	cases := []struct {
		name   string
		path   string
		body   []byte
		header []string
		status int
		code   string
	}{
		{"malformed JSON", "/webhooks/voice", []byte(`{"eventType":`), auth, 400, "malformed_webhook"},
		{"too large", "/webhooks/voice", append(call("acme")[:len(call("acme"))-2], []byte(`,"pad":"`+strings.Repeat("x", 5000)+`"}}`)...), auth, 413, "body_too_large"},
		{"missing tenant", "/webhooks/voice", []byte(`{"eventType":"CALL_ACTION","payload":{"eventId":"x"}}`), auth, 400, "missing_tenant"},
		{"invalid tenant", "/webhooks/voice", call("a/b"), auth, 400, "invalid_tenant"},
		{"invalid tenant in path", "/webhooks/voice/%2e%2e", call("acme"), auth, 400, "invalid_tenant"},
		{"unknown tenant", "/webhooks/voice", call("nobody"), auth, 404, "unknown_tenant"},
		{"wrong authorization", "/webhooks/voice", call("acme"), []string{"Authorization", "Basic bm9wZQ=="}, 401, "unauthorized"},
		{"mismatched path", "/webhooks/voice/other_one", call("acme"), auth, 400, "tenant_mismatch"},
		{"unknown route", "/webhooks/sms", call("acme"), auth, 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, srv.URL+tc.path, tc.body, tc.header...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code != tc.code || e.Error.Message == "" {
				t.Fatalf("error body %s, want code %q and a message", r.body, tc.code)
			}
		})
	}
	if r := post(t, srv.URL+"/webhooks/voice", call("acme"), auth...); r.status != 200 {
		t.Fatalf("the authorized call failed: %d %s", r.status, r.body)
	}
	resp, err := http.Get(srv.URL + "/webhooks/voice")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET on the webhook route: %d", resp.StatusCode)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	srv, _ := newServer(t, t.TempDir(), engine.Options{}, httpapi.Options{})
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

// TestRewritesUnderLoad sends 200 concurrent requests over two tenants while one of them is
// rewritten 50 times: every answer must be valid and come from one complete version.
func TestRewritesUnderLoad(t *testing.T) {
	root := t.TempDir()
	// Each version states its generation in two modules; an answer mixing two versions shows
	// up as two different numbers. Every version is written to a folder of its own and swapped
	// in as a whole by renaming a symlink, as a deploy tool or a Kubernetes ConfigMap does, so
	// that the folder never holds a mix on disk either.
	write := func(gen int) {
		dir := filepath.Join(root, fmt.Sprintf(".gen-%d", gen))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Error(err)
			return
		}
		for name, content := range map[string]string{
			"part.js":  fmt.Sprintf("export const tail = %q;\n", fmt.Sprint(gen)),
			"index.js": fmt.Sprintf("import { tail } from \"./part.js\";\nconst head = %q;\nexport default () => [{ action: \"say\", params: { text: head + \"/\" + tail } }];\n", fmt.Sprint(gen)),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Error(err)
				return
			}
		}
		link := filepath.Join(root, ".busy.tmp")
		if err := os.Symlink(filepath.Base(dir), link); err != nil {
			t.Error(err)
			return
		}
		if err := os.Rename(link, filepath.Join(root, "busy")); err != nil {
			t.Error(err)
		}
	}
	write(0)
	if err := os.MkdirAll(filepath.Join(root, "calm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "calm", "index.js"), []byte(`export default () => [{ action: "say", params: { text: "calm/calm" } }];`), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, root, engine.Options{Watch: true, Logger: slog.New(slog.DiscardHandler)}, httpapi.Options{})

	var failures atomic.Int32
	var seenMu sync.Mutex
	seen := make(map[string]bool) // generations of busy that answered
	var wg sync.WaitGroup
	done := make(chan struct{})
	go func() {
		defer close(done)
		for gen := 1; gen <= 50; gen++ {
			write(gen)
			time.Sleep(25 * time.Millisecond)
		}
	}()
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 6 * time.Millisecond) // spread the requests over the rewrites
			tenant := []string{"busy", "calm"}[i%2]
			body := fmt.Sprintf(`{"eventType":"CALL_ACTION","payload":{"eventId":"load-%d","sessionId":"load-%d","subAccountId":%q,"callStatus":"CALL_RECEIVED"}}`, i, i, tenant)
			r := post(t, srv.URL+"/webhooks/voice", []byte(body))
			ok := r.status == 200 && r.header.Get(httpapi.HeaderFallback) == ""
			var a struct {
				Callflow []struct {
					Params struct{ Text string } `json:"params"`
				} `json:"callflow"`
			}
			if ok && json.Unmarshal(r.body, &a) == nil && len(a.Callflow) == 1 {
				head, tail, _ := strings.Cut(a.Callflow[0].Params.Text, "/")
				ok = head == tail && head != ""
				if tenant == "busy" {
					seenMu.Lock()
					seen[head] = true
					seenMu.Unlock()
				}
			} else {
				ok = false
			}
			if !ok {
				failures.Add(1)
				t.Errorf("request %d to %s: %d %s %s", i, tenant, r.status, r.header.Get(httpapi.HeaderFallback), r.body)
			}
		}()
	}
	wg.Wait()
	<-done
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d of 200 answers failed or mixed versions", n)
	}
	if len(seen) < 3 {
		t.Errorf("only %d versions of the rewritten tenant answered: the rewrites did not overlap the load", len(seen))
	}
}
