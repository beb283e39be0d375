// Package redisstore keeps the engine's shared state (call sessions, event answers and pinned
// versions' programs) in Redis, so that several replicas of the server behind one load
// balancer serve the same calls as one.
//
// Every key is namespaced by tenant, cs:{tenant}:s:<sessionId>, cs:{tenant}:e:<eventId> and
// cs:{tenant}:b:<version>, where the braces keep one tenant's keys in one Redis Cluster slot,
// and every key carries a TTL; saving a session also keeps its version's bundle alive as long
// as the session. Each operation is one round trip (one command or one Lua script), bounded by
// its context as well as by short socket timeouts, so that a dead or stalled Redis costs an
// event no more than its deadline.
package redisstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/callscript/callscript/engine/store"
)

// Socket and pool bounds applied when the URL does not set them (dial_timeout, read_timeout,
// write_timeout, pool_timeout, max_retries query parameters). They are short because an
// event's whole budget is 2s by default: a store that has not answered by then is treated as
// down, and the event gets its fallback.
const (
	DefaultDialTimeout = 500 * time.Millisecond
	DefaultIOTimeout   = 500 * time.Millisecond
	DefaultPoolTimeout = 500 * time.Millisecond
	// DefaultMaxRetries retries a command once, within its context, when its connection failed
	// or timed out: after Redis restarts, the pool's old connections are dead, and the retry
	// takes a new one. Every command is safe to run twice (see beginLua's claim token).
	DefaultMaxRetries = 1
)

// Value tags of an event key: a claim names the delivery holding it; an answer is the bytes
// that follow its tag.
const (
	claimTag  = "c:"
	answerTag = "a:"
)

// beginLua is BeginEvent in one round trip: the remembered answer, or a claim for this
// delivery (with the call's session, KEYS[2], when given), or "busy". A claim already held by
// the same token counts as claimed, so a command retried after a lost reply does not lock its
// own delivery out.
const beginLua = `
local v = redis.call('GET', KEYS[1])
if v then
  if string.sub(v, 1, 2) == 'a:' then return {'answer', string.sub(v, 3)} end
  if v ~= ARGV[1] then return {'busy'} end
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if KEYS[2] then
  local s = redis.call('GET', KEYS[2])
  if s then return {'claimed', s} end
end
return {'claimed'}
`

// saveSessionLua saves a call's session and keeps the program of the version the call is
// pinned to at least as long as the session: a version can serve for days after it was
// loaded, and its bundle, saved once at load time, must not expire while calls still need it
// on replicas that never loaded it. (PEXPIRE GT would do, but needs Redis 7.)
const saveSessionLua = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[2])
if left >= 0 and left < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return 0
`

// abandonLua releases a claim but never forgets an answer.
const abandonLua = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 2) == 'c:' then redis.call('DEL', KEYS[1]) end
return 0
`

// Store is a store.Store on one Redis server (or a proxy in front of several). It is safe for
// concurrent use.
type Store struct {
	client  *redis.Client
	addr    string // for error messages: host:port, never the password
	begin   *redis.Script
	save    *redis.Script
	abandon *redis.Script
	owner   string // this store's prefix of claim tokens
	claims  atomic.Uint64
}

var _ store.Store = (*Store)(nil)

