// Package lrutable is a bounded least-recently-used map from string keys to byte values that
// expire, kept where the garbage collector has nothing to trace.
package lrutable

import (
	"hash/maphash"
	"time"
)

// Table is a bounded least-recently-used map from string keys to byte values that expire,
// kept where the garbage collector has nothing to trace: the keys and values live in one byte
// arena, the entries in one slice of pointer-free structs, and the index maps a key's 64-bit
// hash to its entry. A memory store holds the session and the answer of every call of the last
// hours, hundreds of thousands of them; as maps of strings and slices they were most of the
// heap's pointers, and every collection traced them all, stalling answers for tens of
// milliseconds on a busy server. It is not safe for concurrent use.
type Table struct {
	seed   maphash.Seed
	max    int
	index  map[uint64]int32 // key hash → entry
	slots  []tableSlot      // slots[0] is the sentinel of the recency list
	free   []int32          // unused entries
	chunks [][]byte         // the arena: each entry's key then its value, written once, never changed
	size   int              // bytes written to the arena
	live   int              // bytes of the arena that entries still use
}

type tableSlot struct {
	hash       uint64
	chunk, off int // where the entry's bytes start in the arena
	klen, vlen int
	expires    int64 // Unix nanoseconds
	prev, next int32 // the recency list, most recent after the sentinel
	mark       bool  // the caller's flag
}

// The arena grows by chunks, so that it never copies itself to grow (a doubling slice would,
// holding twice its size for a moment), and is never compacted below minCompact.
const (
	chunkSize  = 1 << 20
	minCompact = 4 * chunkSize
)

// New makes a table of at most max entries (at least 1).
func New(size int) *Table {
	return &Table{seed: maphash.MakeSeed(), max: max(size, 1), index: make(map[uint64]int32), slots: make([]tableSlot, 1)}
}

// Len is the number of entries, expired ones not yet dropped included.
func (t *Table) Len() int { return len(t.index) }

// find returns the entry holding key, or 0.
func (t *Table) find(key string) int32 {
	i, ok := t.index[maphash.String(t.seed, key)]
	if !ok || t.keyOf(i) != key {
		return 0
	}
	return i
}

func (t *Table) keyOf(i int32) string {
	s := &t.slots[i]
	return string(t.chunks[s.chunk][s.off : s.off+s.klen])
}

// Get returns a live entry's value (which the caller must not change) and flag, making it the
// most recently used; an expired entry is dropped.
func (t *Table) Get(key string, now time.Time) (value []byte, mark, ok bool) {
	i := t.find(key)
	if i == 0 {
		return nil, false, false
	}
	s := &t.slots[i]
	if now.UnixNano() >= s.expires {
		t.remove(i)
		return nil, false, false
	}
	t.unlink(i)
	t.pushFront(i)
	start := s.off + s.klen
	return t.chunks[s.chunk][start : start+s.vlen : start+s.vlen], s.mark, true
}

// Put sets key's value, flag and expiry, making it the most recently used; past the bound the
// least recently used entry goes.
func (t *Table) Put(key string, value []byte, mark bool, expires time.Time) {
	h := maphash.String(t.seed, key)
	if i, ok := t.index[h]; ok { // the same key, or (once in 2⁶⁴) another with its hash
		t.remove(i)
	}
	i := t.alloc()
	chunk, off := t.write(key, value)
	t.slots[i] = tableSlot{hash: h, chunk: chunk, off: off, klen: len(key), vlen: len(value), expires: expires.UnixNano(), mark: mark}
	t.live += len(key) + len(value)
	t.index[h] = i
	t.pushFront(i)
	if len(t.index) > t.max {
		t.remove(t.slots[0].prev)
	}
	t.compact()
}

// write appends key and value to the arena and says where they start.
func (t *Table) write(key string, value []byte) (chunk, off int) {
	n := len(key) + len(value)
	last := len(t.chunks) - 1
	if last < 0 || len(t.chunks[last])+n > cap(t.chunks[last]) {
		t.chunks = append(t.chunks, make([]byte, 0, max(chunkSize, n)))
		last++
	}
	c := t.chunks[last]
	off = len(c)
	t.chunks[last] = append(append(c, key...), value...)
	t.size += n
	return last, off
}

// Delete drops key's entry, if any.
func (t *Table) Delete(key string) {
	if i := t.find(key); i != 0 {
		t.remove(i)
	}
}

func (t *Table) alloc() int32 {
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		return i
	}
	t.slots = append(t.slots, tableSlot{})
	return int32(len(t.slots) - 1)
}

func (t *Table) remove(i int32) {
	s := &t.slots[i]
	t.unlink(i)
	delete(t.index, s.hash)
	t.live -= s.klen + s.vlen
	*s = tableSlot{}
	t.free = append(t.free, i)
}

func (t *Table) unlink(i int32) {
	s := &t.slots[i]
	t.slots[s.prev].next = s.next
	t.slots[s.next].prev = s.prev
}

func (t *Table) pushFront(i int32) {
	head := &t.slots[0]
	s := &t.slots[i]
	s.prev, s.next = 0, head.next
	t.slots[head.next].prev = i
	head.next = i
}

// compact copies the entries' bytes into a new arena once at least half of the old one is
// garbage, so that the arena stays within about twice what the entries hold.
func (t *Table) compact() {
	if t.size < minCompact || t.live > t.size/2 {
		return
	}
	old := t.chunks
	t.chunks, t.size = nil, 0
	for i := t.slots[0].next; i != 0; i = t.slots[i].next {
		s := &t.slots[i]
		entry := old[s.chunk][s.off : s.off+s.klen+s.vlen]
		s.chunk, s.off = t.write(string(entry[:s.klen]), entry[s.klen:])
	}
	// Values handed out earlier keep their old chunks alive until they go.
}
