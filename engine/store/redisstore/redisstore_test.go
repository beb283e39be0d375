package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/callscript/callscript/engine/store"
	"github.com/callscript/callscript/engine/store/redisstore"
	"github.com/callscript/callscript/engine/store/redisstore/redistest"
	"github.com/callscript/callscript/engine/store/storetest"
)

func open(t *testing.T, url string) *redisstore.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := redisstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestSuite: the Redis store behaves as every store must (the same suite as the memory store's).
func TestSuite(t *testing.T) {
	srv := redistest.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, srv.URL()) })
}

// TestKeys: every key is namespaced by tenant, in braces (one Cluster slot per tenant), and
// expires.
func TestKeys(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv.URL())
	ctx := context.Background()
	if err := s.SaveSession(ctx, "acme_ivr", "s1", store.Session{Version: "v1", Data: []byte("{}")}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, _, err := beginEvent(s, ctx, "acme_ivr", "claimed", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, _, err := beginEvent(s, ctx, "acme_ivr", "answered", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishEvent(ctx, "acme_ivr", "answered", []byte("a"), 15*time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveBundle(ctx, "acme_ivr", "v1", []byte("code"), time.Hour); err != nil {
		t.Fatal(err)
	}
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer raw.Close()
	keys, err := raw.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Duration{
		"cs:{acme_ivr}:s:s1":       time.Hour,
		"cs:{acme_ivr}:e:claimed":  time.Minute,
		"cs:{acme_ivr}:e:answered": 15 * time.Minute,
		"cs:{acme_ivr}:b:v1":       time.Hour,
	}
	if len(keys) != len(want) {
		t.Errorf("keys %q, want %d keys", keys, len(want))
	}
	for k, ttl := range want {
		got, err := raw.PTTL(ctx, k).Result()
		if err != nil || got <= ttl-time.Minute/2 || got > ttl {
			t.Errorf("key %s: PTTL %v (%v), want about %v", k, got, err, ttl)
		}
	}
}

// TestSessionKeepsItsBundle: a version's program lives as long as a call pinned to it does,
// however long ago the version was loaded.
func TestSessionKeepsItsBundle(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv.URL())
	ctx := context.Background()
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer raw.Close()
	pttl := func(k string) time.Duration {
		t.Helper()
		d, err := raw.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if err := s.SaveBundle(ctx, "acme", "v1", []byte("code"), time.Minute); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		what string
		ttl  time.Duration
		want time.Duration // the bundle's TTL after the save, about
	}{
		{"a call saved for 4h", 4 * time.Hour, 4 * time.Hour},
		{"an ended call saved for 2 minutes", 2 * time.Minute, 4 * time.Hour}, // never shortened
	}
	for _, step := range steps {
		if err := s.SaveSession(ctx, "acme", "call", store.Session{Version: "v1", Data: []byte("{}")}, step.ttl); err != nil {
			t.Fatal(err)
		}
		if got := pttl("cs:{acme}:b:v1"); got <= step.want-time.Minute || got > step.want {
			t.Errorf("after %s: the bundle expires in %v, want about %v", step.what, got, step.want)
		}
	}
	// A session on a version whose bundle is not kept creates nothing.
	if err := s.SaveSession(ctx, "acme", "other", store.Session{Version: "v9", Data: []byte("{}")}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if n, _ := raw.Exists(ctx, "cs:{acme}:b:v9").Result(); n != 0 {
		t.Error("saving a session created a bundle key")
	}
}

// TestRetriedClaimStaysClaimed: a BeginEvent whose reply was lost and that go-redis runs again
// must not find its own claim busy.
func TestRetriedClaimStaysClaimed(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv.URL())
	ctx := context.Background()
	if _, state, _ := redisstore.Claim(s, ctx, "acme", "ev", "c:token-1"); state != store.Claimed {
		t.Fatalf("first run: %v", state)
	}
	if _, state, _ := redisstore.Claim(s, ctx, "acme", "ev", "c:token-1"); state != store.Claimed {
		t.Errorf("the same delivery run again: %v, want Claimed", state)
	}
	if _, state, _ := redisstore.Claim(s, ctx, "acme", "ev", "c:token-2"); state != store.Busy {
		t.Errorf("another delivery: %v, want Busy", state)
	}
}

func TestOpenRefusesBadURLs(t *testing.T) {
	cases := []struct {
		url  string
		want string // in the error
	}{
		{"http://redis:6379", `must start with redis:// (or rediss:// for TLS), not "http:"`},
		{"redis:6379", "names no host"},
		{"localhost:6379", "must start with redis://"},
		{"redis://redis:6379/db1", `invalid database number: "db1"`},
		{"redis://redis:6379/0/1", "invalid URL path"},
		{"redis://user:s3cret@redis:notaport/0", "does not parse"},
		{"redis://:s3cret@redis:6379/x", "invalid database number"},
		{"redis://redis:6379/0?pool_size=lots", "pool_size"},
		{"", "must start with redis://"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			s, err := redisstore.Open(ctx, tc.url)
			if err == nil {
				s.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// TestOpenUnreachable: Open waits for Redis only as long as its context allows, and says where
// it looked.
func TestOpenUnreachable(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := redisstore.Open(ctx, "redis://:s3cret@"+srv.Addr()+"/0")
	if err == nil {
		t.Fatal("opened a store on a stopped Redis")
	}
	if took := time.Since(start); took > 600*time.Millisecond {
		t.Errorf("Open took %v with a 300ms context", took)
	}
	if msg := err.Error(); !strings.Contains(msg, srv.Addr()) || strings.Contains(msg, "s3cret") {
		t.Errorf("error %q should name %s and not the password", msg, srv.Addr())
	}
}

// TestOpenWaitsForRedis: a server that comes up while Open waits is used.
func TestOpenWaitsForRedis(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	go func() {
		time.Sleep(300 * time.Millisecond)
		srv.Restart()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := redisstore.Open(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// TestDeadRedis: while Redis is down every call fails within its deadline, Ping says so, and
// when Redis is back the same store works again without being reopened.
func TestDeadRedis(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv.URL())
	for range 20 { // fill the pool with connections that will break
		if err := s.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	srv.Stop()
	for i := range 50 {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		start := time.Now()
		_, _, err := s.LoadSession(ctx, "acme", "s1")
		took := time.Since(start)
		cancel()
		if err == nil {
			t.Fatalf("call %d: LoadSession succeeded on a stopped Redis", i)
		}
		if took > 300*time.Millisecond {
			t.Fatalf("call %d: failed after %v, well past its 200ms deadline", i, took)
		}
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping succeeded on a stopped Redis")
	}
	srv.Restart()
	waitUntil(t, 5*time.Second, "the store to work again after Redis restarted", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		return s.SaveSession(ctx, "acme", "s1", store.Session{Version: "v", Data: []byte("{}")}, time.Minute) == nil
	})
	if _, ok, err := s.LoadSession(context.Background(), "acme", "s1"); !ok || err != nil {
		t.Errorf("after the restart: ok=%v err=%v", ok, err)
	}
}

// TestStalledRedis: a Redis that accepts connections but does not answer costs each call its
// deadline, no more; a call without a deadline is bounded by the read timeout.
func TestStalledRedis(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv.URL())
	srv.Freeze()
	ops := map[string]func(context.Context) error{
		"BeginEvent": func(ctx context.Context) error {
			_, _, err := beginEvent(s, ctx, "acme", "ev", time.Second)
			return err
		},
		"LoadSession": func(ctx context.Context) error {
			_, _, err := s.LoadSession(ctx, "acme", "s")
			return err
		},
		"SaveSession": func(ctx context.Context) error {
			return s.SaveSession(ctx, "acme", "s", store.Session{}, time.Minute)
		},
		"Ping": s.Ping,
	}
	for name, op := range ops {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		start := time.Now()
		err := op(ctx)
		took := time.Since(start)
		cancel()
		if err == nil || took > 250*time.Millisecond { // the deadline, plus scheduling slack
			t.Errorf("%s on a stalled Redis with a 150ms deadline: err=%v after %v", name, err, took)
		}
		if !errors.Is(err, context.DeadlineExceeded) && !isTimeout(err) {
			t.Errorf("%s: err = %v, want a timeout", name, err)
		}
	}
	start := time.Now()
	if err := s.Ping(context.Background()); err == nil || time.Since(start) > redisstore.DefaultIOTimeout+redisstore.DefaultDialTimeout+300*time.Millisecond {
		t.Errorf("Ping without a deadline on a stalled Redis: err=%v after %v", err, time.Since(start))
	}
	srv.Thaw()
	waitUntil(t, 5*time.Second, "the store to answer after Redis resumed", func() bool {
		return s.Ping(context.Background()) == nil
	})
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

func waitUntil(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// beginEvent is BeginEvent without a session.
func beginEvent(s *redisstore.Store, ctx context.Context, tenant, eventID string, claimTTL time.Duration) ([]byte, store.Claim, error) {
	begun, err := s.BeginEvent(ctx, tenant, eventID, "", claimTTL)
	return begun.Answer, begun.State, err
}
