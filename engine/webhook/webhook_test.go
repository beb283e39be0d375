package webhook

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// sharedEvents is the project's folder of sample webhook bodies; the repository sits beside
// it locally and in CI. testdata/events holds copies, used when it is absent.
const sharedEvents = "../../../shared/voice/events"

func eventsDir(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(sharedEvents); err == nil {
		return sharedEvents
	}
	return filepath.Join("testdata", "events")
}

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(eventsDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestParseSampleEvents(t *testing.T) {
	tests := []struct {
		file string
		want Event
	}{
		{"call-status-connected.json", Event{
			EventType: CallStatus, Tenant: "rideshare_nm",
			EventID:    "8d21c7f0-5b7e-11ef-9a41-0242ac120002",
			SessionID:  "7c441478-5b7e-11ef-9a41-0242ac120002",
			CallID:     "8d21c95a-5b7e-11ef-9a41-0242ac120002",
			CallStatus: "CALL_CONNECTED",
		}},
		{"ivr-action-completed-dtmf.json", Event{
			EventType: CallAction, Tenant: "acme_ivr",
			EventID:        "4a07d3e2-5b7e-11ef-9a41-0242ac120002",
			SessionID:      "3f1c2c9a-5b7e-11ef-9a41-0242ac120002",
			CallID:         "3f1c2b6e-5b7e-11ef-9a41-0242ac120002",
			CallStatus:     StatusActionCompleted,
			ClientActionID: "main_menu", HasClientActionID: true,
			DTMF: "2", HasDTMF: true,
		}},
		{"ivr-action-completed-legacy-string.json", Event{
			EventType: CallAction, Tenant: "acme_ivr",
			EventID:        "61e0a7aa-5b7e-11ef-9a41-0242ac120002",
			SessionID:      "61e0aa2a-5b7e-11ef-9a41-0242ac120002",
			CallID:         "61e0a8f4-5b7e-11ef-9a41-0242ac120002",
			CallStatus:     StatusActionCompleted,
			ClientActionID: "survey_q1", HasClientActionID: true,
			DTMF: "1", HasDTMF: true,
		}},
		{"ivr-action-completed-no-input.json", Event{
			EventType: CallAction, Tenant: "acme_ivr",
			EventID:        "55b2f0c4-5b7e-11ef-9a41-0242ac120002",
			SessionID:      "3f1c2c9a-5b7e-11ef-9a41-0242ac120002",
			CallID:         "3f1c2b6e-5b7e-11ef-9a41-0242ac120002",
			CallStatus:     StatusActionCompleted,
			ClientActionID: "main_menu", HasClientActionID: true,
		}},
		{"ivr-call-received.json", Event{
			EventType: CallAction, Tenant: "acme_ivr",
			EventID:    "3f1c2a10-5b7e-11ef-9a41-0242ac120002",
			SessionID:  "3f1c2c9a-5b7e-11ef-9a41-0242ac120002",
			CallID:     "3f1c2b6e-5b7e-11ef-9a41-0242ac120002",
			CallStatus: StatusCallReceived,
		}},
		{"masking-call-received.json", Event{
			EventType: CallAction, Tenant: "rideshare_nm",
			EventID:    "7c4411d0-5b7e-11ef-9a41-0242ac120002",
			SessionID:  "7c441478-5b7e-11ef-9a41-0242ac120002",
			CallID:     "7c44132e-5b7e-11ef-9a41-0242ac120002",
			CallStatus: StatusCallReceived,
		}},
		{"numbers-updated.json", Event{EventType: VirtualNumberUpdate, Tenant: "rideshare_nm"}},
		{"recording-uploaded.json", Event{
			EventType: CallRecordingStatus,
			SessionID: "7c441478-5b7e-11ef-9a41-0242ac120002",
		}},
		// The legs under details carry callId and callStatus too: they must not leak up.
		{"session-summary-completed.json", Event{
			EventType: SessionSummary, Tenant: "acme_ivr",
			SessionID: "3f1c2c9a-5b7e-11ef-9a41-0242ac120002",
		}},
		{"session-summary-error.json", Event{
			EventType: SessionSummary, Tenant: "acme_ivr",
			SessionID: "61e0aa2a-5b7e-11ef-9a41-0242ac120002",
		}},
	}

	files, err := filepath.Glob(filepath.Join(eventsDir(t), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !slices.ContainsFunc(tests, func(tt struct {
			file string
			want Event
		}) bool {
			return tt.file == filepath.Base(f)
		}) {
			t.Errorf("sample %s has no expectation in this test: add one", filepath.Base(f))
		}
	}

	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := readEvent(t, tt.file)
			got, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if &got.Raw[0] != &body[0] || len(got.Raw) != len(body) {
				t.Errorf("Raw is not the body passed in")
			}
			if want := referenceMembers(t, body); !reflect.DeepEqual(got.Members, want) {
				t.Errorf("Parse(%s).Members\n got %+v\nwant %+v", tt.file, got.Members, want)
			}
			got.Raw, got.Members = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Parse(%s)\n got %+v\nwant %+v", tt.file, *got, tt.want)
			}
		})
	}
}

