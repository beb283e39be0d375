package idempotency

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentDuplicatesRunOnce(t *testing.T) {
	c := New[string](100, time.Minute)
	var runs atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]string, 20)
	replays := make([]bool, 20)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, replayed, err := c.Do(context.Background(), "tenant\x00event-1", func() (string, bool) {
				runs.Add(1)
				<-release
				return "answer", true
			})
			if err != nil {
				t.Error(err)
			}
			results[i], replays[i] = v, replayed
		}()
	}
	time.Sleep(20 * time.Millisecond) // let the duplicates queue up behind the first delivery
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("produce ran %d times, want 1", n)
	}
	firsts := 0
	for i, v := range results {
		if v != "answer" {
			t.Errorf("delivery %d got %q", i, v)
		}
		if !replays[i] {
			firsts++
		}
	}
	if firsts != 1 {
		t.Errorf("%d deliveries claim to be the first, want 1", firsts)
	}
	// A later duplicate is answered from memory.
	v, replayed, _ := c.Do(context.Background(), "tenant\x00event-1", func() (string, bool) {
		t.Error("produce ran for a remembered key")
		return "", true
	})
	if v != "answer" || !replayed {
		t.Errorf("later duplicate: got %q replayed=%v", v, replayed)
	}
}

func TestUnkeptAnswersAreNotShared(t *testing.T) {
	c := New[int](10, time.Minute)
	var runs int
	for range 3 {
		v, replayed, _ := c.Do(context.Background(), "k", func() (int, bool) { runs++; return runs, false })
		if replayed || v != runs {
			t.Fatalf("got %d replayed=%v after %d runs", v, replayed, runs)
		}
	}
	if runs != 3 {
		t.Fatalf("runs = %d, want 3", runs)
	}
}

func TestWaitingDuplicateHonoursContext(t *testing.T) {
	c := New[int](10, time.Minute)
	started := make(chan struct{})
	release := make(chan struct{})
	go c.Do(context.Background(), "k", func() (int, bool) { close(started); <-release; return 1, true })
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := c.Do(ctx, "k", func() (int, bool) { t.Error("ran twice"); return 0, true }); err == nil {
		t.Fatal("a duplicate waiting past its context returned no error")
	}
	close(release)
}

func TestExpiry(t *testing.T) {
	c := New[int](10, 30*time.Millisecond)
	c.Do(context.Background(), "k", func() (int, bool) { return 1, true })
	deadline := time.Now().Add(5 * time.Second)
	for c.Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	v, replayed, _ := c.Do(context.Background(), "k", func() (int, bool) { return 2, true })
	if replayed || v != 2 {
		t.Fatalf("after expiry got %d replayed=%v, want a fresh run", v, replayed)
	}
}
