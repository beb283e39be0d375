package engine_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/callscript/callscript/bench/nativeivr"
	"github.com/callscript/callscript/engine"
	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/callflow"
	"github.com/callscript/callscript/engine/store"
	"github.com/callscript/callscript/engine/vm"
	"github.com/callscript/callscript/engine/webhook"
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

// BenchmarkStages times each stage of a warm CALL_ACTION on the bench IVR, side by side with
// the whole engine path and the native Go handler, so that one run shows where the time goes:
// decode (the webhook envelope), idempotency (claim and remember, with the call's session, in
// the memory store), run (event into JavaScript, ctx, the handler, the answer out as JSON, on a
// warm pooled runtime), validate (the callflow against 8x8's rules) and encode.
func BenchmarkStages(b *testing.B) {
	ctx := context.Background()
	events := benchEvents(b)
	body := events(0)
	ev, err := webhook.Parse(body)
	if err != nil {
		b.Fatal(err)
	}
	program := loadBenchProgram(b)
	deadline := func() time.Time { return time.Now().Add(time.Minute) }
	call := vm.Call{Hook: vm.HookActionCompleted, Event: body, EventMembers: ev.Members, Context: vm.EventContext("ivr", "v", ev), Answer: true,
		SessionLimit: engine.MaxSessionBytes, Session: []byte(`{"attempts":0}`), Workers: vm.NewWorkers(time.Minute)}
	res := program.Run(ctx, withDeadline(call, deadline()))
	if res.Err != nil {
		b.Fatal(res.Err)
	}
	answerJSON := res.JSON
	answer, err := callflow.Parse(answerJSON, callflow.Defaults{})
	if err != nil {
		b.Fatal(err)
	}

	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := webhook.Parse(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("idempotency", func(b *testing.B) {
		st := store.NewMemory(0)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			id := strconv.Itoa(i)
			if _, err := st.BeginEvent(ctx, "ivr", id, id, time.Minute); err != nil {
				b.Fatal(err)
			}
			save := &store.SessionSave{ID: id, Session: store.Session{Version: "v", Data: res.Session}, TTL: time.Hour}
			if err := st.FinishEvent(ctx, "ivr", id, answerJSON, time.Minute, save); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("run", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if res := program.Run(ctx, withDeadline(call, deadline())); res.Err != nil {
				b.Fatal(res.Err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := callflow.Parse(answerJSON, callflow.Defaults{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = answer.Encode()
		}
	})
	b.Run("engine", BenchmarkCallAction)
	b.Run("native-go", BenchmarkNativeGo)
}

func withDeadline(c vm.Call, deadline time.Time) vm.Call {
	c.Deadline = deadline
	return c
}

// loadBenchProgram loads the bench IVR as the engine does: bundled, compiled, with the SDK.
func loadBenchProgram(b *testing.B) *vm.Program {
	b.Helper()
	ctx := context.Background()
	src, err := bundle.ReadSource("testdata/bench/ivr")
	if err != nil {
		b.Fatal(err)
	}
	bn, err := bundle.Build(ctx, src, "index.js")
	if err != nil {
		b.Fatal(err)
	}
	prog, err := vm.Compile(bundle.ProgramName, bn.Code)
	if err != nil {
		b.Fatal(err)
	}
	sdk, err := engine.CompileSDK()
	if err != nil {
		b.Fatal(err)
	}
	p, err := vm.Load(ctx, vm.Config{Tenant: "ivr", Version: bn.Version(), Program: prog, SDK: sdk})
	if err != nil {
		b.Fatal(err)
	}
	return p
}
