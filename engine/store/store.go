// Package store keeps what must outlive one webhook: the state of each call in progress
// (ctx.session) and the script version the call started on. The engine reads a call's
// session once before the handler runs and writes it once after, so a network store (Redis)
// fits behind the same interface; Memory is the embedded default.
package store

import (
	"context"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2/simplelru"
)

// Session is one call's stored state.
type Session struct {
	// Version is the script version the call started on; later events of the call run on it.
	Version string
	// Data is the JSON text of the script's ctx.session object.
	Data []byte
}

// Store keeps call sessions. Implementations must be safe for concurrent use and must honour
// ctx: the engine passes the event's deadline, and a store that cannot answer by then fails.
type Store interface {
	// LoadSession returns a call's session; ok is false when there is none (or it expired).
	LoadSession(ctx context.Context, tenant, sessionID string) (s Session, ok bool, err error)
	// SaveSession stores a call's session, to expire after ttl without a newer save.
	SaveSession(ctx context.Context, tenant, sessionID string, s Session, ttl time.Duration) error
}

// Memory is an in-process Store bounded in entries; the least recently used session goes
// first when it is full, and an expired one is never returned.
type Memory struct {
	mu      sync.Mutex
	entries *lru.LRU[string, memoryEntry]
	now     func() time.Time
}

type memoryEntry struct {
	session Session
	expires time.Time
}

// DefaultMemoryEntries bounds a Memory store made with NewMemory(0).
const DefaultMemoryEntries = 1_000_000

// NewMemory makes an in-memory store of at most maxEntries sessions (0: DefaultMemoryEntries).
func NewMemory(maxEntries int) *Memory {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryEntries
	}
	entries, _ := lru.NewLRU[string, memoryEntry](maxEntries, nil) // only fails for size <= 0
	return &Memory{entries: entries, now: time.Now}
}

func key(tenant, sessionID string) string { return tenant + "\x00" + sessionID }

// LoadSession implements Store.
func (m *Memory) LoadSession(ctx context.Context, tenant, sessionID string) (Session, bool, error) {
	if err := ctx.Err(); err != nil {
		return Session{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(tenant, sessionID)
	e, ok := m.entries.Get(k)
	if !ok {
		return Session{}, false, nil
	}
	if !m.now().Before(e.expires) {
		m.entries.Remove(k)
		return Session{}, false, nil
	}
	return e.session, true, nil
}

// SaveSession implements Store. The data is copied.
func (m *Memory) SaveSession(ctx context.Context, tenant, sessionID string, s Session, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.Data = append([]byte(nil), s.Data...)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries.Add(key(tenant, sessionID), memoryEntry{session: s, expires: m.now().Add(ttl)})
	return nil
}

// Len is the number of sessions held, expired ones not yet dropped included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.entries.Len()
}
