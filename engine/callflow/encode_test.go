package callflow

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// realisticAnswers are answers scripts return in the products of
// REFERENCE.md §5; they also seed FuzzParse.
var realisticAnswers = []string{
	// IVR main menu.
	`{"clientActionId":"menu_main","callflow":[{"action":"say","params":{"text":"Welcome to Acme."}},{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales, 2 for support.","maxDigits":1,"noOfTries":3,"failureMessage":"Sorry, I did not get that."}}]}`,
	// PIN entry.
	`{"clientActionId":"pin","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Enter your four digit PIN, then press hash.","voiceProfile":"en-GB-Emma","minDigits":4,"maxDigits":4,"digitTimeout":5000,"overallTimeout":20000,"completeOnHash":true,"noOfTries":2,"successMessage":null,"failureMessage":"That PIN is not valid."}}]}`,
	// Transfer to an agent.
	`[{"action":"say","params":{"text":"Connecting you to an agent.","speed":1.1}},{"action":"makeCall","params":{"source":"+6531591234","destination":"+6560000001","callRecording":true}}]`,
	// Number masking.
	`{"action":"makeCall","params":{"source":"+6531591234","destination":"+6598765432"}}`,
	// Refusal.
	`[{"action":"say","params":{"text":"This number is not in service.","repetition":2}},{"action":"hangup"}]`,
	// Hold music, then the agent.
	`{"callflow":[{"action":"playFile","params":{"fileUrl":"https://cdn.example.com/hold.mp3","repetition":3}},{"action":"makeCall","params":{"source":"6531591234","destination":"6560000001"}}]}`,
	// Text with every kind of character.
	`{"callflow":[{"action":"say","params":{"text":"Quote \" backslash \\ tab \t newline \n NUL \u0000 é 日本 😀 \u2028","voiceProfile":"ja-JP-Standard-A"}},{"action":"hangup","params":{}}]}`,
}

func TestEncodeCanonicalOrder(t *testing.T) {
	// The same answer, its keys in two orders.
	a := `{"callflow":[{"params":{"noOfTries":2,"failureMessage":"No","successMessage":"Yes","completeOnHash":false,"overallTimeout":9000,"digitTimeout":3000,"maxDigits":6,"minDigits":2,"repetition":2,"speed":1.5,"voiceProfile":"en-GB-Emma","promptMessage":"PIN?"},"action":"sayAndCapture"}],"clientActionId":"pin"}`
	b := `{"clientActionId":"pin","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"PIN?","voiceProfile":"en-GB-Emma","speed":1.50,"repetition":2,"minDigits":2,"maxDigits":6,"digitTimeout":3000,"overallTimeout":9000,"completeOnHash":false,"noOfTries":2,"successMessage":"Yes","failureMessage":"No"}}]}`
	want := `{"clientActionId":"pin","callflow":[{"action":"sayAndCapture","params":{"promptMessage":"PIN?","voiceProfile":"en-GB-Emma","speed":1.5,"repetition":2,"minDigits":2,"maxDigits":6,"digitTimeout":3000,"overallTimeout":9000,"completeOnHash":false,"noOfTries":2,"successMessage":"Yes","failureMessage":"No"}}]}`
	for _, in := range []string{a, b} {
		if got := string(mustParse(t, in, Defaults{}).Encode()); got != want {
			t.Errorf("Encode of %s\n got %s\nwant %s", in, got, want)
		}
	}

	mc := `[{"action":"makeCall","params":{"callRecording":false,"destination":"+6560000002","source":"+6560000001"}},{"params":{"repetition":1,"fileUrl":"https://a.example/x.wav"},"action":"playFile"},{"params":{"speed":2,"repetition":3,"voiceProfile":"v","text":"t"},"action":"say"},{"action":"hangup"}]`
	wantMC := `{"callflow":[{"action":"makeCall","params":{"source":"+6560000001","destination":"+6560000002","callRecording":false}},{"action":"playFile","params":{"fileUrl":"https://a.example/x.wav","repetition":1}},{"action":"say","params":{"text":"t","voiceProfile":"v","repetition":3,"speed":2}},{"action":"hangup"}]}`
	if got := string(mustParse(t, mc, Defaults{}).Encode()); got != wantMC {
		t.Errorf("Encode\n got %s\nwant %s", got, wantMC)
	}
}

func TestEncodeEscapes(t *testing.T) {
	a := &Answer{ClientActionID: `a"b`, Callflow: []Action{&Say{
		Text:         "\"\\\b\f\n\r\t\x01\x1f/<>&é😀\u2028\u2029",
		VoiceProfile: "v",
	}}}
	want := `{"clientActionId":"a\"b","callflow":[{"action":"say","params":{"text":"\"\\\b\f\n\r\t\u0001\u001f/<>&é😀\u2028\u2029","voiceProfile":"v"}}]}`
	if got := string(a.Encode()); got != want {
		t.Errorf("Encode\n got %s\nwant %s", got, want)
	}
}

