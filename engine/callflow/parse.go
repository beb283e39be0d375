package callflow

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callscript/callscript/engine/internal/jsonscan"
)

// Parse reads the JSON text a handler returned (JSON.stringify output): an
// envelope {"clientActionId"?: string, "callflow": [...]}, a bare array of
// actions, or one action object. It fills what d supplies, validates the
// result against every rule of REFERENCE.md §2-§4, and returns the answer,
// or a *ValidationError listing every problem found.
func Parse(data []byte, d Defaults) (*Answer, error) {
	return ParseString(string(data), d)
}

// ParseString is Parse for JSON text already held in a string, as a
// JavaScript engine hands it out; it saves Parse's copy of the input.
// The strings of the returned Answer may share memory with s.
func ParseString(s string, d Defaults) (a *Answer, err error) {
	// One allocation holds the answer and room for a typical callflow.
	block := new(struct {
		answer  Answer
		actions [4]Action
		verbs   [4]verb
	})
	dec := decoder{sc: newScanner(s), defaults: d, out: &block.answer, actions: block.actions[:0], verbs: block.verbs[:0]}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			a, err = nil, &ValidationError{Problems: []Problem{{
				Message: "the answer is not valid JSON: " + se.msg + " " + position(s, se.offset),
			}}}
		}
	}()
	dec.answer()
	if dec.problems != nil {
		return nil, &ValidationError{Problems: dec.problems}
	}
	return dec.out, nil
}

// position describes a byte offset for a syntax error: as a line and
// column where the text has several lines (a tenant.json fallback), else
// as a byte offset (JSON.stringify output is one line).
func position(s string, offset int) string {
	line, col := jsonscan.Position(bytesOf(s), offset)
	if line == 1 && !strings.Contains(s, "\n") {
		return "at byte " + strconv.Itoa(offset+1)
	}
	return "at line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col)
}

// verb identifies an action by its name.
type verb uint8

const (
	verbUnknown verb = iota
	verbSay
	verbSayAndCapture
	verbPlayFile
	verbMakeCall
	verbHangup
)

func lookupVerb(name string) verb {
	switch name {
	case "say":
		return verbSay
	case "sayAndCapture":
		return verbSayAndCapture
	case "playFile":
		return verbPlayFile
	case "makeCall":
		return verbMakeCall
	case "hangup":
		return verbHangup
	}
	return verbUnknown
}

const shapeHelp = `{"callflow": [...]}, an array of actions, or one action object`

// decoder turns the JSON text into an Answer, collecting problems as it
// goes instead of stopping at the first; only a syntax error stops it.
// It builds each action even from values found wrong, since the Answer is
// handed out only when no problem was found.
type decoder struct {
	sc       scanner
	defaults Defaults
	problems []Problem
	out      *Answer
	actions  []Action // the backing store for out.Callflow
	verbs    []verb   // the verb of each callflow entry, verbUnknown where invalid
}

func (d *decoder) problem(path string, code int, msg string) {
	d.problems = append(d.problems, Problem{Path: path, Message: msg, Code: code})
}

func actionPath(i int) string {
	return "callflow[" + strconv.Itoa(i) + "]"
}

func keyPath(i int, key string) string {
	return member(actionPath(i), key)
}

func paramPath(i int, name string) string {
	return member(actionPath(i)+".params", name)
}

// member appends key to a path: as .key where key is an identifier, as
// ["key"] otherwise, so that an unknown key full of dots, brackets or
// control characters cannot make a path ambiguous or break a log line.
func member(path, key string) string {
	ident := key != ""
	for i := 0; i < len(key) && ident; i++ {
		c := key[i]
		ident = c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9'
	}
	switch {
	case !ident:
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	}
	return path + "." + key
}

func (d *decoder) answer() {
	switch k := d.sc.peek(); k {
	case jsonscan.Array:
		d.callflow()
	case jsonscan.Object:
		d.topObject()
	case jsonscan.None:
		if d.sc.Pos >= len(d.sc.Data) {
			d.problem("", 0, "the answer is empty; expected "+shapeHelp)
			return
		}
		d.sc.failUnexpected("where the answer should start")
	default:
		d.sc.skip()
		d.problem("", 0, "the answer must be "+shapeHelp+", got "+k.String())
	}
	d.sc.finish()
}

