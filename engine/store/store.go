// Package store keeps what must outlive one webhook, and what several replicas of the server
// must share: the state of each call in progress (ctx.session) with the script version the
// call started on, the answers given to each event (idempotency), and the bundles of the
// versions calls are pinned to. The engine reads a call's session once before the handler
// runs and writes it once after, so a network store (Redis) fits behind the same interface;
// Memory is the embedded default.
package store

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/callscript/callscript/engine/internal/lrutable"
)

// Session is one call's stored state.
type Session struct {
	// Version is the script version the call started on; later events of the call run on it.
	Version string
	// Data is the JSON text of the script's ctx.session object.
	Data []byte
}

// Store keeps call sessions, event answers and pinned bundles. Implementations must be safe
// for concurrent use and must honour ctx: the engine passes the event's deadline, and a store
// that cannot answer by then fails. Keys are namespaced by tenant; everything expires.
type Store interface {
	// LoadSession returns a call's session; ok is false when there is none (or it expired).
	LoadSession(ctx context.Context, tenant, sessionID string) (s Session, ok bool, err error)
	// SaveSession stores a call's session, to expire after ttl without a newer save.
	SaveSession(ctx context.Context, tenant, sessionID string, s Session, ttl time.Duration) error

	// BeginEvent is called before an event runs. It returns the answer remembered for the
	// (tenant, eventID) when there is one (Remembered); otherwise it claims the event for this
	// delivery for claimTTL (Claimed: run it, then FinishEvent), or reports that another
	// delivery holds the claim (Busy: wait and ask again). With a sessionID, a Claimed event
	// comes with that call's session, read in the same round trip.
	BeginEvent(ctx context.Context, tenant, eventID, sessionID string, claimTTL time.Duration) (Begun, error)
	// FinishEvent remembers the answer of a claimed event for ttl and releases the claim; with
	// save, it stores the call's session in the same round trip.
	FinishEvent(ctx context.Context, tenant, eventID string, answer []byte, ttl time.Duration, save *SessionSave) error
	// AbandonEvent releases a claim without an answer, so that a later delivery runs.
	AbandonEvent(ctx context.Context, tenant, eventID string) error

	// SaveBundle keeps a version's program (its bundled code) for ttl, so that a replica that
	// never loaded the version can still run the calls pinned to it.
	SaveBundle(ctx context.Context, tenant, version string, code []byte, ttl time.Duration) error
	// LoadBundle returns a version's program; ok is false when it is not kept.
	LoadBundle(ctx context.Context, tenant, version string) (code []byte, ok bool, err error)

	// Ping reports whether the store answers (readiness).
	Ping(ctx context.Context) error
}

// Begun is what BeginEvent found.
type Begun struct {
	State  Claim
	Answer []byte // the remembered answer, when Remembered
	// Session is the call's session, read with a Claimed event when BeginEvent was given a
	// sessionID and the session exists (HasSession).
	Session    Session
	HasSession bool
}

// SessionSave is a call's session for FinishEvent to store with the answer.
type SessionSave struct {
	ID      string
	Session Session
	TTL     time.Duration
}

// Claim is the state of an event when a delivery begins.
type Claim int

// The states BeginEvent reports.
const (
	Claimed    Claim = iota + 1 // this delivery runs the event
	Remembered                  // answered before: the answer is returned
	Busy                        // another delivery is running it now
)

// Memory is an in-process Store, bounded in entries: the least recently used entry goes first
// when a kind is full, and an expired one is never returned. Its entries live in tables the
// garbage collector does not trace (see lrutable).
type Memory struct {
	mu       sync.Mutex
	sessions *lrutable.Table // value: the version, a newline, the session's JSON
	events   *lrutable.Table // marked: claimed, not yet answered
	bundles  *lrutable.Table
	now      func() time.Time
}

