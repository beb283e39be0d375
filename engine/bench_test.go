package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/callscript/callscript/engine"
)

// benchEvent is a CALL_ACTION pressing 2 in the main menu; each iteration gets its own eventId
// (a repeated one would be answered from the idempotency cache) in the same call.
func benchEvents(b *testing.B) func(i int) []byte {
	body, err := os.ReadFile("../engine/webhook/testdata/events/ivr-action-completed-dtmf.json")
	if err != nil {
		b.Fatal(err)
	}
	const id = "4a07d3e2-5b7e-11ef-9a41-0242ac120002"
	before, after, ok := bytes.Cut(body, []byte(id))
	if !ok {
		b.Fatal("sample event changed")
	}
	return func(i int) []byte {
		out := make([]byte, 0, len(body)+8)
		out = append(out, before...)
		out = strconv.AppendInt(out, int64(i), 10)
		return append(out, after...)
	}
}

// BenchmarkCallAction is one warm CALL_ACTION through the engine, without HTTP: parse, route,
// session load, script, validation, encoding, session save, idempotency.
func BenchmarkCallAction(b *testing.B) {
	e, err := engine.New(context.Background(), engine.Options{ScriptsDir: "testdata/bench", Tenants: []string{"ivr"}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	events := benchEvents(b)
	ctx := context.Background()
	a, err := e.Handle(ctx, engine.Request{Body: events(-1), Tenant: "ivr", Impersonate: true})
	if err != nil || a.Fallback != "" {
		b.Fatalf("warm-up: %v %+v", err, a)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, err := e.Handle(ctx, engine.Request{Body: events(i), Tenant: "ivr", Impersonate: true})
		if err != nil || a.Fallback != "" {
			b.Fatalf("%v %s", err, a.Fallback)
		}
	}
}

// BenchmarkNativeGo is the same IVR step written in Go with encoding/json: the yardstick.
func BenchmarkNativeGo(b *testing.B) {
	events := benchEvents(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := nativeIVR(events(i)); err != nil {
			b.Fatal(err)
		}
	}
}

type nativeAction struct {
	Action string         `json:"action"`
	Params map[string]any `json:"params,omitempty"`
}

type nativeAnswer struct {
	ClientActionID string         `json:"clientActionId,omitempty"`
	Callflow       []nativeAction `json:"callflow"`
}

func nativeIVR(body []byte) ([]byte, error) {
	var ev struct {
		EventType string `json:"eventType"`
		Payload   struct {
			CallStatus     string          `json:"callStatus"`
			Destination    string          `json:"destination"`
			ClientActionID string          `json:"clientActionId"`
			EventData      json.RawMessage `json:"eventData"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, err
	}
	var dtmf struct {
		DTMF *string `json:"dtmf"`
	}
	_ = json.Unmarshal(ev.Payload.EventData, &dtmf)
	menu := func(id, prompt string) nativeAnswer {
		return nativeAnswer{ClientActionID: id, Callflow: []nativeAction{{Action: "sayAndCapture", Params: map[string]any{
			"promptMessage": prompt, "voiceProfile": "en-US-Standard-A", "maxDigits": 1, "overallTimeout": 8000, "noOfTries": 1}}}}
	}
	var answer nativeAnswer
	switch {
	case ev.Payload.CallStatus == "CALL_RECEIVED":
		answer = menu("main_menu", "Welcome to ACME. For sales, press 1. For support, press 2.")
	case ev.Payload.ClientActionID == "main_menu" && dtmf.DTMF != nil && *dtmf.DTMF == "2":
		answer = menu("support_menu", "For technical support, press 1. For billing, press 2.")
	default:
		answer = menu("main_menu", "Sorry. Welcome to ACME. For sales, press 1. For support, press 2.")
	}
	return json.Marshal(answer)
}
