package callflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics, agrees with encoding/json on
// what is JSON, and that what it accepts survives an Encode/Parse round
// trip byte for byte, whatever the defaults of the second Parse.
func FuzzParse(f *testing.F) {
	for _, s := range realisticAnswers {
		f.Add([]byte(s))
	}
	f.Add([]byte(typicalAnswer))
	f.Add([]byte(`[{"action":"hangup","params":{}}]`))
	f.Add([]byte(`{"params":{"text":"\ud83d"},"action":"say"}`))
	f.Add([]byte(`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"x","minDigits":2,"completeOnHash":false,"digitTimeout":1e3}}],"x":[[{}]]}`))

	other := Defaults{VoiceProfile: "xx-XX-Other", MaxDigits: 7, OverallTimeout: 4321, NoOfTries: 9}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data, Defaults{})
		if err != nil {
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("Parse error %T %v is not a ValidationError with problems", err, err)
			}
			for _, p := range verr.Problems {
				if p.Message == "" {
					t.Fatalf("problem at %q without a message", p.Path)
				}
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("Parse accepted invalid JSON %q", data)
		}
		enc := a.Encode()
		if !json.Valid(enc) {
			t.Fatalf("Encode produced invalid JSON %q", enc)
		}
		b, err := Parse(enc, other)
		if err != nil {
			t.Fatalf("Parse(Encode(a)) failed: %v\ninput: %q\nencoded: %s", err, data, enc)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Parse(Encode(a)) != a\ninput: %q\nencoded: %s\nagain:   %s", data, enc, b.Encode())
		}
		if again := b.Encode(); !bytes.Equal(enc, again) {
			t.Fatalf("re-encoding differs\nfirst:  %s\nsecond: %s", enc, again)
		}
	})
}
