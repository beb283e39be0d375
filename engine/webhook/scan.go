package webhook

import (
	"fmt"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// maxDepth is how deeply objects and arrays may nest: encoding/json's limit, so that both
// accept the same bodies.
const maxDepth = 10000

// span locates a value in the body. For a string it covers the text between the quotes; for
// a number, the literal. For other kinds only kind is meaningful.
type span struct {
	kind       jsonscan.Kind
	plain      bool // a string whose text is its value: no escapes, valid UTF-8
	start, end int
}

// scanner is a validating single-pass JSON reader over the body. It accepts exactly what
// encoding/json accepts: strings may hold any bytes but control characters (invalid UTF-8
// included, which decoding replaces by U+FFFD).
type scanner struct {
	jsonscan.Scanner
}

// envelope scans the whole body, recording in env the fields Parse needs.
func (s *scanner) envelope(env *envelope) error {
	s.SkipSpace()
	if s.PeekKind() == jsonscan.Object {
		env.top = jsonscan.Object
		env.members = make([]Member, 0, 4)
		err := s.object(func(key []byte) error {
			start := s.Pos
			if err := s.envelopeMember(key, env); err != nil {
				return err
			}
			env.members = append(env.members, Member{Key: string(key), Start: start, End: s.Pos})
			return nil
		})
		if err != nil {
			return err
		}
	} else {
		v, err := s.value()
		if err != nil {
			return err
		}
		env.top = v.kind
	}
	s.SkipSpace()
	if s.Pos < len(s.Data) {
		return s.errorf(s.Pos, "%s after the top-level value", s.describe(s.Pos))
	}
	return nil
}

func (s *scanner) envelopeMember(key []byte, env *envelope) error {
	var err error
	switch string(key) {
	case "eventType":
		env.eventType, err = s.value()
	case "payload":
		// A repeated payload replaces the earlier one entirely, as in JSON.parse.
		env.payload = payloadFields{}
		if s.PeekKind() == jsonscan.Object {
			env.payloadKind = jsonscan.Object
			return s.object(func(key []byte) error { return s.payloadMember(key, &env.payload) })
		}
		var v span
		v, err = s.value()
		env.payloadKind = v.kind
	default:
		_, err = s.value()
	}
	return err
}

func (s *scanner) payloadMember(key []byte, p *payloadFields) error {
	var err error
	switch string(key) {
	case "eventId":
		p.eventID, err = s.value()
	case "sessionId":
		p.sessionID, err = s.value()
	case "callId":
		p.callID, err = s.value()
	case "callStatus":
		p.callStatus, err = s.value()
	case "subAccountId":
		p.subAccountID, err = s.value()
	case "clientActionId":
		p.clientActionID, err = s.value()
	case "dtmf":
		p.dtmf, err = s.value()
	case "eventData":
		p.eventDataDTMF, p.asrCaptured = span{}, span{}
		if s.PeekKind() == jsonscan.Object {
			p.eventData = span{kind: jsonscan.Object}
			return s.object(func(key []byte) error {
				var err error
				switch string(key) {
				case "dtmf":
					p.eventDataDTMF, err = s.value()
				case "asrCaptured":
					p.asrCaptured, err = s.value()
				default:
					_, err = s.value()
				}
				return err
			})
		}
		p.eventData, err = s.value()
	default:
		_, err = s.value()
	}
	return err
}

// object scans the object starting at s.Pos. For each member it calls member with the
// unescaped key and s.Pos at the member's value; member must scan the value.
func (s *scanner) object(member func(key []byte) error) error {
	more, lexErr := s.Open()
	for more && lexErr == nil {
		var k jsonscan.Span
		if k, lexErr = s.Member(); lexErr != nil {
			break
		}
		key := s.Data[k.Start:k.End]
		if !k.Plain {
			key = jsonscan.AppendUnquoted(nil, key)
		}
		if err := member(key); err != nil {
			return err
		}
		more, lexErr = s.Next('}')
	}
	return s.syntaxError(lexErr)
}

// value scans the value starting at s.Pos, recording where a string or number sits.
func (s *scanner) value() (span, error) {
	v := span{kind: s.PeekKind(), start: s.Pos}
	var err *jsonscan.Error
	switch v.kind {
	case jsonscan.String:
		var str jsonscan.Span
		str, err = s.ReadString()
		v.start, v.end, v.plain = str.Start, str.End, str.Plain
	case jsonscan.Number:
		err = s.ReadNumber()
		v.end = s.Pos
	default:
		err = s.Skip()
	}
	if err != nil {
		return span{}, s.syntaxError(err)
	}
	return v, nil
}

// syntaxError words a syntax error of the scanner; nil stays nil.
func (s *scanner) syntaxError(e *jsonscan.Error) error {
	if e == nil {
		return nil
	}
	at := e.Offset
	if at >= len(s.Data) {
		return s.errorf(len(s.Data), "unexpected end of input")
	}
	switch e.Code {
	case jsonscan.TooDeep:
		return s.errorf(at, "objects and arrays nest more than %d deep", maxDepth)
	case jsonscan.ControlCharacter:
		return s.errorf(at, "control character U+%04X in a string (write it escaped)", s.Data[at])
	case jsonscan.InvalidEscape:
		return s.errorf(at, "invalid escape \\%s in a string", s.CharAt(at))
	case jsonscan.InvalidLiteral:
		return s.errorf(at, "%s in the literal %s", s.describe(at), jsonscan.Literal(s.Data[e.Start]))
	}
	return s.errorf(at, "%s %s", s.describe(at), e.Code)
}

func (s *scanner) errorf(offset int, format string, args ...any) error {
	line, col := jsonscan.Position(s.Data, offset)
	return &SyntaxError{Offset: int64(offset), Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// describe names the byte at i for an error message: "invalid character 'x'".
func (s *scanner) describe(i int) string {
	return "invalid character " + s.CharAt(i)
}
