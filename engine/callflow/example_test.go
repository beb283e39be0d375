package callflow_test

import (
	"errors"
	"fmt"

	"github.com/callscript/callscript/engine/callflow"
)

func ExampleParse() {
	// What a handler returned, through JSON.stringify: a menu that asks for
	// one digit. The tenant's defaults fill what the script left out.
	handlerResult := `{"clientActionId": "menu_main", "callflow": [
		{"action": "sayAndCapture", "params": {"promptMessage": "Press 1 for sales, 2 for support."}}
	]}`
	defaults := callflow.Defaults{VoiceProfile: "en-GB-Emma"}

	answer, err := callflow.Parse([]byte(handlerResult), defaults)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(answer.Encode()))

	// A broken answer is reported whole, each problem with its path and
	// the code 8x8 would reject it with.
	_, err = callflow.Parse([]byte(`[
		{"action": "sayAndCapture", "params": {"promptMessage": "Enter your PIN", "maxdigits": 4}},
		{"action": "hangup"}
	]`), defaults)
	var verr *callflow.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			fmt.Printf("%d %s\n", p.Code, p)
		}
	}

	// When the script fails, the built-in fallback goes out instead.
	fmt.Println(string(callflow.Fallback(defaults).Encode()))

	// Output:
	// {"clientActionId":"menu_main","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales, 2 for support.","voiceProfile":"en-GB-Emma","maxDigits":1,"overallTimeout":10000,"noOfTries":1}}]}
	// -1009 callflow[0].params.maxdigits: unknown param "maxdigits" for sayAndCapture; did you mean "maxDigits"?
	// -1012 callflow[1]: hangup straight after sayAndCapture makes 8x8 ignore the captured digits; end the callflow with sayAndCapture and answer the next CALL_ACTION instead
	// {"callflow":[{"action":"say","params":{"text":"We are sorry, we cannot take your call right now. Please try again later.","voiceProfile":"en-GB-Emma"}},{"action":"hangup"}]}
}
