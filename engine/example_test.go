package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/callscript/callscript/engine"
)

// The engine needs only a folder of tenant folders. Each event goes in as the webhook body;
// the answer comes out validated and ready to send.
func ExampleEngine_Handle() {
	root, _ := os.MkdirTemp("", "scripts")
	defer os.RemoveAll(root)
	_ = os.MkdirAll(filepath.Join(root, "acme"), 0o755)
	_ = os.WriteFile(filepath.Join(root, "acme", "index.js"), []byte(`
import { sayAndCapture } from "callscript";
export default {
  onCallReceived: () => ({ clientActionId: "main", callflow: [sayAndCapture("Press 1 for sales")] }),
};`), 0o644)

	eng, err := engine.New(context.Background(), engine.Options{ScriptsDir: root})
	if err != nil {
		panic(err)
	}
	defer eng.Close()

	answer, err := eng.Handle(context.Background(), engine.Request{Body: []byte(`{
  "eventType": "CALL_ACTION",
  "payload": {"eventId": "e1", "sessionId": "s1", "subAccountId": "acme", "callStatus": "CALL_RECEIVED"}}`)})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(answer.Body))
	fmt.Println("fallback:", answer.Fallback == "")
	// Output:
	// {"clientActionId":"main","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales","voiceProfile":"en-US-Standard-A","maxDigits":1,"overallTimeout":10000,"noOfTries":1}}]}
	// fallback: true
}
