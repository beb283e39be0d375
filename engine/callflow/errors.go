package callflow

import "strings"

// 8x8's status codes for a callflow that fails its validation (REFERENCE.md
// §4). A Problem carries the one 8x8 would answer with, so that a log line
// can be matched against 8x8's own documentation.
const (
	CodeMinDigitsNeedMaxDigits      = -1003 // minDigits given without a valid maxDigits
	CodeDigitTimeoutNeedsOverall    = -1005 // digitTimeout given without overallTimeout
	CodeOverallNotAfterDigitTimeout = -1006 // overallTimeout not greater than digitTimeout
	CodeInvalidAction               = -1007 // action is not one of the five
	CodeCompleteOnHashNeedMaxDigits = -1008 // completeOnHash false without a valid maxDigits
	CodeInvalidEntry                = -1009 // a param missing, mistyped, out of range or unknown
	CodeTooManyActions              = -1010 // more than two makeCall
	CodeMisplacedHangup             = -1012 // hangup not last, or straight after sayAndCapture
	CodeInvalidNumber               = -1017 // makeCall source or destination not E.164
)

// Problem is one thing wrong with an answer.
type Problem struct {
	// Path locates the offending value in the answer's envelope form, for
	// example "callflow[1].params.maxDigits", even when the script returned
	// a bare array or a single action (which are callflow[i] and
	// callflow[0]). It is empty for problems with the answer as a whole.
	Path string
	// Message says what is wrong, in the script author's terms.
	Message string
	// Code is the status code 8x8 would reject the answer with (the Code
	// constants), or 0 where 8x8 documents none, as for the envelope.
	Code int
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ValidationError lists every problem found in an answer. Parse returns it
// for every failure, syntax errors included.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}
