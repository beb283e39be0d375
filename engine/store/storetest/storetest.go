// Package storetest is the behaviour every store.Store must have, as one test suite that runs
// against each implementation: the in-memory store and the Redis store pass the same tests.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callscript/callscript/engine/store"
)

// Timings of the expiry tests: real TTLs, short enough for a test, long enough that a slow
// (race-instrumented, shared) machine reads a key before it expires.
const (
	shortTTL = 500 * time.Millisecond
	pastTTL  = shortTTL + 400*time.Millisecond
	longTTL  = time.Minute
)

// Run runs the suite. open returns a store for one subtest; stores opened for one run may
// share their backing data (one Redis server), since every subtest uses tenants of its own.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		test func(t *testing.T, s store.Store, tenant string)
	}{
		{"SessionRoundTrip", sessionRoundTrip},
		{"SessionExpires", sessionExpires},
		{"TenantsAreSeparate", tenantsAreSeparate},
		{"OneClaimAmongConcurrentDeliveries", oneClaimAmongConcurrent},
		{"BusyWhileClaimed", busyWhileClaimed},
		{"RememberedAfterFinish", rememberedAfterFinish},
		{"AbandonLetsTheNextDeliveryRun", abandonLetsNextRun},
		{"EventAndSessionTogether", eventAndSessionTogether},
		{"ClaimExpires", claimExpires},
		{"AnswerExpires", answerExpires},
		{"BundleRoundTripAndExpiry", bundles},
		{"CancelledContextFailsFast", cancelledContextFailsFast},
		{"Ping", ping},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t), tenantFor(t))
		})
	}
}

// tenantFor makes a tenant id of the subtest's own (valid as a tenant id: letters, digits, -).
func tenantFor(t *testing.T) string {
	name := t.Name()
	name = name[strings.LastIndexByte(name, '/')+1:]
	return fmt.Sprintf("t-%s-%d", name, time.Now().UnixNano()%1_000_000)
}