// Open connects to the Redis server of a redis:// or rediss:// (TLS) URL, such as
// redis://:password@redis:6379/0, and waits until it answers or ctx ends: pass a ctx with the
// time the server may take to come up. Query parameters of the URL (pool_size, read_timeout,
// …, as go-redis documents them) override the defaults of this package. Once open, the store
// survives Redis restarts: operations fail while Redis is away and succeed again when it is
// back.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	opts, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	s := &Store{
		client:  redis.NewClient(opts),
		addr:    opts.Addr,
		begin:   redis.NewScript(beginLua),
		save:    redis.NewScript(saveSessionLua),
		abandon: redis.NewScript(abandonLua),
		owner:   claimTag + rand.Text() + "-",
	}
	for {
		err := s.client.Ping(ctx).Err()
		if err == nil {
			// Load the scripts now, so that the first events run them by hash in one round trip
			// instead of learning NOSCRIPT and sending them whole.
			for _, script := range []*redis.Script{s.begin, s.save, s.abandon} {
				if err = script.Load(ctx, s.client).Err(); err != nil {
					break
				}
			}
		}
		if err == nil {
			return s, nil
		}
		select {
		case <-ctx.Done():
			_ = s.client.Close()
			return nil, fmt.Errorf("redis at %s does not answer: %w", s.addr, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// parseURL turns a Redis URL into client options with this package's defaults. Its errors
// show the URL with the password masked.
func parseURL(rawURL string) (*redis.Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the whole URL, password included
		}
		return nil, fmt.Errorf("the Redis URL does not parse (want redis://[user:password@]host:port/db): %w", err)
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, fmt.Errorf("the Redis URL %s must start with redis:// (or rediss:// for TLS), not %q, as in redis://redis:6379/0", u.Redacted(), u.Scheme+":")
	}
	if u.Host == "" {
		return nil, fmt.Errorf("the Redis URL %s names no host, as in redis://redis:6379/0", u.Redacted())
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("the Redis URL %s: %w", u.Redacted(), err)
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = DefaultIOTimeout
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = DefaultIOTimeout
	}
	if opts.PoolTimeout == 0 {
		opts.PoolTimeout = DefaultPoolTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	opts.MinRetryBackoff, opts.MaxRetryBackoff = time.Millisecond, 20*time.Millisecond
	// One dial attempt per command: a retry loop inside the dialer would spend the event's
	// budget on a server that refused once already.
	opts.DialerRetries = 1
	// The event's deadline bounds every command, not only the socket timeouts.
	opts.ContextTimeoutEnabled = true
	// No extra round trips when a connection is made (CLIENT SETINFO, CLIENT MAINT_NOTIFICATIONS).
	opts.DisableIdentity = true
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	if opts.ClientName == "" {
		opts.ClientName = "callscript"
	}
	return opts, nil
}

// Close closes the connections. Operations in flight fail.
func (s *Store) Close() error { return s.client.Close() }

// Addr is the host:port of the Redis server.
func (s *Store) Addr() string { return s.addr }

func key(tenant, kind, id string) string { return "cs:{" + tenant + "}:" + kind + ":" + id }

// checkTenant refuses a tenant id that would break out of its braces (and so share another
// tenant's keys). The engine's tenant ids never do.
func checkTenant(tenant string) error {
	if tenant == "" || strings.ContainsAny(tenant, "{}") {
		return fmt.Errorf("redis store: tenant id %q cannot name a key namespace", tenant)
	}
	return nil
}

// millis is a TTL in Redis's milliseconds: at least 1, since Redis refuses 0, and rounded up
// so that a key never expires before the caller asked.
func millis(ttl time.Duration) string {
	ms := (ttl + time.Millisecond - 1) / time.Millisecond
	return strconv.FormatInt(int64(max(ms, 1)), 10)
}

// keyTTL is a TTL for SET: at least a millisecond, since a zero would keep the key forever.
func keyTTL(ttl time.Duration) time.Duration { return max(ttl, time.Millisecond) }

func (s *Store) fail(op string, err error) error {
	return fmt.Errorf("redis store at %s: %s: %w", s.addr, op, err)
}

// LoadSession implements store.Store.
func (s *Store) LoadSession(ctx context.Context, tenant, sessionID string) (store.Session, bool, error) {
	if err := checkTenant(tenant); err != nil {
		return store.Session{}, false, err
	}
	raw, err := s.client.Get(ctx, key(tenant, "s", sessionID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return store.Session{}, false, nil
	}
	if err != nil {
		return store.Session{}, false, s.fail("load session", err)
	}
	sess, err := decodeSession(raw)
	if err != nil {
		return store.Session{}, false, s.fail("load session", fmt.Errorf("session %s of tenant %s: %w", sessionID, tenant, err))
	}
	return sess, true, nil
}

// encodeSession and decodeSession keep a session as its version, a newline and the data.
func encodeSession(sess store.Session) ([]byte, error) {
	if strings.IndexByte(sess.Version, '\n') >= 0 {
		return nil, fmt.Errorf("redis store: version %q contains a newline", sess.Version)
	}
	value := make([]byte, 0, len(sess.Version)+1+len(sess.Data))
	return append(append(append(value, sess.Version...), '\n'), sess.Data...), nil
}

func decodeSession(raw []byte) (store.Session, error) {
	version, data, ok := bytes.Cut(raw, []byte{'\n'})
	if !ok {
		return store.Session{}, errors.New("the stored session is damaged")
	}
	return store.Session{Version: string(version), Data: data}, nil
}

// SaveSession implements store.Store. The value is the version, a newline and the data. In the
// same round trip, the bundle of the session's version, if kept, is made to live at least as
// long as the session.
func (s *Store) SaveSession(ctx context.Context, tenant, sessionID string, sess store.Session, ttl time.Duration) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	value, err := encodeSession(sess)
	if err != nil {
		return err
	}
	keys := []string{key(tenant, "s", sessionID), key(tenant, "b", sess.Version)}
	if err := s.save.Run(ctx, s.client, keys, value, millis(ttl)).Err(); err != nil {
		return s.fail("save session", err)
	}
	return nil
}

// BeginEvent implements store.Store in one round trip (a Lua script), the call's session
// included.
func (s *Store) BeginEvent(ctx context.Context, tenant, eventID, sessionID string, claimTTL time.Duration) (store.Begun, error) {
	if err := checkTenant(tenant); err != nil {
		return store.Begun{}, err
	}
	token := s.owner + strconv.FormatUint(s.claims.Add(1), 10)
	keys := []string{key(tenant, "e", eventID)}
	if sessionID != "" {
		keys = append(keys, key(tenant, "s", sessionID))
	}
	return s.claim(ctx, keys, token, claimTTL)
}

// claim runs the claim script for one delivery's token.
func (s *Store) claim(ctx context.Context, keys []string, token string, claimTTL time.Duration) (store.Begun, error) {
	reply, err := s.begin.Run(ctx, s.client, keys, token, millis(claimTTL)).Slice()
	if err != nil {
		return store.Begun{}, s.fail("begin event", err)
	}
	state, _ := reply[0].(string)
	switch state {
	case "claimed":
		begun := store.Begun{State: store.Claimed}
		if len(reply) == 2 {
			raw, _ := reply[1].(string)
			sess, err := decodeSession([]byte(raw))
			if err != nil {
				return store.Begun{}, s.fail("begin event", err)
			}
			begun.Session, begun.HasSession = sess, true
		}
		return begun, nil
	case "busy":
		return store.Begun{State: store.Busy}, nil
	case "answer":
		if len(reply) == 2 {
			if answer, ok := reply[1].(string); ok {
				return store.Begun{State: store.Remembered, Answer: []byte(answer)}, nil
			}
		}
	}
	return store.Begun{}, s.fail("begin event", fmt.Errorf("unexpected reply %v", reply))
}

// FinishEvent implements store.Store: the answer replaces the claim, and the call's session is
// saved, in one round trip (a MULTI/EXEC pipeline).
func (s *Store) FinishEvent(ctx context.Context, tenant, eventID string, answer []byte, ttl time.Duration, save *store.SessionSave) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	value := make([]byte, 0, len(answerTag)+len(answer))
	value = append(append(value, answerTag...), answer...)
	if save == nil {
		if err := s.client.Set(ctx, key(tenant, "e", eventID), value, keyTTL(ttl)).Err(); err != nil {
			return s.fail("finish event", err)
		}
		return nil
	}
	sessionValue, err := encodeSession(save.Session)
	if err != nil {
		return err
	}
	_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		keys := []string{key(tenant, "s", save.ID), key(tenant, "b", save.Session.Version)}
		s.save.Eval(ctx, p, keys, sessionValue, millis(save.TTL))
		p.Set(ctx, key(tenant, "e", eventID), value, keyTTL(ttl))
		return nil
	})
	if err != nil {
		return s.fail("finish event", err)
	}
	return nil
}

// AbandonEvent implements store.Store.
func (s *Store) AbandonEvent(ctx context.Context, tenant, eventID string) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	if err := s.abandon.Run(ctx, s.client, []string{key(tenant, "e", eventID)}).Err(); err != nil {
		return s.fail("abandon event", err)
	}
	return nil
}

// SaveBundle implements store.Store.
func (s *Store) SaveBundle(ctx context.Context, tenant, version string, code []byte, ttl time.Duration) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	if err := s.client.Set(ctx, key(tenant, "b", version), code, keyTTL(ttl)).Err(); err != nil {
		return s.fail("save bundle", err)
	}
	return nil
}

// LoadBundle implements store.Store.
func (s *Store) LoadBundle(ctx context.Context, tenant, version string) ([]byte, bool, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, false, err
	}
	code, err := s.client.Get(ctx, key(tenant, "b", version)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.fail("load bundle", err)
	}
	return code, true, nil
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return s.fail("ping", err)
	}
	return nil
}
