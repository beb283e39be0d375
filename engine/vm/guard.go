package vm

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	goruntime "runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrMemoryLimit reports a script stopped because the process neared its memory limit while
// the script ran.
var ErrMemoryLimit = errors.New("the script was stopped: the server neared its memory limit while it ran (a runaway allocation?)")

// MemoryGuard stops scripts before the process passes its memory limit. goja has no memory
// limit of its own, and the Go heap cannot say which runtime holds which bytes, so the guard
// watches the heap while scripts run: past a high-water mark it interrupts the script that
// has run longest (an allocation bomb runs until stopped), and if the heap stays high, every
// running script; the interrupted runtimes are thrown away and the memory collected. Native
// calls that would allocate a huge result in one step are capped where the host creates them
// (see installLimits), since no interrupt reaches inside them.
type MemoryGuard struct {
	limit     uint64
	highWater uint64
	interval  time.Duration
	onStop    func(tenant string) // counts a stopped script

	mu      sync.Mutex
	running map[*runtime]guarded
	wake    chan struct{}
}

type guarded struct {
	since  time.Time
	tenant string
}

// NewMemoryGuard guards a process whose memory must stay under limit bytes. onStop, if set,
// is called with the tenant of each script it stops.
func NewMemoryGuard(limit int64, onStop func(tenant string)) *MemoryGuard {
	if onStop == nil {
		onStop = func(string) {}
	}
	return &MemoryGuard{
		limit:     uint64(limit),
		highWater: uint64(float64(limit) * 0.8),
		interval:  5 * time.Millisecond,
		onStop:    onStop,
		running:   make(map[*runtime]guarded),
		wake:      make(chan struct{}, 1),
	}
}

// Limit is the guarded limit in bytes.
func (g *MemoryGuard) Limit() int64 { return int64(g.limit) }

// Run watches the heap until ctx ends; it sleeps while no script runs.
func (g *MemoryGuard) Run(ctx context.Context) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	ticker := time.NewTicker(g.interval)
	defer ticker.Stop()
	for {
		g.mu.Lock()
		idle := len(g.running) == 0
		g.mu.Unlock()
		if idle {
			select {
			case <-g.wake:
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 || sample[0].Value.Uint64() < g.highWater {
			continue
		}
		// Collect first: the heap counts garbage too, and only live memory is a reason to stop
		// anyone.
		goruntime.GC()
		metrics.Read(sample)
		if heap := sample[0].Value.Uint64(); heap >= g.highWater {
			g.stop(heap)
			goruntime.GC()
		}
	}
}

// stop interrupts the longest-running script, or every running script when the heap is past
// the limit itself.
func (g *MemoryGuard) stop(heap uint64) {
	// Interrupt under the lock: a script that has left (and whose runtime may already serve
	// another call) is never interrupted by mistake.
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.running) == 0 {
		return
	}
	type entry struct {
		rt *runtime
		guarded
	}
	victims := make([]entry, 0, len(g.running))
	for rt, info := range g.running {
		victims = append(victims, entry{rt, info})
	}
	slices.SortFunc(victims, func(a, b entry) int { return a.since.Compare(b.since) })
	if heap < g.limit {
		victims = victims[:1]
	}
	for _, v := range victims {
		v.rt.vm.Interrupt(ErrMemoryLimit)
		delete(g.running, v.rt)
		g.onStop(v.tenant)
	}
}

func (g *MemoryGuard) enter(rt *runtime, tenant string) {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.running[rt] = guarded{since: time.Now(), tenant: tenant}
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

func (g *MemoryGuard) leave(rt *runtime) {
	if g == nil {
		return
	}
	g.mu.Lock()
	delete(g.running, rt)
	g.mu.Unlock()
}

// DefaultMemoryLimit is the limit the process runs under: GOMEMLIMIT (or debug.SetMemoryLimit)
// when set, else the cgroup's memory.max, else half the machine's memory.
func DefaultMemoryLimit() int64 {
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < math.MaxInt64 {
		return limit
	}
	if limit, ok := cgroupLimit(); ok {
		return limit
	}
	if total, ok := physicalMemory(); ok {
		return total / 2
	}
	return 2 << 30
}

func cgroupLimit() (int64, bool) {
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		text := strings.TrimSpace(string(data))
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n <= 0 || n >= 1<<60 { // "max", or the v1 "unlimited" sentinel
			continue
		}
		return n, true
	}
	return 0, false
}

func physicalMemory() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		var kb int64
		if _, err := fmt.Sscanf(scanner.Text(), "MemTotal: %d kB", &kb); err == nil {
			return kb << 10, true
		}
	}
	return 0, false
}
