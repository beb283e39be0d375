package engine_test

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
)

// TestFloodedTenantKeepsToItsShare floods tenant A with CPU-heavy events while tenant B is
// called at a steady rate: every answer of B succeeds and its p99 stays near its unloaded p99,
// while A's excess is answered quickly with its fallback instead of queueing.
func TestFloodedTenantKeepsToItsShare(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	root := t.TempDir()
	writeTenant(t, root, "flooded", map[string]string{
		"index.js": `export default () => { const end = Date.now() + 150; while (Date.now() < end) {} return [{ action: "hangup" }]; };`,
	})
	writeTenant(t, root, "steady", map[string]string{"index.js": say("steady")})
	e, _ := newEngine(t, root, engine.Options{})

	measureB := func(n int) []time.Duration {
		took := make([]time.Duration, 0, n)
		for range n {
			start := time.Now()
			a := handle(t, e, callAction(map[string]any{"subAccountId": "steady"}))
			took = append(took, time.Since(start))
			if a.Fallback != "" || sayText(t, a.Body) != "steady" {
				t.Errorf("B failed under load: %q %s", a.Fallback, a.Body)
			}
			time.Sleep(5 * time.Millisecond)
		}
		slices.Sort(took)
		return took
	}
	p99 := func(d []time.Duration) time.Duration { return d[len(d)*99/100] }

	measureB(20) // warm up
	unloaded := p99(measureB(200))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var floodAnswers, floodOverloaded atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				a := handle(t, e, callAction(map[string]any{"subAccountId": "flooded"}))
				floodAnswers.Add(1)
				if a.Fallback == engine.FallbackOverloaded {
					floodOverloaded.Add(1)
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	loaded := p99(measureB(200))
	close(stop)
	wg.Wait()

	t.Logf("B p99 unloaded %v, with A flooded %v (%.1fx); A: %d answers, %d overloaded",
		unloaded, loaded, float64(loaded)/float64(unloaded), floodAnswers.Load(), floodOverloaded.Load())
	if floodOverloaded.Load() == 0 {
		t.Error("the flooded tenant was never held to its share")
	}
	// Generous bounds for a shared CI machine: 2x, or 20ms over the unloaded figure when that is tiny.
	if limit := max(2*unloaded, unloaded+20*time.Millisecond); loaded > limit {
		t.Errorf("B's p99 rose from %v to %v under A's flood (limit %v)", unloaded, loaded, limit)
	}
}