// actionObject tracks the two members of an action object while it is
// read. Their values are parsed where they stand, except where params come
// before action (params cannot be read without knowing the action) and in
// a top-level object, which may yet turn out to be an envelope: those are
// read again from their offsets once the object has been seen whole.
type actionObject struct {
	actionOff, paramsOff int // offset of a value to be read later, or -1
	actionSeen           bool
	paramsSeen           bool
	verb                 verb
	named                bool // the action member has been read
	paramsDone           bool
}

func newActionObject() actionObject {
	return actionObject{actionOff: -1, paramsOff: -1}
}

// topObject reads an object at the top level: an envelope or one action.
func (d *decoder) topObject() {
	act := newActionObject()
	var callflowSeen, idSeen bool
	var unknown, duplicates []string
	d.sc.object(func(key string) {
		switch key {
		case "callflow":
			if callflowSeen {
				d.problem("callflow", 0, "appears more than once")
				d.sc.skip()
				return
			}
			callflowSeen = true
			if k := d.sc.peek(); k != jsonscan.Array {
				d.sc.skip()
				d.problem("callflow", 0, "must be an array of actions, got "+k.String())
				return
			}
			d.callflow()
		case "clientActionId":
			if idSeen {
				d.problem("clientActionId", 0, "appears more than once")
				d.sc.skip()
				return
			}
			idSeen = true
			d.clientActionID()
		case "action", "params":
			// Decided below: an action's members or an envelope's mistakes.
			if key == "action" && act.actionSeen || key == "params" && act.paramsSeen {
				duplicates = append(duplicates, key)
			} else if key == "action" {
				act.actionSeen, act.actionOff = true, d.sc.Pos
			} else {
				act.paramsSeen, act.paramsOff = true, d.sc.Pos
			}
			d.sc.skip()
		default:
			unknown = append(unknown, key)
			d.sc.skip()
		}
	})

	if !callflowSeen && (act.actionSeen || act.paramsSeen) {
		// One action object, standing for a callflow of one.
		d.out.Callflow = d.actions
		if idSeen {
			d.problem(keyPath(0, "clientActionId"), CodeInvalidEntry,
				`belongs in the envelope, not in an action: return {"clientActionId": ..., "callflow": [action]}`)
			d.out.ClientActionID = ""
		}
		for _, key := range duplicates {
			d.problem(keyPath(0, key), CodeInvalidEntry, "appears more than once")
		}
		for _, key := range unknown {
			d.unknownActionKey(0, key)
		}
		d.finishAction(0, &act)
		d.sequence()
		return
	}

	if !callflowSeen {
		d.problem("callflow", 0, "is missing but it is required; the answer must be "+shapeHelp)
	}
	if act.actionSeen {
		d.problem("action", 0, `unknown key "action" in the answer envelope: actions belong inside the callflow array`)
	}
	if act.paramsSeen {
		d.problem("params", 0, `unknown key "params" in the answer envelope: params belong to an action inside the callflow array`)
	}
	for _, key := range unknown {
		msg := "unknown key " + strconv.Quote(key) + " in the answer envelope, which holds only clientActionId and callflow"
		if s := didYouMean(key, envelopeKeys, envelopeAliases); s != "" {
			msg += `; did you mean "` + s + `"?`
		}
		d.problem(member("", key), 0, msg)
	}
}

var envelopeKeys = []string{"clientActionId", "callflow"}

var envelopeAliases = map[string]string{
	"actions": "callflow", "flow": "callflow", "call_flow": "callflow",
	"id": "clientActionId", "actionid": "clientActionId", "client_action_id": "clientActionId",
}

// clientActionID reads the envelope's clientActionId. null means absent.
func (d *decoder) clientActionID() {
	switch k := d.sc.peek(); k {
	case jsonscan.Null:
		d.sc.null()
	case jsonscan.String:
		id := d.sc.str()
		for i := 0; i < len(id); i++ {
			if id[i] < 0x20 || id[i] > 0x7e {
				d.problem("clientActionId", 0, "may contain only printable ASCII characters (letters, digits, punctuation and space), got "+quoteShort(id))
				return
			}
		}
		if len(id) > MaxClientActionIDLength {
			d.problem("clientActionId", 0, "must be at most "+strconv.Itoa(MaxClientActionIDLength)+" characters long, got "+strconv.Itoa(len(id)))
			return
		}
		d.out.ClientActionID = id
	default:
		d.sc.skip()
		d.problem("clientActionId", 0, "must be a string, got "+k.String())
	}
}

