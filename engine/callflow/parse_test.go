package callflow

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Builders of test answers, so that each case shows only what it is about.

func sayWith(params string) string {
	return `{"action":"say","params":{"text":"Hello"` + comma(params) + `}}`
}

func sacWith(params string) string {
	return `{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales"` + comma(params) + `}}`
}

func callTo(source, destination string) string {
	return `{"action":"makeCall","params":{"source":"` + source + `","destination":"` + destination + `"}}`
}

func playURL(url string) string {
	return `{"action":"playFile","params":{"fileUrl":"` + url + `"}}`
}

const hangupJSON = `{"action":"hangup"}`

func flow(actions ...string) string {
	return "[" + strings.Join(actions, ",") + "]"
}

func comma(s string) string {
	if s == "" {
		return ""
	}
	return "," + s
}

func boolPtr(b bool) *bool { return &b }

// problemsOf parses in and returns its problems, failing if it parses.
func problemsOf(t *testing.T, in string, d Defaults) []Problem {
	t.Helper()
	a, err := Parse([]byte(in), d)
	if err == nil {
		t.Fatalf("Parse(%s) succeeded with %s, want an error", in, a.Encode())
	}
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Parse(%s) error is %T, want *ValidationError", in, err)
	}
	if len(verr.Problems) == 0 {
		t.Fatalf("Parse(%s) returned a ValidationError without problems", in)
	}
	return verr.Problems
}

func mustParse(t *testing.T, in string, d Defaults) *Answer {
	t.Helper()
	a, err := Parse([]byte(in), d)
	if err != nil {
		t.Fatalf("Parse(%s): %v", in, err)
	}
	return a
}

