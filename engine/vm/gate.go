package vm

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrOverloaded reports an event that found no free execution slot of its tenant in time.
var ErrOverloaded = errors.New("the tenant is running as many events as it may: no slot came free in time")

// Gate bounds how many of one tenant's events run JavaScript at the same moment, so that a
// tenant flooded with slow or CPU-hungry events takes its share of the cores and no more. A
// slot is held only while JavaScript runs: an event awaiting a fetch gives its slot back and
// takes one again when the response is there, so I/O-bound tenants are not limited by it.
//
// The share is a floor for every tenant, not a ceiling when the machine is idle: a tenant
// whose events are short (their mean run below borrowLimit) may also run on cores that no
// event of any tenant uses (see Cores), so that one busy tenant can use the whole machine. A
// borrowed core holds another tenant's new event up by at most one such short run; a tenant
// whose events run long is held to its share. A new gate starts as if its events were long,
// and earns borrowing with its first runs.
type Gate struct {
	slots   chan struct{}
	maxWait time.Duration
	cores   *Cores       // nil: no borrowing
	meanRun atomic.Int64 // moving mean of one JavaScript run, in nanoseconds
}

// borrowLimit is the mean run below which a tenant may borrow idle cores.
const borrowLimit = 10 * time.Millisecond

// Cores counts the cores that no event is running JavaScript on, across every gate that shares
// it (one per engine).
type Cores struct {
	free chan struct{}
}

// NewCores makes a count of n cores, all free.
func NewCores(n int) *Cores {
	c := &Cores{free: make(chan struct{}, max(n, 1))}
	for range cap(c.free) {
		c.free <- struct{}{}
	}
	return c
}

// NewGate allows n events to run at once, and more on idle cores of cores (nil: none); an
// event waits at most maxWait for a slot.
func NewGate(n int, maxWait time.Duration, cores *Cores) *Gate {
	g := &Gate{slots: make(chan struct{}, max(n, 1)), maxWait: maxWait, cores: cores}
	g.meanRun.Store(int64(borrowLimit))
	return g
}

// hold is what one run holds: a slot of its tenant, a core, or both, and since when.
type hold struct {
	slot, core bool
	since      time.Time
}

// borrowable is the channel to take an idle core from, or nil when this tenant may not.
func (g *Gate) borrowable() chan struct{} {
	if g.cores == nil || time.Duration(g.meanRun.Load()) >= borrowLimit {
		return nil
	}
	return g.cores.free
}

// take takes a slot or an idle core without waiting.
func (g *Gate) take() (hold, bool) {
	select {
	case g.slots <- struct{}{}:
		return g.ownSlot(), true
	default:
	}
	if free := g.borrowable(); free != nil {
		select {
		case <-free:
			return borrowed(), true
		default:
		}
	}
	return hold{}, false
}

// ownSlot is the hold of a run that took its tenant's slot, on a core too when one is free:
// the share does not wait for cores, which only account for borrowing.
func (g *Gate) ownSlot() hold {
	h := hold{slot: true, since: time.Now()}
	if g.cores != nil {
		select {
		case <-g.cores.free:
			h.core = true
		default:
		}
	}
	return h
}

// borrowed is the hold of a run on a core it borrowed.
func borrowed() hold { return hold{core: true, since: time.Now()} }

// acquire takes a slot or an idle core, waiting at most the gate's maxWait (and never past
// ctx). It returns how long it waited.
func (g *Gate) acquire(ctx context.Context) (hold, time.Duration, error) {
	if g == nil {
		return hold{}, 0, nil
	}
	if h, ok := g.take(); ok {
		return h, 0, nil
	}
	start := time.Now()
	timer := time.NewTimer(g.maxWait)
	defer timer.Stop()
	h, err := g.wait(ctx, timer.C)
	return h, time.Since(start), err
}

// reacquire takes a slot back after an await, waiting as long as ctx allows: the event was
// admitted already, and only the deadline may end it now.
func (g *Gate) reacquire(ctx context.Context) (hold, error) {
	if g == nil {
		return hold{}, nil
	}
	if h, ok := g.take(); ok {
		return h, nil
	}
	return g.wait(ctx, nil)
}

func (g *Gate) wait(ctx context.Context, timeout <-chan time.Time) (hold, error) {
	select {
	case g.slots <- struct{}{}:
		return g.ownSlot(), nil
	case <-g.borrowable():
		return borrowed(), nil
	case <-timeout:
		return hold{}, ErrOverloaded
	case <-ctx.Done():
		return hold{}, ctx.Err()
	}
}

// release gives back what h holds, and counts how long it ran.
func (g *Gate) release(h hold) {
	if g == nil {
		return
	}
	if h.slot {
		<-g.slots
	}
	if h.core {
		g.cores.free <- struct{}{}
	}
	// A moving mean over about the last eight runs: a tenant that turns slow loses borrowing
	// within a few runs, and one that turns fast earns it back as quickly.
	run := int64(time.Since(h.since))
	mean := g.meanRun.Load()
	g.meanRun.Store(mean + (run-mean)/8)
}
