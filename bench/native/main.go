// Command native serves the benchmark IVR as a plain Go webhook handler (bench/nativeivr),
// the yardstick callscript is measured against.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"

	"github.com/callscript/callscript/bench/nativeivr"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	flag.Parse()
	http.HandleFunc("POST /webhooks/voice", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		out, err := nativeivr.Answer(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
