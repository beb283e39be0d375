package lrutable

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// modelEntry and model are the obvious implementation table must agree with.
type modelEntry struct {
	key     string
	value   []byte
	mark    bool
	expires time.Time
}

type model struct {
	max     int
	entries []modelEntry // most recently used first
}

func (m *model) find(key string) int {
	return slices.IndexFunc(m.entries, func(e modelEntry) bool { return e.key == key })
}

func (m *model) get(key string, now time.Time) ([]byte, bool, bool) {
	i := m.find(key)
	if i < 0 {
		return nil, false, false
	}
	e := m.entries[i]
	m.entries = slices.Delete(m.entries, i, i+1)
	if !now.Before(e.expires) {
		return nil, false, false
	}
	m.entries = slices.Insert(m.entries, 0, e)
	return e.value, e.mark, true
}

func (m *model) put(key string, value []byte, mark bool, expires time.Time) {
	if i := m.find(key); i >= 0 {
		m.entries = slices.Delete(m.entries, i, i+1)
	}
	m.entries = slices.Insert(m.entries, 0, modelEntry{key, bytes.Clone(value), mark, expires})
	if len(m.entries) > m.max {
		m.entries = m.entries[:m.max]
	}
}

func (m *model) delete(key string) {
	if i := m.find(key); i >= 0 {
		m.entries = slices.Delete(m.entries, i, i+1)
	}
}

func TestAgreesWithModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Unix(1_000_000, 0)
	tb, ref := New(50), &model{max: 50}
	var handedOut []struct{ got, want []byte }
	for step := range 200_000 {
		key := fmt.Sprintf("tenant\x00id-%d", rng.IntN(120))
		switch op := rng.IntN(10); {
		case op < 5:
			value := bytes.Repeat([]byte{byte(step)}, rng.IntN(6000)) // grows the arena past minCompact, an entry at times past chunkSize/200
			expires := now.Add(time.Duration(rng.IntN(100)) * time.Second)
			mark := rng.IntN(4) == 0
			tb.Put(key, value, mark, expires)
			ref.put(key, value, mark, expires)
		case op < 9:
			got, gotMark, gotOK := tb.Get(key, now)
			want, wantMark, wantOK := ref.get(key, now)
			if gotOK != wantOK || gotMark != wantMark || !bytes.Equal(got, want) {
				t.Fatalf("step %d: get(%q) = %d bytes, %v, %v; want %d bytes, %v, %v", step, key, len(got), gotMark, gotOK, len(want), wantMark, wantOK)
			}
			if gotOK && rng.IntN(50) == 0 {
				handedOut = append(handedOut, struct{ got, want []byte }{got, want})
			}
		default:
			tb.Delete(key)
			ref.delete(key)
		}
		if rng.IntN(100) == 0 {
			now = now.Add(time.Second)
		}
		if tb.Len() != len(ref.entries) {
			t.Fatalf("step %d: %d entries, the model has %d", step, tb.Len(), len(ref.entries))
		}
	}
	// Values handed out stay as they were, whatever compaction did since.
	for _, h := range handedOut {
		if !bytes.Equal(h.got, h.want) {
			t.Fatal("a value handed out changed after later writes")
		}
	}
	if tb.live > tb.size || (tb.size >= minCompact && tb.live < tb.size/2) {
		t.Errorf("arena of %d bytes for %d live bytes: compaction did not keep up", tb.size, tb.live)
	}
}

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	now := time.Unix(0, 0)
	later := now.Add(time.Hour)
	tb := New(2)
	tb.Put("a", []byte("1"), false, later)
	tb.Put("b", []byte("2"), false, later)
	tb.Get("a", now) // b is now the least recently used
	tb.Put("c", []byte("3"), false, later)
	if _, _, ok := tb.Get("b", now); ok {
		t.Error("b survived past the bound although it was used least recently")
	}
	for _, k := range []string{"a", "c"} {
		if _, _, ok := tb.Get(k, now); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	if _, _, ok := tb.Get("a", later); ok {
		t.Error("an entry is returned at its expiry")
	}
	if tb.Len() != 1 {
		t.Errorf("%d entries after the expired one was dropped, want 1", tb.Len())
	}
}

func BenchmarkPutGet(b *testing.B) {
	tb := New(1_000_000)
	now := time.Now()
	value := bytes.Repeat([]byte("x"), 200)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		k := "ivr\x00" + fmt.Sprint(i)
		tb.Put(k, value, false, now.Add(time.Hour))
		tb.Get(k, now)
	}
}

// TestEmptyEntries: an entry with an empty key and value takes no room, and outlives the
// chunks around it.
func TestEmptyEntries(t *testing.T) {
	now := time.Unix(0, 0)
	tb := New(10)
	tb.Put("a", make([]byte, 100), false, now.Add(time.Hour))
	tb.Put("", nil, true, now.Add(time.Hour))
	tb.Delete("a")
	tb.Put("b", make([]byte, chunkSize), false, now.Add(time.Hour)) // a chunk of its own; the first is dropped
	tb.Put("c", make([]byte, chunkSize), false, now.Add(time.Hour))
	if v, mark, ok := tb.Get("", now); !ok || !mark || len(v) != 0 {
		t.Fatalf(`Get("") = %v, %v, %v`, v, mark, ok)
	}
	tb.Delete("")
	tb.Put("d", []byte("x"), false, now.Add(time.Hour))
	for _, k := range []string{"b", "c", "d"} {
		if _, _, ok := tb.Get(k, now); !ok {
			t.Errorf("%s lost", k)
		}
	}
	if v, _, _ := tb.Get("d", now); string(v) != "x" {
		t.Errorf("d = %q", v)
	}
}