// callflow reads the array of actions and checks the rules of their order.
func (d *decoder) callflow() {
	d.verbs = d.verbs[:0]
	d.out.Callflow = d.actions
	d.sc.array(func(i int) { d.action(i) })
	if len(d.out.Callflow) == 0 {
		d.problem("callflow", 0, "must contain at least one action (what 8x8 does with an empty callflow is undocumented)")
		return
	}
	d.sequence()
}

// action reads one element of the callflow array.
func (d *decoder) action(i int) {
	if k := d.sc.peek(); k != jsonscan.Object {
		d.sc.skip()
		d.problem(actionPath(i), CodeInvalidEntry, `must be an action object such as {"action": "say", "params": {...}}, got `+k.String())
		d.out.Callflow = append(d.out.Callflow, nil)
		d.verbs = append(d.verbs, verbUnknown)
		return
	}
	act := newActionObject()
	d.sc.object(func(key string) {
		switch key {
		case "action":
			if act.actionSeen {
				d.problem(keyPath(i, key), CodeInvalidEntry, "appears more than once")
				d.sc.skip()
				return
			}
			act.actionSeen = true
			d.actionName(i, &act)
		case "params":
			if act.paramsSeen {
				d.problem(keyPath(i, key), CodeInvalidEntry, "appears more than once")
				d.sc.skip()
				return
			}
			act.paramsSeen = true
			if !act.named {
				act.paramsOff = d.sc.Pos
				d.sc.skip()
				return
			}
			d.params(i, &act)
		default:
			d.unknownActionKey(i, key)
			d.sc.skip()
		}
	})
	d.finishAction(i, &act)
}

// finishAction reads what was deferred and completes callflow[i].
func (d *decoder) finishAction(i int, act *actionObject) {
	end := d.sc.Pos
	if act.actionOff >= 0 {
		d.sc.Pos = act.actionOff
		d.actionName(i, act)
	}
	if act.paramsOff >= 0 && act.verb != verbUnknown {
		d.sc.Pos = act.paramsOff
		d.params(i, act)
	}
	d.sc.Pos = end

	if !act.actionSeen {
		d.problem(keyPath(i, "action"), CodeInvalidEntry, "is missing but it is required; it names the action: say, sayAndCapture, playFile, makeCall or hangup")
	}
	if !act.paramsDone {
		d.out.Callflow = append(d.out.Callflow, nil)
		if act.verb == verbHangup {
			d.out.Callflow[len(d.out.Callflow)-1] = Hangup{}
		} else if act.verb != verbUnknown {
			d.problem(keyPath(i, "params"), CodeInvalidEntry, "is missing but it is required for "+act.verb.name())
		}
	}
	d.verbs = append(d.verbs, act.verb)
}

func (v verb) name() string {
	switch v {
	case verbSay:
		return "say"
	case verbSayAndCapture:
		return "sayAndCapture"
	case verbPlayFile:
		return "playFile"
	case verbMakeCall:
		return "makeCall"
	case verbHangup:
		return "hangup"
	}
	return "an unknown action"
}

func (d *decoder) actionName(i int, act *actionObject) {
	act.named = true
	k := d.sc.peek()
	if k != jsonscan.String {
		d.sc.skip()
		d.problem(keyPath(i, "action"), CodeInvalidEntry, "must be a string naming the action (say, sayAndCapture, playFile, makeCall or hangup), got "+k.String())
		return
	}
	name := d.sc.str()
	act.verb = lookupVerb(name)
	if act.verb == verbUnknown {
		msg := "unknown action " + quoteShort(name) + "; the actions are say, sayAndCapture, playFile, makeCall and hangup"
		if s := didYouMean(name, actionNames, actionAliases); s != "" {
			msg += `; did you mean "` + s + `"?`
		}
		d.problem(keyPath(i, "action"), CodeInvalidAction, msg)
	}
}

var actionNames = []string{"say", "sayAndCapture", "playFile", "makeCall", "hangup"}

