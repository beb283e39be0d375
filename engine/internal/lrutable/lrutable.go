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
	chunks [][]byte         // the arena by chunk id (nil: released): each entry's key then its value, never changed
	used   []int            // bytes of each chunk that entries still use
	idle   []int            // ids of released chunks, for new ones
	cur    int              // the chunk written to, -1 before the first write
	sweep  int32            // the entry the compaction looks at next
	size   int              // bytes written to the chunks held
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
// holding twice its size for a moment). A chunk is dropped once no entry uses it, and entries
// are moved out of chunks that are mostly garbage, compactSweep entries looked at per Put, while
// half of an arena of at least minCompact bytes is garbage: compacting all at once stalled
// every caller of a 130 MB arena for up to 90 ms.
const (
	chunkSize    = 1 << 20
	minCompact   = 4 * chunkSize
	compactSweep = 32
)

// New makes a table of at most max entries (at least 1).
func New(size int) *Table {
	return &Table{seed: maphash.MakeSeed(), max: max(size, 1), index: make(map[uint64]int32), slots: make([]tableSlot, 1), cur: -1}
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
	if s.klen == 0 {
		return ""
	}
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
	if s.vlen == 0 {
		return []byte{}, s.mark, true
	}
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

// write appends key and value to the arena and says where they start. An empty entry takes
// no room: it is in no chunk (chunk -1).
func (t *Table) write(key string, value []byte) (chunk, off int) {
	if len(key)+len(value) == 0 {
		return -1, 0
	}
	chunk, off = t.room(len(key) + len(value))
	t.chunks[chunk] = append(append(t.chunks[chunk], key...), value...)
	return chunk, off
}

// room readies the current chunk for n more bytes, and says where they will start.
func (t *Table) room(n int) (chunk, off int) {
	if t.cur < 0 || len(t.chunks[t.cur])+n > cap(t.chunks[t.cur]) {
		old := t.cur
		if k := len(t.idle); k > 0 {
			t.cur, t.idle = t.idle[k-1], t.idle[:k-1]
		} else {
			t.cur = len(t.chunks)
			t.chunks, t.used = append(t.chunks, nil), append(t.used, 0)
		}
		t.chunks[t.cur] = make([]byte, 0, max(chunkSize, n))
		if old >= 0 && t.used[old] == 0 {
			t.release(old)
		}
	}
	t.size += n
	t.used[t.cur] += n
	return t.cur, len(t.chunks[t.cur])
}

// release drops a chunk no entry uses. (Values handed out earlier keep its bytes alive until
// they go; its id is reused for a new chunk.)
func (t *Table) release(chunk int) {
	t.size -= len(t.chunks[chunk])
	t.chunks[chunk] = nil
	t.idle = append(t.idle, chunk)
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
	t.forget(s.chunk, s.klen+s.vlen)
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

// forget counts n bytes of chunk as garbage, and drops the chunk if that was the last of it.
func (t *Table) forget(chunk, n int) {
	if n == 0 {
		return // an empty entry, in no chunk
	}
	t.live -= n
	t.used[chunk] -= n
	if t.used[chunk] == 0 && chunk != t.cur {
		t.release(chunk)
	}
}

// compact moves entries out of chunks that are at least half garbage into the current one,
// looking at compactSweep entries (in the order of the entry slice, round and round) while at
// least half of the arena is garbage, so that the arena stays within about twice what the
// entries hold without ever stopping its callers for long.
func (t *Table) compact() {
	for range compactSweep {
		if t.size < minCompact || t.live > t.size/2 {
			return
		}
		if t.sweep++; int(t.sweep) >= len(t.slots) {
			t.sweep = 1
		}
		s := &t.slots[t.sweep]
		n := s.klen + s.vlen
		if n == 0 || s.chunk == t.cur || 2*t.used[s.chunk] > len(t.chunks[s.chunk]) {
			continue // a free slot (or an empty entry), or bytes in a chunk worth keeping
		}
		from := t.chunks[s.chunk][s.off : s.off+n]
		t.forget(s.chunk, n) // before room: the chunk the entry leaves may be dropped, not reused
		t.live += n
		s.chunk, s.off = t.room(n)
		t.chunks[s.chunk] = append(t.chunks[s.chunk], from...)
	}
}
