package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/callscript/callscript/engine"
)

// BenchmarkReload measures a save: from the file write to the new version answering a call.
// It reports the median and the 99th percentile over the iterations (run it with
// -benchtime=100x for 100 saves).
func BenchmarkReload(b *testing.B) {
	for _, mode := range []struct {
		name string
		poll time.Duration
	}{{"inotify", 0}, {"poll100ms", 100 * time.Millisecond}} {
		b.Run(mode.name, func(b *testing.B) {
			root := b.TempDir()
			writeTenant(b, root, "acme", map[string]string{"index.js": say("v0"), "menus.js": `export const x = 1;`})
			e, _ := newEngine(b, root, engine.Options{Watch: true, Poll: mode.poll})
			path := filepath.Join(root, "acme", "index.js")
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 1; i <= b.N; i++ {
				want := fmt.Sprintf("v%d", i)
				start := time.Now()
				if err := os.WriteFile(path, []byte(say(want)), 0o644); err != nil {
					b.Fatal(err)
				}
				for {
					a := handle(b, e, callAction(nil))
					if sayText(b, a.Body) == want {
						break
					}
					if time.Since(start) > 10*time.Second {
						b.Fatalf("save %d never answered", i)
					}
					time.Sleep(200 * time.Microsecond)
				}
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[(len(took)*99)/100].Microseconds())/1000, "p99-ms")
		})
	}
}