// TestRejects holds, for every rule, answers that break it, with the path
// and 8x8 code a user would look for in the log.
func TestRejects(t *testing.T) {
	long := strings.Repeat("a", 3001)
	tests := []struct {
		name string
		in   string
		path string
		code int
		msg  string // a part of the message
	}{
		// -1007: the five actions.
		{"unknown action", flow(`{"action":"dial","params":{}}`), "callflow[0].action", -1007, `unknown action "dial"`},
		{"action name is case sensitive", flow(`{"action":"Say","params":{"text":"x"}}`), "callflow[0].action", -1007, `did you mean "say"?`},
		{"alias suggested", flow(`{"action":"gather","params":{}}`), "callflow[0].action", -1007, `did you mean "sayAndCapture"?`},
		{"action not a string", flow(`{"action":1,"params":{}}`), "callflow[0].action", -1009, "must be a string"},
		{"action missing", flow(`{"params":{"text":"x"}}`), "callflow[0].action", -1009, "is missing"},
		{"action not an object", flow(`"say"`), "callflow[0]", -1009, "must be an action object"},

		// -1009: required params present and typed.
		{"say without text", flow(`{"action":"say","params":{"voiceProfile":"en-GB-Emma"}}`), "callflow[0].params.text", -1009, "is missing but it is required"},
		{"say text a number", flow(`{"action":"say","params":{"text":42}}`), "callflow[0].params.text", -1009, "must be a string, got a number"},
		{"say text null", flow(`{"action":"say","params":{"text":null}}`), "callflow[0].params.text", -1009, "must be a string, got null"},
		{"say without params", flow(`{"action":"say"}`), "callflow[0].params", -1009, "is missing but it is required for say"},
		{"params an array", flow(`{"action":"say","params":[]}`), "callflow[0].params", -1009, "must be an object, got an array"},
		{"sayAndCapture without promptMessage", flow(`{"action":"sayAndCapture","params":{"maxDigits":1}}`), "callflow[0].params.promptMessage", -1009, "is missing"},
		{"playFile without fileUrl", flow(`{"action":"playFile","params":{}}`), "callflow[0].params.fileUrl", -1009, "is missing"},
		{"makeCall without source", flow(`{"action":"makeCall","params":{"destination":"+6560000001"}}`), "callflow[0].params.source", -1009, "is missing"},
		{"makeCall without destination", flow(`{"action":"makeCall","params":{"source":"+6560000001"}}`), "callflow[0].params.destination", -1009, "is missing"},
		{"destination a number", flow(`{"action":"makeCall","params":{"source":"+6560000001","destination":6560000002}}`), "callflow[0].params.destination", -1009, "must be a string, got a number"},
		{"integer not whole", flow(sacWith(`"maxDigits":1.5`)), "callflow[0].params.maxDigits", -1009, "must be an integer, got 1.5"},
		{"integer as string", flow(sacWith(`"maxDigits":"4"`)), "callflow[0].params.maxDigits", -1009, `must be an integer, got the string "4"`},
		{"speed as string", flow(sayWith(`"speed":"fast"`)), "callflow[0].params.speed", -1009, "must be a number"},
		{"completeOnHash not boolean", flow(sacWith(`"completeOnHash":"false"`)), "callflow[0].params.completeOnHash", -1009, "must be true or false"},
		{"callRecording not boolean", flow(`{"action":"makeCall","params":{"source":"+6560000001","destination":"+6560000002","callRecording":1}}`), "callflow[0].params.callRecording", -1009, "must be true or false"},
		{"successMessage a number", flow(sacWith(`"successMessage":5`)), "callflow[0].params.successMessage", -1009, "must be a string or null"},
		{"successMessage empty", flow(sacWith(`"successMessage":""`)), "callflow[0].params.successMessage", -1009, "use null"},
		{"failureMessage too long", flow(sacWith(`"failureMessage":"` + long + `"`)), "callflow[0].params.failureMessage", -1009, "at most 3000"},
		{"duplicate param", flow(`{"action":"say","params":{"text":"a","text":"b"}}`), "callflow[0].params.text", -1009, "appears more than once"},
		{"duplicate action key", flow(`{"action":"say","action":"say","params":{"text":"a"}}`), "callflow[0].action", -1009, "appears more than once"},

		// Ranges (§3).
		{"text empty", flow(`{"action":"say","params":{"text":""}}`), "callflow[0].params.text", -1009, "must not be empty"},
		{"text 3001 characters", flow(`{"action":"say","params":{"text":"` + long + `"}}`), "callflow[0].params.text", -1009, "at most 3000 characters long, got 3001"},
		{"text 3001 emoji", flow(`{"action":"say","params":{"text":"` + strings.Repeat("😀", 3001) + `"}}`), "callflow[0].params.text", -1009, "got 3001"},
		{"promptMessage empty", flow(`{"action":"sayAndCapture","params":{"promptMessage":""}}`), "callflow[0].params.promptMessage", -1009, "must not be empty"},
		{"promptMessage 3001", flow(`{"action":"sayAndCapture","params":{"promptMessage":"` + long + `"}}`), "callflow[0].params.promptMessage", -1009, "at most 3000"},
		{"voiceProfile empty", flow(sayWith(`"voiceProfile":""`)), "callflow[0].params.voiceProfile", -1009, "must name a speech profile"},
		{"repetition 0", flow(sayWith(`"repetition":0`)), "callflow[0].params.repetition", -1009, "must be between 1 and 3, got 0"},
		{"repetition 4", flow(sayWith(`"repetition":4`)), "callflow[0].params.repetition", -1009, "must be between 1 and 3, got 4"},
		{"sayAndCapture repetition 4", flow(sacWith(`"repetition":4`)), "callflow[0].params.repetition", -1009, "between 1 and 3"},
		{"playFile repetition 4", flow(`{"action":"playFile","params":{"fileUrl":"https://a.example/x.mp3","repetition":4}}`), "callflow[0].params.repetition", -1009, "between 1 and 3"},
		{"speed 0.4", flow(sayWith(`"speed":0.4`)), "callflow[0].params.speed", -1009, "between 0.5 and 2.0, got 0.4"},
		{"speed 2.01", flow(sacWith(`"speed":2.01`)), "callflow[0].params.speed", -1009, "between 0.5 and 2.0"},
		{"maxDigits 0", flow(sacWith(`"maxDigits":0`)), "callflow[0].params.maxDigits", -1009, "between 1 and 25, got 0"},
		{"maxDigits 26", flow(sacWith(`"maxDigits":26`)), "callflow[0].params.maxDigits", -1009, "between 1 and 25, got 26"},
		{"minDigits 0", flow(sacWith(`"minDigits":0,"maxDigits":4`)), "callflow[0].params.minDigits", -1009, "at least 1, got 0"},
		{"digitTimeout 0", flow(sacWith(`"digitTimeout":0,"overallTimeout":5000`)), "callflow[0].params.digitTimeout", -1009, "at least 1"},
		{"overallTimeout 0", flow(sacWith(`"overallTimeout":0`)), "callflow[0].params.overallTimeout", -1009, "at least 1, got 0"},
		{"overallTimeout beyond int32", flow(sacWith(`"overallTimeout":2147483648`)), "callflow[0].params.overallTimeout", -1009, "at most 2147483647"},
		{"overallTimeout huge", flow(sacWith(`"overallTimeout":1e400`)), "callflow[0].params.overallTimeout", -1009, "at most 2147483647"},
		{"noOfTries 0", flow(sacWith(`"noOfTries":0`)), "callflow[0].params.noOfTries", -1009, "at least 1, got 0"},
		{"noOfTries negative", flow(sacWith(`"noOfTries":-2`)), "callflow[0].params.noOfTries", -1009, "at least 1, got -2"},

		// -1003: minDigits needs a valid maxDigits.
		{"minDigits without maxDigits", flow(sacWith(`"minDigits":2`)), "callflow[0].params.maxDigits", -1003, "is required when minDigits is given"},
		{"minDigits above maxDigits", flow(sacWith(`"minDigits":5,"maxDigits":4`)), "callflow[0].params.minDigits", -1003, "must not be greater than maxDigits (4), got 5"},
		{"minDigits with maxDigits 30", flow(sacWith(`"minDigits":2,"maxDigits":30`)), "callflow[0].params.maxDigits", -1003, "between 1 and 25"},

		// -1005, -1006: digitTimeout needs a greater overallTimeout.
		{"digitTimeout without overallTimeout", flow(sacWith(`"digitTimeout":3000`)), "callflow[0].params.overallTimeout", -1005, "is required when digitTimeout is given"},
		{"digitTimeout equal to overallTimeout", flow(sacWith(`"digitTimeout":5000,"overallTimeout":5000`)), "callflow[0].params.digitTimeout", -1006, "must be less than overallTimeout (5000), got 5000"},
		{"digitTimeout above overallTimeout", flow(sacWith(`"digitTimeout":6000,"overallTimeout":5000`)), "callflow[0].params.digitTimeout", -1006, "less than overallTimeout"},

		// -1008: completeOnHash false needs maxDigits 1..25.
		{"completeOnHash false without maxDigits", flow(sacWith(`"completeOnHash":false`)), "callflow[0].params.maxDigits", -1008, "is required when completeOnHash is false"},
		{"completeOnHash false with maxDigits 26", flow(sacWith(`"completeOnHash":false,"maxDigits":26`)), "callflow[0].params.maxDigits", -1008, "between 1 and 25"},

		// -1010: at most two makeCall.
		{"three makeCall", flow(callTo("+6560000001", "+6560000002"), callTo("+6560000001", "+6560000003"), callTo("+6560000001", "+6560000004")), "callflow[2]", -1010, "at most two makeCall"},

		// -1012: hangup last, not straight after sayAndCapture.
		{"hangup first", flow(hangupJSON, sayWith("")), "callflow[0]", -1012, "must be the last action"},
		{"hangup after sayAndCapture", flow(sacWith(""), hangupJSON), "callflow[1]", -1012, "ignore the captured digits"},
		{"hangup with params", flow(`{"action":"hangup","params":{"reason":"busy"}}`), "callflow[0].params.reason", -1009, "hangup takes no params"},
		{"hangup with null params", flow(`{"action":"hangup","params":null}`), "callflow[0].params", -1009, "hangup takes no params"},

		// Decision: nothing after sayAndCapture.
		{"say after sayAndCapture", flow(sacWith(""), sayWith("")), "callflow[1]", 0, "no action may follow sayAndCapture (callflow[0])"},
		{"two sayAndCapture", flow(sacWith(""), sacWith("")), "callflow[1]", 0, "no action may follow sayAndCapture"},

		// No unknown params, no unknown keys.
		{"near miss of a param", flow(sacWith(`"maxdigits":4`)), "callflow[0].params.maxdigits", -1009, `unknown param "maxdigits" for sayAndCapture; did you mean "maxDigits"?`},
		{"typo of a param", flow(sacWith(`"overalTimeout":4000`)), "callflow[0].params.overalTimeout", -1009, `did you mean "overallTimeout"?`},
		{"text on sayAndCapture", flow(`{"action":"sayAndCapture","params":{"text":"Press 1"}}`), "callflow[0].params.text", -1009, `did you mean "promptMessage"?`},
		{"param of another action", flow(sayWith(`"maxDigits":1`)), "callflow[0].params.maxDigits", -1009, "only sayAndCapture takes it"},
		{"unrelated param", flow(sayWith(`"colour":"red"`)), "callflow[0].params.colour", -1009, "say takes text, voiceProfile, repetition, speed"},
		{"makeCall from/to", flow(`{"action":"makeCall","params":{"from":"+6560000001","destination":"+6560000002","source":"+6560000001"}}`), "callflow[0].params.from", -1009, `did you mean "source"?`},
		{"unknown key in action", flow(`{"action":"say","params":{"text":"x"},"parameters":{}}`), "callflow[0].parameters", -1009, `did you mean "params"?`},
		{"param beside params", flow(`{"action":"say","params":{"text":"x"},"voiceProfile":"en-GB-Emma"}`), "callflow[0].voiceProfile", -1009, "belongs inside params"},
		{"unknown envelope key", `{"callflow":` + flow(sayWith("")) + `,"validUntil":"2030-01-01"}`, "validUntil", 0, `unknown key "validUntil" in the answer envelope`},
		{"envelope key near miss", `{"clientActionID":"x","callflow":` + flow(sayWith("")) + `}`, "clientActionID", 0, `did you mean "clientActionId"?`},
		{"action keys in envelope", `{"callflow":` + flow(sayWith("")) + `,"action":"say"}`, "action", 0, "actions belong inside the callflow array"},
		{"clientActionId in a single action", `{"action":"say","params":{"text":"x"},"clientActionId":"a"}`, "callflow[0].clientActionId", -1009, "belongs in the envelope"},

		// -1017: phone numbers.
		{"destination with spaces", flow(callTo("+6560000001", "+65 6000 0002")), "callflow[0].params.destination", -1017, "remove the spaces"},
		{"destination with letters", flow(callTo("+6560000001", "+65ABC")), "callflow[0].params.destination", -1017, "E.164"},
		{"destination 16 digits", flow(callTo("+6560000001", "+1234567890123456")), "callflow[0].params.destination", -1017, "with 16 digits"},
		{"destination 1 digit", flow(callTo("+6560000001", "+1")), "callflow[0].params.destination", -1017, "with 1 digits"},
		{"destination leading 0 after +", flow(callTo("+6560000001", "+06560000002")), "callflow[0].params.destination", -1017, "trunk prefix 0"},
		{"destination national form", flow(callTo("+6560000001", "06560000002")), "callflow[0].params.destination", -1017, "trunk prefix 0"},
		{"destination only +", flow(callTo("+6560000001", "+")), "callflow[0].params.destination", -1017, "E.164"},
		{"source invalid", flow(callTo("anonymous", "+6560000002")), "callflow[0].params.source", -1017, "E.164"},

		// playFile URL.
		{"fileUrl relative", flow(playURL("/audio/hello.mp3")), "callflow[0].params.fileUrl", -1009, "absolute http or https URL"},
		{"fileUrl ftp", flow(playURL("ftp://files.example.com/hello.mp3")), "callflow[0].params.fileUrl", -1009, "got a ftp: URL"},
		{"fileUrl without host", flow(playURL("https:///hello.mp3")), "callflow[0].params.fileUrl", -1009, "with a host name"},
		{"fileUrl with a space", flow(playURL("https://files.example.com/my file.mp3")), "callflow[0].params.fileUrl", -1009, "%20"},

		// The envelope.
		{"empty callflow", `{"callflow":[]}`, "callflow", 0, "at least one action"},
		{"empty bare array", `[]`, "callflow", 0, "at least one action"},
		{"callflow missing", `{"clientActionId":"menu"}`, "callflow", 0, "is missing"},
		{"callflow an object", `{"callflow":{"action":"hangup"}}`, "callflow", 0, "must be an array of actions, got an object"},
		{"callflow duplicated", `{"callflow":` + flow(sayWith("")) + `,"callflow":` + flow(sayWith("")) + `}`, "callflow", 0, "appears more than once"},
		{"clientActionId a number", `{"clientActionId":7,"callflow":` + flow(sayWith("")) + `}`, "clientActionId", 0, "must be a string, got a number"},
		{"clientActionId too long", `{"clientActionId":"` + strings.Repeat("m", 129) + `","callflow":` + flow(sayWith("")) + `}`, "clientActionId", 0, "at most 128 characters long, got 129"},
		{"clientActionId not ASCII", `{"clientActionId":"menü","callflow":` + flow(sayWith("")) + `}`, "clientActionId", 0, "printable ASCII"},
		{"clientActionId control character", `{"clientActionId":"a\nb","callflow":` + flow(sayWith("")) + `}`, "clientActionId", 0, "printable ASCII"},
		{"empty object", `{}`, "callflow", 0, "is missing"},
		{"answer a string", `"hello"`, "", 0, "got a string"},
		{"answer null", `null`, "", 0, "got null"},
		{"answer empty", ``, "", 0, "the answer is empty"},
		{"answer blank", " \n", "", 0, "the answer is empty"},

		// Syntax.
		{"truncated", `[{"action":"say"`, "", 0, "not valid JSON"},
		{"trailing comma", `[{"action":"hangup"},]`, "", 0, "not valid JSON"},
		{"trailing garbage", `[{"action":"hangup"}] x`, "", 0, "after the end of the answer"},
		{"single quotes", `[{'action':'hangup'}]`, "", 0, "not valid JSON"},
		{"raw newline in string", "[{\"action\":\"say\",\"params\":{\"text\":\"a\nb\"}}]", "", 0, "control characters must be escaped"},
		{"bad escape", `[{"action":"say","params":{"text":"\x41"}}]`, "", 0, "after a backslash"},
		{"leading zero", flow(sacWith(`"maxDigits":01`)), "", 0, "not valid JSON"},
		{"NaN", flow(sayWith(`"speed":NaN`)), "", 0, "not valid JSON"},
		{"too deep", `[{"action":"say","params":{"text":"x","junk":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}}]`, "", 0, "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := problemsOf(t, tt.in, Defaults{})
			for _, p := range ps {
				if p.Path == tt.path && p.Code == tt.code && strings.Contains(p.Message, tt.msg) {
					return
				}
			}
			t.Errorf("no problem at %q with code %d and message containing %q; got:\n%s", tt.path, tt.code, tt.msg, dump(ps))
		})
	}
}

