package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/sdk"
)

// runInit runs `callscript init` with args.
func runInit(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = initTenant(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func TestInitWritesTheTenant(t *testing.T) {
	scripts := filepath.Join(t.TempDir(), "scripts") // does not exist yet: init creates it
	stdout, _, err := runInit("--scripts", scripts, "acme_ivr")
	if err != nil {
		t.Fatalf("init: %v", err)
	}
	dir := filepath.Join(scripts, "acme_ivr")
	want := []string{"README.md", "index.test.ts", "index.ts", "tsconfig.json", "types/callscript.d.ts"}
	var got []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got = append(got, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// types/ holds every shipped declaration file, the test API's too once it ships.
	if fs.WalkDir(sdk.Types(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != "callscript.d.ts" {
			want = append(want, "types/"+p)
		}
		return err
	}) != nil {
		t.Fatal("cannot list the shipped types")
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("init wrote %v, want %v", got, want)
	}

	for _, name := range got {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(sdk.TemplateTenant)) {
			t.Errorf("%s still holds the placeholder %s", name, sdk.TemplateTenant)
		}
		if !strings.Contains(stdout, filepath.Join(dir, filepath.FromSlash(name))) {
			t.Errorf("the output does not list %s:\n%s", name, stdout)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	if !bytes.HasPrefix(readme, []byte("# acme_ivr\n")) {
		t.Errorf("README.md does not name the tenant:\n%s", readme)
	}
	shipped, _ := fs.ReadFile(sdk.Types(), "callscript.d.ts")
	if copied, _ := os.ReadFile(filepath.Join(dir, "types", "callscript.d.ts")); !bytes.Equal(copied, shipped) {
		t.Error("types/callscript.d.ts differs from the declarations that ship")
	}
	tsconfig, _ := os.ReadFile(filepath.Join(dir, "tsconfig.json"))
	for _, setting := range []string{`"strict": true`, `"noEmit": true`, `"lib": ["es2022"]`, `"types": []`} {
		if !bytes.Contains(tsconfig, []byte(setting)) {
			t.Errorf("tsconfig.json lacks %s", setting)
		}
	}
	for _, step := range []string{"Next steps", "callscript check --scripts " + scripts + " acme_ivr", "callscript test"} {
		if !strings.Contains(stdout, step) {
			t.Errorf("the output does not say %q:\n%s", step, stdout)
		}
	}
}

func TestInitRefuses(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		existing bool   // the tenant folder exists beforehand
		want     string // in the error
		usage    bool   // a mistake in the command line (exit status 2)
	}{
		{"no name", nil, false, "want the new tenant's name", true},
		{"two names", []string{"acme", "other"}, false, "want one tenant name, got 2 arguments (acme other); flags go before NAME", true},
		{"too short", []string{"ab"}, false, `tenant id "ab" must be 3 to 50 characters long, not 2`, true},
		{"a path", []string{"../acme"}, false, "a tenant id is a folder name, not a path", true},
		{"a nested path", []string{"acme/ivr"}, false, "a tenant id is a folder name, not a path", true},
		{"hidden", []string{".acme"}, false, `must not start with "."`, true},
		{"a space", []string{"acme ivr"}, false, "a tenant id is made of letters A-Z and a-z, digits, and . _ & -", true},
		{"an existing folder", []string{"acme"}, true, "already exists: init never overwrites a folder", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scripts := t.TempDir()
			before := filepath.Join(scripts, "acme", "index.js")
			if tt.existing {
				if err := os.Mkdir(filepath.Join(scripts, "acme"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(before, []byte("// mine"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := runInit(append([]string{"--scripts", scripts}, tt.args...)...)
			if err == nil {
				t.Fatal("init succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if isUsage := errors.As(err, new(usageError)); isUsage != tt.usage {
				t.Errorf("usage error: %v, want %v", isUsage, tt.usage)
			}
			entries, _ := os.ReadDir(scripts)
			if tt.existing {
				if data, _ := os.ReadFile(before); string(data) != "// mine" || len(entries) != 1 {
					t.Error("the existing folder was changed")
				}
				if _, err := os.Stat(filepath.Join(scripts, "acme", "index.ts")); err == nil {
					t.Error("init wrote into the existing folder")
				}
			} else if len(entries) != 0 {
				t.Errorf("init wrote %d entries although it refused", len(entries))
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(scripts), "acme")); err == nil {
				t.Error("init wrote outside the scripts folder")
			}
		})
	}
}

// TestInitTenantAnswers serves the folder init writes and calls it, as 8x8 would.
func TestInitTenantAnswers(t *testing.T) {
	scripts := t.TempDir()
	if _, _, err := runInit("--scripts", scripts, "acme_ivr"); err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(context.Background(), engine.Options{ScriptsDir: scripts})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if info, _ := e.Tenant("acme_ivr"); info.Error != nil || info.Version == "" {
		t.Fatalf("the new tenant does not build: %v", info.Error)
	}

	type step struct {
		status, clientActionID, dtmf string
		wantID, wantAction, wantText string
	}
	steps := []step{
		{"CALL_RECEIVED", "", "", "main_menu", "sayAndCapture", "Welcome. For sales, press 1. For the status of an order, press 2."},
		{"ACTION_COMPLETED", "main_menu", "", "main_menu", "sayAndCapture", "Sorry, I did not hear anything. Welcome. For sales, press 1. For the status of an order, press 2."},
		{"ACTION_COMPLETED", "main_menu", "2", "order_number", "sayAndCapture", "Please enter your six digit order number."},
		{"ACTION_COMPLETED", "order_number", "123456", "order_number", "sayAndCapture", "You entered 1 2 3 4 5 6. Press 1 to confirm, or 2 to enter it again."},
		{"ACTION_COMPLETED", "order_number", "1", "", "say", "Order 1 2 3 4 5 6 is on its way. Goodbye."},
	}
	for i, s := range steps {
		payload := map[string]any{
			"eventId": fmt.Sprintf("ev-%d", i), "callId": "call-1", "sessionId": "session-1",
			"subAccountId": "acme_ivr", "callStatus": s.status, "callDirection": "INBOUND", "callType": "PSTN",
			"source": "+6591234567", "destination": "+6560001000",
		}
		if s.clientActionID != "" {
			payload["clientActionId"] = s.clientActionID
			payload["eventData"] = map[string]any{"dtmf": nil}
			if s.dtmf != "" {
				payload["eventData"] = map[string]any{"dtmf": s.dtmf}
			}
		}
		body, _ := json.Marshal(map[string]any{"namespace": "VOICE", "eventType": "CALL_ACTION", "payload": payload})
		a, err := e.Handle(context.Background(), engine.Request{Body: body})
		if err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		if a.Fallback != "" {
			t.Fatalf("step %d: answered with the fallback (%s): %s", i+1, a.Fallback, a.Body)
		}
		var answer struct {
			ClientActionID string `json:"clientActionId"`
			Callflow       []struct {
				Action string         `json:"action"`
				Params map[string]any `json:"params"`
			} `json:"callflow"`
		}
		if err := json.Unmarshal(a.Body, &answer); err != nil || len(answer.Callflow) == 0 {
			t.Fatalf("step %d: not a callflow: %s", i+1, a.Body)
		}
		first := answer.Callflow[0]
		text, _ := first.Params["text"].(string)
		if first.Action == "sayAndCapture" {
			text, _ = first.Params["promptMessage"].(string)
		}
		if answer.ClientActionID != s.wantID || first.Action != s.wantAction || text != s.wantText {
			t.Errorf("step %d: got %q %s %q\n want %q %s %q", i+1, answer.ClientActionID, first.Action, text, s.wantID, s.wantAction, s.wantText)
		}
	}
}
