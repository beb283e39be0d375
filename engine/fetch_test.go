package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/fetch"
)

func TestFetchUnderTenantPolicy(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/booking":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"driver": "+6590002222"}`)
		case "/slow":
			time.Sleep(2 * time.Second)
		case "/huge":
			fmt.Fprint(w, strings.Repeat("x", 2<<10))
		}
	}))
	defer api.Close()
	u, _ := url.Parse(api.URL)
	host := u.Hostname()

	root := t.TempDir()
	script := `import { makeCall, say, hangup } from "callscript";
export default { async onCallReceived(event, ctx) {
  try {
    const res = await fetch(ctx.env.API + event.payload.destination);
    const booking = await res.json();
    return [makeCall({ source: "+6531580000", destination: booking.driver })];
  } catch (e) {
    return [say(e.name + ": " + e.message), hangup()];
  }
} };`
	writeTenant(t, root, "allowed", map[string]string{"index.js": script,
		"tenant.json": `{"timeoutMs": 500, "env": {"API": "` + api.URL + `"}, "fetch": {"allow": ["` + host + `"], "maxBytes": 1024}}`})
	writeTenant(t, root, "closed", map[string]string{"index.js": script,
		"tenant.json": `{"env": {"API": "` + api.URL + `"}}`})
	writeTenant(t, root, "metadata", map[string]string{"index.js": script,
		"tenant.json": `{"env": {"API": "http://169.254.169.254/latest"}, "fetch": {"allow": ["169.254.169.254"]}}`})

	open, _ := newEngine(t, root, engine.Options{Fetch: fetch.NewClient(fetch.Options{AllowLoopback: true})})
	strict, _ := newEngine(t, root, engine.Options{})
	cases := []struct {
		name     string
		e        *engine.Engine
		tenant   string
		path     string
		says     string // "" means the call is bridged
		fallback string
		within   time.Duration
	}{
		{"allowed host", open, "allowed", "/booking", "", "", time.Second},
		{"not in the allow list", open, "closed", "/booking", "not in this tenant's fetch.allow", "", time.Second},
		{"loopback without the flag", strict, "allowed", "/booking", "TypeError", "", time.Second},
		{"metadata address", open, "metadata", "/meta-data", "TypeError", "", time.Second},
		{"body over maxBytes", open, "allowed", "/huge", "TypeError", "", time.Second},
		{"slow server cut at the deadline", open, "allowed", "/slow", "", engine.FallbackTimeout, 600 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			a := handle(t, tc.e, callAction(map[string]any{"subAccountId": tc.tenant, "destination": tc.path}))
			if took := time.Since(start); took > tc.within {
				t.Errorf("answered after %v, want within %v", took, tc.within)
			}
			if a.Fallback != tc.fallback {
				t.Fatalf("fallback %q, want %q: %s", a.Fallback, tc.fallback, a.Body)
			}
			if tc.fallback != "" {
				return
			}
			got := sayText(t, a.Body)
			switch {
			case tc.says == "" && !strings.Contains(string(a.Body), `"destination":"+6590002222"`):
				t.Errorf("the call was not bridged with the fetched number: %s", a.Body)
			case tc.says != "" && !strings.Contains(got, tc.says):
				t.Errorf("the script saw %q, want it to contain %q", got, tc.says)
			}
		})
	}
}
