package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The garbage collector's headroom as the server sets it (unless GOGC is set): Go's default
// lets the heap grow by as much as is live before collecting. A server answering webhooks for
// a few tenants has a small live heap, and at that default collects several times for every
// few thousand webhooks; one holding ten thousand tenants has a large one, and at that default
// doubles its memory. So the headroom is at least minGCHeadroom while the heap is small, and
// 30% of the live heap (GOGC=30) once it is large (10,000 tenants stay under 1 GiB). With
// 10,000 tenants, 256 MiB rather than 128 MiB of headroom is a third more req/s when calls
// spread over all of them, for about 160 MiB more at the peak (BENCHMARKS.md).
const (
	minGCHeadroom   = 256 << 20
	minGCPercent    = 30
	maxGCPercent    = 400
	gcTuneInterval  = 250 * time.Millisecond
	liveHeapMetric  = "/gc/heap/live:bytes"
	operatorGCKnobs = "GOGC"
)

// gcPercentFor is the GOGC for a live heap of live bytes.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	return int(min(max(minGCHeadroom*100/live, minGCPercent), maxGCPercent))
}

// tuneGC sets GOGC from the live heap four times a second until ctx ends (a heap that grows
// fast, as while ten thousand tenants load, must not outrun it), unless the operator set
// GOGC.
func tuneGC(ctx context.Context) {
	if _, set := os.LookupEnv(operatorGCKnobs); set {
		return
	}
	sample := []metrics.Sample{{Name: liveHeapMetric}}
	ticker := time.NewTicker(gcTuneInterval)
	defer ticker.Stop()
	current := -1
	for {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			if percent := gcPercentFor(sample[0].Value.Uint64()); percent != current {
				debug.SetGCPercent(percent)
				current = percent
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