var actionAliases = map[string]string{
	"speak": "say", "tts": "say", "talk": "say",
	"gather": "sayAndCapture", "capture": "sayAndCapture", "ask": "sayAndCapture", "input": "sayAndCapture", "menu": "sayAndCapture",
	"play": "playFile", "stream": "playFile", "audio": "playFile",
	"dial": "makeCall", "connect": "makeCall", "transfer": "makeCall", "bridge": "makeCall", "call": "makeCall", "forward": "makeCall",
	"hang_up": "hangup", "end": "hangup", "reject": "hangup", "disconnect": "hangup",
}

var actionKeyAliases = map[string]string{
	"type": "action", "name": "action", "verb": "action",
	"param": "params", "parameters": "params", "options": "params", "opts": "params", "args": "params",
}

func (d *decoder) unknownActionKey(i int, key string) {
	msg := "unknown key " + strconv.Quote(key) + " in an action object, which holds only action and params"
	if s := didYouMean(key, []string{"action", "params"}, actionKeyAliases); s != "" {
		msg += `; did you mean "` + s + `"?`
	} else if paramOwner(key) != "" {
		msg += "; " + key + " belongs inside params"
	}
	d.problem(keyPath(i, key), CodeInvalidEntry, msg)
}

// params reads the params object of callflow[i], whose verb is known.
func (d *decoder) params(i int, act *actionObject) {
	if act.verb == verbUnknown {
		d.sc.skip() // the action's name is already reported
		return
	}
	act.paramsDone = true
	k := d.sc.peek()
	if act.verb == verbHangup {
		d.hangupParams(i, k)
		return
	}
	if k != jsonscan.Object {
		d.sc.skip()
		d.problem(keyPath(i, "params"), CodeInvalidEntry, "must be an object, got "+k.String())
		d.out.Callflow = append(d.out.Callflow, nil)
		return
	}
	var a Action
	switch act.verb {
	case verbSay:
		a = d.say(i)
	case verbSayAndCapture:
		a = d.sayAndCapture(i)
	case verbPlayFile:
		a = d.playFile(i)
	case verbMakeCall:
		a = d.makeCall(i)
	}
	d.out.Callflow = append(d.out.Callflow, a)
}

func (d *decoder) hangupParams(i int, k jsonscan.Kind) {
	d.out.Callflow = append(d.out.Callflow, Hangup{})
	if k != jsonscan.Object {
		d.sc.skip()
		d.problem(keyPath(i, "params"), CodeInvalidEntry, "must be left out (or an empty object): hangup takes no params; got "+k.String())
		return
	}
	d.sc.object(func(key string) {
		d.sc.skip()
		d.problem(paramPath(i, key), CodeInvalidEntry, "hangup takes no params; leave this out")
	})
}

// The values of params as read, before the rules are applied. set records
// that the key appeared at all, ok that its value has the right type.
type (
	stringParam struct {
		v       string
		set, ok bool
		null    bool // given as null, which means absent where allowed
	}
	numberParam struct {
		f       float64
		lit     string // the number as written, for messages
		set, ok bool
		filled  bool // taken from Defaults
	}
	boolParam struct {
		v, set, ok bool
	}
)

// paramReader reads the params of one action.
type paramReader struct {
	d    *decoder
	i    int
	verb verb
}

func (r paramReader) problem(name string, code int, msg string) {
	r.d.problem(paramPath(r.i, name), code, msg)
}

// duplicate reports a param given twice and skips the second value.
func (r paramReader) duplicate(name string, set bool) bool {
	if set {
		r.problem(name, CodeInvalidEntry, "appears more than once")
		r.d.sc.skip()
	}
	return set
}

// typeMismatch skips a value of the wrong kind and reports it.
func (r paramReader) typeMismatch(name, want string, k jsonscan.Kind) {
	got := k.String()
	if k == jsonscan.String {
		got = "the string " + quoteShort(r.d.sc.str())
	} else {
		r.d.sc.skip()
	}
	r.problem(name, CodeInvalidEntry, "must be "+want+", got "+got)
}

