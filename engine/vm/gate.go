package vm

import (
	"context"
	"errors"
	"time"
)

// ErrOverloaded reports an event that found no free execution slot of its tenant in time.
var ErrOverloaded = errors.New("the tenant is running as many events as it may: no slot came free in time")

// Gate bounds how many of one tenant's events run JavaScript at the same moment, so that a
// tenant flooded with slow or CPU-hungry events takes its share of the cores and no more. A
// slot is held only while JavaScript runs: an event awaiting a fetch gives its slot back and
// takes one again when the response is there, so I/O-bound tenants are not limited by it.
type Gate struct {
	slots   chan struct{}
	maxWait time.Duration
}

// NewGate allows n events to run at once; an event waits at most maxWait for a slot.
func NewGate(n int, maxWait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1)), maxWait: maxWait}
}

// acquire takes a slot, waiting at most the gate's maxWait (and never past ctx). It returns
// how long it waited.
func (g *Gate) acquire(ctx context.Context) (time.Duration, error) {
	if g == nil {
		return 0, nil
	}
	select {
	case g.slots <- struct{}{}:
		return 0, nil
	default:
	}
	start := time.Now()
	timer := time.NewTimer(g.maxWait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return time.Since(start), nil
	case <-timer.C:
		return time.Since(start), ErrOverloaded
	case <-ctx.Done():
		return time.Since(start), ctx.Err()
	}
}

// reacquire takes a slot back after an await, waiting as long as ctx allows: the event was
// admitted already, and only the deadline may end it now.
func (g *Gate) reacquire(ctx context.Context) error {
	if g == nil {
		return nil
	}
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *Gate) release() {
	if g != nil {
		<-g.slots
	}
}

// InUse is the number of slots taken now.
func (g *Gate) InUse() int {
	if g == nil {
		return 0
	}
	return len(g.slots)
}
