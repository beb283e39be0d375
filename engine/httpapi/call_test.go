package httpapi_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/httpapi"
)

// TestThreeStepCallOverHTTP walks IVR calls through three webhooks each: state set in step 1
// is seen in step 3, concurrent calls never see each other's state, and a failing step leaves
// the state as it was.
func TestThreeStepCallOverHTTP(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "ivr"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := `import { say, sayAndCapture, hangup } from "callscript";
export default {
  onCallReceived(event, ctx) {
    ctx.session.caller = event.payload.source;
    return { clientActionId: "menu", callflow: [sayAndCapture("Pick a number")] };
  },
  onActionCompleted(event, ctx) {
    if (ctx.clientActionId === "menu") {
      ctx.session.choice = ctx.dtmf;
      if (ctx.dtmf === "0") throw new Error("zero is not a choice");
      return { clientActionId: "confirm", callflow: [sayAndCapture("Press 1 to confirm")] };
    }
    return [say(ctx.session.caller + " chose " + ctx.session.choice), hangup()];
  },
};`
	if err := os.WriteFile(filepath.Join(root, "ivr", "index.js"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, root, engine.Options{}, httpapi.Options{})
	event := func(call, step, status, dtmf, clientActionID string) []byte {
		payload := map[string]any{"eventId": call + "-" + step, "sessionId": call, "callId": call, "subAccountId": "ivr",
			"callStatus": status, "source": "+65" + call[len(call)-1:] + "0000000", "destination": "+6560001000"}
		if dtmf != "" {
			payload["eventData"] = map[string]any{"dtmf": dtmf}
		}
		if clientActionID != "" {
			payload["clientActionId"] = clientActionID
		}
		body, _ := json.Marshal(map[string]any{"eventType": "CALL_ACTION", "payload": payload})
		return body
	}
	say := func(body []byte) string {
		var a struct {
			Callflow []struct {
				Action string
				Params map[string]any
			}
		}
		_ = json.Unmarshal(body, &a)
		if len(a.Callflow) == 0 {
			return ""
		}
		s, _ := a.Callflow[0].Params["text"].(string)
		return s
	}
	var wg sync.WaitGroup
	for i := 1; i <= 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call := fmt.Sprintf("call%d", i)
			choice := fmt.Sprint(i)
			url := srv.URL + "/webhooks/voice"
			if r := post(t, url, event(call, "1", "CALL_RECEIVED", "", "")); r.status != 200 {
				t.Errorf("%s step 1: %d %s", call, r.status, r.body)
				return
			}
			// A failing handler: its change to the session must not be saved.
			if r := post(t, url, event(call, "1b", "ACTION_COMPLETED", "0", "menu")); r.header.Get("X-Callscript-Fallback") != "script-error" {
				t.Errorf("%s failing step: %s", call, r.body)
			}
			post(t, url, event(call, "2", "ACTION_COMPLETED", choice, "menu"))
			r := post(t, url, event(call, "3", "ACTION_COMPLETED", "1", "confirm"))
			want := fmt.Sprintf("+65%d0000000 chose %s", i, choice)
			if got := say(r.body); got != want {
				t.Errorf("%s step 3 said %q, want %q", call, got, want)
			}
		}()
	}
	wg.Wait()
}