// str reads a string param; with nullable, null reads as absent.
func (r paramReader) str(name string, p *stringParam, nullable bool) {
	if r.duplicate(name, p.set) {
		return
	}
	p.set = true
	switch k := r.d.sc.peek(); {
	case k == jsonscan.String:
		p.v, p.ok = r.d.sc.str(), true
	case k == jsonscan.Null && nullable:
		r.d.sc.null()
		p.null, p.ok = true, true
	case nullable:
		r.typeMismatch(name, "a string or null", k)
	default:
		r.typeMismatch(name, "a string", k)
	}
}

// num reads a number param; with integer, only whole numbers are accepted
// (2 and 2.0 alike, as JavaScript does not tell them apart).
func (r paramReader) num(name string, p *numberParam, integer bool) {
	if r.duplicate(name, p.set) {
		return
	}
	p.set = true
	k := r.d.sc.peek()
	want := "a number"
	if integer {
		want = "an integer"
	}
	if k != jsonscan.Number {
		r.typeMismatch(name, want, k)
		return
	}
	p.lit = r.d.sc.number()
	p.f = parseNumber(p.lit)
	if integer && p.f != math.Trunc(p.f) {
		r.problem(name, CodeInvalidEntry, "must be an integer, got "+shorten(p.lit))
		return
	}
	p.ok = true
}

func (r paramReader) boolean(name string, p *boolParam) {
	if r.duplicate(name, p.set) {
		return
	}
	p.set = true
	if k := r.d.sc.peek(); k != jsonscan.Bool {
		r.typeMismatch(name, "true or false", k)
		return
	}
	p.v, p.ok = r.d.sc.boolean(), true
}

// unknown reports a param the action does not take.
func (r paramReader) unknown(name string) {
	r.d.sc.skip()
	verbName := r.verb.name()
	msg := "unknown param " + strconv.Quote(name) + " for " + verbName
	names := paramNames[r.verb]
	if s := didYouMean(name, names, paramAliases[r.verb]); s != "" {
		msg += `; did you mean "` + s + `"?`
	} else if owner := paramOwner(name); owner != "" {
		msg += " (only " + owner + " takes it)"
	} else {
		msg += "; " + verbName + " takes " + strings.Join(names, ", ")
	}
	r.problem(name, CodeInvalidEntry, msg)
}

var paramNames = [...][]string{
	verbSay:           {"text", "voiceProfile", "repetition", "speed"},
	verbSayAndCapture: {"promptMessage", "voiceProfile", "speed", "repetition", "minDigits", "maxDigits", "digitTimeout", "overallTimeout", "completeOnHash", "noOfTries", "successMessage", "failureMessage"},
	verbPlayFile:      {"fileUrl", "repetition"},
	verbMakeCall:      {"source", "destination", "callRecording"},
	verbHangup:        nil,
}

// paramAliases maps names people reach for (from other platforms, or
// other actions) to the param they meant. Keys are lower case.
var paramAliases = [...]map[string]string{
	verbSay: {
		"prompt": "text", "promptmessage": "text", "message": "text",
		"voice": "voiceProfile", "profile": "voiceProfile", "language": "voiceProfile",
		"repeat": "repetition", "loop": "repetition", "rate": "speed",
	},
	verbSayAndCapture: {
		"text": "promptMessage", "prompt": "promptMessage", "message": "promptMessage",
		"voice": "voiceProfile", "profile": "voiceProfile", "language": "voiceProfile",
		"digits": "maxDigits", "numdigits": "maxDigits", "numberofdigits": "maxDigits",
		"timeout": "overallTimeout", "interdigittimeout": "digitTimeout",
		"tries": "noOfTries", "retries": "noOfTries", "attempts": "noOfTries", "numberoftries": "noOfTries",
		"finishonkey": "completeOnHash", "repeat": "repetition", "loop": "repetition", "rate": "speed",
	},
	verbPlayFile: {
		"url": "fileUrl", "file": "fileUrl", "src": "fileUrl", "audio": "fileUrl", "audiourl": "fileUrl",
		"repeat": "repetition", "loop": "repetition",
	},
	verbMakeCall: {
		"from": "source", "callerid": "source", "caller": "source",
		"to": "destination", "number": "destination", "callee": "destination",
		"record": "callRecording", "recording": "callRecording",
	},
	verbHangup: nil,
}

