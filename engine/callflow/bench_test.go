package callflow

import (
	"encoding/json"
	"testing"
)

// typicalAnswer is the answer of an IVR menu step: a greeting, then a
// capture, with the menu named in clientActionId.
const typicalAnswer = `{"clientActionId":"menu_main","callflow":[{"action":"say","params":{"text":"Welcome to Acme Corporation."}},{"action":"sayAndCapture","params":{"promptMessage":"For sales, press 1. For support, press 2. To hear this again, press 9.","maxDigits":1,"noOfTries":3,"failureMessage":"Sorry, that is not an option."}}]}`

func BenchmarkParse(b *testing.B) {
	data := []byte(typicalAnswer)
	d := Defaults{VoiceProfile: "en-US-Standard-A"}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseEncode(b *testing.B) {
	data := []byte(typicalAnswer)
	d := Defaults{VoiceProfile: "en-US-Standard-A"}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		a, err := Parse(data, d)
		if err != nil {
			b.Fatal(err)
		}
		a.Encode()
	}
}

// BenchmarkEncodingJSONBaseline is the naive alternative, decoding into
// map[string]any and re-encoding without any checks, for comparison.
func BenchmarkEncodingJSONBaseline(b *testing.B) {
	data := []byte(typicalAnswer)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}