// claimName names a claim state for failure messages.
func claimName(c store.Claim) string {
	switch c {
	case store.Claimed:
		return "Claimed"
	case store.Remembered:
		return "Remembered"
	case store.Busy:
		return "Busy"
	}
	return fmt.Sprintf("Claim(%d)", int(c))
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// every byte value, newlines and NULs included: the stores must be binary-safe.
func allBytes() []byte {
	b := make([]byte, 0, 512)
	for i := range 512 {
		b = append(b, byte(i))
	}
	return b
}

func sessionRoundTrip(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	if _, ok, err := s.LoadSession(ctx, tenant, "none"); ok || err != nil {
		t.Fatalf("LoadSession of a session never saved: ok=%v err=%v, want false, nil", ok, err)
	}
	cases := []struct {
		id   string
		sess store.Session
	}{
		{"json", store.Session{Version: "3f9a1c2b", Data: []byte(`{"step":1,"caller":"+6591234567"}`)}},
		{"binary", store.Session{Version: "v2", Data: allBytes()}},
		{"empty", store.Session{Version: "v3", Data: []byte{}}},
		{"no-version", store.Session{Data: []byte(`{}`)}},
		{"large", store.Session{Version: "v4", Data: bytes.Repeat([]byte(`{"k":"0123456789"},`), 3500)}},
		{"odd:id/with spaces\n", store.Session{Version: "v5", Data: []byte(`{"x":true}`)}},
	}
	for _, c := range cases {
		data := bytes.Clone(c.sess.Data)
		saved := c.sess
		saved.Data = data
		if err := s.SaveSession(ctx, tenant, c.id, saved, longTTL); err != nil {
			t.Fatalf("SaveSession %q: %v", c.id, err)
		}
		if len(data) > 0 {
			data[0] ^= 0xff // the store keeps its own copy
		}
		got, ok, err := s.LoadSession(ctx, tenant, c.id)
		if err != nil || !ok {
			t.Fatalf("LoadSession %q: ok=%v err=%v", c.id, ok, err)
		}
		if got.Version != c.sess.Version || !bytes.Equal(got.Data, c.sess.Data) {
			t.Errorf("LoadSession %q = {%q, %.60q}, want {%q, %.60q}", c.id, got.Version, got.Data, c.sess.Version, c.sess.Data)
		}
	}
	// A newer save replaces the session.
	if err := s.SaveSession(ctx, tenant, "json", store.Session{Version: "3f9a1c2b", Data: []byte(`{"step":2}`)}, longTTL); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.LoadSession(ctx, tenant, "json"); string(got.Data) != `{"step":2}` {
		t.Errorf("after a second save: %q, want the newer data", got.Data)
	}
}

func sessionExpires(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	if err := s.SaveSession(ctx, tenant, "call", store.Session{Version: "v1", Data: []byte(`{}`)}, shortTTL); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.LoadSession(ctx, tenant, "call"); !ok || err != nil {
		t.Fatalf("right after saving: ok=%v err=%v", ok, err)
	}
	time.Sleep(pastTTL)
	if _, ok, err := s.LoadSession(ctx, tenant, "call"); ok || err != nil {
		t.Errorf("after its TTL: ok=%v err=%v, want the session gone", ok, err)
	}
}

func tenantsAreSeparate(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	other := tenant + "-other"
	if err := s.SaveSession(ctx, tenant, "same-id", store.Session{Version: "a", Data: []byte(`"mine"`)}, longTTL); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LoadSession(ctx, other, "same-id"); ok {
		t.Error("another tenant read the session of the same sessionId")
	}
	// The same eventId in two tenants is two events.
	if _, state, err := beginEvent(s, ctx, tenant, "same-event", longTTL); state != store.Claimed || err != nil {
		t.Fatalf("first tenant: %v %v", claimName(state), err)
	}
	if _, state, err := beginEvent(s, ctx, other, "same-event", longTTL); state != store.Claimed || err != nil {
		t.Errorf("the other tenant's event was %v (%v), want Claimed: the tenants share claims", claimName(state), err)
	}
	if err := s.FinishEvent(ctx, tenant, "same-event", []byte("mine"), longTTL, nil); err != nil {
		t.Fatal(err)
	}
	if answer, state, _ := beginEvent(s, ctx, other, "same-event", longTTL); state == store.Remembered {
		t.Errorf("the other tenant got the first tenant's answer %q", answer)
	}
	if err := s.SaveBundle(ctx, tenant, "v1", []byte("code"), longTTL); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LoadBundle(ctx, other, "v1"); ok {
		t.Error("another tenant read the bundle of the same version")
	}
}

func oneClaimAmongConcurrent(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	const deliveries = 50
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[store.Claim]int{}
	)
	start := make(chan struct{})
	for range deliveries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, state, err := beginEvent(s, ctx, tenant, "ev-dup", longTTL)
			if err != nil {
				t.Errorf("BeginEvent: %v", err)
				return
			}
			mu.Lock()
			counts[state]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if counts[store.Claimed] != 1 || counts[store.Busy] != deliveries-1 {
		t.Errorf("%d concurrent deliveries: %d claimed, %d busy, %d remembered; want exactly 1 claimed, the rest busy",
			deliveries, counts[store.Claimed], counts[store.Busy], counts[store.Remembered])
	}
}

func busyWhileClaimed(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	if _, state, err := beginEvent(s, ctx, tenant, "ev", longTTL); state != store.Claimed || err != nil {
		t.Fatalf("first delivery: %v %v, want Claimed", claimName(state), err)
	}
	for i := range 3 {
		if answer, state, err := beginEvent(s, ctx, tenant, "ev", longTTL); state != store.Busy || err != nil || answer != nil {
			t.Errorf("delivery %d while claimed: %v %q %v, want Busy", i+2, claimName(state), answer, err)
		}
	}
}

func rememberedAfterFinish(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	answers := map[string][]byte{
		"callflow": []byte("3f9a1c2b\n\n" + `{"clientActionId":"menu","callflow":[{"action":"hangup"}]}`),
		"binary":   allBytes(),
		"empty":    {},
	}
	for id, answer := range answers {
		if _, state, err := beginEvent(s, ctx, tenant, id, longTTL); state != store.Claimed || err != nil {
			t.Fatalf("%s: %v %v", id, claimName(state), err)
		}
		given := bytes.Clone(answer)
		if err := s.FinishEvent(ctx, tenant, id, given, longTTL, nil); err != nil {
			t.Fatalf("FinishEvent %s: %v", id, err)
		}
		if len(given) > 0 {
			given[0] ^= 0xff // the store keeps its own copy
		}
		for range 2 {
			got, state, err := beginEvent(s, ctx, tenant, id, longTTL)
			if state != store.Remembered || err != nil {
				t.Fatalf("%s after FinishEvent: %v %v, want Remembered", id, claimName(state), err)
			}
			if !bytes.Equal(got, answer) || got == nil {
				t.Errorf("%s: remembered %q, want byte-identical %q", id, got, answer)
			}
		}
		// Abandoning an answered event does not forget its answer.
		if err := s.AbandonEvent(ctx, tenant, id); err != nil {
			t.Fatal(err)
		}
		if _, state, _ := beginEvent(s, ctx, tenant, id, longTTL); state != store.Remembered {
			t.Errorf("%s: AbandonEvent after FinishEvent forgot the answer (state %v)", id, claimName(state))
		}
	}
}