// paramOwner names the actions that take a param, for a param put on the
// wrong action.
func paramOwner(name string) string {
	var owners []string
	for v := verbSay; v <= verbMakeCall; v++ {
		for _, p := range paramNames[v] {
			if p == name {
				owners = append(owners, v.name())
			}
		}
	}
	return strings.Join(owners, " and ")
}

func (d *decoder) say(i int) Action {
	r := paramReader{d: d, i: i, verb: verbSay}
	var text, voice stringParam
	var repetition, speed numberParam
	d.sc.object(func(key string) {
		switch key {
		case "text":
			r.str(key, &text, false)
		case "voiceProfile":
			r.str(key, &voice, false)
		case "repetition":
			r.num(key, &repetition, true)
		case "speed":
			r.num(key, &speed, false)
		default:
			r.unknown(key)
		}
	})
	r.required("text", &text)
	r.text("text", &text)
	r.voiceProfile(&voice)
	r.repetition(&repetition)
	r.speed(&speed)
	return &Say{Text: text.v, VoiceProfile: voice.v, Repetition: repetition.int(), Speed: speed.float()}
}

func (d *decoder) sayAndCapture(i int) Action {
	r := paramReader{d: d, i: i, verb: verbSayAndCapture}
	var prompt, voice, success, failure stringParam
	var speed, repetition, minDigits, maxDigits, digitTimeout, overallTimeout, noOfTries numberParam
	var completeOnHash boolParam
	d.sc.object(func(key string) {
		switch key {
		case "promptMessage":
			r.str(key, &prompt, false)
		case "voiceProfile":
			r.str(key, &voice, false)
		case "speed":
			r.num(key, &speed, false)
		case "repetition":
			r.num(key, &repetition, true)
		case "minDigits":
			r.num(key, &minDigits, true)
		case "maxDigits":
			r.num(key, &maxDigits, true)
		case "digitTimeout":
			r.num(key, &digitTimeout, true)
		case "overallTimeout":
			r.num(key, &overallTimeout, true)
		case "completeOnHash":
			r.boolean(key, &completeOnHash)
		case "noOfTries":
			r.num(key, &noOfTries, true)
		case "successMessage":
			r.str(key, &success, true)
		case "failureMessage":
			r.str(key, &failure, true)
		default:
			r.unknown(key)
		}
	})

	r.required("promptMessage", &prompt)
	r.text("promptMessage", &prompt)
	r.voiceProfile(&voice)
	r.speed(&speed)
	r.repetition(&repetition)

	// Fill only where filling cannot hide a mistake: with minDigits given
	// or completeOnHash false, the author owes 8x8 a maxDigits of their own.
	hashOff := completeOnHash.ok && !completeOnHash.v
	switch {
	case maxDigits.set:
	case minDigits.set:
		r.problem("maxDigits", CodeMinDigitsNeedMaxDigits, "is required when minDigits is given")
		if hashOff {
			r.problem("maxDigits", CodeCompleteOnHashNeedMaxDigits, "is required when completeOnHash is false")
		}
	case hashOff:
		r.problem("maxDigits", CodeCompleteOnHashNeedMaxDigits, "is required when completeOnHash is false")
	default:
		maxDigits.fill(d.defaults.maxDigits())
	}
	maxDigitsCode := CodeInvalidEntry
	switch {
	case hashOff:
		maxDigitsCode = CodeCompleteOnHashNeedMaxDigits
	case minDigits.set:
		maxDigitsCode = CodeMinDigitsNeedMaxDigits
	}
	maxValid := r.intRange("maxDigits", &maxDigits, 1, 25, maxDigitsCode)
	minValid := r.intRange("minDigits", &minDigits, 1, maxInteger, CodeInvalidEntry)
	if minValid && maxValid && minDigits.f > maxDigits.f {
		r.problem("minDigits", CodeMinDigitsNeedMaxDigits, "must not be greater than maxDigits ("+maxDigits.text()+"), got "+minDigits.text())
	}

	if !overallTimeout.set {
		if digitTimeout.set {
			r.problem("overallTimeout", CodeDigitTimeoutNeedsOverall, "is required when digitTimeout is given, and must be greater than it")
		} else {
			overallTimeout.fill(d.defaults.overallTimeout())
		}
	}
	overallCode := CodeInvalidEntry
	if digitTimeout.set {
		overallCode = CodeDigitTimeoutNeedsOverall
	}
	overallValid := r.intRange("overallTimeout", &overallTimeout, 1, maxInteger, overallCode)
	digitValid := r.intRange("digitTimeout", &digitTimeout, 1, maxInteger, CodeInvalidEntry)
	if overallValid && digitValid && digitTimeout.f >= overallTimeout.f {
		r.problem("digitTimeout", CodeOverallNotAfterDigitTimeout, "must be less than overallTimeout ("+overallTimeout.text()+"), got "+digitTimeout.text())
	}

	if !noOfTries.set {
		noOfTries.fill(d.defaults.noOfTries())
	}
	r.intRange("noOfTries", &noOfTries, 1, maxInteger, CodeInvalidEntry)
	r.message("successMessage", &success)
	r.message("failureMessage", &failure)

	s := &SayAndCapture{
		PromptMessage:  prompt.v,
		VoiceProfile:   voice.v,
		Speed:          speed.float(),
		Repetition:     repetition.int(),
		MinDigits:      minDigits.int(),
		MaxDigits:      maxDigits.int(),
		DigitTimeout:   digitTimeout.int(),
		OverallTimeout: overallTimeout.int(),
		NoOfTries:      noOfTries.int(),
		SuccessMessage: success.v,
		FailureMessage: failure.v,
	}
	if completeOnHash.set {
		v := completeOnHash.v
		s.CompleteOnHash = &v
	}
	return s
}

