package engine_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/callscript/callscript/bench/nativeivr"
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
		if _, err := nativeivr.Answer(events(i)); err != nil {
			b.Fatal(err)
		}
	}
}
