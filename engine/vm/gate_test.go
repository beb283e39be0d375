package vm

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGateSharesAndBorrows(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		meanRun time.Duration // the tenant's recent runs
		cores   int
		want    int // runs admitted at once
	}{
		{"short runs borrow every idle core", 50 * time.Microsecond, 4, 4},
		{"long runs keep to the share", 20 * time.Millisecond, 4, 1},
		{"without cores there is nothing to borrow", 50 * time.Microsecond, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cores *Cores
			if tt.cores > 0 {
				cores = NewCores(tt.cores)
			}
			g := NewGate(1, 5*time.Millisecond, cores)
			g.meanRun.Store(int64(tt.meanRun))
			var holds []hold
			for {
				h, _, err := g.acquire(ctx)
				if errors.Is(err, ErrOverloaded) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				holds = append(holds, h)
			}
			if len(holds) != tt.want {
				t.Errorf("%d runs admitted at once, want %d", len(holds), tt.want)
			}
			for _, h := range holds {
				g.release(h)
			}
			if h, ok := g.take(); !ok || !h.slot {
				t.Errorf("after every release the tenant's slot is not free: %+v %v", h, ok)
			}
		})
	}
}

func TestGateShareIsNotTakenByBorrowers(t *testing.T) {
	cores := NewCores(2)
	busy := NewGate(1, time.Millisecond, cores)
	busy.meanRun.Store(int64(10 * time.Microsecond))
	var held []hold
	for range 2 { // the busy tenant's own slot and one borrowed core: no core is left
		h, _, err := busy.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, h)
	}
	other := NewGate(1, time.Millisecond, cores)
	h, waited, err := other.acquire(context.Background())
	if err != nil || !h.slot || waited != 0 {
		t.Fatalf("another tenant did not get its share at once: %+v waited %v, %v", h, waited, err)
	}
	other.release(h)
	for _, h := range held {
		busy.release(h)
	}
}

func TestGateMeanRunFollowsTheRuns(t *testing.T) {
	g := NewGate(1, time.Millisecond, NewCores(2))
	if g.borrowable() != nil {
		t.Error("a new gate may borrow before its runs are known")
	}
	for range 40 {
		h, _, err := g.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		g.release(h) // runs of a few microseconds
	}
	if g.borrowable() == nil {
		t.Errorf("after 40 short runs (mean %v) the tenant still may not borrow", time.Duration(g.meanRun.Load()))
	}
}