func (d *decoder) playFile(i int) Action {
	r := paramReader{d: d, i: i, verb: verbPlayFile}
	var fileURL stringParam
	var repetition numberParam
	d.sc.object(func(key string) {
		switch key {
		case "fileUrl":
			r.str(key, &fileURL, false)
		case "repetition":
			r.num(key, &repetition, true)
		default:
			r.unknown(key)
		}
	})
	r.required("fileUrl", &fileURL)
	if fileURL.ok {
		if msg := checkFileURL(fileURL.v); msg != "" {
			r.problem("fileUrl", CodeInvalidEntry, msg)
		}
	}
	r.repetition(&repetition)
	return &PlayFile{FileURL: fileURL.v, Repetition: repetition.int()}
}

func (d *decoder) makeCall(i int) Action {
	r := paramReader{d: d, i: i, verb: verbMakeCall}
	var source, destination stringParam
	var recording boolParam
	d.sc.object(func(key string) {
		switch key {
		case "source":
			r.str(key, &source, false)
		case "destination":
			r.str(key, &destination, false)
		case "callRecording":
			r.boolean(key, &recording)
		default:
			r.unknown(key)
		}
	})
	r.required("source", &source)
	r.required("destination", &destination)
	for _, p := range [...]struct {
		name string
		v    *stringParam
	}{{"source", &source}, {"destination", &destination}} {
		if p.v.ok {
			if msg := checkE164(p.v.v); msg != "" {
				r.problem(p.name, CodeInvalidNumber, msg)
			}
		}
	}
	m := &MakeCall{Source: source.v, Destination: destination.v}
	if recording.set {
		v := recording.v
		m.CallRecording = &v
	}
	return m
}

func (r paramReader) required(name string, p *stringParam) {
	if !p.set {
		r.problem(name, CodeInvalidEntry, "is missing but it is required")
	}
}

// text checks text, promptMessage: 1 to MaxTextLength code points.
func (r paramReader) text(name string, p *stringParam) {
	if !p.ok {
		return
	}
	if p.v == "" {
		r.problem(name, CodeInvalidEntry, "must not be empty")
		return
	}
	if n := utf8.RuneCountInString(p.v); n > MaxTextLength {
		r.problem(name, CodeInvalidEntry, "must be at most "+strconv.Itoa(MaxTextLength)+" characters long, got "+strconv.Itoa(n))
	}
}

// message checks successMessage and failureMessage: null, absent, or text.
func (r paramReader) message(name string, p *stringParam) {
	if p.null {
		return
	}
	if p.ok && p.v == "" {
		r.problem(name, CodeInvalidEntry, "must not be empty; use null or leave it out for no message")
		return
	}
	r.text(name, p)
}

