package callflow

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// Built-in defaults, used where Defaults leaves a field zero.
const (
	DefaultVoiceProfile   = "en-US-Standard-A"
	DefaultMaxDigits      = 1
	DefaultOverallTimeout = 10000 // ms
	DefaultNoOfTries      = 1
)

// Limits of the answer that REFERENCE.md leaves open and this package fixes.
const (
	// MaxTextLength bounds text, promptMessage, successMessage and
	// failureMessage, in Unicode code points.
	MaxTextLength = 3000
	// MaxClientActionIDLength bounds clientActionId, in bytes of printable
	// ASCII.
	MaxClientActionIDLength = 128
	// maxInteger is the largest integer param accepted: 8x8's API declares
	// its integers without a format, which its Java backend reads as int32.
	maxInteger = math.MaxInt32
)

// FallbackText is what the built-in fallback says before hanging up.
const FallbackText = "We are sorry, we cannot take your call right now. Please try again later."

// Defaults fill what the script left out. Zero fields mean "use the
// built-in default" (the Default constants).
type Defaults struct {
	VoiceProfile   string // voiceProfile of say and sayAndCapture
	MaxDigits      int    // maxDigits of sayAndCapture
	OverallTimeout int    // overallTimeout of sayAndCapture, in ms
	NoOfTries      int    // noOfTries of sayAndCapture
}

func (d Defaults) voiceProfile() string {
	if d.VoiceProfile == "" {
		return DefaultVoiceProfile
	}
	return d.VoiceProfile
}

func (d Defaults) maxDigits() int {
	if d.MaxDigits == 0 {
		return DefaultMaxDigits
	}
	return d.MaxDigits
}

func (d Defaults) overallTimeout() int {
	if d.OverallTimeout == 0 {
		return DefaultOverallTimeout
	}
	return d.OverallTimeout
}

func (d Defaults) noOfTries() int {
	if d.NoOfTries == 0 {
		return DefaultNoOfTries
	}
	return d.NoOfTries
}

