// Package nativeivr is the benchmark's yardstick: the IVR step of engine/testdata/bench/ivr
// written directly in Go with encoding/json, as an operator would without callscript.
package nativeivr

import "encoding/json"

type action struct {
	Action string         `json:"action"`
	Params map[string]any `json:"params,omitempty"`
}

type answer struct {
	ClientActionID string   `json:"clientActionId,omitempty"`
	Callflow       []action `json:"callflow"`
}

const (
	mainPrompt    = "Welcome to ACME. For sales, press 1. For support, press 2."
	supportPrompt = "For technical support, press 1. For billing, press 2."
)

// Answer decodes a CALL_ACTION body, routes it like the JavaScript IVR and encodes the answer.
func Answer(body []byte) ([]byte, error) {
	var ev struct {
		EventType string `json:"eventType"`
		Payload   struct {
			CallStatus     string          `json:"callStatus"`
			Destination    string          `json:"destination"`
			ClientActionID string          `json:"clientActionId"`
			EventData      json.RawMessage `json:"eventData"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, err
	}
	var captured struct {
		DTMF *string `json:"dtmf"`
	}
	_ = json.Unmarshal(ev.Payload.EventData, &captured)
	dtmf := ""
	if captured.DTMF != nil {
		dtmf = *captured.DTMF
	}
	switch {
	case ev.Payload.CallStatus == "CALL_RECEIVED":
		return json.Marshal(menu("main_menu", mainPrompt))
	case ev.Payload.ClientActionID == "main_menu" && dtmf == "1":
		return json.Marshal(answer{Callflow: []action{
			{Action: "say", Params: map[string]any{"text": "Connecting you to sales.", "voiceProfile": "en-US-Standard-A"}},
			{Action: "makeCall", Params: map[string]any{"source": ev.Payload.Destination, "destination": "+6560002001"}},
		}})
	case ev.Payload.ClientActionID == "main_menu" && dtmf == "2":
		return json.Marshal(menu("support_menu", supportPrompt))
	}
	return json.Marshal(menu("main_menu", "Sorry. "+mainPrompt))
}

func menu(id, prompt string) answer {
	return answer{ClientActionID: id, Callflow: []action{{Action: "sayAndCapture", Params: map[string]any{
		"promptMessage": prompt, "voiceProfile": "en-US-Standard-A", "maxDigits": 1, "overallTimeout": 8000, "noOfTries": 1}}}}
}
