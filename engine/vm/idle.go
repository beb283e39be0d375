package vm

import (
	"container/list"
	"sync"
)

// IdleRuntimes bounds the warm runtimes kept between calls across every program that shares
// it (one per engine). A runtime costs tens of kilobytes; ten thousand tenants keeping one
// each would hold hundreds of megabytes for tenants that may not be called again for hours.
// When the bound is reached, the program whose idle runtimes were used least recently gives
// one up; its next call makes a new one (its module code runs again, a fraction of a
// millisecond for a typical script).
type IdleRuntimes struct {
	mu    sync.Mutex
	max   int
	count int
	order list.List // programs holding idle runtimes, the most recently used first
}

// NewIdleRuntimes keeps at most max idle runtimes in all.
func NewIdleRuntimes(max int) *IdleRuntimes {
	return &IdleRuntimes{max: max}
}

// Count is the number of idle runtimes kept now.
func (b *IdleRuntimes) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.count
}

// take hands out one of p's idle runtimes, the most recently used, or nil.
func (b *IdleRuntimes) take(p *Program) *runtime {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	rt := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	b.count--
	if !b.unlistIfEmpty(p) {
		b.order.MoveToFront(p.inIdle)
	}
	return rt
}

// keep keeps rt for p's next call, unless p keeps its maximum already; past the bound, the
// least recently used program's oldest idle runtime is dropped.
func (b *IdleRuntimes) keep(p *Program, rt *runtime) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(p.idle) >= p.cfg.MaxIdle {
		return
	}
	p.idle = append(p.idle, rt)
	b.count++
	if p.inIdle == nil {
		p.inIdle = b.order.PushFront(p)
	} else {
		b.order.MoveToFront(p.inIdle)
	}
	for b.count > b.max {
		victim := b.order.Back().Value.(*Program)
		copy(victim.idle, victim.idle[1:])
		victim.idle[len(victim.idle)-1] = nil
		victim.idle = victim.idle[:len(victim.idle)-1]
		b.count--
		b.unlistIfEmpty(victim)
	}
}

// drop gives up every idle runtime of p (a version that will not serve again).
func (b *IdleRuntimes) drop(p *Program) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.count -= len(p.idle)
	clear(p.idle)
	p.idle = p.idle[:0]
	b.unlistIfEmpty(p)
}

// unlistIfEmpty takes p off the recency list when it holds no idle runtime, and says whether
// it did.
func (b *IdleRuntimes) unlistIfEmpty(p *Program) bool {
	if len(p.idle) > 0 {
		return false
	}
	if p.inIdle != nil {
		b.order.Remove(p.inIdle)
		p.inIdle = nil
	}
	return true
}