func TestEncodeHandBuiltInvalidUTF8(t *testing.T) {
	a := &Answer{Callflow: []Action{&Say{Text: "a\xffb", VoiceProfile: "v"}}}
	got := a.Encode()
	if !json.Valid(got) || !bytes.Contains(got, []byte(`"a\ufffdb"`)) {
		t.Errorf("Encode = %s, want valid JSON with \\ufffd", got)
	}
}

func TestEncodeDeterministic(t *testing.T) {
	for _, in := range realisticAnswers {
		a := mustParse(t, in, Defaults{})
		first := a.Encode()
		for range 3 {
			if again := a.Encode(); !bytes.Equal(first, again) {
				t.Fatalf("Encode differs between calls:\n%s\n%s", first, again)
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, d := range []Defaults{{}, {VoiceProfile: "en-GB-Emma", MaxDigits: 3, OverallTimeout: 7000, NoOfTries: 2}} {
		for _, in := range realisticAnswers {
			a := mustParse(t, in, d)
			enc := a.Encode()
			if !json.Valid(enc) {
				t.Fatalf("Encode produced invalid JSON: %s", enc)
			}
			// Any defaults: an encoded answer is explicit about everything.
			b := mustParse(t, string(enc), Defaults{VoiceProfile: "other", MaxDigits: 9, OverallTimeout: 1234, NoOfTries: 5})
			if !reflect.DeepEqual(a, b) {
				t.Errorf("Parse(Encode(a)) != a\n a: %s\n b: %s", enc, b.Encode())
			}
			if enc2 := b.Encode(); !bytes.Equal(enc, enc2) {
				t.Errorf("re-encoding differs:\n%s\n%s", enc, enc2)
			}
		}
	}
}

// TestEncodeMatchesEncodingJSON checks that Encode's JSON means what it
// says, by reading it back with the standard library.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	type envelope struct {
		ClientActionID *string `json:"clientActionId"`
		Callflow       []struct {
			Action string         `json:"action"`
			Params map[string]any `json:"params"`
		} `json:"callflow"`
	}
	a := mustParse(t, realisticAnswers[6], Defaults{})
	var e envelope
	dec := json.NewDecoder(bytes.NewReader(a.Encode()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatal(err)
	}
	if want := a.Callflow[0].(*Say).Text; e.Callflow[0].Params["text"] != want {
		t.Errorf("text read back as %q, want %q", e.Callflow[0].Params["text"], want)
	}
	if e.ClientActionID != nil {
		t.Errorf("clientActionId present, want it omitted")
	}
	if e.Callflow[1].Action != "hangup" || e.Callflow[1].Params != nil {
		t.Errorf("hangup encoded as %+v, want no params", e.Callflow[1])
	}
}

func TestFallback(t *testing.T) {
	tests := []struct {
		d    Defaults
		want string
	}{
		{Defaults{}, `{"callflow":[{"action":"say","params":{"text":"We are sorry, we cannot take your call right now. Please try again later.","voiceProfile":"en-US-Standard-A"}},{"action":"hangup"}]}`},
		{Defaults{VoiceProfile: "en-GB-Emma"}, `{"callflow":[{"action":"say","params":{"text":"We are sorry, we cannot take your call right now. Please try again later.","voiceProfile":"en-GB-Emma"}},{"action":"hangup"}]}`},
	}
	for _, tt := range tests {
		enc := Fallback(tt.d).Encode()
		if string(enc) != tt.want {
			t.Errorf("Fallback(%+v).Encode()\n got %s\nwant %s", tt.d, enc, tt.want)
		}
		if _, err := Parse(enc, Defaults{}); err != nil {
			t.Errorf("the fallback does not pass its own rules: %v", err)
		}
	}
}

func TestMarshalJSON(t *testing.T) {
	a := mustParse(t, realisticAnswers[3], Defaults{})
	report := struct {
		Answer *Answer `json:"answer"`
	}{a}
	got, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"answer":` + string(a.Encode()) + `}`
	if string(got) != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
}

func TestAppendJSONReusesBuffer(t *testing.T) {
	a := Fallback(Defaults{})
	buf := make([]byte, 0, 1024)
	out := a.AppendJSON(buf[:0])
	if &out[0] != &buf[:1][0] {
		t.Errorf("AppendJSON allocated although the buffer was large enough")
	}
	if !strings.HasPrefix(string(out), `{"callflow":[`) {
		t.Errorf("AppendJSON = %s", out)
	}
}

func TestEncodeAllocatesOnce(t *testing.T) {
	a := mustParse(t, realisticAnswers[1], Defaults{})
	if n := testing.AllocsPerRun(100, func() { a.Encode() }); n != 1 {
		t.Errorf("Encode allocates %v times, want 1", n)
	}
}
