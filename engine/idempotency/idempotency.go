// Package idempotency makes a repeated delivery of the same event get the same answer without
// running the script again. 8x8 may deliver one webhook twice, even at the same moment: the
// first delivery runs, a concurrent duplicate waits for its answer, and later duplicates are
// answered from a bounded, expiring cache.
package idempotency

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// Cache remembers answers by key for a while. It is safe for concurrent use.
type Cache[V any] struct {
	answers *expirable.LRU[string, V]

	mu       sync.Mutex
	inflight map[string]*flight[V]
}

type flight[V any] struct {
	done  chan struct{}
	value V
	ok    bool // the first delivery produced a value worth sharing
}

// New makes a cache of at most size answers, each kept for ttl.
func New[V any](size int, ttl time.Duration) *Cache[V] {
	return &Cache[V]{
		answers:  expirable.NewLRU[string, V](size, nil, ttl),
		inflight: make(map[string]*flight[V]),
	}
}

// Do returns the remembered answer for key, or runs produce once to make it. A call for a key
// whose first delivery is still running waits for that answer (or for ctx to end). replayed
// tells whether the answer came from an earlier delivery. produce's answer is remembered only
// when keep is true.
func (c *Cache[V]) Do(ctx context.Context, key string, produce func() (value V, keep bool)) (value V, replayed bool, err error) {
	for {
		if v, ok := c.answers.Get(key); ok {
			return v, true, nil
		}
		c.mu.Lock()
		if v, ok := c.answers.Peek(key); ok { // answered between the Get and the lock
			c.mu.Unlock()
			return v, true, nil
		}
		f, running := c.inflight[key]
		if !running {
			f = &flight[V]{done: make(chan struct{})}
			c.inflight[key] = f
			c.mu.Unlock()
			return c.lead(key, f, produce), false, nil
		}
		c.mu.Unlock()
		select {
		case <-f.done:
			if f.ok {
				return f.value, true, nil
			}
			// The first delivery's answer was not kept: this delivery runs on its own.
		case <-ctx.Done():
			var zero V
			return zero, false, ctx.Err()
		}
	}
}

// lead runs produce for the first delivery of key and wakes the duplicates waiting for it.
func (c *Cache[V]) lead(key string, f *flight[V], produce func() (V, bool)) V {
	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(f.done)
	}()
	v, keep := produce()
	if keep {
		c.answers.Add(key, v)
		f.value, f.ok = v, true
	}
	return v
}

// Len is the number of remembered answers.
func (c *Cache[V]) Len() int { return c.answers.Len() }
