// Command embed shows callscript's engine inside another Go program, without HTTP: load a
// scripts folder, hand the engine a webhook body, send back what it answers.
//
//	go run ./examples/embed                                  # the bundled scripts, a sample call
//	go run ./examples/embed -scripts examples event.json     # your folder and event
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/callscript/callscript/engine"
)

// sampleCall is an inbound call to the bundled IVR.
const sampleCall = `{"namespace":"VOICE","eventType":"CALL_ACTION","payload":{
  "eventId":"e-1","callId":"c-1","sessionId":"s-1","subAccountId":"acme_ivr",
  "callStatus":"CALL_RECEIVED","source":"+6591234567","destination":"+6560001000"}}`

func main() {
	scripts := flag.String("scripts", "scripts", "the tenants' folder")
	flag.Parse()

	body := []byte(sampleCall)
	if flag.NArg() > 0 {
		var err error
		if body, err = os.ReadFile(flag.Arg(0)); err != nil {
			log.Fatal(err)
		}
	}

	ctx := context.Background()
	eng, err := engine.New(ctx, engine.Options{
		ScriptsDir: *scripts,
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()

	answer, err := eng.Handle(ctx, engine.Request{Body: body})
	if err != nil {
		log.Fatal(err) // a *engine.RequestError: malformed event, unknown tenant, ...
	}
	fmt.Printf("tenant %s, version %s", answer.Tenant, answer.Version)
	if answer.Fallback != "" {
		fmt.Printf(", fallback (%s)", answer.Fallback)
	}
	fmt.Printf("\n%s\n", answer.Body)
}
