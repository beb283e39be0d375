package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse checks Parse against encoding/json, whose map decoding reads a body the way
// JSON.parse does (exact keys, last duplicate wins): Parse never panics, calls a body malformed
// exactly when encoding/json does, and otherwise reports what a reading of the decoded map
// gives for every field.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(eventsDir(f), "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `{"eventType":"X"}`,
		`{"eventType":"X","payload":{"subAccountId":"a","subAccountId":null}}`,
		`{"eventType":"X","payload":{"subAccountId":"a"},"payload":{"eventId":"b"}}`,
		`{"eventType":"X","payload":{"eventData":{"dtmf":null},"dtmf":12}}`,
		`{"eventType":"X","payload":{"sub\u0041ccountId":"\ud800x","eventData":"0"}}`,
		"{\"eventType\":\"X\",\"payload\":{\"eventId\":\"\xff\xfe\"}}",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		orig := bytes.Clone(body)
		got, err := Parse(body)
		if !bytes.Equal(body, orig) {
			t.Fatal("Parse modified the body")
		}
		want, wantErr := referenceParse(body)
		var se *SyntaxError
		if errors.As(err, &se) != (wantErr == errSyntax) {
			t.Fatalf("Parse error %v; encoding/json says %v", err, wantErr)
		}
		if se != nil {
			if se.Offset < 0 || se.Offset > int64(len(body)) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("bad position in %#v", se)
			}
			return
		}
		switch wantErr {
		case nil:
			if err != nil {
				t.Fatalf("Parse: %v; encoding/json reads %+v", err, want)
			}
			members := got.Members
			got.Raw, got.Members = nil, nil
			if !reflect.DeepEqual(*got, *want) {
				t.Fatalf("Parse disagrees with encoding/json\n got %+v\nwant %+v", *got, *want)
			}
			if wantMembers := referenceMembers(t, body); !reflect.DeepEqual(members, wantMembers) {
				t.Fatalf("Parse's members disagree with encoding/json's\n got %+v\nwant %+v", members, wantMembers)
			}
		case errNotObject:
			if !errors.Is(err, ErrNotObject) {
				t.Fatalf("got %v, want ErrNotObject", err)
			}
		default:
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != wantErr.Error() {
				t.Fatalf("got %v, want an error about %s", err, wantErr)
			}
		}
	})
}

// referenceMembers lists the members of body's top-level object with encoding/json's
// tokenizer: each key, and where the value's text (a json.RawMessage) sits in body.
func referenceMembers(t *testing.T, body []byte) []Member {
	dec := json.NewDecoder(bytes.NewReader(body))
	members := []Member{}
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		end := int(dec.InputOffset())
		members = append(members, Member{Key: key.(string), Start: end - len(raw), End: end})
	}
	return members
}

var (
	errSyntax    = errors.New("syntax")
	errNotObject = errors.New("not object")
)

// referenceParse is Parse written plainly over encoding/json's generic decoding. Field
// errors are returned as errors whose text is the field's path.
func referenceParse(body []byte) (*Event, error) {
	if !json.Valid(body) {
		return nil, errSyntax
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, errSyntax
	}
	m, ok := top.(map[string]any)
	if !ok {
		return nil, errNotObject
	}
	p := map[string]any{}
	if v, ok := m["payload"]; ok {
		if p, ok = v.(map[string]any); !ok {
			return nil, errors.New("payload")
		}
	}
	ev := &Event{}
	if ev.EventType, ok = m["eventType"].(string); !ok {
		return nil, errors.New("eventType")
	}
	switch v := p["subAccountId"].(type) {
	case string:
		ev.Tenant = v
	case nil:
	default:
		return nil, errors.New("payload.subAccountId")
	}
	ev.EventID, _ = p["eventId"].(string)
	ev.SessionID, _ = p["sessionId"].(string)
	ev.CallID, _ = p["callId"].(string)
	ev.CallStatus, _ = p["callStatus"].(string)
	ev.ClientActionID, ev.HasClientActionID = p["clientActionId"].(string)

	digits := func(v any) (string, bool) {
		switch v := v.(type) {
		case string:
			return v, v != ""
		case json.Number:
			for _, c := range []byte(v) {
				if c < '0' || c > '9' {
					return "", false
				}
			}
			return string(v), true
		}
		return "", false
	}
	ed := p["eventData"]
	if edm, ok := ed.(map[string]any); ok {
		ev.DTMF, ev.HasDTMF = digits(edm["dtmf"])
		ev.Speech, _ = edm["asrCaptured"].(string)
	} else {
		ev.DTMF, ev.HasDTMF = digits(ed)
	}
	if !ev.HasDTMF {
		ev.DTMF, ev.HasDTMF = digits(p["dtmf"])
	}
	return ev, nil
}