// Validate checks the defaults themselves, so that a bad tenant setting is
// reported where it is written (paths "defaults.maxDigits" and so on, as in
// tenant.json) rather than as a fault of every script answer it fills.
// It returns nil or a *ValidationError.
func (d Defaults) Validate() error {
	var ps []Problem
	if d.VoiceProfile != "" && (strings.TrimSpace(d.VoiceProfile) == "" || !utf8.ValidString(d.VoiceProfile)) {
		ps = append(ps, Problem{Path: "defaults.voiceProfile", Message: `must name a speech profile such as "en-US-Standard-A"`})
	}
	if d.MaxDigits < 0 || d.MaxDigits > 25 {
		ps = append(ps, Problem{Path: "defaults.maxDigits", Message: "must be between 1 and 25, got " + strconv.Itoa(d.MaxDigits)})
	}
	if d.OverallTimeout < 0 || d.OverallTimeout > maxInteger {
		ps = append(ps, Problem{Path: "defaults.overallTimeout", Message: "must be between 1 and " + strconv.Itoa(maxInteger) + " (ms), got " + strconv.Itoa(d.OverallTimeout)})
	}
	if d.NoOfTries < 0 || d.NoOfTries > maxInteger {
		ps = append(ps, Problem{Path: "defaults.noOfTries", Message: "must be between 1 and " + strconv.Itoa(maxInteger) + ", got " + strconv.Itoa(d.NoOfTries)})
	}
	if ps != nil {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// Answer is a valid answer to a CALL_ACTION webhook: what Parse returns and
// Encode writes. An Answer built by hand is encoded as it is, unchecked;
// run it through Parse(a.Encode(), d) to validate it.
type Answer struct {
	// ClientActionID is echoed back by 8x8 in the next CALL_ACTION of the
	// call; empty means absent.
	ClientActionID string
	// Callflow holds the actions in order: *Say, *SayAndCapture,
	// *PlayFile, *MakeCall or Hangup.
	Callflow []Action
}

// Action is one callflow action. The set is closed: the five types of this
// package are the only ones.
type Action interface {
	// ActionName is the action's name in the callflow, such as "say".
	ActionName() string
	appendJSON(b []byte) []byte
}

// In every action type, a zero optional field means the param is absent
// from the answer; zero is never a valid explicit value for any of them.

// Say speaks text.
type Say struct {
	Text         string
	VoiceProfile string
	Repetition   int     // 1 to 3; 0 = absent
	Speed        float64 // 0.5 to 2.0; 0 = absent
}

// SayAndCapture speaks a prompt and collects DTMF digits, which 8x8 reports
// in the next CALL_ACTION.
type SayAndCapture struct {
	PromptMessage  string
	VoiceProfile   string
	Speed          float64 // 0 = absent
	Repetition     int     // 0 = absent
	MinDigits      int     // 0 = absent
	MaxDigits      int
	DigitTimeout   int // ms; 0 = absent
	OverallTimeout int // ms
	CompleteOnHash *bool
	NoOfTries      int
	SuccessMessage string // "" = absent
	FailureMessage string // "" = absent
}

// PlayFile plays an mp3 or wav file fetched by 8x8.
type PlayFile struct {
	FileURL    string
	Repetition int // 0 = absent
}

// MakeCall bridges the call to another party.
type MakeCall struct {
	Source        string // E.164 caller id
	Destination   string // E.164
	CallRecording *bool
}

// Hangup ends the session.
type Hangup struct{}

func (*Say) ActionName() string           { return "say" }
func (*SayAndCapture) ActionName() string { return "sayAndCapture" }
func (*PlayFile) ActionName() string      { return "playFile" }
func (*MakeCall) ActionName() string      { return "makeCall" }
func (Hangup) ActionName() string         { return "hangup" }

// Fallback is the built-in answer for when a script fails and its tenant
// configured no fallback of its own: an apology, then hangup.
func Fallback(d Defaults) *Answer {
	return &Answer{Callflow: []Action{
		&Say{Text: FallbackText, VoiceProfile: d.voiceProfile()},
		Hangup{},
	}}
}

// Encode returns the answer as compact JSON in canonical form: envelope
// keys clientActionId (omitted when empty) then callflow; each action as
// {"action":...,"params":{...}} with params in the order of REFERENCE.md's
// tables; hangup as {"action":"hangup"}. Equal answers encode to equal bytes.
func (a *Answer) Encode() []byte {
	return a.AppendJSON(make([]byte, 0, a.sizeHint()))
}

// AppendJSON appends Encode's output to b, for callers that reuse buffers.
func (a *Answer) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	if a.ClientActionID != "" {
		b = append(b, `"clientActionId":`...)
		b = appendString(b, a.ClientActionID)
		b = append(b, ',')
	}
	b = append(b, `"callflow":[`...)
	for i, act := range a.Callflow {
		if i > 0 {
			b = append(b, ',')
		}
		b = act.appendJSON(b)
	}
	return append(b, "]}"...)
}

// MarshalJSON encodes the answer as Encode does, so that an Answer can sit
// inside other JSON (a dry-run report, say).
func (a *Answer) MarshalJSON() ([]byte, error) {
	return a.Encode(), nil
}

// sizeHint estimates the encoded length so that Encode allocates once for
// an ordinary answer.
func (a *Answer) sizeHint() int {
	n := 32 + len(a.ClientActionID)
	for _, act := range a.Callflow {
		switch act := act.(type) {
		case *Say:
			n += 96 + len(act.Text) + len(act.VoiceProfile)
		case *SayAndCapture:
			n += 256 + len(act.PromptMessage) + len(act.VoiceProfile) + len(act.SuccessMessage) + len(act.FailureMessage)
		case *PlayFile:
			n += 64 + len(act.FileURL)
		case *MakeCall:
			n += 96 + len(act.Source) + len(act.Destination)
		default:
			n += 24
		}
	}
	return n + n/8 // room for escapes
}

func (s *Say) appendJSON(b []byte) []byte {
	b = append(b, `{"action":"say","params":{"text":`...)
	b = appendString(b, s.Text)
	b = append(b, `,"voiceProfile":`...)
	b = appendString(b, s.VoiceProfile)
	b = appendInt(b, `,"repetition":`, s.Repetition)
	b = appendFloat(b, `,"speed":`, s.Speed)
	return append(b, "}}"...)
}

func (s *SayAndCapture) appendJSON(b []byte) []byte {
	b = append(b, `{"action":"sayAndCapture","params":{"promptMessage":`...)
	b = appendString(b, s.PromptMessage)
	b = append(b, `,"voiceProfile":`...)
	b = appendString(b, s.VoiceProfile)
	b = appendFloat(b, `,"speed":`, s.Speed)
	b = appendInt(b, `,"repetition":`, s.Repetition)
	b = appendInt(b, `,"minDigits":`, s.MinDigits)
	b = appendInt(b, `,"maxDigits":`, s.MaxDigits)
	b = appendInt(b, `,"digitTimeout":`, s.DigitTimeout)
	b = appendInt(b, `,"overallTimeout":`, s.OverallTimeout)
	b = appendBool(b, `,"completeOnHash":`, s.CompleteOnHash)
	b = appendInt(b, `,"noOfTries":`, s.NoOfTries)
	if s.SuccessMessage != "" {
		b = append(b, `,"successMessage":`...)
		b = appendString(b, s.SuccessMessage)
	}
	if s.FailureMessage != "" {
		b = append(b, `,"failureMessage":`...)
		b = appendString(b, s.FailureMessage)
	}
	return append(b, "}}"...)
}

func (p *PlayFile) appendJSON(b []byte) []byte {
	b = append(b, `{"action":"playFile","params":{"fileUrl":`...)
	b = appendString(b, p.FileURL)
	b = appendInt(b, `,"repetition":`, p.Repetition)
	return append(b, "}}"...)
}

func (m *MakeCall) appendJSON(b []byte) []byte {
	b = append(b, `{"action":"makeCall","params":{"source":`...)
	b = appendString(b, m.Source)
	b = append(b, `,"destination":`...)
	b = appendString(b, m.Destination)
	b = appendBool(b, `,"callRecording":`, m.CallRecording)
	return append(b, "}}"...)
}

func (Hangup) appendJSON(b []byte) []byte {
	return append(b, `{"action":"hangup"}`...)
}

// appendInt appends key and v unless v is zero (absent).
func appendInt(b []byte, key string, v int) []byte {
	if v == 0 {
		return b
	}
	b = append(b, key...)
	return strconv.AppendInt(b, int64(v), 10)
}

// appendFloat appends key and v, in the shortest form that reads back as
// the same float64, unless v is zero (absent).
func appendFloat(b []byte, key string, v float64) []byte {
	if v == 0 {
		return b
	}
	b = append(b, key...)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...) // JSON has no such numbers; only a hand-built answer gets here
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// appendBool appends key and *v unless v is nil (absent).
func appendBool(b []byte, key string, v *bool) []byte {
	if v == nil {
		return b
	}
	b = append(b, key...)
	return strconv.AppendBool(b, *v)
}

// appendString appends s as a JSON string, escaping as JSON.stringify does plus U+2028 and
// U+2029 (so the output is also a valid JavaScript literal); invalid UTF-8, possible only in a
// hand-built answer, becomes U+FFFD.
func appendString(b []byte, s string) []byte { return jsonscan.AppendQuoted(b, s, true) }