func abandonLetsNextRun(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	if _, state, _ := beginEvent(s, ctx, tenant, "ev", longTTL); state != store.Claimed {
		t.Fatalf("first delivery: %v", claimName(state))
	}
	if err := s.AbandonEvent(ctx, tenant, "ev"); err != nil {
		t.Fatalf("AbandonEvent: %v", err)
	}
	if _, state, err := beginEvent(s, ctx, tenant, "ev", longTTL); state != store.Claimed || err != nil {
		t.Errorf("after AbandonEvent: %v %v, want Claimed", claimName(state), err)
	}
	if err := s.AbandonEvent(ctx, tenant, "never-begun"); err != nil {
		t.Errorf("AbandonEvent of an unknown event: %v", err)
	}
}

func claimExpires(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	if _, state, _ := beginEvent(s, ctx, tenant, "ev", shortTTL); state != store.Claimed {
		t.Fatalf("first delivery: %v", claimName(state))
	}
	if _, state, _ := beginEvent(s, ctx, tenant, "ev", shortTTL); state != store.Busy {
		t.Fatalf("second delivery within the claim: %v, want Busy", claimName(state))
	}
	time.Sleep(pastTTL) // the delivery holding the claim died
	if _, state, err := beginEvent(s, ctx, tenant, "ev", shortTTL); state != store.Claimed || err != nil {
		t.Errorf("after the claim expired: %v %v, want Claimed", claimName(state), err)
	}
}

func answerExpires(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	if _, state, _ := beginEvent(s, ctx, tenant, "ev", longTTL); state != store.Claimed {
		t.Fatalf("first delivery: %v", claimName(state))
	}
	if err := s.FinishEvent(ctx, tenant, "ev", []byte("answer"), shortTTL, nil); err != nil {
		t.Fatal(err)
	}
	if _, state, _ := beginEvent(s, ctx, tenant, "ev", longTTL); state != store.Remembered {
		t.Fatalf("right after FinishEvent: %v, want Remembered", claimName(state))
	}
	time.Sleep(pastTTL)
	if _, state, err := beginEvent(s, ctx, tenant, "ev", longTTL); state != store.Claimed || err != nil {
		t.Errorf("after the answer's TTL: %v %v, want Claimed", claimName(state), err)
	}
}