// The copies in testdata must not drift from the project's samples.
func TestSampleCopiesMatchShared(t *testing.T) {
	if _, err := os.Stat(sharedEvents); err != nil {
		t.Skip("shared samples not present:", err)
	}
	shared, _ := filepath.Glob(filepath.Join(sharedEvents, "*.json"))
	copies, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if len(shared) != len(copies) {
		t.Errorf("testdata/events has %d files, %s has %d", len(copies), sharedEvents, len(shared))
	}
	for _, f := range shared {
		orig, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := os.ReadFile(filepath.Join("testdata", "events", filepath.Base(f)))
		if err != nil {
			t.Errorf("missing copy: %v", err)
			continue
		}
		if !bytes.Equal(orig, cp) {
			t.Errorf("testdata/events/%s differs from %s", filepath.Base(f), f)
		}
	}
}

// body builds a CALL_ACTION for acme_ivr with the given payload members added.
func body(payloadMembers string) string {
	p := `"subAccountId":"acme_ivr","eventId":"e1"`
	if payloadMembers != "" {
		p += "," + payloadMembers
	}
	return `{"eventType":"CALL_ACTION","payload":{` + p + `}}`
}

func TestParseDigits(t *testing.T) {
	tests := []struct {
		name, payload string
		dtmf          string
		has           bool
		speech        string
	}{
		{"eventData.dtmf", `"eventData":{"dtmf":"123#"}`, "123#", true, ""},
		{"eventData as string", `"eventData":"45"`, "45", true, ""},
		{"payload.dtmf", `"dtmf":"6"`, "6", true, ""},
		{"no digits anywhere", ``, "", false, ""},
		{"eventData.dtmf null", `"eventData":{"dtmf":null}`, "", false, ""},
		{"eventData.dtmf empty", `"eventData":{"dtmf":""}`, "", false, ""},
		{"eventData empty string", `"eventData":""`, "", false, ""},
		{"eventData null", `"eventData":null`, "", false, ""},
		{"eventData.dtmf wins over payload.dtmf", `"dtmf":"2","eventData":{"dtmf":"1"}`, "1", true, ""},
		{"eventData string wins over payload.dtmf", `"dtmf":"2","eventData":"3"`, "3", true, ""},
		{"null eventData.dtmf falls through to payload.dtmf", `"eventData":{"dtmf":null},"dtmf":"7"`, "7", true, ""},
		{"empty eventData falls through to payload.dtmf", `"eventData":"","dtmf":"7"`, "7", true, ""},
		{"number is its digits", `"eventData":{"dtmf":42}`, "42", true, ""},
		{"number as eventData", `"eventData":9`, "9", true, ""},
		{"number in payload.dtmf", `"dtmf":0`, "0", true, ""},
		{"negative number is not digits", `"eventData":{"dtmf":-1}`, "", false, ""},
		{"fraction is not digits", `"eventData":{"dtmf":1.5}`, "", false, ""},
		{"exponent is not digits", `"dtmf":1e3`, "", false, ""},
		{"boolean is not digits", `"eventData":{"dtmf":true}`, "", false, ""},
		{"array is not digits", `"eventData":["1"]`, "", false, ""},
		{"object dtmf is not digits", `"eventData":{"dtmf":{"value":"1"}}`, "", false, ""},
		{"eventData.eventData is not looked at", `"eventData":{"eventData":"1"}`, "", false, ""},
		{"escaped digits", `"eventData":{"dtmf":"\u0031\u0032"}`, "12", true, ""},
		{"last eventData wins", `"eventData":{"dtmf":"1"},"eventData":"2"`, "2", true, ""},
		{"last eventData wins, object after string", `"eventData":"2","eventData":{"asrCaptured":"hi"}`, "", false, "hi"},
		{"repeated eventData drops earlier members", `"eventData":{"dtmf":"1"},"eventData":{}`, "", false, ""},
		{"last dtmf wins", `"eventData":{"dtmf":"1","dtmf":null}`, "", false, ""},
		{"speech", `"eventData":{"dtmf":null,"asrCaptured":"sales please"}`, "", false, "sales please"},
		{"speech not a string", `"eventData":{"asrCaptured":1}`, "", false, ""},
		{"unknown members ignored", `"eventData":{"x":[{"dtmf":"9"}],"dtmf":"8","y":{}}`, "8", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Parse([]byte(body(tt.payload)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if ev.DTMF != tt.dtmf || ev.HasDTMF != tt.has || ev.Speech != tt.speech {
				t.Errorf("got DTMF %q (has %v), Speech %q; want %q (has %v), %q",
					ev.DTMF, ev.HasDTMF, ev.Speech, tt.dtmf, tt.has, tt.speech)
			}
			if ev.Tenant != "acme_ivr" || ev.EventID != "e1" {
				t.Errorf("other fields disturbed: %+v", ev)
			}
		})
	}
}

func TestParseLenientFields(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Event // Raw is not compared
	}{
		{"minimal", `{"eventType":"CALL_ACTION"}`, Event{EventType: CallAction}},
		{"unknown event type", `{"eventType":"SOMETHING_NEW","payload":{}}`, Event{EventType: "SOMETHING_NEW"}},
		{"empty event type", `{"eventType":""}`, Event{}},
		{"white space around", " \t\r\n{\"eventType\" : \"X\" } \n", Event{EventType: "X"}},
		{"subAccountId null is absent", `{"eventType":"X","payload":{"subAccountId":null}}`, Event{EventType: "X"}},
		{"eventId number ignored", `{"eventType":"X","payload":{"eventId":12,"sessionId":true,"callId":{},"callStatus":5}}`, Event{EventType: "X"}},
		{"clientActionId null", `{"eventType":"X","payload":{"clientActionId":null}}`, Event{EventType: "X"}},
		{"clientActionId number", `{"eventType":"X","payload":{"clientActionId":3}}`, Event{EventType: "X"}},
		{"clientActionId empty", `{"eventType":"X","payload":{"clientActionId":""}}`, Event{EventType: "X", HasClientActionID: true}},
		{"keys are case-sensitive", `{"eventType":"X","EventType":"Y","payload":{"SubAccountId":"b","subaccountid":"c"}}`, Event{EventType: "X"}},
		{"escaped keys match", `{"event\u0054ype":"X","payload":{"sub\u0041ccountId":"acme_ivr"}}`, Event{EventType: "X", Tenant: "acme_ivr"}},
		{"escaped values decode", `{"eventType":"CALL\u005fACTION","payload":{"subAccountId":"acme\u005fivr","eventId":"a\"b\\c\/d\n"}}`,
			Event{EventType: CallAction, Tenant: "acme_ivr", EventID: "a\"b\\c/d\n"}},
		{"non-ASCII kept", `{"eventType":"X","payload":{"clientActionId":"menü"}}`, Event{EventType: "X", ClientActionID: "menü", HasClientActionID: true}},
		{"invalid UTF-8 becomes U+FFFD", "{\"eventType\":\"X\",\"payload\":{\"eventId\":\"a\xffb\"}}", Event{EventType: "X", EventID: "a\uFFFDb"}},
		{"lone surrogate becomes U+FFFD", `{"eventType":"X","payload":{"eventId":"\ud800"}}`, Event{EventType: "X", EventID: "\uFFFD"}},
		{"surrogate pair", `{"eventType":"X","payload":{"eventId":"\ud83d\ude00"}}`, Event{EventType: "X", EventID: "😀"}},
		{"last key wins", `{"eventType":"A","eventType":"B","payload":{"subAccountId":"one","subAccountId":"two"}}`, Event{EventType: "B", Tenant: "two"}},
		{"last key wins even when null", `{"eventType":"X","payload":{"subAccountId":"one","subAccountId":null}}`, Event{EventType: "X"}},
		{"repeated payload replaces the earlier one", `{"eventType":"X","payload":{"subAccountId":"one","eventId":"e"},"payload":{"callId":"c"}}`, Event{EventType: "X", CallID: "c"}},
		{"top-level fields are not payload fields", `{"eventType":"X","subAccountId":"t","eventId":"e","dtmf":"1"}`, Event{EventType: "X"}},
		{"nested fields are not payload fields", `{"eventType":"X","payload":{"details":{"callA":{"callId":"c","subAccountId":"t"}}}}`, Event{EventType: "X"}},
		{"unknown fields of every type", `{"v":[1,-2.5e+3,true,false,null,{"a":[]},"s"],"eventType":"X","payload":{"n":0,"o":{"p":{"q":[[]]}}}}`, Event{EventType: "X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if want := referenceMembers(t, []byte(tt.body)); !reflect.DeepEqual(got.Members, want) {
				t.Errorf("Members\n got %+v\nwant %+v", got.Members, want)
			}
			got.Raw, got.Members = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name string
		body string
		// exactly one of these describes the expected error
		syntax    string // substring of the message of a *SyntaxError
		line, col int
		offset    int64
		notObject bool
		field     string // Field of a *FieldError
		fieldMsg  string
	}{
		{name: "empty", body: "", syntax: "unexpected end", line: 1, col: 1, offset: 0},
		{name: "only space", body: " \n ", syntax: "unexpected end", line: 2, col: 2, offset: 3},
		{name: "unterminated object", body: `{"eventType":"X"`, syntax: "unexpected end", line: 1, col: 17, offset: 16},
		{name: "unterminated string", body: `{"eventType":"X`, syntax: "unexpected end", offset: 15, line: 1, col: 16},
		{name: "trailing comma", body: "{\n  \"eventType\": \"X\",\n}", syntax: "invalid character '}' where an object key", line: 3, col: 1, offset: 22},
		{name: "missing colon", body: `{"eventType" "X"}`, syntax: "after an object key (expected ':')", line: 1, col: 14, offset: 13},
		{name: "missing comma", body: `{"a":1 "b":2}`, syntax: "expected ',' or '}'", line: 1, col: 8, offset: 7},
		{name: "single quotes", body: `{'a':1}`, syntax: "invalid character '''", line: 1, col: 2, offset: 1},
		{name: "bare word", body: `{"a":yes}`, syntax: "invalid character 'y' where a value", offset: 5, line: 1, col: 6},
		{name: "bad literal", body: `{"a":tru}`, syntax: "in the literal true", offset: 8, line: 1, col: 9},
		{name: "NaN", body: `{"a":NaN}`, syntax: "invalid character 'N'", offset: 5, line: 1, col: 6},
		{name: "leading zero", body: `{"a":01}`, syntax: "invalid character '1' after an object member", offset: 6, line: 1, col: 7},
		{name: "lone minus", body: `{"a":-}`, syntax: "in a number", offset: 6, line: 1, col: 7},
		{name: "dot without digits", body: `{"a":1.}`, syntax: "after the decimal point", offset: 7, line: 1, col: 8},
		{name: "bad exponent", body: `{"a":1e}`, syntax: "in an exponent", offset: 7, line: 1, col: 8},
		{name: "control character", body: "{\"a\":\"x\ty\"}", syntax: "control character U+0009", offset: 7, line: 1, col: 8},
		{name: "bad escape", body: `{"a":"\x"}`, syntax: `invalid escape \'x'`, offset: 7, line: 1, col: 8},
		{name: "bad unicode escape", body: `{"a":"\u12g4"}`, syntax: "invalid character 'g' in a \\u escape", offset: 10, line: 1, col: 11},
		{name: "column counts characters", body: "{\"é\":1,}", syntax: "where an object key", offset: 8, line: 1, col: 8},
		{name: "trailing garbage", body: `{"eventType":"X"} x`, syntax: "invalid character 'x' after the top-level value", offset: 18, line: 1, col: 19},
		{name: "two objects", body: `{"eventType":"X"}{}`, syntax: "after the top-level value", offset: 17, line: 1, col: 18},
		{name: "byte order mark", body: "\uFEFF{}", syntax: `'\ufeff' (U+FEFF) where a value`, offset: 0, line: 1, col: 1},
		{name: "NUL", body: "{\"eventType\":\"X\"}\x00", syntax: "byte 0x00 after the top-level value", offset: 17, line: 1, col: 18},
		{name: "too deep", body: `{"eventType":"X","a":` + deep(maxDepth) + `}`, syntax: "nest more than 10000 deep", offset: int64(21 + maxDepth - 1), line: 1, col: 21 + maxDepth},
		{name: "syntax error beats wrong shape", body: `[1,`, syntax: "unexpected end", offset: 3, line: 1, col: 4},

		{name: "array", body: `[1,2]`, notObject: true},
		{name: "string", body: `"CALL_ACTION"`, notObject: true},
		{name: "null", body: `null`, notObject: true},
		{name: "number", body: ` 42 `, notObject: true},

		{name: "payload array", body: `{"eventType":"X","payload":[]}`, field: "payload", fieldMsg: "must be an object, got an array"},
		{name: "payload null", body: `{"eventType":"X","payload":null}`, field: "payload", fieldMsg: "must be an object, got null"},
		{name: "payload string", body: `{"eventType":"X","payload":"{}"}`, field: "payload", fieldMsg: "must be an object, got a string"},
		{name: "last payload is not an object", body: `{"eventType":"X","payload":{},"payload":1}`, field: "payload", fieldMsg: "must be an object, got a number"},
		{name: "eventType missing", body: `{"payload":{"subAccountId":"acme_ivr"}}`, field: "eventType", fieldMsg: "is missing"},
		{name: "eventType number", body: `{"eventType":1}`, field: "eventType", fieldMsg: "must be a string, got a number"},
		{name: "eventType null", body: `{"eventType":null}`, field: "eventType", fieldMsg: "must be a string, got null"},
		{name: "subAccountId number", body: `{"eventType":"X","payload":{"subAccountId":42}}`, field: "payload.subAccountId", fieldMsg: "must be a string, got a number"},
		{name: "subAccountId array", body: `{"eventType":"X","payload":{"subAccountId":["acme_ivr"]}}`, field: "payload.subAccountId", fieldMsg: "must be a string, got an array"},
		{name: "subAccountId boolean", body: `{"eventType":"X","payload":{"subAccountId":false}}`, field: "payload.subAccountId", fieldMsg: "must be a string, got a boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Parse([]byte(tt.body))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", ev)
			}
			if ev != nil {
				t.Errorf("Parse returned an event with its error")
			}
			var se *SyntaxError
			var fe *FieldError
			switch {
			case tt.syntax != "":
				if !errors.As(err, &se) {
					t.Fatalf("got %T %v, want a *SyntaxError", err, err)
				}
				if !strings.Contains(se.Msg, tt.syntax) || se.Line != tt.line || se.Column != tt.col || se.Offset != tt.offset {
					t.Errorf("got line %d col %d offset %d %q; want line %d col %d offset %d, message containing %q",
						se.Line, se.Column, se.Offset, se.Msg, tt.line, tt.col, tt.offset, tt.syntax)
				}
			case tt.notObject:
				if !errors.Is(err, ErrNotObject) {
					t.Fatalf("got %v, want ErrNotObject", err)
				}
			default:
				if !errors.As(err, &fe) {
					t.Fatalf("got %T %v, want a *FieldError", err, err)
				}
				if fe.Field != tt.field || fe.Msg != tt.fieldMsg {
					t.Errorf("got %q %q, want %q %q", fe.Field, fe.Msg, tt.field, tt.fieldMsg)
				}
			}
		})
	}
}

func TestParseMaxDepthAccepted(t *testing.T) {
	// The envelope is depth 1, so an array value may open maxDepth-1 levels.
	n := maxDepth - 1
	b := `{"eventType":"X","a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	if _, err := Parse([]byte(b)); err != nil {
		t.Fatalf("nesting %d deep refused: %v", maxDepth, err)
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{"{\n\"eventType\": \"X\",\n}", "webhook body is not valid JSON: line 3, column 1 (byte 20): invalid character '}' where an object key (a string in double quotes) was expected"},
		{`[]`, "webhook body is not a JSON object: it is an array"},
		{`{"eventType":"X","payload":{"subAccountId":7}}`, "webhook body: payload.subAccountId: must be a string, got a number"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.body))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got %v\nwant %s", tt.body, err, tt.want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	body := readEvent(b, "ivr-action-completed-dtmf.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
