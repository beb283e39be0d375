// Package webhook reads the few fields the engine needs out of an 8x8 Voice webhook body.
//
// Parse is tolerant of what 8x8 may send (unknown fields, fields of an unexpected type, the
// three places captured digits have lived in) and strict only where a wrong guess would route
// an event to the wrong tenant. It runs on every request, so it scans the body once, without
// reflection, and allocates only the Event and the strings it returns.
//
// The script sees the same body through JSON.parse; Parse agrees with JSON.parse (and with
// encoding/json) on what the body says: keys are matched exactly (case-sensitively, after
// unescaping), and when a key is repeated the last occurrence wins, replacing the earlier value
// entirely.
package webhook

import (
	"errors"
	"fmt"
	"strings"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// Event types (the envelope's eventType) 8x8 sends. Others may appear and are passed through.
const (
	CallAction          = "CALL_ACTION"
	SessionSummary      = "SESSION_SUMMARY"
	CallStatus          = "CALL_STATUS"
	CallRecordingStatus = "CALL_RECORDING_STATUS"
	VirtualNumberUpdate = "VIRTUAL_NUMBER_UPDATE"
)

// The callStatus values of a CALL_ACTION.
const (
	StatusCallReceived    = "CALL_RECEIVED"
	StatusActionCompleted = "ACTION_COMPLETED"
)

// Event is what the engine needs to know about one webhook before running a script.
// A string field is "" when the body does not carry it as a JSON string (see Parse).
type Event struct {
	// Raw is the body exactly as posted. Parse does not copy it: the caller hands it over
	// and must not modify it afterwards.
	Raw []byte

	EventType  string // the envelope's eventType
	Tenant     string // payload.subAccountId
	EventID    string // payload.eventId
	SessionID  string // payload.sessionId
	CallID     string // payload.callId
	CallStatus string // payload.callStatus

	// ClientActionID is payload.clientActionId: the clientActionId of the previous answer
	// in this session. HasClientActionID tells an absent one from "".
	ClientActionID    string
	HasClientActionID bool

	// DTMF holds the digits the caller entered, wherever this account's payload carries
	// them; HasDTMF is false when nothing was captured.
	DTMF    string
	HasDTMF bool

	// Speech is payload.eventData.asrCaptured, the speech recognition result some older
	// payloads carry; "" when absent.
	Speech string

	// Members are the members of the body's top-level object in the order of the body (a
	// repeated key each time): Parse has read them, so that the script's event object is made
	// from them rather than from a second scan of the body (vm.Call.EventMembers).
	Members []Member
}

// Member is a member of a JSON object: its key, and where its value's JSON text sits in the
// body (Raw[Start:End]).
type Member struct {
	Key        string
	Start, End int
}

// ErrNotObject is returned (wrapped, saying what the body is instead) when the body is valid
// JSON but not an object.
var ErrNotObject = errors.New("webhook body is not a JSON object")

// SyntaxError reports a body that is not valid JSON.
type SyntaxError struct {
	Offset int64 // byte offset of the offending byte; the body's length when it ends too early
	Line   int   // 1-based line of Offset
	Column int   // 1-based column of Offset, counted in characters
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("webhook body is not valid JSON: line %d, column %d (byte %d): %s", e.Line, e.Column, e.Offset, e.Msg)
}

// FieldError reports a field whose value Parse cannot work with: a payload that is not an
// object, an eventType that is missing or not a string, a subAccountId that is not a string.
type FieldError struct {
	Field string // JSON path in the body, e.g. "payload.subAccountId"
	Msg   string // what is wrong, e.g. "must be a string, got a number"
}

func (e *FieldError) Error() string {
	return "webhook body: " + e.Field + ": " + e.Msg
}

// Parse reads body, which must be one JSON object, and returns the fields the engine needs.
//
// It fails with a *SyntaxError when body is not valid JSON (RFC 8259, as encoding/json reads
// it, nesting at most 10000 deep), with an error wrapping ErrNotObject when body is not an
// object, and with a *FieldError when payload is present but not an object, when eventType is
// missing or not a string, or when payload.subAccountId is neither a string nor null: a tenant
// id of the wrong type must not quietly fall through to the _default tenant.
//
// Everything else is read leniently. Unknown fields are ignored. payload.subAccountId null
// counts as absent (8x8 writes null for absent ids). eventId, sessionId, callId, callStatus,
// clientActionId and eventData.asrCaptured count only as JSON strings; any other value leaves
// the field "" (and HasClientActionID false).
//
// The captured digits are taken from the first of these that carries some: payload.eventData.dtmf,
// payload.eventData itself when it is a string (older accounts), payload.dtmf. Null, "", and
// values of other types carry nothing and fall through to the next place. A JSON number written
// as plain digits (no sign, fraction or exponent) is taken as its decimal digits, so 42 gives "42".
func Parse(body []byte) (*Event, error) {
	s := scanner{jsonscan.Scanner{Data: body, MaxDepth: maxDepth}}
	var env envelope
	if err := s.envelope(&env); err != nil {
		return nil, err
	}
	if env.top != jsonscan.Object {
		return nil, fmt.Errorf("%w: it is %s", ErrNotObject, env.top)
	}
	if env.payloadKind != jsonscan.None && env.payloadKind != jsonscan.Object {
		return nil, &FieldError{Field: "payload", Msg: "must be an object, got " + env.payloadKind.String()}
	}
	switch env.eventType.kind {
	case jsonscan.String:
	case jsonscan.None:
		return nil, &FieldError{Field: "eventType", Msg: "is missing"}
	default:
		return nil, &FieldError{Field: "eventType", Msg: "must be a string, got " + env.eventType.kind.String()}
	}
	p := &env.payload
	switch p.subAccountID.kind {
	case jsonscan.String, jsonscan.None, jsonscan.Null:
	default:
		return nil, &FieldError{Field: "payload.subAccountId", Msg: "must be a string, got " + p.subAccountID.kind.String()}
	}

	out := [numOutputs]span{
		outEventType:      env.eventType,
		outTenant:         p.subAccountID,
		outEventID:        p.eventID,
		outSessionID:      p.sessionID,
		outCallID:         p.callID,
		outCallStatus:     p.callStatus,
		outClientActionID: p.clientActionID,
		outSpeech:         p.asrCaptured,
	}
	for i := range out {
		if out[i].kind != jsonscan.String {
			out[i] = span{}
		}
	}
	if p.eventData.kind == jsonscan.Object {
		out[outDTMF] = s.digits(p.eventDataDTMF)
	}
	if out[outDTMF].kind == jsonscan.None {
		out[outDTMF] = s.digits(p.eventData) // an object is not digits: no need to test the kind
	}
	if out[outDTMF].kind == jsonscan.None {
		out[outDTMF] = s.digits(p.dtmf)
	}

	var strs [numOutputs]string
	s.strings(&out, &strs)
	return &Event{
		Raw:               body,
		EventType:         strs[outEventType],
		Tenant:            strs[outTenant],
		EventID:           strs[outEventID],
		SessionID:         strs[outSessionID],
		CallID:            strs[outCallID],
		CallStatus:        strs[outCallStatus],
		ClientActionID:    strs[outClientActionID],
		HasClientActionID: out[outClientActionID].kind != jsonscan.None,
		DTMF:              strs[outDTMF],
		HasDTMF:           out[outDTMF].kind != jsonscan.None,
		Speech:            strs[outSpeech],
		Members:           env.members,
	}, nil
}

// The strings Parse returns, as indexes into one array so that they can share one allocation.
const (
	outEventType = iota
	outTenant
	outEventID
	outSessionID
	outCallID
	outCallStatus
	outClientActionID
	outDTMF
	outSpeech
	numOutputs
)

// envelope collects, in one pass, where the interesting values sit in the body.
type envelope struct {
	top         jsonscan.Kind // kind of the top-level value
	members     []Member      // the top-level object's
	eventType   span
	payloadKind jsonscan.Kind
	payload     payloadFields
}

type payloadFields struct {
	eventID, sessionID, callID, callStatus span
	subAccountID, clientActionID, dtmf     span
	eventData                              span // the value itself when not an object
	eventDataDTMF, asrCaptured             span // members of eventData when it is an object
}

// digits returns v when it carries captured digits (a non-empty string, or a number written
// as plain digits), else the zero span.
func (s *scanner) digits(v span) span {
	switch v.kind {
	case jsonscan.String:
		if v.end > v.start {
			return v
		}
	case jsonscan.Number:
		for _, c := range s.Data[v.start:v.end] {
			if c < '0' || c > '9' {
				return span{}
			}
		}
		return v
	}
	return span{}
}

// strings sets strs[i] to the value of out[i] (a string or a number span; "" when absent).
// Values that need no unescaping are copied into one shared allocation.
func (s *scanner) strings(out *[numOutputs]span, strs *[numOutputs]string) {
	var verbatim [numOutputs]bool
	size := 0
	for i, v := range out {
		if v.kind == jsonscan.None {
			continue
		}
		raw := s.Data[v.start:v.end]
		if v.kind == jsonscan.Number || v.plain {
			verbatim[i] = true
			size += len(raw)
		} else {
			// Decoded as encoding/json does (invalid UTF-8 and lone surrogates become
			// U+FFFD), which is also what a script sees once the body is a JavaScript string.
			strs[i] = jsonscan.Unquote(raw)
		}
	}
	if size == 0 {
		return
	}
	var b strings.Builder
	b.Grow(size)
	var ends [numOutputs]int
	for i, v := range out {
		if verbatim[i] {
			b.Write(s.Data[v.start:v.end])
		}
		ends[i] = b.Len()
	}
	all := b.String()
	start := 0
	for i := range out {
		if verbatim[i] {
			strs[i] = all[start:ends[i]]
		}
		start = ends[i]
	}
}