func (r paramReader) voiceProfile(p *stringParam) {
	switch {
	case !p.set:
		p.v, p.ok = r.d.defaults.voiceProfile(), true
	case p.ok && strings.TrimSpace(p.v) == "":
		r.problem("voiceProfile", CodeInvalidEntry, `must name a speech profile such as "en-US-Standard-A"; leave it out to use the tenant's default`)
	}
}

func (r paramReader) repetition(p *numberParam) {
	r.intRange("repetition", p, 1, 3, CodeInvalidEntry)
}

func (r paramReader) speed(p *numberParam) {
	if p.ok && !(p.f >= 0.5 && p.f <= 2.0) {
		r.problem("speed", CodeInvalidEntry, "must be between 0.5 and 2.0, got "+shorten(p.lit))
	}
}

// intRange checks an integer param that is set and well typed against
// [min, max], and reports whether it is valid.
func (r paramReader) intRange(name string, p *numberParam, min, max int, code int) bool {
	if !p.ok {
		return false
	}
	if p.f >= float64(min) && p.f <= float64(max) {
		return true
	}
	var msg string
	switch {
	case max == maxInteger && p.f < float64(min):
		msg = "must be at least " + strconv.Itoa(min)
	case max == maxInteger:
		msg = "must be at most " + strconv.Itoa(max)
	default:
		msg = "must be between " + strconv.Itoa(min) + " and " + strconv.Itoa(max)
	}
	msg += ", got " + p.text()
	if p.filled {
		msg += " (filled in from the tenant's defaults)"
	}
	r.problem(name, code, msg)
	return false
}

func (p *numberParam) fill(v int) {
	p.f, p.ok, p.filled = float64(v), true, true
}

// text is the number for a message: as written, or as filled in.
func (p *numberParam) text() string {
	if p.filled {
		return strconv.FormatFloat(p.f, 'f', -1, 64)
	}
	return shorten(p.lit)
}

// int is the value of a valid integer param, 0 when absent.
func (p *numberParam) int() int {
	if !p.set && !p.filled {
		return 0
	}
	return int(p.f)
}

func (p *numberParam) float() float64 {
	if !p.set {
		return 0
	}
	return p.f
}

// parseNumber converts a literal the scanner has checked. Overflow gives
// ±Inf, which every range check rejects.
func parseNumber(lit string) float64 {
	if len(lit) <= 15 {
		n, neg := 0, false
		for i := 0; i < len(lit); i++ {
			c := lit[i]
			switch {
			case c >= '0' && c <= '9':
				n = n*10 + int(c-'0')
			case c == '-' && i == 0:
				neg = true
			default:
				goto slow
			}
		}
		if neg {
			return -float64(n)
		}
		return float64(n)
	}
slow:
	f, _ := strconv.ParseFloat(lit, 64)
	return f
}

// sequence checks the rules that concern the order and count of actions.
func (d *decoder) sequence() {
	makeCalls := 0
	last := len(d.verbs) - 1
	for i, v := range d.verbs {
		switch v {
		case verbMakeCall:
			makeCalls++
			if makeCalls == 3 {
				d.problem(actionPath(i), CodeTooManyActions, "a callflow may hold at most two makeCall actions; this is the third")
			} else if makeCalls > 3 {
				d.problem(actionPath(i), CodeTooManyActions, "a callflow may hold at most two makeCall actions; this is number "+strconv.Itoa(makeCalls))
			}
		case verbHangup:
			if i != last {
				d.problem(actionPath(i), CodeMisplacedHangup, "hangup must be the last action: the actions after it would never run")
			}
		}
		if i == 0 || d.verbs[i-1] != verbSayAndCapture || v == verbUnknown {
			continue
		}
		if v == verbHangup {
			d.problem(actionPath(i), CodeMisplacedHangup, "hangup straight after sayAndCapture makes 8x8 ignore the captured digits; end the callflow with sayAndCapture and answer the next CALL_ACTION instead")
		} else {
			d.problem(actionPath(i), 0, "no action may follow sayAndCapture ("+actionPath(i-1)+"): it must end the callflow, and 8x8 reports the digits in the next CALL_ACTION, which your handler answers with what comes next")
		}
	}
}

// quoteShort quotes s for a message, cut to a readable length.
func quoteShort(s string) string {
	return strconv.Quote(shorten(s))
}

func shorten(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
