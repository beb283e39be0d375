package store

import (
	"context"
	"testing"
	"time"
)

func TestMemorySessions(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(2)
	clock := time.Unix(1_800_000_000, 0)
	m.now = func() time.Time { return clock }

	if _, ok, err := m.LoadSession(ctx, "acme", "s1"); ok || err != nil {
		t.Fatalf("empty store: ok=%v err=%v", ok, err)
	}
	data := []byte(`{"n":1}`)
	if err := m.SaveSession(ctx, "acme", "s1", Session{Version: "v1", Data: data}, time.Minute); err != nil {
		t.Fatal(err)
	}
	data[2] = 'X' // the store keeps its own copy
	s, ok, err := m.LoadSession(ctx, "acme", "s1")
	if !ok || err != nil || s.Version != "v1" || string(s.Data) != `{"n":1}` {
		t.Fatalf("got %+v ok=%v err=%v", s, ok, err)
	}
	// Tenants are separate namespaces: the same sessionId elsewhere is another call.
	if _, ok, _ := m.LoadSession(ctx, "other", "s1"); ok {
		t.Fatal("another tenant read acme's session")
	}
	// Expiry.
	clock = clock.Add(time.Minute)
	if _, ok, _ := m.LoadSession(ctx, "acme", "s1"); ok {
		t.Fatal("an expired session was returned")
	}
	// The bound: the least recently used session goes first.
	for _, id := range []string{"a", "b", "c"} {
		if err := m.SaveSession(ctx, "acme", id, Session{Data: []byte("{}")}, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := m.LoadSession(ctx, "acme", "a"); ok {
		t.Error("the bound of 2 sessions was not kept")
	}
	if m.Len() != 2 {
		t.Errorf("Len = %d", m.Len())
	}
}

func TestMemoryHonoursContext(t *testing.T) {
	m := NewMemory(0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := m.LoadSession(ctx, "a", "b"); err == nil {
		t.Error("LoadSession ignored a cancelled context")
	}
	if err := m.SaveSession(ctx, "a", "b", Session{}, time.Minute); err == nil {
		t.Error("SaveSession ignored a cancelled context")
	}
}