func dump(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\t%s [%d]\n", p, p.Code)
	}
	return b.String()
}

// TestAccepts holds, for every rule, answers at its edge that must pass.
func TestAccepts(t *testing.T) {
	text3000 := strings.Repeat("a", 3000)
	tests := []struct {
		name string
		in   string
	}{
		{"say", flow(sayWith(""))},
		{"sayAndCapture", flow(sacWith(""))},
		{"playFile", flow(playURL("https://cdn.example.com/audio/welcome.mp3"))},
		{"makeCall", flow(callTo("+6560000001", "+6560000002"))},
		{"hangup", flow(sayWith(""), hangupJSON)},
		{"all params of say", flow(sayWith(`"voiceProfile":"en-GB-Emma","repetition":3,"speed":2.0`))},
		{"all params of sayAndCapture", flow(sacWith(`"voiceProfile":"en-US-BenjaminRUS","speed":0.5,"repetition":1,"minDigits":1,"maxDigits":25,"digitTimeout":1,"overallTimeout":2,"completeOnHash":false,"noOfTries":3,"successMessage":"Thanks","failureMessage":"Sorry"`))},
		{"all params of playFile", flow(`{"action":"playFile","params":{"fileUrl":"http://cdn.example.com:8080/a.wav?sig=abc","repetition":3}}`)},
		{"all params of makeCall", flow(`{"action":"makeCall","params":{"source":"6512345678","destination":"+6587654321","callRecording":false}}`)},
		{"text of 3000 characters", flow(`{"action":"say","params":{"text":"` + text3000 + `"}}`)},
		{"text of 3000 emoji", flow(`{"action":"say","params":{"text":"` + strings.Repeat("😀", 3000) + `"}}`)},
		{"text of one character", flow(`{"action":"say","params":{"text":"a"}}`)},
		{"repetition 1", flow(sayWith(`"repetition":1`))},
		{"speed 0.5", flow(sayWith(`"speed":0.5`))},
		{"speed 1", flow(sayWith(`"speed":1`))},
		{"integer written 2.0", flow(sacWith(`"maxDigits":2.0`))},
		{"integer written 1e1", flow(sacWith(`"maxDigits":1e1`))},
		{"maxDigits 1", flow(sacWith(`"maxDigits":1`))},
		{"minDigits equal to maxDigits", flow(sacWith(`"minDigits":4,"maxDigits":4`))},
		{"minDigits below maxDigits", flow(sacWith(`"minDigits":2,"maxDigits":4`))},
		{"digitTimeout below overallTimeout", flow(sacWith(`"digitTimeout":4999,"overallTimeout":5000`))},
		{"overallTimeout at int32 max", flow(sacWith(`"overallTimeout":2147483647`))},
		{"completeOnHash false with maxDigits", flow(sacWith(`"completeOnHash":false,"maxDigits":4`))},
		{"completeOnHash true without maxDigits", flow(sacWith(`"completeOnHash":true`))},
		{"two makeCall", flow(callTo("+6560000001", "+6560000002"), callTo("+6560000001", "+6560000003"))},
		{"makeCall then say", flow(callTo("+6560000001", "+6560000002"), sayWith(""))},
		{"say then sayAndCapture", flow(sayWith(""), playURL("https://a.example/b.mp3"), sacWith(""))},
		{"hangup with empty params", flow(sayWith(""), `{"action":"hangup","params":{}}`)},
		{"hangup alone", flow(hangupJSON)},
		{"successMessage null", flow(sacWith(`"successMessage":null,"failureMessage":null`))},
		{"number of 2 digits", flow(callTo("+65", "65"))},
		{"number of 15 digits", flow(callTo("+123456789012345", "123456789012345"))},
		{"clientActionId null", `{"clientActionId":null,"callflow":` + flow(sayWith("")) + `}`},
		{"clientActionId empty", `{"clientActionId":"","callflow":` + flow(sayWith("")) + `}`},
		{"clientActionId of 128", `{"clientActionId":"` + strings.Repeat("m", 128) + `","callflow":` + flow(sayWith("")) + `}`},
		{"clientActionId punctuation", `{"clientActionId":"menu:main/2 {\"try\":1}","callflow":` + flow(sayWith("")) + `}`},
		{"whitespace everywhere", " \n{ \"callflow\" :\t[ { \"action\" : \"hangup\" } ] }\r\n"},
		{"escaped keys", `[{"\u0061ction":"say","par\u0061ms":{"te\u0078t":"x"}}]`},
		{"params before action", `[{"params":{"promptMessage":"Press 1"},"action":"sayAndCapture"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustParse(t, tt.in, Defaults{})
		})
	}
}

func TestThreeShapes(t *testing.T) {
	want := &Answer{Callflow: []Action{&Say{Text: "Goodbye", VoiceProfile: "en-GB-Emma"}}}
	say := `{"action":"say","params":{"text":"Goodbye","voiceProfile":"en-GB-Emma"}}`
	for name, in := range map[string]string{
		"envelope":     `{"callflow":[` + say + `]}`,
		"bare array":   `[` + say + `]`,
		"one action":   say,
		"params first": `{"params":{"text":"Goodbye","voiceProfile":"en-GB-Emma"},"action":"say"}`,
	} {
		t.Run(name, func(t *testing.T) {
			got := mustParse(t, in, Defaults{})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(%s) = %s, want %s", in, got.Encode(), want.Encode())
			}
		})
	}

	t.Run("envelope with clientActionId", func(t *testing.T) {
		got := mustParse(t, `{"callflow":[`+say+`],"clientActionId":"menu_main"}`, Defaults{})
		if got.ClientActionID != "menu_main" {
			t.Errorf("ClientActionID = %q, want menu_main", got.ClientActionID)
		}
	})

	t.Run("one action keeps paths of the envelope form", func(t *testing.T) {
		ps := problemsOf(t, `{"action":"say","params":{"text":""}}`, Defaults{})
		if ps[0].Path != "callflow[0].params.text" {
			t.Errorf("path = %q, want callflow[0].params.text", ps[0].Path)
		}
	})
}

// TestNormalization checks what Parse fills in, through what the user sees:
// the encoded answer.
func TestNormalization(t *testing.T) {
	tenant := Defaults{VoiceProfile: "en-GB-Emma", MaxDigits: 4, OverallTimeout: 8000, NoOfTries: 2}
	tests := []struct {
		name string
		in   string
		d    Defaults
		want string
	}{
		{
			"say gets the built-in voiceProfile", flow(sayWith("")), Defaults{},
			`{"callflow":[{"action":"say","params":{"text":"Hello","voiceProfile":"en-US-Standard-A"}}]}`,
		},
		{
			"say gets the tenant's voiceProfile", flow(sayWith("")), tenant,
			`{"callflow":[{"action":"say","params":{"text":"Hello","voiceProfile":"en-GB-Emma"}}]}`,
		},
		{
			"an explicit voiceProfile wins", flow(sayWith(`"voiceProfile":"en-US-BenjaminRUS"`)), tenant,
			`{"callflow":[{"action":"say","params":{"text":"Hello","voiceProfile":"en-US-BenjaminRUS"}}]}`,
		},
		{
			"sayAndCapture gets built-in maxDigits, overallTimeout, noOfTries", flow(sacWith("")), Defaults{},
			`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales","voiceProfile":"en-US-Standard-A","maxDigits":1,"overallTimeout":10000,"noOfTries":1}}]}`,
		},
		{
			"sayAndCapture gets the tenant's defaults", flow(sacWith("")), tenant,
			`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales","voiceProfile":"en-GB-Emma","maxDigits":4,"overallTimeout":8000,"noOfTries":2}}]}`,
		},
		{
			"explicit values win over defaults", flow(sacWith(`"maxDigits":6,"overallTimeout":20000,"noOfTries":3,"voiceProfile":"en-US-BenjaminRUS"`)), tenant,
			`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales","voiceProfile":"en-US-BenjaminRUS","maxDigits":6,"overallTimeout":20000,"noOfTries":3}}]}`,
		},
		{
			"completeOnHash true still fills maxDigits", flow(sacWith(`"completeOnHash":true`)), tenant,
			`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales","voiceProfile":"en-GB-Emma","maxDigits":4,"overallTimeout":8000,"completeOnHash":true,"noOfTries":2}}]}`,
		},
		{
			"digitTimeout with overallTimeout: nothing to fill but noOfTries", flow(sacWith(`"maxDigits":4,"digitTimeout":2000,"overallTimeout":9000`)), Defaults{},
			`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales","voiceProfile":"en-US-Standard-A","maxDigits":4,"digitTimeout":2000,"overallTimeout":9000,"noOfTries":1}}]}`,
		},
		{
			"null messages are left out", flow(sacWith(`"successMessage":null,"failureMessage":null`)), Defaults{},
			`{"callflow":[{"action":"sayAndCapture","params":{"promptMessage":"Press 1 for sales","voiceProfile":"en-US-Standard-A","maxDigits":1,"overallTimeout":10000,"noOfTries":1}}]}`,
		},
		{
			"playFile and makeCall get nothing", flow(callTo("+6560000001", "+6560000002"), playURL("https://a.example/b.mp3")), tenant,
			`{"callflow":[{"action":"makeCall","params":{"source":"+6560000001","destination":"+6560000002"}},{"action":"playFile","params":{"fileUrl":"https://a.example/b.mp3"}}]}`,
		},
		{
			"hangup params dropped", flow(sayWith(""), `{"action":"hangup","params":{}}`), Defaults{},
			`{"callflow":[{"action":"say","params":{"text":"Hello","voiceProfile":"en-US-Standard-A"}},{"action":"hangup"}]}`,
		},
		{
			"empty clientActionId dropped", `{"clientActionId":"","callflow":[` + hangupJSON + `]}`, Defaults{},
			`{"callflow":[{"action":"hangup"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(mustParse(t, tt.in, tt.d).Encode())
			if got != tt.want {
				t.Errorf("Parse(%s).Encode()\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestNoFillHidingMistakes checks that Parse does not fill a value where
// 8x8 requires the author's own.
func TestNoFillHidingMistakes(t *testing.T) {
	d := Defaults{MaxDigits: 4, OverallTimeout: 8000}
	tests := []struct {
		name string
		in   string
		path string
		code int
	}{
		{"minDigits without maxDigits", flow(sacWith(`"minDigits":2`)), "callflow[0].params.maxDigits", -1003},
		{"completeOnHash false without maxDigits", flow(sacWith(`"completeOnHash":false`)), "callflow[0].params.maxDigits", -1008},
		{"digitTimeout without overallTimeout", flow(sacWith(`"digitTimeout":2000`)), "callflow[0].params.overallTimeout", -1005},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := problemsOf(t, tt.in, d)
			if len(ps) != 1 || ps[0].Path != tt.path || ps[0].Code != tt.code {
				t.Errorf("got\n%swant exactly one problem at %s with code %d", dump(ps), tt.path, tt.code)
			}
		})
	}

	t.Run("both reasons reported", func(t *testing.T) {
		ps := problemsOf(t, flow(sacWith(`"minDigits":2,"completeOnHash":false`)), d)
		codes := map[int]bool{}
		for _, p := range ps {
			codes[p.Code] = true
		}
		if !codes[-1003] || !codes[-1008] {
			t.Errorf("want -1003 and -1008, got\n%s", dump(ps))
		}
	})

	t.Run("a bad default is blamed on the defaults", func(t *testing.T) {
		ps := problemsOf(t, flow(sacWith("")), Defaults{MaxDigits: 30})
		if len(ps) != 1 || ps[0].Path != "callflow[0].params.maxDigits" || !strings.Contains(ps[0].Message, "tenant's defaults") {
			t.Errorf("got\n%s", dump(ps))
		}
	})
}

func TestReportsEveryProblem(t *testing.T) {
	in := `{"clientActionId":7,"callflow":[` +
		`{"action":"say","params":{"text":"","speed":9}},` +
		`{"action":"sayAndCapture","params":{"promptMessage":"Enter your PIN","maxdigits":4}},` +
		`{"action":"makeCall","params":{"source":"+6560000001","destination":"12-34"}},` +
		`{"action":"hangup"}],"extra":true}`
	ps := problemsOf(t, in, Defaults{})
	want := []struct {
		path string
		code int
	}{
		{"clientActionId", 0},
		{"callflow[0].params.text", -1009},
		{"callflow[0].params.speed", -1009},
		{"callflow[1].params.maxdigits", -1009},
		{"callflow[2].params.destination", -1017},
		{"callflow[2]", 0}, // follows sayAndCapture
		{"extra", 0},
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(ps), len(want), dump(ps))
	}
	for i, w := range want {
		if ps[i].Path != w.path || ps[i].Code != w.code {
			t.Errorf("problem %d = %s (code %d), want path %s code %d", i, ps[i], ps[i].Code, w.path, w.code)
		}
	}
}

func TestValidationErrorString(t *testing.T) {
	err := &ValidationError{Problems: []Problem{
		{Path: "callflow[1].params.maxDigits", Message: "must be between 1 and 25, got 30", Code: -1009},
		{Path: "", Message: "the answer is empty"},
		{Path: "extra", Message: "unknown key"},
	}}
	want := "callflow[1].params.maxDigits: must be between 1 and 25, got 30; the answer is empty; extra: unknown key"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	_, perr := Parse([]byte(flow(sacWith(`"maxDigits":30`))), Defaults{})
	if got, want := perr.Error(), "callflow[0].params.maxDigits: must be between 1 and 25, got 30"; got != want {
		t.Errorf("Parse error = %q, want %q", got, want)
	}
}

func TestDefaultsValidate(t *testing.T) {
	tests := []struct {
		d    Defaults
		path string // "" when valid
	}{
		{Defaults{}, ""},
		{Defaults{VoiceProfile: "en-GB-Emma", MaxDigits: 25, OverallTimeout: 1, NoOfTries: 1}, ""},
		{Defaults{MaxDigits: 26}, "defaults.maxDigits"},
		{Defaults{MaxDigits: -1}, "defaults.maxDigits"},
		{Defaults{OverallTimeout: -5}, "defaults.overallTimeout"},
		{Defaults{NoOfTries: -1}, "defaults.noOfTries"},
		{Defaults{VoiceProfile: "  "}, "defaults.voiceProfile"},
	}
	for _, tt := range tests {
		err := tt.d.Validate()
		if tt.path == "" {
			if err != nil {
				t.Errorf("%+v: Validate() = %v, want nil", tt.d, err)
			}
			continue
		}
		var verr *ValidationError
		if !errors.As(err, &verr) || verr.Problems[0].Path != tt.path {
			t.Errorf("%+v: Validate() = %v, want a problem at %s", tt.d, err, tt.path)
		}
	}
}

func TestUnicodeRepair(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"surrogate pair", `"\ud83d\ude00"`, "😀"},
		{"lone high surrogate", `"ab\ud83d"`, "ab\uFFFD"},
		{"lone low surrogate", `"\ude00x"`, "\uFFFDx"},
		{"high then escape", `"\ud83d\n"`, "\uFFFD\n"},
		{"two highs", `"\ud83d\ud83d\ude00"`, "\uFFFD😀"},
		{"invalid UTF-8", "\"a\xffb\"", "a\uFFFDb"},
		{"escapes", `"\"\\\/\b\f\n\r\t\u00e9"`, "\"\\/\b\f\n\r\t\u00e9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustParse(t, `{"action":"say","params":{"text":`+tt.in+`}}`, Defaults{})
			if got := a.Callflow[0].(*Say).Text; got != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseStringMatchesParse(t *testing.T) {
	in := `{"clientActionId":"m","callflow":[` + sacWith("") + `]}`
	a := mustParse(t, in, Defaults{})
	b, err := ParseString(in, Defaults{})
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("ParseString = %v, %v; want %v", b, err, a)
	}
}

func TestParsedValues(t *testing.T) {
	in := flow(
		sayWith(`"voiceProfile":"en-GB-Emma","repetition":2,"speed":1.25`),
		callTo("+6560000001", "+6560000002"),
		`{"action":"makeCall","params":{"source":"+6560000001","destination":"+6560000003","callRecording":true}}`,
		playURL("https://a.example/b.mp3"),
		sacWith(`"minDigits":2,"maxDigits":8,"digitTimeout":3000,"overallTimeout":15000,"completeOnHash":false,"noOfTries":3,"successMessage":"Thanks","failureMessage":null,"speed":0.75,"repetition":2`),
	)
	got := mustParse(t, in, Defaults{})
	want := &Answer{Callflow: []Action{
		&Say{Text: "Hello", VoiceProfile: "en-GB-Emma", Repetition: 2, Speed: 1.25},
		&MakeCall{Source: "+6560000001", Destination: "+6560000002"},
		&MakeCall{Source: "+6560000001", Destination: "+6560000003", CallRecording: boolPtr(true)},
		&PlayFile{FileURL: "https://a.example/b.mp3"},
		&SayAndCapture{
			PromptMessage: "Press 1 for sales", VoiceProfile: DefaultVoiceProfile, Speed: 0.75, Repetition: 2,
			MinDigits: 2, MaxDigits: 8, DigitTimeout: 3000, OverallTimeout: 15000,
			CompleteOnHash: boolPtr(false), NoOfTries: 3, SuccessMessage: "Thanks",
		},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse =\n%s\nwant\n%s", got.Encode(), want.Encode())
	}
	for i, name := range []string{"say", "makeCall", "makeCall", "playFile", "sayAndCapture"} {
		if got.Callflow[i].ActionName() != name {
			t.Errorf("Callflow[%d].ActionName() = %q, want %q", i, got.Callflow[i].ActionName(), name)
		}
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`[{"action":"hangup"},]`, "at byte 22"},
		{"{\n  \"callflow\": [\n    {\"action\": hangup}\n  ]\n}", "at line 3, column 16"},
	}
	for _, tt := range tests {
		ps := problemsOf(t, tt.in, Defaults{})
		if len(ps) != 1 || ps[0].Path != "" || !strings.Contains(ps[0].Message, tt.want) {
			t.Errorf("Parse(%q) problems:\n%swant one mentioning %q", tt.in, dump(ps), tt.want)
		}
	}
}

func TestPathsOfOddKeys(t *testing.T) {
	tests := []struct {
		in, path string
	}{
		{`{"callflow":[{"action":"hangup"}],"a.b":1}`, `["a.b"]`},
		{`{"callflow":[{"action":"hangup"}],"":1}`, `[""]`},
		{`[{"action":"say","params":{"text":"x","line\nbreak":1}}]`, `callflow[0].params["line\nbreak"]`},
		{`[{"action":"say","params":{"text":"x","2fast":1}}]`, `callflow[0].params["2fast"]`},
		{`[{"action":"say","params":{"text":"x"},"$ref":1}]`, `callflow[0].$ref`},
	}
	for _, tt := range tests {
		ps := problemsOf(t, tt.in, Defaults{})
		if ps[0].Path != tt.path {
			t.Errorf("Parse(%s) path = %s, want %s", tt.in, ps[0].Path, tt.path)
		}
	}
}
