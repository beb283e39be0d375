package webhook_test

import (
	"fmt"

	"github.com/callscript/callscript/engine/webhook"
)

func ExampleParse() {
	body := []byte(`{
	  "eventType": "CALL_ACTION",
	  "payload": {
	    "subAccountId": "acme_ivr",
	    "eventId": "4a07d3e2",
	    "callStatus": "ACTION_COMPLETED",
	    "clientActionId": "main_menu",
	    "eventData": { "dtmf": "2" }
	  }
	}`)
	ev, err := webhook.Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.EventType, ev.Tenant, ev.CallStatus, ev.ClientActionID, ev.DTMF)

	_, err = webhook.Parse([]byte(`{"eventType": "CALL_ACTION", "payload": {"subAccountId": 42}}`))
	fmt.Println(err)
	// Output:
	// CALL_ACTION acme_ivr ACTION_COMPLETED main_menu 2
	// webhook body: payload.subAccountId: must be a string, got a number
}