// Bounds of a Memory store made with NewMemory(0).
const (
	DefaultMemoryEntries = 1_000_000 // sessions
	memoryEvents         = 200_000   // remembered answers
	memoryBundles        = 1024      // pinned versions' programs
)

// NewMemory makes an in-memory store of at most maxSessions sessions (0: DefaultMemoryEntries).
func NewMemory(maxSessions int) *Memory {
	if maxSessions <= 0 {
		maxSessions = DefaultMemoryEntries
	}
	return &Memory{sessions: lrutable.New(maxSessions), events: lrutable.New(memoryEvents), bundles: lrutable.New(memoryBundles), now: time.Now}
}

func key(tenant, id string) string { return tenant + "\x00" + id }

// session reads a stored session.
func (m *Memory) session(tenant, sessionID string) (Session, bool) {
	v, _, ok := m.sessions.Get(key(tenant, sessionID), m.now())
	if !ok {
		return Session{}, false
	}
	version, data, _ := bytes.Cut(v, []byte{'\n'})
	return Session{Version: string(version), Data: data}, true
}

func (m *Memory) saveSession(tenant, sessionID string, s Session, ttl time.Duration) {
	v := make([]byte, 0, len(s.Version)+1+len(s.Data))
	v = append(append(append(v, s.Version...), '\n'), s.Data...)
	m.sessions.Put(key(tenant, sessionID), v, false, m.now().Add(ttl))
}

// LoadSession implements Store.
func (m *Memory) LoadSession(ctx context.Context, tenant, sessionID string) (Session, bool, error) {
	if err := ctx.Err(); err != nil {
		return Session{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.session(tenant, sessionID)
	return s, ok, nil
}

// SaveSession implements Store. The data is copied.
func (m *Memory) SaveSession(ctx context.Context, tenant, sessionID string, s Session, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saveSession(tenant, sessionID, s, ttl)
	return nil
}

// BeginEvent implements Store.
func (m *Memory) BeginEvent(ctx context.Context, tenant, eventID, sessionID string, claimTTL time.Duration) (Begun, error) {
	if err := ctx.Err(); err != nil {
		return Begun{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(tenant, eventID)
	now := m.now()
	answer, claimed, ok := m.events.Get(k, now)
	switch {
	case ok && !claimed:
		return Begun{State: Remembered, Answer: answer}, nil
	case ok:
		return Begun{State: Busy}, nil
	}
	m.events.Put(k, nil, true, now.Add(claimTTL))
	begun := Begun{State: Claimed}
	if sessionID != "" {
		begun.Session, begun.HasSession = m.session(tenant, sessionID)
	}
	return begun, nil
}

// FinishEvent implements Store. The answer and session are copied.
func (m *Memory) FinishEvent(ctx context.Context, tenant, eventID string, answer []byte, ttl time.Duration, save *SessionSave) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if save != nil {
		m.saveSession(tenant, save.ID, save.Session, save.TTL)
	}
	m.events.Put(key(tenant, eventID), answer, false, m.now().Add(ttl))
	return nil
}

// AbandonEvent implements Store.
func (m *Memory) AbandonEvent(ctx context.Context, tenant, eventID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(tenant, eventID)
	if _, claimed, ok := m.events.Get(k, m.now()); ok && claimed {
		m.events.Delete(k)
	}
	return nil
}

// SaveBundle implements Store.
func (m *Memory) SaveBundle(ctx context.Context, tenant, version string, code []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bundles.Put(key(tenant, version), code, false, m.now().Add(ttl))
	return nil
}

// LoadBundle implements Store.
func (m *Memory) LoadBundle(ctx context.Context, tenant, version string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	code, _, ok := m.bundles.Get(key(tenant, version), m.now())
	return code, ok, nil
}

// Ping implements Store: memory always answers.
func (m *Memory) Ping(ctx context.Context) error { return ctx.Err() }

// Len is the number of sessions held, expired ones not yet dropped included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sessions.Len()
}