func bundles(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	if _, ok, err := s.LoadBundle(ctx, tenant, "v0"); ok || err != nil {
		t.Fatalf("a bundle never saved: ok=%v err=%v", ok, err)
	}
	code := []byte("var handler = (function(){ return \"\\u00e9\\n\" })();\n" + string(allBytes()))
	given := bytes.Clone(code)
	if err := s.SaveBundle(ctx, tenant, "v1", given, longTTL); err != nil {
		t.Fatal(err)
	}
	given[0] ^= 0xff
	got, ok, err := s.LoadBundle(ctx, tenant, "v1")
	if !ok || err != nil || !bytes.Equal(got, code) {
		t.Fatalf("LoadBundle: ok=%v err=%v, equal=%v", ok, err, bytes.Equal(got, code))
	}
	if err := s.SaveBundle(ctx, tenant, "v2", code, shortTTL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(pastTTL)
	if _, ok, err := s.LoadBundle(ctx, tenant, "v2"); ok || err != nil {
		t.Errorf("after its TTL: ok=%v err=%v, want the bundle gone", ok, err)
	}
	if _, ok, _ := s.LoadBundle(ctx, tenant, "v1"); !ok {
		t.Error("a bundle within its TTL is gone")
	}
}

func cancelledContextFailsFast(t *testing.T, s store.Store, tenant string) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	ops := []struct {
		name string
		op   func(ctx context.Context) error
	}{
		{"LoadSession", func(ctx context.Context) error {
			_, _, err := s.LoadSession(ctx, tenant, "s")
			return err
		}},
		{"SaveSession", func(ctx context.Context) error {
			return s.SaveSession(ctx, tenant, "s", store.Session{Version: "v", Data: []byte("{}")}, longTTL)
		}},
		{"BeginEvent", func(ctx context.Context) error {
			_, _, err := beginEvent(s, ctx, tenant, "e", longTTL)
			return err
		}},
		{"FinishEvent", func(ctx context.Context) error {
			return s.FinishEvent(ctx, tenant, "e", []byte("a"), longTTL, nil)
		}},
		{"SaveBundle", func(ctx context.Context) error {
			return s.SaveBundle(ctx, tenant, "v", []byte("code"), longTTL)
		}},
		{"LoadBundle", func(ctx context.Context) error {
			_, _, err := s.LoadBundle(ctx, tenant, "v")
			return err
		}},
		{"Ping", s.Ping},
	}
	for _, ctx := range []struct {
		name string
		ctx  context.Context
		want error
	}{{"cancelled", cancelled, context.Canceled}, {"past its deadline", expired, context.DeadlineExceeded}} {
		for _, op := range ops {
			start := time.Now()
			err := op.op(ctx.ctx)
			if took := time.Since(start); took > 100*time.Millisecond { // no I/O timeout was waited out
				t.Errorf("%s with a context %s took %v, want an immediate failure", op.name, ctx.name, took)
			}
			if !errors.Is(err, ctx.want) {
				t.Errorf("%s with a context %s: err = %v, want one wrapping %v", op.name, ctx.name, err, ctx.want)
			}
		}
	}
	// Nothing was written by the refused calls.
	live := ctxFor(t)
	if _, ok, _ := s.LoadSession(live, tenant, "s"); ok {
		t.Error("SaveSession with a cancelled context saved the session")
	}
	if _, state, _ := beginEvent(s, live, tenant, "e", longTTL); state != store.Claimed {
		t.Errorf("BeginEvent/FinishEvent with a cancelled context left the event %v, want it unclaimed", claimName(state))
	}
	if _, ok, _ := s.LoadBundle(live, tenant, "v"); ok {
		t.Error("SaveBundle with a cancelled context saved the bundle")
	}
}

func ping(t *testing.T, s store.Store, _ string) {
	if err := s.Ping(ctxFor(t)); err != nil {
		t.Errorf("Ping of a live store: %v", err)
	}
}

// beginEvent is BeginEvent without a session, in the shape most cases read best.
func beginEvent(s store.Store, ctx context.Context, tenant, eventID string, claimTTL time.Duration) ([]byte, store.Claim, error) {
	begun, err := s.BeginEvent(ctx, tenant, eventID, "", claimTTL)
	return begun.Answer, begun.State, err
}

// eventAndSessionTogether: BeginEvent reads the call's session with the claim, and FinishEvent
// saves it with the answer (one round trip each for a network store).
func eventAndSessionTogether(t *testing.T, s store.Store, tenant string) {
	ctx := ctxFor(t)
	begun, err := s.BeginEvent(ctx, tenant, "e1", "call", longTTL)
	if err != nil || begun.State != store.Claimed || begun.HasSession {
		t.Fatalf("first event of a call: %+v %v, want Claimed without a session", begun, err)
	}
	saved := store.Session{Version: "v1", Data: []byte(`{"step":1}`)}
	if err := s.FinishEvent(ctx, tenant, "e1", []byte("answer 1"), longTTL, &store.SessionSave{ID: "call", Session: saved, TTL: longTTL}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.LoadSession(ctx, tenant, "call")
	if err != nil || !ok || got.Version != "v1" || string(got.Data) != `{"step":1}` {
		t.Fatalf("session saved with the answer: %+v ok=%v err=%v", got, ok, err)
	}
	begun, err = s.BeginEvent(ctx, tenant, "e2", "call", longTTL)
	if err != nil || begun.State != store.Claimed || !begun.HasSession || begun.Session.Version != "v1" || string(begun.Session.Data) != `{"step":1}` {
		t.Fatalf("next event of the call: %+v %v, want Claimed with the session", begun, err)
	}
	begun, err = s.BeginEvent(ctx, tenant, "e1", "call", longTTL)
	if err != nil || begun.State != store.Remembered || string(begun.Answer) != "answer 1" {
		t.Fatalf("a duplicate of the first event: %+v %v, want its answer", begun, err)
	}
}
